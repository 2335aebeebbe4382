"""The scorecard: every metric, at every level, for every period — one long table of values.

Each row says which metric, about whom (level and entity), when (period kind and period), the
value, and its inputs as a JSON object, so the portal can show the arithmetic beside each number.

How it runs fast (docs/performance.md, "Metrics"):

* All the metrics go to the engine as ONE query, for every level at once: a union of the metrics'
  results, each reshaped to the same columns (metric number, entity, period, value, inputs in
  numbered float columns), sorted by the engine. Metrics share building blocks (the threads of
  comments, the posts with their interactions...); in one query DuckDB computes a block used
  several times once (it materialises a common table expression), and the query is planned and
  fetched once. Spark plans each reference to a shared block again, so on Spark the blocks that
  several metrics share are computed first, each into a cached table, and the query reads them
  (``blocks.separate``, ``engines.SEPARATE_BLOCKS``).
* The query reads the frames through engine views with fixed names (``view.register_view``) that
  hold every level: an account's rows are there once per entity it counts in, ``entity`` being a
  code for the level and entity. So each frame is read and joined once, not once per level; the
  query compiles to the same SQL at every period kind: Ibis compiles it once per process, metrics
  and parameters (``_PLANS``), and each call only re-points the views. The codes sort as their
  levels and entities do, and are turned back into text when the rows are written.
* Inputs are written as JSON column by column with Arrow, one metric's rows at a time, not row by
  row in Python, in two threads (Arrow's kernels let both cores work).
* Work that does not depend on the level is done once, for every level: which page reply
  answers which citizen comment, each account's fans and interactions day by day (so a group's
  fans on a day are a sum, not a running sum per entity), the comments and threads counted
  per account and day, and the citizens' comments on each account's live posts per day are
  derived when the frames are loaded (``engines.derive``; the views cut them like frames), and
  so are the overperforming benchmarks, which depend on
  the parameters, for the parameters the engine was loaded with; with other parameters the
  query computes them from the frames' posts (``view.frame_benchmarks``).
  The metrics that are sums and counts of posts take their columns from one shared group-by
  (``sums.post_sums``), those of comments from another (``sums.comment_sums``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import ibis
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from govsocial.analyze.metrics import blocks, engines
from govsocial.analyze.metrics.model import Level, Metric, PeriodKind, registry
from govsocial.analyze.metrics.params import MetricParams
from govsocial.analyze.metrics.penetration import BENCHMARK_METRICS
from govsocial.analyze.metrics.view import VIEW_PREFIX, View, frame_benchmarks, register_view, release_view

if TYPE_CHECKING:
    import ibis.expr.types as ir
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

_KEYS = ("entity", "period", "value")


def compute(
    con: BaseBackend,
    jurisdiction: str,
    population: int | None,
    params: MetricParams | None = None,
    levels: Sequence[Level] = tuple(Level),
    period_kind: PeriodKind = PeriodKind.MONTH,
    metrics: Iterable[str] | None = None,
) -> pa.Table:
    """Run the chosen metrics (all by default) at the chosen levels.

    Rows are sorted by metric, level, entity and period (bytewise), for stable output.
    """
    params = params or MetricParams()
    chosen = tuple(sorted(_choose(metrics), key=lambda m: m.name))
    chosen = tuple(m for m in chosen if set(m.levels) & set(levels))
    if not chosen:
        return SCHEMA.empty_table()
    with _LOCK:
        benchmarks = _benchmarks(con, params, chosen)
        view, entities = register_view(con, levels, period_kind, jurisdiction, population, benchmarks)
        plan = _plan(con, view, params, chosen)
        try:
            result = engines.fetch(con, plan.sql, plan.blocks)
        except Exception as error:
            error.add_note(_which(plan.shaped))
            raise
        finally:
            release_view(con)
    number = pc.cast(result.column("m"), pa.int32()).to_numpy()
    bounds = np.searchsorted(number, np.arange(len(plan.shaped) + 1))  # the engine sorted by m
    # Arrow's kernels release the GIL: two threads keep both cores busy writing the rows.
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="scorecard-rows") as writer:
        parts = [
            writer.submit(_rows, s, result.slice(lo, hi - lo), entities, period_kind)
            for s, lo, hi in zip(plan.shaped, bounds[:-1], bounds[1:], strict=True)
            if hi > lo
        ]
        ordered = [part.result() for part in parts]
    # One chunk per metric, not combined: copying 1.2 million rows into one chunk took 0.01 s or,
    # every other call (fresh memory from the system), 0.25-0.33 s.
    return pa.concat_tables(ordered) if ordered else SCHEMA.empty_table()


_LOCK = threading.Lock()


def _choose(names: Iterable[str] | None) -> list[Metric]:
    known = registry()
    if names is None:
        return list(known.values())
    unknown = [name for name in names if name not in known]
    if unknown:
        raise KeyError(f"unknown metric(s): {', '.join(unknown)}; see `govsocial metrics list`")
    return [known[name] for name in dict.fromkeys(names)]


def _benchmarks(
    con: BaseBackend, params: MetricParams, metrics: Sequence[Metric]
) -> tuple[ir.Table, str] | None:
    """The overperforming benchmarks, computed once for every level, if a chosen metric reads them."""
    if any(m.name in BENCHMARK_METRICS for m in metrics):
        return frame_benchmarks(con, params), params.digest()
    return None


@dataclass(frozen=True)
class _Shaped:
    """One metric's result as an Ibis table, and what its input columns are."""

    metric: Metric
    expr: ir.Table
    inputs: tuple[str, ...]  # sorted by name, as the JSON object lists them
    integer: tuple[bool, ...]  # whether each input is a whole number (written 3, not 3.0)


