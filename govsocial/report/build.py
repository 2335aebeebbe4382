"""Gather one period's figures for a report: an organisation or the whole government, one week,
month or year (``report.periods``).

Everything comes from the store: the materialised scorecard (``metric_values`` under the documented
default parameters) for the period and the one before of the same kind, the same values per
account, the period's posts with their latest counts for the best and worst performing ones, the
citizen survey up to the period's end (``report.survey``) and, for an organisation, its place among
the jurisdiction's organisations (``report.peers``). The figures are language-free; ``render``
words them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from govsocial.analyze.clarifications import Clarification, list_clarifications
from govsocial.analyze.metrics.model import Metric, registry
from govsocial.analyze.metrics.params import MetricParams
from govsocial.analyze.topics import view as tv
from govsocial.errors import NotFoundError
from govsocial.registry.catalogue import display_names
from govsocial.report.errors import ReportError
from govsocial.report.peers import PeerRow, peers
from govsocial.report.periods import Period, back, before, check_reportable, parse
from govsocial.report.survey import SurveySection, survey_section
from govsocial.store import metric_queries as mq
from govsocial.store import queries, rankings
from govsocial.store import tables as t
from govsocial.store.texts import OFFICIAL_STATUSES

#: The scorecard rows a report shows, in this order (a subset: the report is read, not searched).
SCORECARD = (
    "accounts", "active_accounts", "post_volume", "followers", "follower_growth", "interactions_per_post",
    "interaction_rate_post", "positive_reaction_share", "reaction_angry_share", "response_rate",
    "question_response_rate", "response_time_median", "comments_waiting", "comments_scored",
    "comment_positive_share", "comment_neutral_share", "comment_negative_share", "net_sentiment",
)  # fmt: skip
#: The trend charts: the subject's values period by period.
TREND = ("post_volume", "interaction_rate_post", "response_rate")
#: Per-account figures: post volume and interaction rate.
PER_ACCOUNT = ("post_volume", "interaction_rate_post")
#: Below this response rate (percent) a finding asks to look at the unanswered comments.
LOW_RESPONSE_RATE = 10.0
#: How many posts the best and the worst lists show.
POSTS_SHOWN = 5
#: Most accounts the per-account charts show: those with the most posts (a government has hundreds).
ACCOUNTS_SHOWN = 25
#: The trend charts' periods by kind, the report's period included.
TREND_PERIODS = {"week": 8, "month": 6, "year": 5}
#: Terms shown of what people talked about (rising and most mentioned each).
TERMS_SHOWN = 8
#: Posts whose latest counts are read per query (SQLite limits the parameters of one statement).
SNAPSHOT_CHUNK = 900


@dataclasses.dataclass(frozen=True)
class Row:
    """One scorecard measure: this period's value and the last period's (``None``: not stored)."""

    metric: Metric
    value: float | None
    previous: float | None

    @property
    def change(self) -> float | None:
        """This period minus the last, when both are known."""
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


@dataclasses.dataclass(frozen=True)
class AccountRow:
    """One account's post volume and interaction rate in the period."""

    account_id: int
    platform: str
    handle: str
    name_en: str
    name_zh: str
    posts: float | None
    interaction_rate: float | None


@dataclasses.dataclass(frozen=True)
class PostRow:
    """A post of the period with its interactions (reactions or likes, comments and shares)."""

    account: str
    account_zh: str
    platform: str
    created_at: dt.datetime
    text: str
    url: str | None
    interactions: int


