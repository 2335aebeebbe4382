"""Materialising a scorecard into ``metric_values``: insert / update / noop / delete, bounded by a scope."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pyarrow as pa
import pytest
from sqlalchemy import Engine, select

from govsocial.analyze.materialise import Scope, materialise
from govsocial.analyze.metrics import scorecard
from govsocial.store import tables as t

MONTHS = frozenset({"2026-09", "2026-10"})
SCOPE = Scope(
    jurisdiction="hk",
    params="p1",
    period_kind="month",
    periods=MONTHS,
    levels=frozenset({"account", "government"}),
    metrics=frozenset({"post_volume", "interactions_per_post"}),
    entities={"account": frozenset({"1", "2"}), "government": frozenset({"hk"})},
)


def card(*rows: tuple[str, str, str, str, float | None, dict[str, Any]], kind: str = "month") -> pa.Table:
    """A scorecard from (metric, level, entity, period, value, inputs) rows."""
    return pa.table(
        {
            "metric": [r[0] for r in rows],
            "level": [r[1] for r in rows],
            "entity": [r[2] for r in rows],
            "period_kind": [kind] * len(rows),
            "period": [r[3] for r in rows],
            "value": pa.array([r[4] for r in rows], pa.float64()),
            "inputs": [json.dumps(r[5]) for r in rows],
        },
        schema=scorecard.SCHEMA,
    )


BASE = (
    ("post_volume", "account", "1", "2026-09", 2.0, {"posts": 2}),
    ("post_volume", "account", "1", "2026-10", 3.0, {"posts": 3}),
    ("post_volume", "account", "2", "2026-10", 1.0, {"posts": 1}),
    ("interactions_per_post", "government", "hk", "2026-10", 16.5, {"interactions": 66, "posts": 4}),
)


def run(
    engine: Engine, table: pa.Table, scope: Scope = SCOPE, now: dt.datetime | None = None
) -> dict[str, int]:
    with engine.begin() as connection:
        return materialise(connection, table, scope, now).as_dict()


def stored(engine: Engine) -> dict[tuple[str, str, str, str, str], tuple[float | None, dict[str, Any]]]:
    with engine.connect() as connection:
        rows = connection.execute(select(t.MetricValue.__table__))
        return {(r.metric, r.level, r.entity, r.period, r.params): (r.value, r.inputs) for r in rows}


def test_a_second_run_of_the_same_scorecard_is_all_noop(engine: Engine) -> None:
    assert run(engine, card(*BASE)) == {"insert": 4, "update": 0, "noop": 0, "delete": 0}
    assert run(engine, card(*BASE)) == {"insert": 0, "update": 0, "noop": 4, "delete": 0}
    values = stored(engine)
    assert values[("interactions_per_post", "government", "hk", "2026-10", "p1")] == (
        16.5,
        {"interactions": 66, "posts": 4},
    )
    assert len(values) == 4


def test_a_changed_value_or_input_is_an_update_and_nothing_else_is_written(engine: Engine) -> None:
    first = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
    run(engine, card(*BASE), now=first)
    changed = list(BASE)
    changed[1] = ("post_volume", "account", "1", "2026-10", 4.0, {"posts": 4})
    changed[3] = (
        "interactions_per_post",
        "government",
        "hk",
        "2026-10",
        16.5,
        {"interactions": 66, "posts": 5},
    )
    later = dt.datetime(2026, 10, 2, tzinfo=dt.UTC)
    assert run(engine, card(*changed), now=later) == {"insert": 0, "update": 2, "noop": 2, "delete": 0}
    assert stored(engine)[("post_volume", "account", "1", "2026-10", "p1")] == (4.0, {"posts": 4})
    with engine.connect() as connection:
        times = dict(
            connection.execute(
                select(t.MetricValue.entity + t.MetricValue.period, t.MetricValue.computed_at).where(
                    t.MetricValue.metric == "post_volume"
                )
            ).all()
        )
    assert times["12026-10"].replace(tzinfo=dt.UTC) == later  # updated: newly computed
    assert times["12026-09"].replace(tzinfo=dt.UTC) == first  # noop: not even touched


def test_the_last_digits_of_a_parallel_float_sum_are_not_a_change(engine: Engine) -> None:
    run(engine, card(("post_volume", "account", "1", "2026-10", 9.305277777777777, {"mean": 0.1 + 0.2})))
    again = card(("post_volume", "account", "1", "2026-10", 9.305277777777778, {"mean": 0.3}))
    assert run(engine, again)["noop"] == 1
    moved = card(("post_volume", "account", "1", "2026-10", 9.3053, {"mean": 0.3}))
    assert run(engine, moved)["update"] == 1


def test_rows_that_no_longer_appear_are_deleted_inside_the_scope_only(engine: Engine) -> None:
    run(engine, card(*BASE))
    outside = [
        ("post_volume", "account", "1", "2026-08", 1.0, {"posts": 1}),  # a period this run did not cover
        ("post_volume", "account", "99", "2026-10", 1.0, {"posts": 1}),  # another jurisdiction's account
    ]
    theirs = Scope(
        "hk", "p1", "month", frozenset({"2026-08"}), SCOPE.levels, SCOPE.metrics, {"account": frozenset()}
    )
    assert run(engine, card(*outside), theirs) == {"insert": 2, "update": 0, "noop": 0, "delete": 0}
    run(engine, card(*BASE), Scope("hk", "p2", "month", MONTHS, SCOPE.levels, SCOPE.metrics))  # other params
    run(
        engine,
        card(("accounts", "account", "1", "2026-10", 1.0, {})),
        Scope("hk", "p1", "month", MONTHS, SCOPE.levels, frozenset({"accounts"})),
    )  # a metric this run does not recompute
    counts = run(engine, card(*BASE[:2]))  # account 2 and the government value are gone
    assert counts == {"insert": 0, "update": 0, "noop": 2, "delete": 2}
    keys = set(stored(engine))
    assert ("post_volume", "account", "2", "2026-10", "p1") not in keys
    assert ("interactions_per_post", "government", "hk", "2026-10", "p1") not in keys
    assert {
        ("post_volume", "account", "1", "2026-08", "p1"),
        ("post_volume", "account", "99", "2026-10", "p1"),
        ("post_volume", "account", "2", "2026-10", "p2"),
        ("accounts", "account", "1", "2026-10", "p1"),
    } <= keys


def test_a_missing_or_not_finite_value_is_stored_as_null(engine: Engine) -> None:
    rows = (
        ("post_volume", "account", "1", "2026-10", None, {"posts": 0}),
        ("post_volume", "account", "2", "2026-10", float("nan"), {"ratio": float("inf")}),
    )
    assert run(engine, card(*rows))["insert"] == 2
    values = stored(engine)
    assert values[("post_volume", "account", "1", "2026-10", "p1")] == (None, {"posts": 0})
    assert values[("post_volume", "account", "2", "2026-10", "p1")] == (None, {"ratio": None})
    assert run(engine, card(*rows))["noop"] == 2


def test_a_scorecard_of_another_period_kind_is_refused(engine: Engine) -> None:
    with pytest.raises(ValueError, match="period kinds"):
        run(engine, card(*BASE, kind="week"))


def test_a_failing_write_leaves_the_store_as_it_was(engine: Engine) -> None:
    run(engine, card(*BASE))
    with pytest.raises(RuntimeError), engine.begin() as connection:
        materialise(connection, card(*BASE[:1]), SCOPE)  # would delete three rows...
        raise RuntimeError("...but the transaction fails")
    assert len(stored(engine)) == 4


def test_two_jurisdictions_with_the_same_keys_keep_their_own_values(engine: Engine) -> None:
    run(engine, card(*BASE))
    other = Scope("xx", "p1", "month", MONTHS, SCOPE.levels, SCOPE.metrics)
    # Another government's "facebook" or organisation "isd" is not ours: inserted beside, never over.
    assert run(engine, card(*BASE[:2]), other) == {"insert": 2, "update": 0, "noop": 0, "delete": 0}
    assert run(engine, card(*BASE)) == {"insert": 0, "update": 0, "noop": 4, "delete": 0}
    with engine.connect() as connection:
        rows = connection.execute(select(t.MetricValue.jurisdiction, t.MetricValue.entity)).all()
    assert sorted(rows) == sorted(
        [("hk", "1"), ("hk", "1"), ("hk", "2"), ("hk", "hk"), ("xx", "1"), ("xx", "1")]
    )
