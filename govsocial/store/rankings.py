"""Leaderboards and comparisons: the stored metric values of one period, ranked or side by side.

A leaderboard ranks the accounts or the organisations of one jurisdiction by one metric in one
period, under one parameter digest. Ranks are competition ranks ("1, 2, 2, 4"): equal values share
a rank and the next rank skips, so a rank always says how many did better. Entities without a value
(``NULL``: nothing to divide by) are left out rather than ranked last, because "no data" is not a
bad score. Which direction is better is stated once, here (``LOWER_IS_BETTER``), for the pages, the
API and the tests alike.

A value computed from too small a sample is shown but not ranked (``SAMPLES``: per metric, the input
that counts its sample and the least it must hold; docs/metrics.md, "Ranking: the smallest sample"):
a response time of two replies or a rate of one post says little about an account, and would rank
above values of thousands. The ranked entities keep competition ranks among themselves; the
unranked ones follow them, with no rank, by code or id. The comparison's "best" mark (``best``)
follows the same rule.

Ranks come from the database's ``rank()`` window over the filtered rows, so a page of a long board
costs one query; SQLite (3.25 and later) and PostgreSQL both have it.

Only the government's current official accounts are ranked (``RANKED_STATUS``: published). An
account under review may not be the government's at all, or be another handle of an account
already ranked; an archived account is retired, and a board ranks who speaks for the government
now (the registry keeps no history of when an account was published, so no board can say when an
archived account still counted). Both keep their values on their own pages, and an archived
account's posts still count in its organisation's values, which are ranked; an account under
review's count nowhere above its own page (docs/metrics.md, "Levels").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, String, and_, case, cast, exists, func, null, select, true
from sqlalchemy.orm import Session, selectinload

from govsocial.store import tables as t
from govsocial.store.queries import SAMPLE_SOURCE, Page

V = t.MetricValue

#: The metrics the leaderboards offer, in the order the portal lists them: post volume, interaction
#: rate, follower share of population, response rate and response time (the issue's list).
LEADERBOARD_METRICS = (
    "post_volume",
    "interaction_rate_account",
    "follower_share_of_population",
    "response_rate",
    "response_time_median",
)

#: Metrics where a smaller number is the better one (waiting, delay, dormancy, displeasure); every
#: other metric ranks its largest value first. A test checks that each name is a registered metric.
LOWER_IS_BETTER = frozenset(
    {
        "response_time_median",
        "response_time_p90",
        "response_time_median_business_hours",
        "response_time_median_off_hours",
        "release_delay_median",
        "release_delay_p90",
        "dormant_share",
        "comments_waiting",
        "comment_negative_share",
        "reaction_angry_share",
        "reaction_haha_share",  # mockery on government posts (docs/metrics.md, "Perception")
        "reaction_sad_share",
    }
)


@dataclasses.dataclass(frozen=True)
class Sample:
    """The smallest sample a value of a metric is ranked on: its input ``input`` at least ``minimum``."""

    input: str
    minimum: int


#: At least this many comments, reactions or press releases before a share, rate or quantile of
#: them is ranked: the usual floor of survey statistics for a proportion or a median to be reported.
ITEMS = 30
#: At least this many posts (or days with posts) before a mean or share over them is ranked: one
#: post every three days of a month; over fewer, a single viral post decides the value.
POSTS = 10


def _samples() -> dict[str, Sample]:
    """``SAMPLES``, built from the groups of metrics that share a sample."""
    groups: dict[Sample, tuple[str, ...]] = {
        Sample("asked", ITEMS): (
            "response_rate",
            "question_response_rate",
            "service_level",
            "replied_within_target",
            "socially_devoted",
        ),
        Sample("answered", ITEMS): (
            "response_time_median",
            "response_time_p90",
            "response_time_median_business_hours",
            "response_time_median_off_hours",
        ),
        Sample("scored", ITEMS): (
            "comment_positive_share",
            "comment_neutral_share",
            "comment_negative_share",
            "net_sentiment",
            "mean_sentiment_score",
        ),
        Sample("reactions", ITEMS): (
            *(f"reaction_{kind}_share" for kind in ("love", "haha", "angry", "sad", "wow", "care", "like")),
            "positive_reaction_share",
        ),
        Sample("releases", ITEMS): ("release_delay_median", "release_delay_p90", "releases_followed_share"),
        Sample("citizen_comments", ITEMS): ("page_replies_per_100_comments",),
        Sample("posts", POSTS): (
            "interactions_per_post",
            "interaction_rate_post",
            "interaction_rate_account",
            "bonson_p1",
            "bonson_p2",
            "bonson_p3",
            "bonson_c1",
            "bonson_c2",
            "bonson_c3",
            "bonson_v1",
            "bonson_v2",
            "bonson_v3",
            "bonson_e",
            "overperforming_share",
            "eservice_link_share",
            "click_through_rate",
            "invitation_share",
            "two_way_index",
            *(f"interactions_per_post_{kind}" for kind in ("text", "image", "video", "link", "live")),
        ),
        Sample("post_days", POSTS): ("engagement_daily",),
        Sample("live_posts", POSTS): ("live_participation",),
    }
    return {metric: sample for sample, metrics in groups.items() for metric in metrics}


#: The one rule of the smallest sample: per metric, the input that is its sample and its minimum. A
#: metric not listed (counts, sums, follower shares of the population) is ranked whatever its inputs:
#: it counts everything there is rather than estimating from a sample. A test checks each input.
SAMPLES: Mapping[str, Sample] = _samples()

#: Why a listed value has no rank (the API's ``unranked``): its sample is below the minimum.
SMALL_SAMPLE = "small_sample"


def sample(metric: str) -> Sample | None:
    """The smallest sample ``metric`` is ranked on; None where every value is ranked."""
    return SAMPLES.get(metric)


def rankable(metric: str, inputs: Mapping[str, Any] | None) -> bool:
    """Whether a value of ``metric`` with ``inputs`` has a sample large enough to be ranked."""
    rule = sample(metric)
    if rule is None:
        return True
    size = (inputs or {}).get(rule.input)
    return isinstance(size, int | float) and not isinstance(size, bool) and size >= rule.minimum


#: The levels a leaderboard ranks: the entities a reader can open a page about.
LEVELS = ("organisation", "account")
#: The registry status of the accounts a leaderboard ranks (see the module's docstring).
RANKED_STATUS = t.AccountStatus.PUBLISHED


def lower_is_better(metric: str) -> bool:
    """Whether a smaller value of ``metric`` is the better one."""
    return metric in LOWER_IS_BETTER


def best(
    values: Mapping[str, float | None],
    metric: str,
    inputs: Mapping[str, Mapping[str, Any] | None] | None = None,
) -> set[str]:
    """The keys of ``values`` holding the best value of ``metric``: all of them on a tie, and none
    unless at least two values are known (one value is not better than anything). With ``inputs``
    (by key), a value whose sample is too small to rank (``rankable``) is not counted either."""
    if inputs is not None:
        values = {k: v if rankable(metric, inputs.get(k)) else None for k, v in values.items()}
    known = [v for v in values.values() if v is not None]
    if len(known) < 2:
        return set()
    top = min(known) if lower_is_better(metric) else max(known)
    return {key for key, value in values.items() if value == top}


@dataclasses.dataclass(frozen=True)
class Board:
    """Which leaderboard to read. ``platform`` narrows accounts only (an organisation's value adds up
    all its platforms); ``org_type`` narrows organisations, or accounts by the types of their owners."""

    jurisdiction: str
    params: str
    metric: str
    level: str
    period_kind: str
    period: str
    platform: str | None = None
    org_type: t.OrgType | None = None


@dataclasses.dataclass(frozen=True)
class Ranked:
    """One row of a leaderboard: the rank, the value and its inputs, and who it is about.

    ``rank`` is None when the value's sample is below the metric's minimum (``SAMPLES``).
    ``organisation`` is the ranked organisation, or the account's main owner; ``account`` is set at
    the account level only.
    """

    rank: int | None
    entity: str
    value: float
    inputs: dict[str, Any]
    organisation: t.Organisation | None
    account: t.Account | None


def _values(board: Board) -> list[ColumnElement[bool]]:
    """The conditions on ``metric_values`` that every row of ``board`` meets."""
    return [
        V.jurisdiction == board.jurisdiction,
        V.params == board.params,
        V.metric == board.metric,
        V.level == board.level,
        V.period_kind == board.period_kind,
        V.period == board.period,
        V.value.is_not(None),
    ]


def _owned_by_type(org_type: t.OrgType) -> ColumnElement[bool]:
    """Accounts with an owner of ``org_type``."""
    link, org = t.AccountOrganisation, t.Organisation
    owners = select(link.account_id).join(org, org.id == link.organisation_id)
    return exists(owners.where(link.account_id == t.Account.id, org.org_type == org_type))


def _large_enough(metric: str) -> ColumnElement[bool]:
    """Whether a row's sample reaches the metric's minimum (``rankable``, in SQL): always true for a
    metric without one; false where the input is missing."""
    rule = sample(metric)
    if rule is None:
        return true()
    return func.coalesce(V.inputs[rule.input].as_float(), -1.0) >= rule.minimum


def _rank(board: Board) -> Any:
    """The rank column: ``rank()`` over the rows large enough to rank, best value first; NULL for
    the others, which are ranked apart and the result thrown away."""
    order = V.value.asc() if lower_is_better(board.metric) else V.value.desc()
    enough = _large_enough(board.metric)
    ranked = func.rank().over(partition_by=enough, order_by=order)
    return case((enough, ranked), else_=null()).label("rank")


def _unranked_last(board: Board) -> Any:
    """The first sort key: the ranked rows (0) before the unranked ones (1)."""
    return case((_large_enough(board.metric), 0), else_=1)


def _accounts(board: Board) -> Select[t.MetricValue, int, t.Account]:
    """The account rows of ``board`` with their rank and their owners, listed by id on a tie: the
    official accounts' only (``RANKED_STATUS``), ranked among themselves."""
    account = t.Account
    # Account entities are ids written as text; comparing text keeps the join valid for any entity.
    on = and_(
        account.jurisdiction == V.jurisdiction,
        cast(account.id, String) == V.entity,
        account.status == RANKED_STATUS,
    )
    rank = _rank(board)
    query = select(V, rank, account).join(account, on).where(*_values(board))
    query = query.order_by(_unranked_last(board), rank, account.id)
    query = query.options(
        selectinload(account.organisations).selectinload(t.AccountOrganisation.organisation)
    )
    if board.platform:
        query = query.where(account.platform == board.platform)
    if board.org_type:
        query = query.where(_owned_by_type(board.org_type))
    return query