@dataclasses.dataclass(frozen=True)
class Report:
    """Everything a report shows; names are given in both languages, numbers as stored."""

    jurisdiction: str
    level: str
    entity: str
    name_en: str
    name_zh: str
    period: str
    previous: str
    rows: list[Row]
    accounts: list[AccountRow]
    best: list[PostRow]
    worst: list[PostRow]
    generated_at: dt.datetime
    #: ``metric -> [(period, value)]`` over the last ``TREND_PERIODS`` periods, oldest first.
    trends: dict[str, list[tuple[str, float | None]]] = dataclasses.field(default_factory=dict)
    #: How many accounts have figures; ``accounts`` keeps the ``ACCOUNTS_SHOWN`` with most posts.
    accounts_with_values: int = 0
    #: The period's clarifications, newest first.
    clarifications: list[Clarification] = dataclasses.field(default_factory=list)
    #: What commenters talked about: the period's topic view (``None``: no comments, or a year).
    topics: tv.TopicView | None = None
    #: ``week``, ``month`` or ``year``: the kind of ``period`` and ``previous``.
    period_kind: str = "month"
    #: The citizen survey up to the period's end (government-wide, whatever the subject).
    survey: SurveySection | None = None
    #: An organisation's place among the jurisdiction's organisations (empty for the government).
    peers: list[PeerRow] = dataclasses.field(default_factory=list)
    #: Whether the figures come from the demo's invented sample data (the report then says so).
    sample: bool = False
    #: The platforms' display names by key: (English, Traditional Chinese), as ``/api/v1/platforms``.
    platforms: dict[str, tuple[str, str]] = dataclasses.field(default_factory=dict)
    #: The accounts' display names by id: (English, Traditional Chinese); the handle where none is stored.
    account_names: dict[int, tuple[str, str]] = dataclasses.field(default_factory=dict)
    #: The digest of the metric parameters the figures were computed with (``MetricParams.digest``).
    params: str = ""

    def platform_name(self, key: str, lang: str) -> str:
        """The platform's display name in ``lang`` (its key when the catalogue has no such platform)."""
        names = self.platforms.get(key)
        return key if names is None else names[1] if lang == "zh-hant" else names[0]

    def value(self, metric: str) -> float | None:
        """This period's value of ``metric`` (``None`` when not stored)."""
        return next((r.value for r in self.rows if r.metric.name == metric), None)


def _values(session: Session, f: mq.MetricFilter) -> list[mq.MetricRow]:
    # One page holds them all: a report's filters select at most a few hundred values.
    return mq.list_values(session, f, limit=10_000).items


def _subject(session: Session, jurisdiction: str, organisation: str | None) -> tuple[str, str, str, str]:
    """(level, entity, English name, Chinese name) of the report's subject."""
    if organisation is None:
        try:
            row = queries.get_jurisdiction(session, jurisdiction)
        except NotFoundError as exc:
            raise ReportError(f"unknown jurisdiction {jurisdiction!r}") from exc
        return "government", jurisdiction, row.name_en, row.name_zh_hant or row.name_en
    try:
        org = queries.get_organisation(session, jurisdiction, organisation)
    except NotFoundError as exc:
        raise ReportError(f"unknown organisation {organisation!r} in {jurisdiction!r}") from exc
    return "organisation", org.code, org.name_en, org.name_zh_hant or org.name_en


#: What ``--period`` may say instead of a month: the newest month that has ended with stored values.
LATEST = "latest"


def latest_month(
    session: Session, jurisdiction: str, organisation: str | None, today: dt.date, params: str | None = None
) -> str:
    """The newest month that has ended by ``today`` (the jurisdiction's date) for which the subject
    has stored metric values (``ReportError`` if none). The month in progress is left out: its
    figures still change, and a published report must be of a period that has ended."""
    level, entity, name_en, _ = _subject(session, jurisdiction, organisation)
    f = mq.MetricFilter(
        jurisdiction=jurisdiction, level=level, entity=entity, period_kind="month",
        params=params or MetricParams().digest(),
    )  # fmt: skip
    found = mq.latest_period(session, f, before=f"{today:%Y-%m}")
    if found is None:
        raise ReportError(
            f"no figures are stored for {name_en} for a month that has ended: "
            "run `govsocial metrics refresh` first"
        )
    return found


def _account_ids(session: Session, jurisdiction: str, level: str, entity: str) -> list[int]:
    """The subject's official accounts (``OFFICIAL_STATUSES``): an account under review counts in no
    organisation's or government's figures (docs/metrics.md, "Levels"), so the report's per-account
    charts and lists of posts leave it out too, as its scorecard does."""
    query = select(t.Account.id).where(
        t.Account.jurisdiction == jurisdiction, t.Account.status.in_(OFFICIAL_STATUSES)
    )
    if level != "government":
        ao = t.AccountOrganisation
        owned = (
            select(ao.account_id)
            .join(t.Organisation, t.Organisation.id == ao.organisation_id)
            .where(t.Organisation.jurisdiction == jurisdiction, t.Organisation.code == entity)
        )
        query = query.where(t.Account.id.in_(owned))
    return sorted(set(session.scalars(query)))


def _interactions(snapshot: t.PostSnapshot | None) -> int:
    if snapshot is None:
        return 0
    by_type = snapshot.reactions or {}
    reactions = sum(int(v) for v in by_type.values() if isinstance(v, int | float)) if by_type else 0
    return (reactions or snapshot.likes or 0) + (snapshot.comments or 0) + (snapshot.shares or 0)


