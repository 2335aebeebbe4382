"""The scorecard's shape: levels, entities, inputs beside each value."""

from __future__ import annotations

import dataclasses
import json

import pyarrow as pa
import pytest

from govsocial.analyze.metrics import engines, model, scorecard
from govsocial.analyze.metrics.model import Level, PeriodKind, registry
from govsocial.analyze.metrics.params import MetricParams
from govsocial.analyze.metrics.view import register_view
from tests.analyze.builders import build, hk, run


def _frames() -> object:
    posts = [
        {
            "post_id": 1,
            "account_id": 1,
            "platform": "facebook",
            "ts": hk(2026, 10, 1),
            "reactions": 10,
            "comments": 1,
        },
        {
            "post_id": 2,
            "account_id": 1,
            "platform": "facebook",
            "ts": hk(2026, 10, 2),
            "reactions": 20,
            "shares": 1,
        },
        {"post_id": 3, "account_id": 2, "platform": "facebook", "ts": hk(2026, 11, 1), "reactions": 5},
    ]
    owners = [
        {"account_id": 1, "organisation": "isd", "organisation_kind": "department"},
        {"account_id": 2, "organisation": "isd", "organisation_kind": "department"},
        {"account_id": 2, "organisation": "cmab", "organisation_kind": "bureau"},
    ]
    return build(posts=posts, owners=owners)


def test_post_volume_per_account_and_month() -> None:
    rows = run(_frames(), "post_volume")  # type: ignore[arg-type]
    got = {(r["entity"], r["period"]): (r["value"], r["inputs"]) for r in rows}
    assert got == {("1", "2026-10"): (2.0, {"posts": 2}), ("2", "2026-11"): (1.0, {"posts": 1})}


def test_an_account_with_two_owners_counts_for_each() -> None:
    rows = run(_frames(), "post_volume", Level.ORGANISATION)  # type: ignore[arg-type]
    got = {(r["entity"], r["period"]): r["value"] for r in rows}
    assert got == {("isd", "2026-10"): 2.0, ("isd", "2026-11"): 1.0, ("cmab", "2026-11"): 1.0}


def test_interactions_per_post_shows_its_inputs() -> None:
    rows = run(_frames(), "interactions_per_post", Level.GOVERNMENT)  # type: ignore[arg-type]
    october = next(r for r in rows if r["period"] == "2026-10")
    assert october["entity"] == "hk"
    assert october["inputs"] == {"interactions": 32, "posts": 2}
    assert october["value"] == pytest.approx(16.0)


def test_every_metric_is_named_once_and_documented_in_its_definition() -> None:
    for name, metric in registry().items():
        assert metric.name == name
        assert metric.definition, f"{name} has no plain-language definition"
        assert metric.formula and metric.source, f"{name} lacks a formula or a source"


def test_no_metric_aggregates_through_sql_filter() -> None:
    """Conditional aggregates are written with ``common.tally`` / ``common.only``: DuckDB runs
    ``FILTER (WHERE ...)`` more slowly (docs/performance.md, "Metrics"), and a metric written
    with Ibis's ``where=`` would bring it back into every level's query."""
    frames = _frames()
    con = engines.duckdb(frames)  # type: ignore[arg-type]
    view = register_view(con, [Level.GOVERNMENT], PeriodKind.MONTH, "hk", None)[0]
    filtered = [
        name
        for name, metric in registry().items()
        if "FILTER" in str(con.compile(metric.compute(view, MetricParams()))).upper()
    ]
    assert not filtered, f"metrics aggregating with where= (SQL FILTER): {filtered}"