def _organisations(board: Board) -> Select[t.MetricValue, int, t.Organisation]:
    """The organisation rows of ``board`` with their rank, listed by code on a tie."""
    org = t.Organisation
    on = and_(org.jurisdiction == V.jurisdiction, org.code == V.entity)
    rank = _rank(board)
    query = select(V, rank, org).join(org, on).where(*_values(board))
    query = query.order_by(_unranked_last(board), rank, org.code)
    if board.org_type:
        query = query.where(org.org_type == board.org_type)
    return query


def _row(value: t.MetricValue, rank: int | None, entity: Any) -> Ranked:
    if isinstance(entity, t.Account):
        owner = entity.organisations[0].organisation if entity.organisations else None
        return Ranked(rank, value.entity, float(value.value or 0), dict(value.inputs or {}), owner, entity)
    return Ranked(rank, value.entity, float(value.value or 0), dict(value.inputs or {}), entity, None)


@dataclasses.dataclass(frozen=True)
class Leaderboard(Page[Ranked]):
    """One page of a board; ``count`` counts every row listed, ``ranked`` those with a rank."""

    ranked: int = 0


def ranking(session: Session, board: Board, limit: int = 50, offset: int = 0) -> Leaderboard:
    """One page of ``board``, best first; equal values share a rank and are listed by code or id,
    and the values too small a sample to rank follow, by code or id."""
    if board.level not in LEVELS:
        raise ValueError(f"leaderboards rank {' or '.join(LEVELS)}, not {board.level!r}")
    query = _accounts(board) if board.level == "account" else _organisations(board)
    listed = query.order_by(None).subquery()
    totals = select(func.count(), func.count(listed.c.rank)).select_from(listed)
    count, ranked = session.execute(totals).one()
    rows = session.execute(query.limit(limit).offset(offset)).all()
    items = [_row(value, rank, entity) for value, rank, entity in rows]
    return Leaderboard(items, int(count or 0), int(ranked or 0))