@dataclass(frozen=True)
class _Plan:
    """The one query of a set of metrics, compiled for an engine's SQL dialect."""

    sql: str
    shaped: tuple[_Shaped, ...]
    #: Shared blocks the engine computes first, as (table name, SQL): ``blocks.separate``.
    blocks: tuple[tuple[str, str], ...]


#: Names of the tables of the shared blocks computed before the query (``blocks.separate``).
BLOCK_PREFIX = f"{VIEW_PREFIX}block_"

#: Compiled queries, by engine dialect, metrics, parameters and jurisdiction: compiling every
#: metric's expression to SQL takes Ibis about a second; running the SQL is what repeats.
_PLANS: dict[tuple[object, ...], _Plan] = {}


def _plan(con: BaseBackend, view: View, params: MetricParams, metrics: tuple[Metric, ...]) -> _Plan:
    """The compiled query of ``metrics`` (in this order) on the registered views; cached."""
    separate = con.name in engines.SEPARATE_BLOCKS
    key = (
        con.name,
        str(view.posts.schema()),
        tuple((m.name, id(m.compute)) for m in metrics),
        params.digest(),
        view.jurisdiction,
        view.population,
        view.benchmarks is not None,  # overperforming scores join them instead of ranking posts
        separate,
    )
    plan = _PLANS.get(key)
    if plan is None:
        shaped = tuple(_shape(m, view, params) for m in metrics)
        exprs = tuple(s.expr for s in shaped)
        separated = blocks.separate(con, exprs, BLOCK_PREFIX) if separate else blocks.Separated(exprs, ())
        width = max(len(s.inputs) for s in shaped)
        union = ibis.union(
            *(
                _common(replace(s, expr=expr), number, width)
                for number, (s, expr) in enumerate(zip(shaped, separated.exprs, strict=True))
            ),
            distinct=False,
        )
        sql = str(con.compile(union.order_by(["m", "entity", "period"])))
        plan = _Plan(sql, shaped, separated.blocks)
        _PLANS[key] = plan
    return plan


def _shape(metric: Metric, view: View, params: MetricParams) -> _Shaped:
    """``metric``'s result on ``view``, with its input columns and their kinds."""
    try:
        result = metric.compute(view, params)
        schema = result.schema()
    except Exception as error:
        error.add_note(f"while building metric {metric.name!r}")
        raise
    inputs = tuple(sorted(name for name in schema.names if name not in _KEYS))
    for name in inputs:
        dtype = schema[name]
        if not (dtype.is_numeric() or dtype.is_boolean()):
            raise TypeError(f"metric {metric.name!r}: input {name!r} is {dtype}; inputs must be numeric")
    integer = tuple(schema[name].is_integer() or schema[name].is_boolean() for name in inputs)
    return _Shaped(metric, result, inputs, integer)


