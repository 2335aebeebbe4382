"""Terms and phrases of comments, counted as document frequency: how many comments mention each.

A term is a word that names something (``公屋``, ``延誤``, ``scam``, an emoji): what
:mod:`.segment` keeps once particles, function words and lone characters are dropped. A phrase is
two words written side by side (``屯馬綫 延誤``, ``消費 券``, ``stay safe``) that enough comments
share (:data:`MIN_PHRASE_COMMENTS`): a lone character may be half of a phrase, so a word jieba split
in two is joined again. Counting comments, not occurrences, keeps one long or repeated comment
from dominating: each comment counts once for each term it mentions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise

from govsocial.analyze.topics.segment import Segmenter, Word, default_segmenter, is_cjk

#: A phrase counts only when at least this many comments (in all the periods compared) use it.
MIN_PHRASE_COMMENTS = 3
#: Distinct comment texts whose terms are remembered (comments repeat: "唔該晒", "Thanks!").
CACHE_TEXTS = 100_000


@dataclass(frozen=True)
class Terms:
    """The distinct terms and candidate phrases of one comment, each as ``(key, surface)``."""

    words: tuple[tuple[str, str], ...]
    phrases: tuple[tuple[str, str], ...]


def join(left: str, right: str) -> str:
    """Two words as one phrase: Chinese runs on (消費 + 券 = 消費券), anything else takes a space."""
    return left + right if is_cjk(left[-1]) and is_cjk(right[0]) else f"{left} {right}"


def terms_of(words: Sequence[Word | None]) -> Terms:
    """The terms of a segmented comment, each once, in order of first appearance."""
    found: dict[str, str] = {}
    for w in words:
        if w is not None and not w.single:
            found.setdefault(w.key, w.surface)
    phrases: dict[str, str] = {}
    for a, b in pairwise(words):
        if a is None or b is None or a.emoji or b.emoji or a.key == b.key or (a.single and b.single):
            continue
        phrases.setdefault(join(a.key, b.key), join(a.surface, b.surface))
    # A phrase that is also one dictionary word (消费券 from 消费 + 券) is that word.
    return Terms(tuple(found.items()), tuple((k, s) for k, s in phrases.items() if k not in found))


def comment_terms(text: str, segmenter: Segmenter | None = None) -> Terms:
    """The terms of one comment's text."""
    if segmenter is None:
        return _cached_terms(text)
    return terms_of(segmenter.words(text))


@lru_cache(maxsize=CACHE_TEXTS)
def _cached_terms(text: str) -> Terms:
    return terms_of(default_segmenter().words(text))


@dataclass
class Counts:
    """Comments mentioning each term in one set of comments, and how each term was written."""

    comments: int = 0
    terms: Counter[str] = field(default_factory=Counter)

    def add(self, keys: Iterable[str]) -> None:
        """Count one comment with these distinct term keys."""
        self.comments += 1
        self.terms.update(keys)


class Spellings:
    """How each term key was written, to show its most common spelling."""

    def __init__(self) -> None:
        self._forms: dict[str, Counter[str]] = {}

    def add(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Record ``(key, surface)`` pairs of one comment."""
        for key, surface in pairs:
            self._forms.setdefault(key, Counter())[surface] += 1

    def shown(self, key: str) -> str:
        """The most common spelling of ``key`` (ties: the first seen)."""
        forms = self._forms.get(key)
        return forms.most_common(1)[0][0] if forms else key


def frequent_phrases(all_terms: Iterable[Terms], minimum: int = MIN_PHRASE_COMMENTS) -> frozenset[str]:
    """The phrase keys that at least ``minimum`` comments use."""
    counts: Counter[str] = Counter()
    for terms in all_terms:
        counts.update(key for key, _ in terms.phrases)
    return frozenset(key for key, n in counts.items() if n >= minimum)


def keys_of(terms: Terms, phrases: frozenset[str]) -> list[str]:
    """A comment's term keys: its words and those of its phrases that are frequent."""
    return [key for key, _ in terms.words] + [key for key, _ in terms.phrases if key in phrases]
