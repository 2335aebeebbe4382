"""Gather one period's figures for a report: an organisation or the whole government, one month.

Everything comes from the store: the materialised scorecard (``metric_values`` under the documented
default parameters) for this month and the month before, the same values per account, and the
month's posts with their latest counts for the best and worst performing ones. The figures are
language-free; ``render`` words them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from govsocial.analyze.clarifications import Clarification, list_clarifications
from govsocial.analyze.metrics.model import Metric, registry
from govsocial.analyze.metrics.params import MetricParams
from govsocial.analyze.topics import view as tv
from govsocial.errors import GovsocialError, NotFoundError
from govsocial.store import metric_queries as mq
from govsocial.store import queries
from govsocial.store import tables as t
from govsocial.store.events import period_end, period_start

#: The scorecard rows a report shows, in this order (a subset: the report is read, not searched).
SCORECARD = (
    "accounts", "active_accounts", "post_volume", "followers", "follower_growth", "interactions_per_post",
    "interaction_rate_post", "positive_reaction_share", "reaction_angry_share", "response_rate",
    "question_response_rate", "response_time_median", "comments_waiting", "comments_scored",
    "comment_positive_share", "comment_neutral_share", "comment_negative_share", "net_sentiment",
)  # fmt: skip
#: The trend charts: the subject's values month by month.
TREND = ("post_volume", "interaction_rate_post", "response_rate")
#: Per-account figures: post volume and interaction rate.
PER_ACCOUNT = ("post_volume", "interaction_rate_post")
#: Below this response rate (percent) a finding asks to look at the unanswered comments.
LOW_RESPONSE_RATE = 10.0
#: How many posts the best and the worst lists show.
POSTS_SHOWN = 5
#: Most accounts the per-account charts show: those with the most posts (a government has hundreds).
ACCOUNTS_SHOWN = 25
#: The trend charts' months, the report's month included.
TREND_MONTHS = 6
#: Terms shown of what people talked about (rising and most mentioned each).
TERMS_SHOWN = 8

_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class ReportError(GovsocialError):
    """A report that cannot be built from what was asked (bad period, unknown organisation)."""


@dataclasses.dataclass(frozen=True)
class Row:
    """One scorecard measure: this month's value and last month's (``None``: not stored)."""

    metric: Metric
    value: float | None
    previous: float | None

    @property
    def change(self) -> float | None:
        """This month minus last month, when both are known."""
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


@dataclasses.dataclass(frozen=True)
class AccountRow:
    """One account's post volume and interaction rate in the month."""

    account_id: int
    platform: str
    handle: str
    name_en: str
    name_zh: str
    posts: float | None
    interaction_rate: float | None


@dataclasses.dataclass(frozen=True)
class PostRow:
    """A post of the month with its interactions (reactions or likes, comments and shares)."""

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
    #: ``metric -> [(month, value)]`` over the last ``TREND_MONTHS`` months, oldest first.
    trends: dict[str, list[tuple[str, float | None]]] = dataclasses.field(default_factory=dict)
    #: How many accounts have figures; ``accounts`` keeps the ``ACCOUNTS_SHOWN`` with most posts.
    accounts_with_values: int = 0
    #: The month's clarifications, newest first.
    clarifications: list[Clarification] = dataclasses.field(default_factory=list)
    #: What commenters talked about: the month's topic view (``None``: no comments).
    topics: tv.TopicView | None = None

    def value(self, metric: str) -> float | None:
        """This month's value of ``metric`` (``None`` when not stored)."""
        return next((r.value for r in self.rows if r.metric.name == metric), None)


def check_period(period: str) -> str:
    """``period`` when it is a month label ``YYYY-MM``; otherwise a ``ReportError`` saying so."""
    if not _PERIOD.match(period):
        raise ReportError(f"{period!r} is not a month: give the period as YYYY-MM, e.g. 2026-10")
    return period


def month_before(month: str) -> str:
    """The label of the month before ``month``."""
    year, number = (int(part) for part in month.split("-"))
    index = year * 12 + number - 2
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


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


def _account_ids(session: Session, jurisdiction: str, level: str, entity: str) -> list[int]:
    if level == "government":
        query = select(t.Account.id).where(t.Account.jurisdiction == jurisdiction)
    else:
        ao = t.AccountOrganisation
        query = (
            select(ao.account_id)
            .join(t.Organisation, t.Organisation.id == ao.organisation_id)
            .where(t.Organisation.jurisdiction == jurisdiction, t.Organisation.code == entity)
        )
    return sorted(set(session.scalars(query)))


def _interactions(snapshot: t.PostSnapshot | None) -> int:
    if snapshot is None:
        return 0
    by_type = snapshot.reactions or {}
    reactions = sum(int(v) for v in by_type.values() if isinstance(v, int | float)) if by_type else 0
    return (reactions or snapshot.likes or 0) + (snapshot.comments or 0) + (snapshot.shares or 0)