def _zone(session: Session, jurisdiction: str) -> ZoneInfo:
    """The jurisdiction's time zone: the scorecard cuts its days, weeks and months there, and so
    must the report's lists of posts, or a post in the first hours of a period would be counted in
    one period by the scorecard and listed in another."""
    return queries.jurisdiction_zone(session, jurisdiction)


def _bounds(period: Period, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """The period's first moment and the moment after it, as days begin in ``zone``; in UTC, as the
    store compares times (SQLite compares their text, so they must be in the zone they are kept in)."""
    return (
        dt.datetime.combine(period.start, dt.time(), zone).astimezone(dt.UTC),
        dt.datetime.combine(period.end, dt.time(), zone).astimezone(dt.UTC),
    )


def _latest_counts(session: Session, post_ids: list[int]) -> dict[int, t.PostSnapshot]:
    # A year of a government's posts is more ids than one SQLite statement may bind.
    counts: dict[int, t.PostSnapshot] = {}
    for first in range(0, len(post_ids), SNAPSHOT_CHUNK):
        counts.update(queries.latest_snapshots(session, post_ids[first : first + SNAPSHOT_CHUNK]))
    return counts


def _posts(session: Session, account_ids: list[int], period: Period, zone: ZoneInfo) -> list[PostRow]:
    """The period's posts of the accounts (days in ``zone``), most interactions first; their times
    in ``zone``."""
    if not account_ids:
        return []
    start, end = _bounds(period, zone)
    posts = session.scalars(
        select(t.Post).where(
            t.Post.account_id.in_(account_ids), t.Post.deleted_at.is_(None),
            t.Post.created_at >= start, t.Post.created_at < end,
        )
    ).all()  # fmt: skip
    counts = _latest_counts(session, [p.id for p in posts])
    accounts = {a.id: a for a in session.scalars(select(t.Account).where(t.Account.id.in_(account_ids)))}
    rows = [
        PostRow(
            accounts[p.account_id].display_name_en or accounts[p.account_id].handle,
            accounts[p.account_id].display_name_zh_hant or accounts[p.account_id].display_name_en
            or accounts[p.account_id].handle, p.platform,
            p.created_at.astimezone(zone), " ".join((p.text or "").split())[:140], p.url,
            _interactions(counts.get(p.id)),
        )
        for p in posts
    ]  # fmt: skip
    return sorted(rows, key=lambda r: (-r.interactions, r.created_at))


#: ``metric -> [(period label, value)]``, oldest first.
Trends = dict[str, list[tuple[str, float | None]]]


def _trends(session: Session, f: mq.MetricFilter, period: Period) -> Trends:
    labels = [p.label for p in back(period, TREND_PERIODS[period.kind])]
    ranged = dataclasses.replace(f, metrics=TREND, since=labels[0], until=period.label)
    stored = {(v.metric, v.period): v.value for v in _values(session, ranged)}
    return {metric: [(label, stored.get((metric, label))) for label in labels] for metric in TREND}


def _clarifications(
    session: Session, jurisdiction: str, level: str, ids: list[int], period: Period, zone: ZoneInfo
) -> list[Clarification]:
    start, end = _bounds(period, zone)
    chosen = None if level == "government" else ids
    found = list_clarifications(session, jurisdiction, chosen, start)
    official = set(ids)  # the government's list is read whole: keep its official accounts' only
    local = [dataclasses.replace(c, posted_at=c.posted_at.astimezone(zone)) for c in found]
    return [c for c in local if c.posted_at < end and c.account_id in official]


def _topics(
    session: Session, jurisdiction: str, organisation: str | None, period: Period
) -> tv.TopicView | None:
    if period.kind not in tuple(tv.PeriodKind):
        return None  # the topic view compares weeks or months; a year is not one of its periods
    subject = tv.resolve_subject(session, jurisdiction, None, organisation)
    view = tv.topics(session, subject, tv.PeriodKind(period.kind), period.start, TERMS_SHOWN)
    # No comments in either period: the report says so plainly rather than "0 this month, 0 last".
    return view if view is not None and (view.comments_now or view.comments_before) else None


def _scorecard(session: Session, f: mq.MetricFilter, period: str, previous: str) -> list[Row]:
    """The ``SCORECARD`` rows of the subject ``f`` names: the period's values and the period before's."""
    stored = {
        (v.metric, v.period): v.value
        for v in _values(session, dataclasses.replace(f, since=previous, until=period))
    }
    metrics = registry()
    return [
        Row(metrics[name], stored.get((name, period)), stored.get((name, previous)))
        for name in SCORECARD
        if name in metrics
    ]


def _account_rows(session: Session, f: mq.MetricFilter, ids: list[int], period: str) -> list[AccountRow]:
    """The accounts among ``ids`` with a ``PER_ACCOUNT`` value in the period, by id."""
    per_account = dataclasses.replace(f, level="account", period=period, metrics=PER_ACCOUNT)
    by_account: dict[str, dict[str, float | None]] = {}
    for v in _values(session, per_account):
        by_account.setdefault(v.entity, {})[v.metric] = v.value
    accounts = []
    for account in session.scalars(select(t.Account).where(t.Account.id.in_(ids)).order_by(t.Account.id)):
        figures = by_account.get(str(account.id), {})
        if not figures:
            continue
        name = account.display_name_en or account.handle
        accounts.append(AccountRow(
            account.id, account.platform, account.handle, name, account.display_name_zh_hant or name,
            figures.get("post_volume"), figures.get("interaction_rate_post"),
        ))  # fmt: skip
    return accounts


def _platforms(session: Session) -> dict[str, tuple[str, str]]:
    """The platforms' display names by key: (English, Traditional Chinese)."""
    return {key: (names["en"], names["zh-hant"]) for key, names in display_names(session).items()}


def _account_names(session: Session, ids: list[int]) -> dict[int, tuple[str, str]]:
    """The accounts' display names (English, Traditional Chinese), as the per-account charts name them."""
    names = {}
    for account in session.scalars(select(t.Account).where(t.Account.id.in_(ids))):
        name = account.display_name_en or account.handle
        names[account.id] = (name, account.display_name_zh_hant or name)
    return names


def _best_and_worst(posts: list[PostRow]) -> tuple[list[PostRow], list[PostRow]]:
    """The best and the worst ``POSTS_SHOWN`` of ``posts`` (most interactions first), never overlapping."""
    shown = min(POSTS_SHOWN, len(posts) // 2) if len(posts) < 2 * POSTS_SHOWN else POSTS_SHOWN
    best = posts[:shown] if shown else posts[:1]
    worst = list(reversed(posts[-shown:])) if shown else []
    return best, worst


def build(
    session: Session,
    jurisdiction: str,
    organisation: str | None,
    period: str,
    now: dt.datetime | None = None,
    publishing: bool = False,
    params: MetricParams | None = None,
) -> Report:
    """The report of ``organisation`` (or the whole government when ``None``) for ``period``: a week
    ``YYYY-Www``, a month ``YYYY-MM``, a year ``YYYY`` or ``latest`` (the newest ended month with figures);
    ``ReportError`` for anything else, for a period that has not started by ``now`` (default: the
    clock) in the jurisdiction's time zone, and, when ``publishing``, for one that has not ended.
    The figures are those stored under ``params`` (``govsocial report`` passes the configured ones;
    default: the documented defaults)."""
    digest = (params or MetricParams()).digest()
    zone = _zone(session, jurisdiction)
    # "Now" is the jurisdiction's: its periods begin and end at its midnights, as the scorecard's do.
    generated = (now or dt.datetime.now(dt.UTC)).astimezone(zone)
    if period == LATEST:
        period = latest_month(session, jurisdiction, organisation, generated.date(), digest)
    chosen = parse(period)
    level, entity, name_en, name_zh = _subject(session, jurisdiction, organisation)
    check_reportable(chosen, generated.date(), publishing)
    previous = before(chosen).label
    base = mq.MetricFilter(jurisdiction=jurisdiction, params=digest, period_kind=chosen.kind)
    subject = dataclasses.replace(base, level=level, entity=entity)
    ids = _account_ids(session, jurisdiction, level, entity)
    accounts = _account_rows(session, base, ids, period)
    accounts_with_values = len(accounts)
    if accounts_with_values > ACCOUNTS_SHOWN:
        accounts = sorted(accounts, key=lambda a: -(a.posts or 0))[:ACCOUNTS_SHOWN]
    best, worst = _best_and_worst(_posts(session, ids, chosen, zone))
    return Report(
        jurisdiction, level, entity, name_en, name_zh, period, previous,
        _scorecard(session, subject, period, previous), accounts, best, worst,
        generated, _trends(session, subject, chosen), accounts_with_values,
        _clarifications(session, jurisdiction, level, ids, chosen, zone),
        _topics(session, jurisdiction, organisation, chosen), chosen.kind, survey_section(session, chosen),
        peers(session, jurisdiction, digest, entity, chosen) if level == "organisation" else [],
        rankings.has_sample_data(session, jurisdiction), _platforms(session), _account_names(session, ids),
        params=digest,
    )  # fmt: skip
