"""The topic view: what a subject's commenters talked about in one period, and what rose since the last.

A subject is a whole jurisdiction, one organisation (its accounts together) or one account; a
jurisdiction or an organisation reads its official accounts only (published or archived, as the
metrics' levels above the account do), an account under review is its own subject alone. The
period is a calendar week (Monday to Sunday) or month in the jurisdiction's time zone, labelled as
the metrics label them (``2026-W14``, ``2026-04``); by default the latest one with comments.

:func:`topics` reads the subject's citizen comments over a window of periods ending with the chosen
one (:data:`HISTORY`), segments them (:mod:`.segment`, each distinct text once per process),
counts the comments mentioning each term (:mod:`.terms`) and compares the period with the one
before by weighted log-odds, the window being the prior (:mod:`.rising`). For each rising term it
names the government posts whose comments mentioned it most: post text is the government's own,
and no citizen's comment or identity is ever part of the view. Results are kept in a small LRU
keyed by the subject, the period and a data version (the number of comments in the window and the
newest comment id), so a page seen twice costs two small queries.
"""

from __future__ import annotations

import bisect
import datetime as dt
import enum
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from govsocial.analyze.excerpt import excerpt
from govsocial.analyze.topics import rising as r
from govsocial.analyze.topics.segment import is_emoji
from govsocial.analyze.topics.terms import Counts, Spellings, comment_terms, frequent_phrases, keys_of
from govsocial.store import queries, texts
from govsocial.store.texts import CommentText, Scope

T = TypeVar("T")


class PeriodKind(enum.StrEnum):
    """The periods compared: calendar weeks or months."""

    WEEK = "week"
    MONTH = "month"


#: How many periods the window holds (the chosen one, the one before, and older ones): the prior.
HISTORY: dict[PeriodKind, int] = {PeriodKind.WEEK: 12, PeriodKind.MONTH: 6}
#: Government posts named per rising term, and characters of each post's text shown.
POSTS_PER_TERM = 3
#: Two overlapping terms count as one when the rarer is in at least this share of the other's comments.
SAME_COMMENTS = 0.8
#: Topic views kept in memory.
CACHE_VIEWS = 256
#: A most-mentioned term names at least this many comments, as a rising one does
#: (``rising.MIN_COMMENTS``): the words of one or two comments listed one by one would be those
#: comments, taken apart, and the view shows what many people said, never what one person wrote.
MIN_TOP_COMMENTS = r.MIN_COMMENTS


@dataclass(frozen=True)
class Period:
    """One week or month: its label and its bounds in the jurisdiction's time zone (end excluded)."""

    kind: PeriodKind
    label: str
    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True)
class Subject:
    """Whose comments: a jurisdiction, an organisation or an account.

    ``entity`` names it (the jurisdiction code, the organisation code or the account id as text);
    ``account_ids`` are the accounts whose comments count (None: every account of the jurisdiction).
    """

    level: Literal["jurisdiction", "organisation", "account"]
    jurisdiction: str
    entity: str
    account_ids: tuple[int, ...] | None = None


@dataclass(frozen=True)
class PostRef:
    """A government post whose comments mentioned a term, and how many of them did."""

    id: int
    account_id: int
    platform: str
    post_id: str
    created_at: dt.datetime
    excerpt: str
    url: str | None
    comments: int


@dataclass(frozen=True)
class RisingTerm:
    """A term that rose: comments mentioning it now and before, as counts and shares, and its z."""

    term: str
    key: str
    phrase: bool
    now: int
    before: int
    share_now: float
    share_before: float
    delta: float
    z: float
    posts: list[PostRef]


@dataclass(frozen=True)
class TopTerm:
    """One of the period's most mentioned terms."""

    term: str
    key: str
    phrase: bool
    now: int
    share_now: float
    before: int


@dataclass(frozen=True)
class TopicView:
    """What a subject's commenters talked about in ``period``, against ``previous``."""

    subject: Subject
    period: Period
    previous: Period
    comments_now: int
    comments_before: int
    comments_window: int
    window_start: dt.datetime
    rising: list[RisingTerm]
    top: list[TopTerm]
    sample: bool


# --- Periods -----------------------------------------------------------------------------------


def _midnight(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=zone)


