"""Clarifications of misinformation: which posts clarify, how far they reached, how fast they came.

A social post (press releases are left out: they have no interactions) is a clarification when
its text has one of ``CHINESE_TERMS`` (Traditional and Simplified) or matches one of
``ENGLISH_PATTERNS`` (whole words, any case), or when the registry marks it
(``clarifications.csv``, see ``registry.clarifications``). Each one is listed with:

- ``reach``: its interactions (reactions or likes + comments + shares, latest counts) divided by
  the median interactions of the same account's posts in the ``USUAL_DAYS`` (90) days before it,
  when at least ``MIN_USUAL_POSTS`` such posts have counts; ``views_reach`` the same for views
  where the platform gives them;
- ``time_to_clarification``: the post's time minus the rumour's first appearance, when a mark
  gives it.

Computed on demand from the store: clarifications are few, and a mark added to the registry
shows at once, without a metrics refresh.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from govsocial.analyze.excerpt import excerpt
from govsocial.store import clarifications as store
from govsocial.store.clarifications import Counts, Mark, PostRow

#: Words that say a post clarifies (clarify, untrue, fake news, rumour), Traditional and Simplified.
CHINESE_TERMS = (
    "澄清", "失實", "失实", "假消息", "謠言", "谣言", "不實", "不实",
    "虛假消息", "虚假消息", "虛假訊息", "虚假讯息", "虛假資訊", "虚假信息",
)  # fmt: skip
#: English words, matched as whole words in any case.
ENGLISH_PATTERNS = (
    r"clarif(?:y|ies|ied|ying|ications?)",
    r"fake news",
    r"false (?:claims?|information|reports?)",
    r"(?:mis|dis)information",
    r"rumou?rs?",
    r"hoax(?:es)?",
)
#: Plain substrings that narrow the SQL read before the patterns decide (lower case).
ENGLISH_PREFILTER = (
    "clarif", "fake news", "false claim", "false information", "false report", "misinformation",
    "disinformation", "rumor", "rumour", "hoax",
)  # fmt: skip
_ENGLISH = re.compile(r"\b(?:" + "|".join(ENGLISH_PATTERNS) + r")\b", re.IGNORECASE)
MARK = "registry mark"
USUAL_DAYS = 90
MIN_USUAL_POSTS = 3


@dataclass(frozen=True)
class Clarification:
    """A post that clarifies misinformation, with its reach and time to clarification."""

    post_id: int
    account_id: int
    platform: str
    handle: str
    posted_at: dt.datetime
    excerpt: str
    #: The post's address; only for published accounts.
    url: str | None
    #: Why it is listed: the keywords found, and ``"registry mark"`` when marked.
    reasons: tuple[str, ...]
    interactions: int | None
    usual_interactions: float | None
    reach: float | None
    views: int | None
    usual_views: float | None
    views_reach: float | None
    #: How many earlier posts the usual figures are the median of.
    usual_posts: int
    rumour_first_seen_at: dt.datetime | None
    rumour_url: str | None
    note: str | None
    sample: bool

    @property
    def time_to_clarification(self) -> dt.timedelta | None:
        """From the rumour's first appearance to this post, when a mark gives the former."""
        if self.rumour_first_seen_at is None:
            return None
        return self.posted_at - self.rumour_first_seen_at

    @property
    def marked(self) -> bool:
        """Whether the registry marks this post."""
        return MARK in self.reasons


def keywords(text: str | None) -> tuple[str, ...]:
    """The clarification keywords in ``text``, in the order they first appear (English lower-cased)."""
    if not text:
        return ()
    found = [(text.find(term), term) for term in CHINESE_TERMS if term in text]
    found += [(m.start(), m.group(0).lower()) for m in _ENGLISH.finditer(text)]
    seen: dict[str, None] = {}
    for _, word in sorted(found):
        seen.setdefault(word, None)
    return tuple(seen)