def periods(
    session: Session,
    jurisdiction: str,
    params: str,
    metric: str | Sequence[str],
    level: str,
    period_kind: str,
) -> list[str]:
    """The periods of ``period_kind`` in which ``metric`` (or any of several) has a value at ``level``,
    newest first."""
    metrics = [metric] if isinstance(metric, str) else list(metric)
    query = (
        select(V.period)
        .where(
            V.jurisdiction == jurisdiction,
            V.params == params,
            V.metric.in_(metrics),
            V.level == level,
            V.period_kind == period_kind,
            V.value.is_not(None),
        )
        .distinct()
        .order_by(V.period.desc())
    )
    return list(session.scalars(query).all())


@dataclasses.dataclass(frozen=True)
class Cell:
    """One value of a comparison (``None``: not computed, or undefined) and its inputs."""

    value: float | None
    inputs: dict[str, Any]


def best_of(cells: Mapping[str, Cell | None], metric: str) -> set[str]:
    """``best`` over comparison cells (by key; None: no value stored), with their samples."""
    values = {key: cell.value if cell else None for key, cell in cells.items()}
    return best(values, metric, {key: cell.inputs if cell else None for key, cell in cells.items()})


@dataclasses.dataclass(frozen=True)
class Comparison:
    """Several metrics about several organisations in one period: ``cells[code][metric]``; a missing
    key means no stored value. ``period`` is ``None`` when none of them has any value."""

    period_kind: str
    period: str | None
    cells: dict[str, dict[str, Cell]]


