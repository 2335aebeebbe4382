"""Press release -> the first social post on the same subject: what the timeliness metric measures.

The study's respondents said official pages were "not fast enough" (69.2 %). To measure it, each
press release (an item of an RSS feed registered as an account of platform ``rss``) is matched to
the first social post that retells it, and the delay between the two is the number.

Rules:

- **Who may retell it.** Any social account of the same jurisdiction, not only the accounts of
  the organisation that owns the feed. Hong Kong's press releases are published centrally by the
  Information Services Department (www.info.gov.hk) for every bureau and department, so
  restricting matches to the feed's owner would find almost nothing; a department retelling its
  own release is the common case and is found this way too.
- **When.** The post must come at or after the release and no later than
  ``timeliness_max_hours`` after it. A post published before its release is not a retelling of
  it (and would give a negative delay).
- **Same subject.** Text similarity at least ``timeliness_similarity``: the cosine of the two
  texts' token sets, where Chinese is cut into character bigrams (no segmenter needed: 「天文台」
  gives 天文, 文台) and Latin-script words are whole words, lower-cased, without common English
  function words (character bigrams of English would make any two English texts look alike).
  Only the first ``TEXT_CHARS`` characters of each text count: a release's headline and lead are
  what a post retells, and its full body would dilute any post's similarity to nothing. Cosine
  rather than Jaccard, because a release and a post differ in length and Jaccard punishes that.
- **Which post.** The earliest that qualifies (ties: the lower post id). One post may retell
  several releases.

The search is a sweep over time: posts enter an inverted index (token -> posts) as the window
moves forward and leave it as it passes them, so each release is compared only with the posts in
its own window that share enough of its tokens ("prefix filtering": a pair whose cosine reaches t
shares at least ceil(t^2 |A|) tokens, so it shares one of any |A| - that + 1 of A's tokens; the
ones probed are those with the fewest posts). Posts can be streamed in time order, so memory holds
one window, not the whole history. Sorting dominates: O(n log n) in releases and posts.
"""

from __future__ import annotations

import bisect
import math
import re
import unicodedata
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import pyarrow as pa

from govsocial.analyze import frames as F

#: Characters of a text that take part in matching (headline and lead of a release).
TEXT_CHARS = 300

#: English function words: too common to say anything about a subject.
STOP_WORDS = frozenset(
    {
        "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in", "is", "it",
        "its", "of", "on", "or", "our", "that", "the", "this", "to", "was", "were", "will", "with", "you",
        "your", "we", "us",
    }
)  # fmt: skip

_HAN = "\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff"
_RUNS = re.compile(f"[{_HAN}]+|[a-z0-9]+")
_URL = re.compile(r"(?:https?://|www\.)\S+")


@dataclass(frozen=True)
class Item:
    """A press release or a social post, as matching needs it."""

    post_id: int
    account_id: int
    ts: int
    text: str | None


@dataclass(frozen=True)
class Match:
    """A press release and the first social post on its subject."""

    release_post_id: int
    release_account_id: int
    post_id: int
    account_id: int
    ts: int
    delay_s: int
    similarity: float


def tokens(text: str | None) -> frozenset[str]:
    """The tokens of ``text`` that similarity counts: Chinese character bigrams and English words."""
    if not text:
        return frozenset()
    plain = _URL.sub(" ", unicodedata.normalize("NFKC", text[:TEXT_CHARS]).lower())
    found: set[str] = set()
    for run in _RUNS.findall(plain):
        if run[0].isascii():
            if run not in STOP_WORDS and (len(run) > 1 or run.isdigit()):
                found.add(run)
        elif len(run) == 1:
            found.add(run)
        else:
            found.update(run[i : i + 2] for i in range(len(run) - 1))
    return frozenset(found)


def similarity(a: str | None, b: str | None) -> float:
    """Cosine similarity of two texts' token sets, 0 to 1."""
    return _cosine(tokens(a), tokens(b))