def _common(shaped: _Shaped, number: int, width: int) -> ir.Table:
    """A metric's result in the columns every metric of the query shares."""
    t = shaped.expr
    columns: dict[str, Any] = {
        "m": ibis.literal(number, "int32"),
        "entity": t.entity,  # a code (``view.ENTITIES``): sorting by it sorts by level and entity
        "period": t.period.cast("string"),
        "value": t.value.cast("float64"),
    }
    for i in range(width):
        columns[f"i{i}"] = (
            t[shaped.inputs[i]].cast("float64") if i < len(shaped.inputs) else ibis.null("float64")
        )
    return t.select(**columns)


def _which(shaped: tuple[_Shaped, ...]) -> str:
    """Name the metrics that fail alone, to say which one broke the common query."""
    broken = []
    for s in shaped:
        try:
            s.expr.limit(1).to_pyarrow()
        except Exception as error:  # reported; the common query's error is raised after
            broken.append(f"{s.metric.name} ({type(error).__name__}: {error})")
    alone = "; ".join(broken) or "none (only together)"
    return f"scorecard: metrics that fail on their own: {alone}"


def _rows(shaped: _Shaped, result: pa.Table, entities: pa.Table, period_kind: PeriodKind) -> pa.Table:
    """One metric's rows of the query as scorecard rows: entity codes turned back into the level
    and the entity's text (``entities``: code, level, entity), rows of the levels the metric is not
    defined at left out."""
    where = pc.index_in(result.column("entity"), entities.column("code"))
    levels = pc.take(entities.column("level"), where)
    wanted = pa.array([str(level) for level in shaped.metric.levels], pa.string())
    if len(wanted) < len(Level):
        keep = pc.is_in(levels, wanted)
        result, levels, where = result.filter(keep), levels.filter(keep), where.filter(keep)
    rows = result.num_rows
    return pa.table(
        {
            "metric": pa.repeat(pa.scalar(shaped.metric.name), rows),
            "level": levels,
            "entity": pc.take(entities.column("entity"), where),
            "period_kind": pa.repeat(pa.scalar(str(period_kind)), rows),
            "period": pc.cast(result.column("period"), pa.string()),
            "value": pc.cast(result.column("value"), pa.float64()),
            "inputs": _json(shaped, result),
        },
        schema=SCHEMA,
    )


def _json(shaped: _Shaped, result: pa.Table) -> pa.ChunkedArray | pa.Array:
    """Each row's inputs as a JSON object ``{"name": value, ...}`` (keys sorted), built column-wise."""
    if not shaped.inputs:
        return pa.repeat(pa.scalar("{}"), result.num_rows)
    pieces: list[Any] = []
    for i, (name, integer) in enumerate(zip(shaped.inputs, shaped.integer, strict=True)):
        pieces += [f'{"{" if i == 0 else ", "}"{name}": ', _number(result.column(f"i{i}"), integer)]
    joined: pa.ChunkedArray = pc.binary_join_element_wise(*pieces, "}", "")
    return joined


def _number(values: pa.ChunkedArray, integer: bool) -> pa.ChunkedArray:
    """Numbers as JSON text: whole numbers as integers, others in their shortest exact decimal
    form (a whole float keeps ".0", so it reads back as a float); missing, NaN and infinity as null.
    """
    values = pc.cast(values, pa.float64())
    finite = pc.fill_null(pc.is_finite(values), False)
    # Most inputs are all there: they skip choosing between the number and "null" (measured:
    # writing the rows 7 % faster).
    everywhere = pc.all(finite).as_py() is True
    if integer:
        text = pc.cast(
            pc.cast(values if everywhere else pc.if_else(finite, values, 0.0), pa.int64()), pa.string()
        )
    else:
        text = pc.cast(values, pa.string())
        text = pc.if_else(
            pc.match_substring_regex(text, r"^-?\d+$"), pc.binary_join_element_wise(text, ".0", ""), text
        )
    result: pa.ChunkedArray = text if everywhere else pc.if_else(finite, text, "null")
    return result
