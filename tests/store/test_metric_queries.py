"""The read side of ``metric_values`` on SQLite and PostgreSQL: filters, paging, latest period, scorecard."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert
from sqlalchemy.orm import Session

from govsocial.store import metric_queries as mq
from govsocial.store import tables as t

AT = dt.datetime(2026, 11, 1, 2, 0, tzinfo=dt.UTC)
ROWS = [
    # metric, level, entity, period_kind, period, value, params
    ("post_volume", "government", "hk", "month", "2026-08", 8.0, "a"),
    ("post_volume", "government", "hk", "month", "2026-09", 10.0, "a"),
    ("post_volume", "government", "hk", "month", "2026-10", 12.0, "a"),
    ("followers", "government", "hk", "month", "2026-09", 500.0, "a"),
    ("post_volume", "government", "hk", "week", "2026-W45", 3.0, "a"),  # sorts after 2026-10 as text
    ("post_volume", "account", "7", "month", "2026-09", 2.0, "a"),
    ("post_volume", "account", "8", "month", "2026-10", None, "a"),
    ("post_volume", "government", "hk", "month", "2026-11", 1.0, "b"),  # another parameter set
]


@pytest.fixture
def stored(session: Session) -> Session:
    keys = ("metric", "level", "entity", "period_kind", "period", "value", "params")
    session.execute(
        insert(t.MetricValue),
        [
            {**dict(zip(keys, row, strict=True)), "jurisdiction": "hk", "inputs": {"n": i}, "computed_at": AT}
            for i, row in enumerate(ROWS)
        ]
        # The same keys in another jurisdiction are another government's numbers.
        + [
            {**dict(zip(keys, row, strict=True)), "jurisdiction": "xx", "inputs": {}, "computed_at": AT}
            for row in ROWS[:3]
        ],
    )
    session.commit()
    return session


def test_filters_page_and_newest_first(stored: Session) -> None:
    f = mq.MetricFilter(
        jurisdiction="hk", params="a", metrics=("post_volume",), level="government", period_kind="month"
    )
    page = mq.list_values(stored, f, limit=2)
    assert page.count == 3 and [r.period for r in page.items] == ["2026-10", "2026-09"]
    assert [r.period for r in mq.list_values(stored, f, limit=2, offset=2).items] == ["2026-08"]
    ranged = mq.list_values(
        stored,
        mq.MetricFilter(jurisdiction="hk", params="a", period_kind="month", since="2026-09", until="2026-09"),
    )
    assert sorted((r.metric, r.entity) for r in ranged.items) == [
        ("followers", "hk"),
        ("post_volume", "7"),
        ("post_volume", "hk"),
    ]
    row = page.items[0]
    assert row.inputs == {"n": 2} and row.value == 12.0 and row.computed_at == AT


def test_latest_period_stays_within_one_kind_and_parameter_set(stored: Session) -> None:
    f = mq.MetricFilter(jurisdiction="hk", params="a", level="government", entity="hk", period_kind="month")
    assert mq.latest_period(stored, f) == "2026-10"
    assert mq.latest_periods(
        stored, mq.MetricFilter(jurisdiction="hk", params="a", level="account", period_kind="month")
    ) == {
        "7": "2026-09",
        "8": "2026-10",
    }


def test_scorecard_of_the_latest_or_a_chosen_period(stored: Session) -> None:
    latest = mq.scorecard(stored, "hk", "a", "government", "hk", "month")
    assert latest.period == "2026-10" and {m: r.value for m, r in latest.values.items()} == {
        "post_volume": 12.0
    }
    september = mq.scorecard(stored, "hk", "a", "government", "hk", "month", "2026-09")
    assert {m: r.value for m, r in september.values.items()} == {"post_volume": 10.0, "followers": 500.0}
    nothing = mq.scorecard(stored, "hk", "a", "account", "9", "month")
    assert nothing.period is None and nothing.values == {}


def test_entities_are_known_from_values_or_the_registry(stored: Session) -> None:
    assert mq.entity_known(stored, "account", "8")  # only in metric_values
    assert not mq.entity_known(stored, "account", "9")
    assert not mq.entity_known(stored, "organisation", "hk")  # hk is a government, not an organisation
    assert mq.entity_known(stored, None, "hk")
