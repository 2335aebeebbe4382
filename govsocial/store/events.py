"""Opinion events in the store (``opinion_events``): spikes that a person should look at.

An event is something unusual in one account's comments in one calendar period: the comment
volume or the negative share far above the account's recent baseline (``analyze.spikes`` finds
them). ``sync`` writes what a detection found, idempotently, and says what it did: a new event
is inserted with ``detected_at`` now; an event found again keeps its ``detected_at`` and has its
numbers updated only when they changed; an event in the detection's scope that was not found
again (the data changed) is deleted. ``list_events`` reads them for the CLI, the API and the
portal; the alerts of a later issue read the same rows.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Connection, Table, delete, insert, select, update
from sqlalchemy.orm import Session

from govsocial.store import tables as t
from govsocial.store.times import utc

_events = cast(Table, t.OpinionEvent.__table__)
_accounts = cast(Table, t.Account.__table__)
_owners = cast(Table, t.AccountOrganisation.__table__)
_organisations = cast(Table, t.Organisation.__table__)

#: Numbers closer than this (relative) are the same number detected twice.
REL_TOL = 1e-9
OUTCOMES = ("insert", "update", "noop", "delete")

Key = tuple[int, str, str, str]  # account_id, kind, period_kind, period


@dataclass(frozen=True)
class Detected:
    """One event as a detection found it (before it is stored)."""

    account_id: int
    kind: str
    period_kind: str
    period: str
    value: float
    baseline: float
    spread: float
    score: float
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> Key:
        """What makes an event unique."""
        return (self.account_id, self.kind, self.period_kind, self.period)


@dataclass(frozen=True)
class SyncScope:
    """What one detection looked at: inside it, a stored event not found again is deleted."""

    jurisdiction: str
    kinds: frozenset[str]
    period_kinds: frozenset[str]
    accounts: frozenset[int]


def sync(
    connection: Connection, scope: SyncScope, found: Iterable[Detected], now: dt.datetime | None = None
) -> dict[str, int]:
    """Store ``found`` in ``opinion_events``; returns rows by outcome (insert/update/noop/delete)."""
    now = now or dt.datetime.now(dt.UTC)
    wanted = {event.key: event for event in found if event.account_id in scope.accounts}
    counts: Counter[str] = Counter()
    stale: list[int] = []
    for row in _stored(connection, scope):
        if row.account_id not in scope.accounts:
            continue
        key = (row.account_id, row.kind, row.period_kind, row.period)
        event = wanted.pop(key, None)
        if event is None:
            stale.append(row.id)
        elif _same(row, event):
            counts["noop"] += 1
        else:
            connection.execute(update(_events).where(_events.c.id == row.id).values(**_numbers(event)))
            counts["update"] += 1
    if wanted:
        connection.execute(
            insert(_events),
            [
                {**_numbers(e), "jurisdiction": scope.jurisdiction, "account_id": e.account_id,
                 "kind": e.kind, "period_kind": e.period_kind, "period": e.period, "detected_at": now}
                for e in wanted.values()
            ],
        )  # fmt: skip
    if stale:
        connection.execute(delete(_events).where(_events.c.id.in_(stale)))
    counts.update(insert=len(wanted), delete=len(stale))
    return {outcome: counts[outcome] for outcome in OUTCOMES}


def _stored(connection: Connection, scope: SyncScope) -> Sequence[Any]:
    if not scope.kinds or not scope.period_kinds or not scope.accounts:
        return []
    c = _events.c
    return connection.execute(
        select(c.id, c.account_id, c.kind, c.period_kind, c.period, c.value, c.baseline, c.spread,
               c.score, c.details)
        .where(c.jurisdiction == scope.jurisdiction, c.kind.in_(scope.kinds),
               c.period_kind.in_(scope.period_kinds))
    ).all()  # fmt: skip


def _numbers(event: Detected) -> dict[str, Any]:
    return {
        "value": event.value,
        "baseline": event.baseline,
        "spread": event.spread,
        "score": event.score,
        "details": event.details,
    }


def _same(row: Any, event: Detected) -> bool:
    numbers = (
        (row.value, event.value),
        (row.baseline, event.baseline),
        (row.spread, event.spread),
        (row.score, event.score),
    )
    return all(math.isclose(a, b, rel_tol=REL_TOL) for a, b in numbers) and (row.details or {}) == (
        event.details or {}
    )


# --- Reading --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventRow:
    """A stored event with its account's platform, handle and owners, for lists and pages."""

    id: int
    jurisdiction: str
    account_id: int
    platform: str
    handle: str
    organisations: tuple[str, ...]
    kind: str
    period_kind: str
    period: str
    value: float
    baseline: float
    spread: float
    score: float
    details: dict[str, Any]
    detected_at: dt.datetime