def list_clarifications(
    session: Session,
    jurisdiction: str,
    account_ids: Collection[int] | None = None,
    since: dt.datetime | None = None,
) -> list[Clarification]:
    """The jurisdiction's clarifications (of ``account_ids`` only, and since ``since``), newest first."""
    marks = store.marks(session, jurisdiction)
    rows = store.candidates(
        session, jurisdiction, (*CHINESE_TERMS, *ENGLISH_PREFILTER), list(marks), account_ids, since
    )
    chosen = []
    for row in rows:
        mark = marks.get(store.url_variants(row.url)[0]) if row.url else None
        reasons = keywords(row.text) + ((MARK,) if mark else ())
        if reasons:
            chosen.append((row, mark, reasons))
    usual = _history(session, [row for row, _, _ in chosen])
    return [_clarification(row, mark, reasons, usual[row.account_id]) for row, mark, reasons in chosen]


def _history(session: Session, rows: Sequence[PostRow]) -> dict[int, list[Counts]]:
    """Per account, its posts from ``USUAL_DAYS`` before its first clarification to its last one."""
    times: dict[int, list[dt.datetime]] = defaultdict(list)
    for row in rows:
        times[row.account_id].append(row.created_at)
    window = dt.timedelta(days=USUAL_DAYS)
    return {
        account: store.post_counts(session, account, min(moments) - window, max(moments))
        for account, moments in times.items()
    }


def _clarification(
    row: PostRow, mark: Mark | None, reasons: tuple[str, ...], history: list[Counts]
) -> Clarification:
    own = next((c for c in history if c.post_id == row.id), None)
    earlier = _earlier(history, row.created_at)
    interactions = own.interactions if own else None
    views = own.views if own else None
    usual_interactions = _median([c.interactions for c in earlier])
    usual_views = _median([c.views for c in earlier])
    return Clarification(
        post_id=row.id, account_id=row.account_id, platform=row.platform, handle=row.handle,
        posted_at=row.created_at, excerpt=excerpt(row.text), url=_link(row), reasons=reasons,
        interactions=interactions, usual_interactions=usual_interactions,
        reach=_ratio(interactions, usual_interactions), views=views, usual_views=usual_views,
        views_reach=_ratio(views, usual_views), usual_posts=sum(c.interactions is not None for c in earlier),
        rumour_first_seen_at=mark.rumour_first_seen_at if mark else None,
        rumour_url=mark.rumour_url if mark else None, note=mark.note if mark else None,
        sample=row.source == "sample",
    )  # fmt: skip


def _link(row: PostRow) -> str | None:
    """The post's address, for published accounts only, and only an http(s) one (never ``javascript:``)."""
    if row.account_status != "published" or not row.url:
        return None
    return row.url if row.url.startswith(("https://", "http://")) else None


def _earlier(history: list[Counts], moment: dt.datetime) -> list[Counts]:
    """The posts of the ``USUAL_DAYS`` days before ``moment`` (``history`` is in time order)."""
    stamps = [c.created_at for c in history]
    return history[bisect_left(stamps, moment - dt.timedelta(days=USUAL_DAYS)) : bisect_left(stamps, moment)]


def _median(values: Sequence[int | None]) -> float | None:
    known = [v for v in values if v is not None]
    return float(statistics.median(known)) if len(known) >= MIN_USUAL_POSTS else None


def _ratio(value: int | None, usual: float | None) -> float | None:
    if value is None or not usual:
        return None
    return value / usual


def account_filter(
    session: Session, jurisdiction: str, account: int | None, organisation: str | None
) -> list[int] | None:
    """The accounts one account id and an organisation code select (both: those in common); None: all."""
    chosen: set[int] | None = None if account is None else {account}
    if organisation is not None:
        owned = set(store.organisation_accounts(session, jurisdiction, organisation))
        chosen = owned if chosen is None else chosen & owned
    return None if chosen is None else sorted(chosen)