def period_of(day: dt.date, kind: PeriodKind, zone: ZoneInfo) -> Period:
    """The week (from Monday) or month holding ``day``."""
    if kind is PeriodKind.WEEK:
        first = day - dt.timedelta(days=day.weekday())
        after = first + dt.timedelta(weeks=1)
        iso = first.isocalendar()
        label = f"{iso.year}-W{iso.week:02d}"
    else:
        first = day.replace(day=1)
        after = (first + dt.timedelta(days=32)).replace(day=1)
        label = first.strftime("%Y-%m")
    return Period(kind, label, _midnight(first, zone), _midnight(after, zone))


def previous(period: Period) -> Period:
    """The period of the same kind just before ``period``."""
    zone = period.start.tzinfo
    assert isinstance(zone, ZoneInfo)
    return period_of(period.start.date() - dt.timedelta(days=1), period.kind, zone)


def window(period: Period, size: int) -> list[Period]:
    """``size`` periods ending with ``period``, oldest first."""
    periods = [period]
    while len(periods) < size:
        periods.append(previous(periods[-1]))
    return periods[::-1]


def parse_period(text: str) -> PeriodKind:
    """``week`` or ``month``; anything else is a ValueError with the choices."""
    try:
        return PeriodKind(text)
    except ValueError:
        raise ValueError(f"period must be week or month, not {text!r}") from None


def resolve_subject(
    session: Session, jurisdiction: str, account: int | None = None, organisation: str | None = None
) -> Subject:
    """The subject an account id or organisation code names, else the jurisdiction itself.

    ``NotFoundError`` for an unknown account, organisation or jurisdiction; ValueError for both.
    """
    if account is not None and organisation is not None:
        raise ValueError("give an account or an organisation, not both")
    if account is not None:
        row = queries.get_account(session, account)
        return Subject("account", row.jurisdiction, str(row.id), (row.id,))
    if organisation is not None:
        org = queries.get_organisation(session, jurisdiction, organisation)
        owned = queries.accounts_by_organisation(session, [org.id])[org.id]
        ids = tuple(a.id for a in owned if a.status in texts.OFFICIAL_STATUSES)
        return Subject("organisation", jurisdiction, org.code, ids)
    queries.get_jurisdiction(session, jurisdiction)
    return Subject("jurisdiction", jurisdiction, jurisdiction, None)


# --- The view ----------------------------------------------------------------------------------


#: The days a topic view may be asked about: social media began long after the first, and the
#: view's window of earlier periods must stay inside the calendar.
FIRST_DAY = dt.date(1990, 1, 1)
LAST_DAY = dt.date(9998, 12, 31)


def topics(
    session: Session,
    subject: Subject,
    kind: PeriodKind = PeriodKind.WEEK,
    at: dt.date | None = None,
    limit: int = 10,
) -> TopicView | None:
    """The topic view of ``subject`` for the period holding ``at`` (default: the latest with comments).

    None when the subject has no comments at all (and no ``at`` was given); ValueError for a day
    outside ``FIRST_DAY`` to ``LAST_DAY``.
    """
    if at is not None and not FIRST_DAY <= at <= LAST_DAY:
        # The view reaches back several periods: near year 1 that is before the calendar begins.
        raise ValueError(f"at must be a day from {FIRST_DAY} to {LAST_DAY}, not {at}")
    scope = Scope(subject.jurisdiction, subject.account_ids)
    zone = queries.jurisdiction_zone(session, subject.jurisdiction)
    if at is None:
        latest = texts.latest_comment_time(session, scope)
        if latest is None:
            return None
        at = latest.astimezone(zone).date()
    periods = window(period_of(at, kind, zone), HISTORY[kind])
    start, end = periods[0].start, periods[-1].end
    key = (subject, kind, periods[-1].label, limit, texts.data_version(session, scope, start, end))
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    comments = texts.comment_texts(session, scope, start, end)
    view = _build(session, subject, periods, comments, limit)
    _CACHE.put(key, view)
    return view