def _posts(session: Session, account_ids: list[int], period: str) -> list[PostRow]:
    """The month's posts of the accounts (UTC month), most interactions first."""
    if not account_ids:
        return []
    start = dt.datetime.combine(period_start("month", period), dt.time(), dt.UTC)
    end = dt.datetime.combine(period_end("month", period), dt.time(), dt.UTC)
    posts = session.scalars(
        select(t.Post).where(
            t.Post.account_id.in_(account_ids), t.Post.deleted_at.is_(None),
            t.Post.created_at >= start, t.Post.created_at < end,
        )
    ).all()  # fmt: skip
    counts = queries.latest_snapshots(session, [p.id for p in posts])
    accounts = {a.id: a for a in session.scalars(select(t.Account).where(t.Account.id.in_(account_ids)))}
    rows = [
        PostRow(
            accounts[p.account_id].display_name_en or accounts[p.account_id].handle,
            accounts[p.account_id].display_name_zh_hant or accounts[p.account_id].display_name_en
            or accounts[p.account_id].handle, p.platform,
            p.created_at, " ".join((p.text or "").split())[:140], p.url, _interactions(counts.get(p.id)),
        )
        for p in posts
    ]  # fmt: skip
    return sorted(rows, key=lambda r: (-r.interactions, r.created_at))


def months_back(period: str, count: int) -> list[str]:
    """``count`` month labels ending with ``period``, oldest first."""
    months = [period]
    while len(months) < count:
        months.append(month_before(months[-1]))
    return months[::-1]


def _trends(session: Session, f: mq.MetricFilter, period: str) -> dict[str, list[tuple[str, float | None]]]:
    months = months_back(period, TREND_MONTHS)
    ranged = dataclasses.replace(f, metrics=TREND, since=months[0], until=period)
    stored = {(v.metric, v.period): v.value for v in _values(session, ranged)}
    return {metric: [(month, stored.get((metric, month))) for month in months] for metric in TREND}


def _clarifications(
    session: Session, jurisdiction: str, level: str, ids: list[int], period: str
) -> list[Clarification]:
    start = dt.datetime.combine(period_start("month", period), dt.time(), dt.UTC)
    end = dt.datetime.combine(period_end("month", period), dt.time(), dt.UTC)
    chosen = None if level == "government" else ids
    return [c for c in list_clarifications(session, jurisdiction, chosen, start) if c.posted_at < end]


def _topics(
    session: Session, jurisdiction: str, organisation: str | None, period: str
) -> tv.TopicView | None:
    subject = tv.resolve_subject(session, jurisdiction, None, organisation)
    return tv.topics(session, subject, tv.PeriodKind.MONTH, period_start("month", period), TERMS_SHOWN)


def build(
    session: Session, jurisdiction: str, organisation: str | None, period: str, now: dt.datetime | None = None
) -> Report:
    """The report of ``organisation`` (or the whole government when ``None``) for the month ``period``."""
    check_period(period)
    level, entity, name_en, name_zh = _subject(session, jurisdiction, organisation)
    previous = month_before(period)
    params = MetricParams().digest()
    base = mq.MetricFilter(jurisdiction=jurisdiction, params=params, period_kind="month")
    mine = dataclasses.replace(base, level=level, entity=entity, since=previous, until=period)
    stored = {(v.metric, v.period): v.value for v in _values(session, mine)}
    metrics = registry()
    rows = [
        Row(metrics[name], stored.get((name, period)), stored.get((name, previous)))
        for name in SCORECARD
        if name in metrics
    ]
    ids = _account_ids(session, jurisdiction, level, entity)
    per_account = dataclasses.replace(base, level="account", period=period, metrics=PER_ACCOUNT)
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
    accounts_with_values = len(accounts)
    if accounts_with_values > ACCOUNTS_SHOWN:
        accounts = sorted(accounts, key=lambda a: -(a.posts or 0))[:ACCOUNTS_SHOWN]
    posts = _posts(session, ids, period)
    shown = min(POSTS_SHOWN, len(posts) // 2) if len(posts) < 2 * POSTS_SHOWN else POSTS_SHOWN
    best = posts[:shown] if shown else posts[:1]
    worst = list(reversed(posts[-shown:])) if shown else []
    trends = _trends(session, dataclasses.replace(base, level=level, entity=entity), period)
    return Report(
        jurisdiction, level, entity, name_en, name_zh, period, previous, rows, accounts, best, worst,
        now or dt.datetime.now(dt.UTC), trends, accounts_with_values,
        _clarifications(session, jurisdiction, level, ids, period),
        _topics(session, jurisdiction, organisation, period),
    )  # fmt: skip
