"""Read side of the materialised scorecard (``metric_values``): what the pages, the API and the CLI show.

Values are written by the analysis pipeline after each collection run; this module only reads them.
Every query is narrowed to one parameter digest (``MetricFilter.params``), because the table can
hold the same metric computed under several parameter sets and mixing them would be meaningless.

Period labels sort as text within one period kind (``2026-10-01``, ``2026-W40``, ``2026-10``,
``2026``), which is what lets ``since`` / ``until`` and "latest period" work without dates. Each kind
has its own shape, so :func:`label_kind` tells the kind of a label from the label alone. Across kinds
the text order means nothing ("2026-W40" sorts after "2026-10"): values of several kinds are ordered by
the day after each period's last (:class:`period_end`), computed by the database.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Sequence
from typing import Any, TypeVarTuple

from sqlalchemy import ColumnElement, Date, Select, case, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from govsocial.store import tables as t
from govsocial.store.queries import Page, parse_id
from govsocial.store.times import utc

V = t.MetricValue
Ts = TypeVarTuple("Ts")


#: The shape of each kind's labels, as the analysis writes them (frames.calendar), and how to read
#: one as a day: a label that has the shape but names no day (2026-13, 2026-W54) is not a label.
#: ``[0-9]``, not ``\d``: the latter also matches other scripts' digits.
_DATE = "[0-9]{4}-[0-9]{2}-[0-9]{2}"
LABELS: dict[str, tuple[re.Pattern[str], Callable[[str], object]]] = {
    "day": (re.compile(_DATE), dt.date.fromisoformat),
    "week": (re.compile("[0-9]{4}-W[0-9]{2}"), lambda s: dt.date.fromisocalendar(int(s[:4]), int(s[6:]), 1)),
    "month": (re.compile("[0-9]{4}-[0-9]{2}"), lambda s: dt.date(int(s[:4]), int(s[5:]), 1)),
    "year": (re.compile("[0-9]{4}"), lambda s: dt.date(int(s), 1, 1)),
}


def label_kind(label: str) -> str | None:
    """The period kind of a label (``day``, ``week``, ``month`` or ``year``); None when ``label`` is
    not the label of a calendar period."""
    for kind, (shape, read) in LABELS.items():
        if shape.fullmatch(label):
            try:
                read(label)
            except ValueError:
                return None
            return kind
    return None


@dataclasses.dataclass(frozen=True)
class MetricRow:
    """One stored value: a metric about an entity in a period, with its inputs."""

    metric: str
    level: str
    entity: str
    period_kind: str
    period: str
    value: float | None
    inputs: dict[str, Any]
    params: str
    computed_at: dt.datetime


@dataclasses.dataclass(frozen=True)
class MetricFilter:
    """Which values to read; every field narrows, ``None`` (or empty) means any.

    ``since`` and ``until`` are period labels, both inclusive.
    """

    jurisdiction: str | None = None
    params: str | None = None
    metrics: Sequence[str] = ()
    level: str | None = None
    entity: str | None = None
    period_kind: str | None = None
    period: str | None = None
    since: str | None = None
    until: str | None = None


def _row(v: t.MetricValue) -> MetricRow:
    return MetricRow(
        v.metric,
        v.level,
        v.entity,
        v.period_kind,
        v.period,
        v.value,
        dict(v.inputs or {}),
        v.params,
        utc(v.computed_at),
    )


def _where(query: Select[*Ts], f: MetricFilter) -> Select[*Ts]:
    exact = {
        V.jurisdiction: f.jurisdiction,
        V.params: f.params,
        V.level: f.level,
        V.entity: f.entity,
        V.period_kind: f.period_kind,
        V.period: f.period,
    }
    for column, wanted in exact.items():
        if wanted is not None:
            query = query.where(column == wanted)
    if f.metrics:
        query = query.where(V.metric.in_(list(f.metrics)))
    if f.since is not None:
        query = query.where(V.period >= f.since)
    if f.until is not None:
        query = query.where(V.period <= f.until)
    return query


#: The order of period kinds whose periods end on the same day: the shorter period (the later
#: start) first, as ``govsocial metrics show`` orders them.
KIND_ORDER = ("day", "week", "month", "year")


class period_end(FunctionElement[dt.date]):
    """The day after the last day of the period ``(period_kind, period)``, on either store: a date
    on PostgreSQL, ``YYYY-MM-DD`` text on SQLite (both order by time); NULL for an unknown kind.

    An ISO week ``YYYY-Www`` ends ``7 * ww`` days after the Monday of week 1, the Monday on or
    before 4 January.
    """

    type = Date()
    inherit_cache = True


@compiles(period_end)
def _period_end_postgresql(element: period_end, compiler: SQLCompiler, **kw: Any) -> str:
    kind, label = (compiler.process(c, **kw) for c in element.clauses)
    jan4 = f"make_date(CAST(substr({label}, 1, 4) AS INTEGER), 1, 4)"
    monday = f"{jan4} - CAST(EXTRACT(ISODOW FROM {jan4}) AS INTEGER) + 1"
    week = f"({monday} + 7 * CAST(substr({label}, 7) AS INTEGER))"
    return (
        f"CASE {kind} WHEN 'day' THEN CAST({label} AS DATE) + 1 WHEN 'week' THEN {week} "
        f"WHEN 'month' THEN CAST(CAST({label} || '-01' AS DATE) + INTERVAL '1 month' AS DATE) "
        f"WHEN 'year' THEN make_date(CAST({label} AS INTEGER) + 1, 1, 1) END"
    )


@compiles(period_end, "sqlite")
def _period_end_sqlite(element: period_end, compiler: SQLCompiler, **kw: Any) -> str:
    kind, label = (compiler.process(c, **kw) for c in element.clauses)
    weeks = f"'+' || (7 * CAST(substr({label}, 7) AS INTEGER)) || ' days'"
    return (
        f"CASE {kind} WHEN 'day' THEN date({label}, '+1 day') "
        f"WHEN 'week' THEN date(substr({label}, 1, 4) || '-01-04', 'weekday 0', '-6 days', {weeks}) "
        f"WHEN 'month' THEN date({label} || '-01', '+1 month') "
        f"WHEN 'year' THEN date({label} || '-01-01', '+1 year') END"
    )


def newest_first(f: MetricFilter) -> tuple[ColumnElement[Any], ...]:
    """The order of the values of ``f``, newest period first: by label within one kind (the index's
    order), by the period's end across kinds (periods that end on the same day: ``KIND_ORDER``)."""
    if f.period_kind is not None or f.period is not None:  # a label says its kind: one kind
        return (V.period.desc(),)
    rank = case({kind: i for i, kind in enumerate(KIND_ORDER)}, value=V.period_kind)
    return (period_end(V.period_kind, V.period).desc(), rank, V.period.desc())