def test_rows_are_sorted_by_metric_level_entity_and_period_bytewise() -> None:
    """The rows come sorted as text, whatever the engine groups by (codes for level and entity)."""
    posts = [
        {"post_id": a * 10 + m, "account_id": a, "platform": "facebook", "ts": hk(2026, m, 3), "reactions": a}
        for a in range(1, 13)
        for m in (9, 10)
    ]
    owners = [
        {"account_id": a, "organisation": name, "organisation_kind": "department"}
        for a in range(1, 13)
        for name in (("Zeta", "alpha") if a % 2 else ("émile",))
    ]
    frames = build(posts=posts, owners=owners)
    con = engines.duckdb(frames)  # type: ignore[arg-type]
    table = scorecard.compute(con, "hk", None, metrics=["post_volume", "interactions_per_post"])
    columns = (table.column(c).to_pylist() for c in ("metric", "level", "entity", "period"))
    keys = list(zip(*columns, strict=True))
    assert keys == sorted(keys, key=lambda key: tuple(part.encode() for part in key))
    # Not vacuous: ids of one and two digits (text order is not number order), and organisation
    # keys whose bytes sort otherwise than their letters.
    accounts = [e for m, level, e, p in keys if level == "account" and p == "2026-09"]
    assert accounts[:5] == ["1", "10", "11", "12", "2"]
    organisations = [e for m, level, e, p in keys if level == "organisation" and p == "2026-09"]
    assert organisations[:3] == ["Zeta", "alpha", "émile"]
    assert {level for _, level, _, _ in keys} == {"account", "government", "organisation", "platform"}


def test_the_posts_shared_sums_are_in_the_scorecards_query_once() -> None:
    """About thirty metrics take their columns from the posts' shared sums (``sums.post_sums``);
    the scorecard's one query must group the posts for them once (Ibis writes an expression used
    several times as one common table expression), not once per metric. A block ending in a
    projection after its group-by is not shared that way: it once made the query twice as slow,
    with every test passing. ``rate_mean_n`` is a column of that group-by alone."""
    con = engines.duckdb(_frames())  # type: ignore[arg-type]
    view, _ = register_view(con, tuple(Level), PeriodKind.MONTH, "hk", None)
    params = MetricParams()
    every = tuple(sorted(registry().values(), key=lambda m: m.name))
    readers = [m for m in every if 'AS "rate_mean_n"' in str(con.compile(m.compute(view, params)))]
    assert len(readers) >= 20
    sql = scorecard._plan(con, view, params, every).sql  # the query the scorecard runs
    assert sql.count('AS "rate_mean_n"') == 1


def test_a_metric_defined_at_some_levels_has_rows_at_those_levels_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The one query computes every metric for every level asked; a metric registered for some
    levels only (``Metric.levels``) gives rows at those levels alone, beside one at all four."""
    volume = registry()["post_volume"]
    upper = dataclasses.replace(
        volume, name="post_volume_upper", levels=(Level.ORGANISATION, Level.GOVERNMENT)
    )
    monkeypatch.setitem(model._REGISTRY, upper.name, upper)
    con = engines.duckdb(_frames())  # type: ignore[arg-type]
    table = scorecard.compute(con, "hk", None, metrics=[upper.name, volume.name])
    levels: dict[str, set[str]] = {}
    for row in table.select(["metric", "level"]).to_pylist():
        levels.setdefault(row["metric"], set()).add(row["level"])
    assert levels == {
        upper.name: {"organisation", "government"},
        volume.name: {"account", "organisation", "platform", "government"},
    }
    # Asked for the account level alone, the metric has no rows, and the other keeps its own.
    alone = scorecard.compute(con, "hk", None, levels=[Level.ACCOUNT], metrics=[upper.name, volume.name])
    assert set(alone.column("metric").to_pylist()) == {volume.name}


def test_inputs_are_written_as_json_numbers_with_null_for_what_is_missing() -> None:
    """Whole-number inputs as integers, others in shortest form with a whole float keeping ".0"
    (it reads back as a float); missing, NaN and infinity as null, in columns with and without
    gaps (a column without gaps is written without checking each value)."""

    def text(values: list[float | None], integer: bool) -> list[str]:
        written: list[str] = scorecard._number(pa.chunked_array([values], pa.float64()), integer).to_pylist()
        assert all(
            json.loads(t) is None or isinstance(json.loads(t), int if integer else float) for t in written
        )
        return written

    assert text([3.0, 0.0, 12.0], True) == ["3", "0", "12"]
    assert text([3.0, None, float("nan"), float("inf"), -2.0], True) == ["3", "null", "null", "null", "-2"]
    assert text([2.0, 0.25, -1.5, 1e20], False) == ["2.0", "0.25", "-1.5", "1e+20"]
    assert text([2.0, None, float("-inf"), 0.5], False) == ["2.0", "null", "null", "0.5"]
    assert text([], True) == []
