"""The scorecard: every metric, at every level, for every period — one long table of values.

Each row says which metric, about whom (level and entity), when (period kind and period), the
value, and its inputs as a JSON object, so the portal can show the arithmetic beside each number.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import pyarrow as pa

from govsocial.analyze.metrics.model import Level, Metric, PeriodKind, registry
from govsocial.analyze.metrics.params import MetricParams
from govsocial.analyze.metrics.view import make_view

if TYPE_CHECKING:
    from ibis.backends import BaseBackend

#: The long format of a scorecard.
SCHEMA = pa.schema(
    [
        ("metric", pa.string()),
        ("level", pa.string()),
        ("entity", pa.string()),
        ("period_kind", pa.string()),
        ("period", pa.string()),
        ("value", pa.float64()),
        ("inputs", pa.string()),
    ]
)


def compute(
    con: BaseBackend,
    jurisdiction: str,
    population: int | None,
    params: MetricParams | None = None,
    levels: Sequence[Level] = tuple(Level),
    period_kind: PeriodKind = PeriodKind.MONTH,
    metrics: Iterable[str] | None = None,
) -> pa.Table:
    """Run the chosen metrics (all by default) at the chosen levels; rows sorted for stable output."""
    params = params or MetricParams()
    chosen = _choose(metrics)
    parts: list[pa.Table] = []
    for level in levels:
        view = make_view(con, level, period_kind, jurisdiction, population)
        for metric in chosen:
            if level in metric.levels:
                parts.append(_long(metric, level, period_kind, metric.compute(view, params).to_pyarrow()))
    table = pa.concat_tables(parts) if parts else SCHEMA.empty_table()
    return table.sort_by(
        [("metric", "ascending"), ("level", "ascending"), ("entity", "ascending"), ("period", "ascending")]
    )


def _choose(names: Iterable[str] | None) -> list[Metric]:
    known = registry()
    if names is None:
        return list(known.values())
    unknown = [name for name in names if name not in known]
    if unknown:
        raise KeyError(f"unknown metric(s): {', '.join(unknown)}; see `govsocial metrics list`")
    return [known[name] for name in names]


def _long(metric: Metric, level: Level, period_kind: PeriodKind, result: pa.Table) -> pa.Table:
    """One metric's wide result (entity, period, value, inputs...) as scorecard rows."""
    inputs = [name for name in result.schema.names if name not in ("entity", "period", "value")]
    columns = {name: result.column(name).to_pylist() for name in inputs}
    packed = [
        json.dumps({name: _plain(columns[name][i]) for name in inputs}, sort_keys=True)
        for i in range(result.num_rows)
    ]
    rows = result.num_rows
    return pa.table(
        {
            "metric": pa.array([metric.name] * rows, pa.string()),
            "level": pa.array([str(level)] * rows, pa.string()),
            "entity": result.column("entity").cast(pa.string()),
            "period_kind": pa.array([str(period_kind)] * rows, pa.string()),
            "period": result.column("period").cast(pa.string()),
            "value": result.column("value").cast(pa.float64()),
            "inputs": pa.array(packed, pa.string()),
        },
        schema=SCHEMA,
    )


def _plain(value: object) -> object:
    """JSON-safe input values (floats that are whole stay floats; NaN becomes null)."""
    if isinstance(value, float) and value != value:
        return None
    return value