def list_values(session: Session, f: MetricFilter, limit: int = 50, offset: int = 0) -> Page[MetricRow]:
    """Values matching ``f``: newest period first (:func:`newest_first`), then by level, entity and
    metric."""
    query = _where(select(V), f)
    count = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    order = (*newest_first(f), V.level, V.entity, V.metric, V.period_kind)
    rows = session.scalars(query.order_by(*order).limit(limit).offset(offset)).all()
    return Page([_row(v) for v in rows], count)


def latest_period(session: Session, f: MetricFilter, before: str | None = None) -> str | None:
    """The newest period with any value matching ``f`` (give ``period_kind``: labels of two kinds
    do not compare), with ``before``, the newest whose label sorts before it (labels of one kind
    sort as their periods do)."""
    query = _where(select(func.max(V.period)), f)
    if before is not None:
        query = query.where(V.period < before)
    period: str | None = session.scalar(query)
    return period


def latest_periods(session: Session, f: MetricFilter) -> dict[str, str]:
    """The newest period of each entity matching ``f`` (e.g. one level and period kind)."""
    query = _where(select(V.entity, func.max(V.period)), f).group_by(V.entity)
    return {entity: period for entity, period in session.execute(query).all()}


@dataclasses.dataclass(frozen=True)
class Scorecard:
    """Every stored value about one entity in one period (``period`` is ``None`` when there is none)."""

    level: str
    entity: str
    period_kind: str
    period: str | None
    values: dict[str, MetricRow]


def scorecard(
    session: Session,
    jurisdiction: str,
    params: str,
    level: str,
    entity: str,
    period_kind: str,
    period: str | None = None,
) -> Scorecard:
    """The values of one entity for one period, by metric name; the entity's latest period by default."""
    f = MetricFilter(
        jurisdiction=jurisdiction, params=params, level=level, entity=entity, period_kind=period_kind
    )
    period = period or latest_period(session, f)
    if period is None:
        return Scorecard(level, entity, period_kind, None, {})
    rows = session.scalars(_where(select(V), dataclasses.replace(f, period=period))).all()
    return Scorecard(level, entity, period_kind, period, {v.metric: _row(v) for v in rows})


def has_values(session: Session, level: str | None, entity: str, jurisdiction: str | None = None) -> bool:
    """Whether any value about ``entity`` is stored (at ``level``, or at any level; of
    ``jurisdiction``, or of any)."""
    f = MetricFilter(jurisdiction=jurisdiction, level=level, entity=entity)
    return session.scalar(_where(select(V.id), f).limit(1)) is not None


