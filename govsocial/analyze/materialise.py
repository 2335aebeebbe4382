"""Write a scorecard into ``metric_values``: idempotent upserts that say what they did.

Pages and the API read these rows instead of computing. A refresh compares what it computed with
what is stored, and per row reports ``insert`` (new), ``update`` (the value or an input changed),
``noop`` (unchanged: nothing is written, not even ``computed_at``) or ``delete``. A second
refresh of unchanged data is all ``noop``: numbers are compared with a relative tolerance of
``REL_TOL``, because a parallel engine sums floats in whatever order its threads finish, and the
last digits of a mean can differ from one run to the next without anything having changed.

Deletion is bounded by a ``Scope``: what the refresh recomputed — one parameter digest, one
period kind, the levels and metrics it ran and the periods its data covers, and optionally the
entities of each level that belong to the jurisdiction. A stored row inside the scope that the new
scorecard no longer has (a post deleted, an account now dormant...) is deleted; rows outside it
(another jurisdiction, other parameters, other metrics, periods before the data's first one) are
never touched.

Everything happens on the caller's connection, so a refresh of several period kinds is one
transaction: inserts and updates as ``executemany``, deletes by id in chunks.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import pyarrow as pa
from sqlalchemy import Connection, Table, bindparam, delete, insert, select, update

from govsocial.store import tables as t

_values = cast(Table, t.MetricValue.__table__)
#: Ids per ``DELETE ... WHERE id IN (...)`` (well under SQLite's bound-parameter limit).
DELETE_CHUNK = 1000
OUTCOMES = ("insert", "update", "noop", "delete")
#: Numbers closer than this (relative) are the same number computed twice.
REL_TOL = 1e-9


@dataclass(frozen=True)
class Scope:
    """What one refresh recomputed, inside which stale rows are deleted."""

    jurisdiction: str
    params: str
    period_kind: str
    periods: frozenset[str]
    levels: frozenset[str]
    metrics: frozenset[str]
    #: Per level, the entities the refresh owns (a jurisdiction's accounts, organisations...);
    #: None: every entity of the level.
    entities: Mapping[str, frozenset[str]] | None = None

    def owns(self, level: str, entity: str, period: str) -> bool:
        """Whether a stored row with these keys was recomputed by this refresh."""
        if period not in self.periods or level not in self.levels:
            return False
        return self.entities is None or entity in self.entities.get(level, frozenset())


@dataclass
class Counts:
    """Rows by outcome."""

    counts: Counter[str] = field(default_factory=Counter)

    def add(self, other: Counts) -> None:
        self.counts.update(other.counts)

    def as_dict(self) -> dict[str, int]:
        """``{"insert": n, "update": n, "noop": n, "delete": n}``."""
        return {outcome: self.counts[outcome] for outcome in OUTCOMES}


Key = tuple[str, str, str, str]  # metric, level, entity, period


def materialise(
    connection: Connection, scorecard: pa.Table, scope: Scope, now: dt.datetime | None = None
) -> Counts:
    """Upsert ``scorecard`` (``scorecard.SCHEMA`` rows of ``scope.period_kind``) into ``metric_values``."""
    now = now or dt.datetime.now(dt.UTC)
    wanted = _wanted(scorecard, scope)
    stored = _stored(connection, scope, {key[3] for key in wanted})
    counts = Counts()
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for key, (value, inputs) in wanted.items():
        old = stored.pop(key, None)
        if old is None:
            inserts.append(_row(key, value, inputs, scope, now))
        elif _same(old[1], value) and _same_inputs(old[2], inputs):
            counts.counts["noop"] += 1
        else:
            updates.append({"_id": old[0], "_value": value, "_inputs": inputs, "_at": now})
    stale = [row_id for key, (row_id, _, _) in stored.items() if scope.owns(key[1], key[2], key[3])]
    if inserts:
        connection.execute(insert(_values), inserts)
    if updates:
        connection.execute(
            update(_values)
            .where(_values.c.id == bindparam("_id"))
            .values(value=bindparam("_value"), inputs=bindparam("_inputs"), computed_at=bindparam("_at")),
            updates,
        )
    for ids in _chunks(stale, DELETE_CHUNK):
        connection.execute(delete(_values).where(_values.c.id.in_(ids)))
    counts.counts.update(insert=len(inserts), update=len(updates), delete=len(stale))
    return counts


def forget(connection: Connection, jurisdiction: str, params: str) -> int:
    """Delete every value of ``jurisdiction`` stored under the parameter digest ``params``; returns
    how many. For values of parameters a deployment no longer uses (``govsocial metrics forget``):
    nothing reads them but ``params=<digest>`` in the API, and a refresh never deletes them (they
    are outside its ``Scope``)."""
    result = connection.execute(
        delete(_values).where(_values.c.jurisdiction == jurisdiction, _values.c.params == params)
    )
    return int(result.rowcount)


def _wanted(scorecard: pa.Table, scope: Scope) -> dict[Key, tuple[float | None, dict[str, Any]]]:
    """The new rows by key, values and inputs as they will be stored (JSON-safe, NaN as null)."""
    kinds = set(scorecard.column("period_kind").unique().to_pylist()) if scorecard.num_rows else set()
    if kinds - {scope.period_kind}:
        raise ValueError(f"scorecard rows of period kinds {sorted(kinds)}, scope is {scope.period_kind!r}")
    columns = {name: scorecard.column(name).to_pylist() for name in ("metric", "level", "entity", "period")}
    values = scorecard.column("value").to_pylist()
    inputs = scorecard.column("inputs").to_pylist()
    wanted: dict[Key, tuple[float | None, dict[str, Any]]] = {}
    for i, key in enumerate(
        zip(*(columns[name] for name in ("metric", "level", "entity", "period")), strict=True)
    ):
        wanted[key] = (_finite(values[i]), _clean(json.loads(inputs[i]) if inputs[i] else {}))
    return wanted


def _stored(
    connection: Connection, scope: Scope, periods: set[str]
) -> dict[Key, tuple[int, float | None, dict[str, Any]]]:
    """The stored rows the new ones may replace, by key: id, value, inputs."""
    every = periods | scope.periods
    if not every or not scope.metrics or not scope.levels:
        return {}
    c = _values.c
    # Periods of one kind sort as text ('2026-09', '2026-W40'), so a range narrows the read;
    # the set test below drops whatever else the range holds.
    rows = connection.execute(
        select(c.id, c.metric, c.level, c.entity, c.period, c.value, c.inputs).where(
            c.jurisdiction == scope.jurisdiction,
            c.params == scope.params,
            c.period_kind == scope.period_kind,
            c.level.in_(sorted(scope.levels)),
            c.metric.in_(sorted(scope.metrics)),
            c.period >= min(every),
            c.period <= max(every),
        )
    )
    return {
        (metric, level, entity, period): (row_id, value, inputs or {})
        for row_id, metric, level, entity, period, value, inputs in rows
        if period in every
    }


def _row(
    key: Key, value: float | None, inputs: dict[str, Any], scope: Scope, now: dt.datetime
) -> dict[str, Any]:
    metric, level, entity, period = key
    return {
        "jurisdiction": scope.jurisdiction,
        "metric": metric,
        "level": level,
        "entity": entity,
        "period_kind": scope.period_kind,
        "period": period,
        "value": value,
        "inputs": inputs,
        "params": scope.params,
        "computed_at": now,
    }


def _finite(value: Any) -> float | None:
    # NaN and infinities are not numbers a page can show (and PostgreSQL JSON rejects them).
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _clean(inputs: dict[str, Any]) -> dict[str, Any]:
    return {name: _finite(v) if isinstance(v, float) else v for name, v in inputs.items()}


def _same(old: Any, new: Any) -> bool:
    """Equal; numbers within ``REL_TOL`` of each other count as equal."""
    if _number(old) and _number(new):
        return math.isclose(old, new, rel_tol=REL_TOL, abs_tol=1e-12)
    return bool(old == new)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _same_inputs(old: dict[str, Any], new: dict[str, Any]) -> bool:
    return old.keys() == new.keys() and all(_same(old[name], new[name]) for name in new)


def _chunks(items: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