def _cosine(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / math.sqrt(len(a) * len(b))


def in_windows(release_times: Sequence[int], ts: int, max_seconds: int) -> bool:
    """Whether ``ts`` is at most ``max_seconds`` after one of the (sorted) release times."""
    i = bisect.bisect_right(release_times, ts) - 1
    return i >= 0 and ts - release_times[i] <= max_seconds


def match(
    releases: Iterable[Item],
    posts: Iterable[Item],
    max_hours: float,
    threshold: float,
    presorted: bool = False,
) -> list[Match]:
    """For each release, the first post within ``max_hours`` whose similarity reaches ``threshold``.

    ``posts`` may be a stream: with ``presorted`` (posts already in (time, id) order) it is read
    once, lazily, and only the posts of the current window are held in memory.
    """
    ordered = sorted(releases, key=lambda r: (r.ts, r.post_id))
    stream = iter(posts) if presorted else iter(sorted(posts, key=lambda p: (p.ts, p.post_id)))
    return _Sweep(stream, int(max_hours * 3600), threshold).run(ordered) if ordered else []


class _Sweep:
    """The time sweep: an inverted index (token -> posts) of the posts in the current window.

    Posts are numbered in time order as they enter; a post leaves when a release later than it
    comes (releases come in time order, so it can never match again), and its numbers are
    dropped from the index lazily, when a release next reads that token.
    """

    def __init__(self, posts: Iterator[Item], window: int, threshold: float) -> None:
        self.posts = posts
        self.pending = next(posts, None)
        self.window = window
        self.threshold = threshold
        self.live: dict[int, tuple[Item, frozenset[str]]] = {}
        self.order: deque[int] = deque()  # the live posts' numbers, oldest first
        self.index: dict[str, deque[int]] = {}
        self.count = 0

    def run(self, releases: list[Item]) -> list[Match]:
        found = []
        for release in releases:
            self._advance(release.ts + self.window)
            self._forget(release.ts)
            best = self._best(release)
            if best is not None:
                found.append(best)
        return found

    def _advance(self, until: int) -> None:
        while self.pending is not None and self.pending.ts <= until:
            held = tokens(self.pending.text)
            if held:
                self.live[self.count] = (self.pending, held)
                self.order.append(self.count)
                for token in held:
                    self.index.setdefault(token, deque()).append(self.count)
                self.count += 1
            self.pending = next(self.posts, None)

    def _forget(self, before: int) -> None:
        while self.order and self.live[self.order[0]][0].ts < before:
            del self.live[self.order.popleft()]

    def _postings(self, token: str) -> deque[int]:
        postings = self.index.get(token)
        if postings is None:
            return deque()
        oldest = self.order[0] if self.order else self.count
        while postings and postings[0] < oldest:
            postings.popleft()
        if not postings:
            del self.index[token]  # keeps the index to the window's vocabulary
        return postings

    def _candidates(self, wanted: frozenset[str]) -> set[int]:
        # A pair at cosine >= t shares at least t^2 |A| tokens (|A & B| >= t sqrt(|A| |B|) and
        # |B| >= t^2 |A|), so it shares one of any |present| - need + 1 of A's tokens: probe those
        # with the shortest posting lists. Any order is correct; the shortest are the cheapest.
        need = max(1, math.ceil(self.threshold**2 * len(wanted) - 1e-9))
        present = sorted(
            ((p, t) for t in wanted if (p := self._postings(t))), key=lambda pt: (len(pt[0]), pt[1])
        )
        if len(present) < need:
            return set()
        found: set[int] = set()
        for postings, _ in present[: len(present) - need + 1]:
            found.update(postings)
        return found

    def _best(self, release: Item) -> Match | None:
        wanted = tokens(release.text)
        if not wanted:
            return None
        for number in sorted(self._candidates(wanted)):  # numbers are in time order
            post, held = self.live[number]
            score = _cosine(wanted, held)
            if score >= self.threshold:
                return Match(
                    release.post_id,
                    release.account_id,
                    post.post_id,
                    post.account_id,
                    post.ts,
                    post.ts - release.ts,
                    round(score, 6),
                )
        return None


def to_frame(matches: Sequence[Match], timezone: str) -> pa.Table:
    """The ``matches`` frame, calendar columns of the social post's time in ``timezone``."""
    rows: list[dict[str, object]] = [
        {
            "release_post_id": m.release_post_id,
            "release_account_id": m.release_account_id,
            "post_id": m.post_id,
            "account_id": m.account_id,
            "ts": m.ts,
            "delay_s": m.delay_s,
            "similarity": m.similarity,
        }
        for m in matches
    ]
    return F.from_rows("matches", rows, timezone) if rows else F.empty("matches")
