"""The hand-written lexicon and the few features it gives a comment, negation and "but" included.

n-grams learned from reviews know the words reviewers use; a government page gets other words
and much shorter text. The lexicon (``lexicon.tsv``, written for this project) adds what carries
across domains: how many good and bad words a comment has, whether a negator (唔, 冇, 不, not, ...)
reaches them, whether an intensifier (好, 超, 勁, very, ...) strengthens them, whether they come
after a "but", and the laughter, question and "again" cues that sarcasm and complaints lean on,
with praise in scare quotes (多謝你哋咁「用心」) and a question that holds no verdict.
The linear model learns how much each of these counts; the lexicon never decides alone.

Terms are matched on tokens (:mod:`.text`), longest first, left to right, so 唔該 (thanks) is one
term and not 唔 + 該, and 冇問題 is a negated 問題 (no problem). A negator reaches the next
sentiment word within :data:`NEGATION_REACH` tokens, unless a clause break or "but" comes first;
a second negator in reach cancels the first (唔會唔支持).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from govsocial.analyze.sentiment.base import SentimentError
from govsocial.analyze.sentiment.text import BREAKS, key, split

#: The lexicon written for govsocial (shipped inside the package).
DEFAULT_LEXICON = Path(__file__).with_name("lexicon.tsv")
KINDS = ("pos", "neg", "pos+int", "negator", "int", "laugh", "ask", "again", "contrast")
#: How many tokens after a negator (an intensifier) a sentiment word may start and be negated (boosted).
NEGATION_REACH = 3
BOOST_REACH = 2
#: Feature names start with a tab, which no n-gram can contain (tokens hold no white space).
PREFIX = "\t"


@dataclass(frozen=True)
class Lexicon:
    """Folded terms (n-gram keys) -> kind, and for each first token the longest term it starts."""

    terms: Mapping[str, str]
    longest: Mapping[str, int]

    @classmethod
    def build(cls, entries: Mapping[str, str], table: Mapping[int, str | None]) -> Lexicon:
        """Fold and tokenise ``entries`` (term -> kind) with the model's folding ``table``."""
        terms: dict[str, str] = {}
        longest: dict[str, int] = {}
        for term, kind in entries.items():
            parts = split(term, table)
            if parts:
                terms.setdefault(key(parts), kind)
                longest[parts[0]] = max(longest.get(parts[0], 0), len(parts))
        return cls(terms, longest)


def read_lexicon(path: Path = DEFAULT_LEXICON) -> dict[str, str]:
    """term -> kind from a lexicon file (``term<TAB>kind``; ``#`` starts a comment line)."""
    entries: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        term, _, kind = line.partition("\t")
        if kind.strip() not in KINDS:
            raise SentimentError(
                f"{path}:{number}: unknown kind {kind.strip()!r} (kinds: {', '.join(KINDS)})"
            )
        entries[term.strip()] = kind.strip()
    return entries


def _match(toks: Sequence[str], i: int, lexicon: Lexicon) -> tuple[str, int] | None:
    """The longest term starting at token ``i``: (kind, length in tokens), or None."""
    longest = lexicon.longest.get(toks[i])
    if longest is None:
        return None
    for size in range(min(longest, len(toks) - 1 - i), 0, -1):
        kind = lexicon.terms.get(key(toks[i : i + size]))
        if kind is not None:
            return kind, size
    return None


class _Reading:
    """One left-to-right pass: counts, and up to which token a negator or intensifier reaches."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.negated_until = 0  # a sentiment term starting before this token index is negated
        self.boosted_until = 0
        self.after_but = False

    def clause_break(self) -> None:
        self.negated_until = self.boosted_until = 0

    def sentiment(self, polarity: str, at: int, quoted: bool = False) -> None:
        if quoted and polarity == "pos":
            self.counts["qpos"] += 1  # 多謝你哋咁「用心」: praise in scare quotes is mockery
        if at < self.negated_until:
            self.counts["n" + polarity] += 1  # 唔好食: a negated good word, weaker than a bad one
            self.negated_until = 0
        else:
            self.counts[polarity] += 1
        if at < self.boosted_until:
            self.counts["i" + polarity] += 1
        if self.after_but:
            self.counts["b" + polarity] += 1

    def event(self, kind: str, at: int, end: int) -> None:
        if kind == "negator":
            self.negated_until = 0 if at < self.negated_until else end + NEGATION_REACH
        elif kind == "int":
            self.boosted_until = end + BOOST_REACH
        elif kind == "contrast":
            self.after_but = True
            self.clause_break()
        else:
            self.counts[kind] += 1


def lexicon_counts(toks: Sequence[str], lexicon: Lexicon) -> Counter[str]:
    """Counts of what the lexicon finds in ``toks`` (a token sequence with its start/end markers)."""
    reading = _Reading()
    starts = lexicon.longest  # most tokens start no term: one look-up rules them out
    i, end = 1, len(toks) - 1
    while i < end:
        found = _match(toks, i, lexicon) if toks[i] in starts else None
        if found is None:
            if toks[i] in BREAKS:
                reading.clause_break()
            i += 1
            continue
        kind, size = found
        if kind == "pos+int":
            after = _match(toks, i + size, lexicon) if i + size < end else None
            # 好差, 好好用 and 好唔滿意: before a sentiment word or a negator, 好 means "very"
            kind = "int" if after is not None and after[0] in ("pos", "neg", "pos+int", "negator") else "pos"
        if kind in ("pos", "neg"):
            reading.sentiment(kind, i, toks[i - 1] == '"' and toks[i + size] == '"')
        else:
            reading.event(kind, i, i + size)
        i += size
    return reading.counts


def lexicon_features(toks: Sequence[str], lexicon: Lexicon) -> dict[str, float]:
    """The lexicon's features of ``toks``: log-scaled counts and a few interactions.

    Counts are log-scaled so that ten good words in a long review do not weigh ten times one in a
    short comment: the model is trained on reviews and used on comments.
    """
    counts = lexicon_counts(toks, lexicon)
    good = counts["pos"] + counts["nneg"]
    bad = counts["neg"] + counts["npos"]
    features = {PREFIX + name: math.log1p(count) for name, count in counts.items()}
    if good + bad:
        features[PREFIX + "balance"] = (good - bad) / (good + bad)
    else:
        features[PREFIX + "none"] = 1.0
    if good and bad:
        features[PREFIX + "mixed"] = 1.0
    if (bad and (counts["laugh"] or counts["again"])) or counts["qpos"]:
        features[PREFIX + "mock"] = 1.0  # 又加價😂: laughter or "again" beside a bad word
    if counts["ask"] and not good + bad:
        features[PREFIX + "query"] = 1.0  # 請問幾時開門？: a question and no verdict is neutral
    if good and counts["laugh"] and not bad:
        features[PREFIX + "laughgood"] = 1.0
    return features