def _of(jurisdiction: str, params: str, codes: Sequence[str], metrics: Sequence[str]) -> list[Any]:
    return [
        V.jurisdiction == jurisdiction,
        V.params == params,
        V.level == "organisation",
        V.entity.in_(list(codes)),
        V.metric.in_(list(metrics)),
    ]


def comparison(
    session: Session,
    jurisdiction: str,
    params: str,
    codes: Sequence[str],
    metrics: Sequence[str],
    period_kind: str,
    period: str | None = None,
) -> Comparison:
    """The values of ``metrics`` for the organisations ``codes`` in ``period``: by default the latest
    period in which any of them has any of the values."""
    where = _of(jurisdiction, params, codes, metrics)
    if period is None:
        latest = select(func.max(V.period)).where(*where, V.period_kind == period_kind)
        period = session.scalar(latest)
    cells: dict[str, dict[str, Cell]] = {code: {} for code in codes}
    if period is not None:
        query = select(V).where(*where, V.period_kind == period_kind, V.period == period)
        for v in session.scalars(query):
            cells[v.entity][v.metric] = Cell(v.value, dict(v.inputs or {}))
    return Comparison(period_kind, period, cells)


def comparable(
    session: Session, jurisdiction: str, params: str, metrics: Iterable[str], period_kind: str
) -> list[t.Organisation]:
    """The organisations with a value of any of ``metrics`` in some period of ``period_kind``, by code."""
    org = t.Organisation
    valued = select(V.id).where(
        V.jurisdiction == jurisdiction,
        V.params == params,
        V.level == "organisation",
        V.period_kind == period_kind,
        V.metric.in_(list(metrics)),
        V.entity == org.code,
        V.value.is_not(None),
    )
    query = select(org).where(org.jurisdiction == jurisdiction, exists(valued)).order_by(org.code)
    return list(session.scalars(query).all())


#: How many of the newest posts ``has_sample_data`` looks at.
RECENT_POSTS = 100


def has_sample_data(session: Session, jurisdiction: str) -> bool:
    """Whether the newest posts include demo data of the jurisdiction, so the values computed from
    them do.

    Only the store's newest posts are read (through the index on ``created_at``): a store with real
    data would otherwise be scanned whole on every page view to find no sample row. A demo store is
    sample data throughout, so its newest posts are enough to tell.
    """
    # The newest posts of the whole store first, then the jurisdiction: a join first would make
    # SQLite read and sort every post of the jurisdiction.
    newest = (
        select(t.Post.source, t.Post.account_id)
        .order_by(t.Post.created_at.desc(), t.Post.id.desc())
        .limit(RECENT_POSTS)
        .subquery()
    )
    account = t.Account
    ours = select(newest.c.source).join(account, account.id == newest.c.account_id)
    ours = ours.where(account.jurisdiction == jurisdiction, newest.c.source == SAMPLE_SOURCE)
    return bool(session.scalar(select(exists(ours))))