def _build(
    session: Session, subject: Subject, periods: Sequence[Period], comments: Sequence[CommentText], limit: int
) -> TopicView:
    starts = [p.start for p in periods]
    now_index, before_index = len(periods) - 1, len(periods) - 2
    analysed = [(bisect.bisect_right(starts, c.created_at) - 1, c, comment_terms(c.text)) for c in comments]
    phrases = frequent_phrases(terms for _, _, terms in analysed)
    history, now, before = Counts(), Counts(), Counts()
    spellings = Spellings()
    mentions: dict[str, Counter[int]] = {}
    for index, comment, terms in analysed:
        keys = keys_of(terms, phrases)
        history.add(keys)
        spellings.add(terms.words)
        spellings.add((k, s) for k, s in terms.phrases if k in phrases)
        if index == now_index:
            now.add(keys)
            for k in keys:
                mentions.setdefault(k, Counter())[comment.post_id] += 1
        elif index == before_index:
            before.add(keys)
    weight = r.PRIOR_WEIGHT * (sum(now.terms.values()) + sum(before.terms.values()))
    scores = r.log_odds(now.terms, before.terms, r.prior_from(history.terms, weight))
    risen = distinct(r.rising(scores), lambda s: (s.term, s.now), limit)
    post_ids = {pid for s in risen for pid, _ in mentions[s.term].most_common(POSTS_PER_TERM)}
    posts = texts.post_texts(session, sorted(post_ids))
    return TopicView(
        subject=subject,
        period=periods[-1],
        previous=periods[-2],
        comments_now=now.comments,
        comments_before=before.comments,
        comments_window=history.comments,
        window_start=periods[0].start,
        rising=[_rising_term(s, now, before, spellings, mentions, posts, phrases) for s in risen],
        top=[
            TopTerm(spellings.shown(k), k, k in phrases, n, _share(n, now.comments), before.terms.get(k, 0))
            for k, n in _most_mentioned(now, limit)
        ],
        sample=any(c.sample for c in comments),
    )


def _most_mentioned(counts: Counts, limit: int) -> list[tuple[str, int]]:
    """The words and phrases most comments mention (at least :data:`MIN_TOP_COMMENTS`). Emoji are
    left out of this list: they are common everywhere and say how people feel (the sentiment
    section's subject), not what about; they stay candidates for rising terms, where a sudden
    surge of one is news."""
    # Ties: the longer term first, so a phrase is kept and its words (as many comments) left out.
    ranked = sorted(counts.terms.items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0]))
    words = [(k, n) for k, n in ranked if n >= MIN_TOP_COMMENTS and not (len(k) == 1 and is_emoji(k))]
    return distinct(words, lambda kv: kv, limit)


def distinct(items: Sequence[T], key: Callable[[T], tuple[str, int]], limit: int) -> list[T]:
    """The first ``limit`` items, leaving out repeats: a term that overlaps one already kept
    (希望政府加強宣傳 gives 加強, 宣傳, 加強宣傳 and 政府加強) and is mentioned in about as many comments
    (within :data:`SAME_COMMENTS`) says nothing new."""
    kept: list[T] = []
    for item in items:
        term, count = key(item)
        if not any(_repeats(term, count, *key(other)) for other in kept):
            kept.append(item)
        if len(kept) == limit:
            break
    return kept


def _repeats(term: str, count: int, other: str, other_count: int) -> bool:
    close = min(count, other_count) >= SAME_COMMENTS * max(count, other_count)
    return close and (term in other or other in term or _edges_meet(term, other) or _edges_meet(other, term))


def _edges_meet(left: str, right: str) -> bool:
    """Whether ``left`` ends with at least two characters that ``right`` starts with (政府加強, 加強宣傳)."""
    return any(left.endswith(right[:k]) for k in range(2, min(len(left), len(right))))


def _share(count: int, total: int) -> float:
    return count / total if total else 0.0


def _rising_term(
    score: r.LogOdds,
    now: Counts,
    before: Counts,
    spellings: Spellings,
    mentions: dict[str, Counter[int]],
    posts: dict[int, texts.PostText],
    phrases: frozenset[str],
) -> RisingTerm:
    refs = [
        _post_ref(posts[pid], n)
        for pid, n in mentions[score.term].most_common(POSTS_PER_TERM)
        if pid in posts
    ]
    return RisingTerm(
        term=spellings.shown(score.term),
        key=score.term,
        phrase=score.term in phrases,
        now=score.now,
        before=score.before,
        share_now=_share(score.now, now.comments),
        share_before=_share(score.before, before.comments),
        delta=score.delta,
        z=score.z,
        posts=refs,
    )


def _post_ref(post: texts.PostText, comments: int) -> PostRef:
    return PostRef(
        id=post.id,
        account_id=post.account_id,
        platform=post.platform,
        post_id=post.post_id,
        created_at=post.created_at,
        excerpt=excerpt(post.text),
        url=post.url if post.official else None,
        comments=comments,
    )


class _Views:
    """A small thread-safe LRU of topic views."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[object, TopicView] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: object) -> TopicView | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: object, view: TopicView) -> None:
        with self._lock:
            self._items[key] = view
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_CACHE = _Views(CACHE_VIEWS)


def clear_cache() -> None:
    """Forget every kept view (tests, and after comment texts were edited in place)."""
    _CACHE.clear()