def has_params(session: Session, jurisdiction: str, params: str) -> bool:
    """Whether any value of ``jurisdiction`` was computed under the parameter digest ``params``."""
    query = select(V.id).where(V.jurisdiction == jurisdiction, V.params == params).limit(1)
    return session.scalar(query) is not None


@dataclasses.dataclass(frozen=True)
class StoredDigest:
    """The values one jurisdiction holds under one parameter digest (``govsocial metrics digests``)."""

    jurisdiction: str
    params: str
    values: int
    period_kinds: tuple[str, ...]
    last_computed: dt.datetime


def stored_digests(session: Session, jurisdiction: str | None = None) -> list[StoredDigest]:
    """Every (jurisdiction, digest) with values stored, with how many and when last computed; of
    ``jurisdiction`` only when given. Ordered by jurisdiction, then the most recently computed first."""
    query = select(V.jurisdiction, V.params, V.period_kind, func.count(), func.max(V.computed_at)).group_by(
        V.jurisdiction, V.params, V.period_kind
    )
    if jurisdiction is not None:
        query = query.where(V.jurisdiction == jurisdiction)
    found: dict[tuple[str, str], list[tuple[str, int, dt.datetime]]] = {}
    for code, params, kind, count, last in session.execute(query):
        found.setdefault((code, params), []).append((kind, count, utc(last)))
    digests = [_digest(code, params, kinds) for (code, params), kinds in found.items()]
    return sorted(digests, key=lambda d: (d.jurisdiction, -d.last_computed.timestamp(), d.params))


def _digest(jurisdiction: str, params: str, kinds: list[tuple[str, int, dt.datetime]]) -> StoredDigest:
    names = {kind for kind, _, _ in kinds}
    return StoredDigest(
        jurisdiction=jurisdiction,
        params=params,
        values=sum(count for _, count, _ in kinds),
        period_kinds=tuple(kind for kind in LABELS if kind in names),  # day, week, month, year
        last_computed=max(at for _, _, at in kinds),
    )


def entity_known(session: Session, level: str | None, entity: str, jurisdiction: str | None = None) -> bool:
    """Whether ``entity`` names something (of ``jurisdiction``, when given): see :func:`entity_key`."""
    return entity_key(session, level, entity, jurisdiction) is not None


def entity_key(
    session: Session, level: str | None, entity: str, jurisdiction: str | None = None
) -> str | None:
    """The key the values about ``entity`` are stored under, or None when it names nothing: neither a
    stored value nor a registry row of the level's kind (of ``jurisdiction``, when given).

    Entities are keyed as the analysis keys them: an account by its id, an organisation by its
    code, a platform by its key, a government by its jurisdiction code. An account's id is read from
    ASCII digits, leading zeros ignored ("007" is keyed "7"). Without a level, ``entity`` as given
    comes first (an organisation may be coded "007"); digits that name nothing else name an account.
    """
    if has_values(session, level, entity, jurisdiction):
        return entity
    kinds = (level,) if level else REGISTRY_KINDS
    for kind in sorted(kinds, key=lambda each: each == "account"):  # the account's reading last
        if kind != "account":
            if _in_registry(session, kind, entity, jurisdiction):
                return entity
            continue
        account_id = parse_id(entity)
        key = str(account_id)
        if account_id is not None and (
            has_values(session, kind, key, jurisdiction) or _in_registry(session, kind, key, jurisdiction)
        ):
            return key
    return None


#: Levels whose entities the registry lists.
REGISTRY_KINDS = ("account", "organisation", "platform", "government")


def _in_registry(session: Session, level: str, entity: str, jurisdiction: str | None = None) -> bool:
    """Whether the registry has ``entity`` at ``level`` (in ``jurisdiction``, when given; platforms
    are everyone's). ``entity`` is a key: an account's is its id without leading zeros."""
    if level == "account":
        # Only an id the store can hold: "99999999999999999999" overflows the driver, "３" is not "3".
        account_id = parse_id(entity)
        account = session.get(t.Account, account_id) if account_id is not None else None
        return account is not None and jurisdiction in (None, account.jurisdiction)
    if level == "organisation":
        query = select(t.Organisation.id).where(t.Organisation.code == entity)
        if jurisdiction is not None:
            query = query.where(t.Organisation.jurisdiction == jurisdiction)
        return session.scalar(query.limit(1)) is not None
    if level == "platform":
        return session.get(t.Platform, entity) is not None
    return (
        level == "government"
        and jurisdiction in (None, entity)
        and session.get(t.Jurisdiction, entity) is not None
    )