@dataclass(frozen=True)
class EventFilter:
    """Which events to list; None means any."""

    jurisdiction: str
    account_ids: Collection[int] | None = None
    organisation: str | None = None
    kind: str | None = None
    period_kind: str | None = None
    #: Only events whose period ends after this day (a period that touches it counts).
    since: dt.date | None = None


def list_events(session: Session, f: EventFilter) -> list[EventRow]:
    """Events matching ``f``, the latest period first, then the highest score."""
    c = _events.c
    statement = (
        select(_events, _accounts.c.platform, _accounts.c.handle)
        .join(_accounts, _accounts.c.id == c.account_id)
        .where(c.jurisdiction == f.jurisdiction)
    )
    if f.account_ids is not None:
        statement = statement.where(c.account_id.in_(list(f.account_ids)))
    if f.organisation is not None:
        owned = (
            select(_owners.c.account_id)
            .join(_organisations, _organisations.c.id == _owners.c.organisation_id)
            .where(_organisations.c.code == f.organisation)
        )
        statement = statement.where(c.account_id.in_(owned))
    if f.kind is not None:
        statement = statement.where(c.kind == f.kind)
    if f.period_kind is not None:
        statement = statement.where(c.period_kind == f.period_kind)
    rows = session.execute(statement).all()
    owners = _owner_codes(session, {row.account_id for row in rows})
    events = [
        _event_row(row, owners.get(row.account_id, ()))
        for row in rows
        if f.since is None or period_end(row.period_kind, row.period) > f.since
    ]
    # Labels of one kind sort in time order ('2026-W09' < '2026-W10'); stable sorts, last key first.
    events.sort(key=lambda e: (-e.score, e.account_id, e.kind))
    events.sort(key=lambda e: period_start(e.period_kind, e.period), reverse=True)
    return events


def _event_row(row: Any, owners: tuple[str, ...]) -> EventRow:
    return EventRow(
        id=row.id, jurisdiction=row.jurisdiction, account_id=row.account_id, platform=row.platform,
        handle=row.handle, organisations=owners, kind=row.kind, period_kind=row.period_kind,
        period=row.period, value=row.value, baseline=row.baseline, spread=row.spread, score=row.score,
        details=dict(row.details or {}), detected_at=utc(row.detected_at),
    )  # fmt: skip


def _owner_codes(session: Session, account_ids: set[int]) -> dict[int, tuple[str, ...]]:
    if not account_ids:
        return {}
    rows = session.execute(
        select(_owners.c.account_id, _organisations.c.code)
        .join(_organisations, _organisations.c.id == _owners.c.organisation_id)
        .where(_owners.c.account_id.in_(account_ids))
        .order_by(_owners.c.account_id, _owners.c.position)
    ).all()
    found: dict[int, tuple[str, ...]] = {}
    for account_id, code in rows:
        found[account_id] = (*found.get(account_id, ()), code)
    return found


def period_start(kind: str, label: str) -> dt.date:
    """The first day of a calendar period labelled as the analytic frames label it."""
    if kind == "day":
        return dt.date.fromisoformat(label)
    if kind == "week":
        year, week = label.split("-W")
        return dt.date.fromisocalendar(int(year), int(week), 1)
    if kind == "month":
        year, month = label.split("-")
        return dt.date(int(year), int(month), 1)
    if kind == "year":
        return dt.date(int(label), 1, 1)
    raise ValueError(f"unknown period kind {kind!r}")


def period_end(kind: str, label: str) -> dt.date:
    """The day after a calendar period's last day."""
    start = period_start(kind, label)
    if kind == "day":
        return start + dt.timedelta(days=1)
    if kind == "week":
        return start + dt.timedelta(days=7)
    if kind == "month":
        return dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return dt.date(start.year + 1, 1, 1)
