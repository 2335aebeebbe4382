"""Stored values of several period kinds come newest first by the period's end, on SQLite and
PostgreSQL (store/metric_queries.py ``list_values``, read by ``GET /api/v1/metrics/{name}``).

Labels sort as text only within one kind: "2026-W40" sorts after "2026-10" and "2026" before both.
Across kinds the database computes each period's end; of two that end on the same day the shorter
comes first, as ``govsocial metrics show`` orders them.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert
from sqlalchemy.orm import Session

from govsocial.store import metric_queries as mq
from govsocial.store import tables as t
from govsocial.store.events import period_end, period_start

AT = dt.datetime(2026, 11, 1, 2, 0, tzinfo=dt.UTC)
#: (kind, label), newest first: by end, then day, week, month, year.
NEWEST_FIRST = [
    ("year", "2026"),  # ends 2027-01-01
    ("month", "2026-10"),  # ends 2026-11-01
    ("day", "2026-10-04"),  # ends 2026-10-05 ...
    ("week", "2026-W40"),  # ... as this week (2026-09-28 to 2026-10-04) does
    ("day", "2026-09-30"),  # ends 2026-10-01 ...
    ("month", "2026-09"),  # ... as September does
    ("week", "2026-W39"),  # ends 2026-09-28
    ("week", "2021-W01"),  # ends 2021-01-11
    ("week", "2020-W53"),  # ends 2021-01-04: ISO week 53 of 2020 runs into 2021 ...
    ("year", "2020"),  # ... after the year 2020, which ends 2021-01-01
]


def _sorted(periods: list[tuple[str, str]]) -> list[tuple[str, str]]:
    rank = {kind: i for i, kind in enumerate(mq.KIND_ORDER)}
    return sorted(periods, key=lambda p: (-period_end(*p).toordinal(), rank[p[0]]))


@pytest.fixture
def stored(session: Session) -> Session:
    rows = [
        {"jurisdiction": "hk", "metric": "post_volume", "level": "government", "entity": "hk",
         "period_kind": kind, "period": label, "value": 1.0, "inputs": {}, "params": "a", "computed_at": AT}
        for kind, label in NEWEST_FIRST
    ]  # fmt: skip
    session.execute(insert(t.MetricValue), rows)
    session.commit()
    return session


def test_the_expected_order_is_by_end_then_kind() -> None:
    """The list above says what the Python calendar says (events.period_end, period_start)."""
    assert _sorted(NEWEST_FIRST) == NEWEST_FIRST
    by_recency = sorted(
        NEWEST_FIRST, key=lambda p: (-period_end(*p).toordinal(), -period_start(*p).toordinal())
    )
    assert by_recency == NEWEST_FIRST  # the same as govsocial metrics show's order


def test_values_of_every_kind_come_newest_first(stored: Session) -> None:
    page = mq.list_values(stored, mq.MetricFilter(jurisdiction="hk", params="a"), limit=100)
    assert [(r.period_kind, r.period) for r in page.items] == NEWEST_FIRST
    assert page.count == len(NEWEST_FIRST)


def test_pages_keep_the_order(stored: Session) -> None:
    f = mq.MetricFilter(jurisdiction="hk", params="a")
    pages = [mq.list_values(stored, f, limit=3, offset=n).items for n in range(0, len(NEWEST_FIRST), 3)]
    assert [(r.period_kind, r.period) for page in pages for r in page] == NEWEST_FIRST


@pytest.mark.parametrize("kind", ["week", "month", "year", "day"])
def test_one_kind_keeps_the_label_order(stored: Session, kind: str) -> None:
    f = mq.MetricFilter(jurisdiction="hk", params="a", period_kind=kind)
    labels = [r.period for r in mq.list_values(stored, f, limit=100).items]
    assert labels == [label for k, label in NEWEST_FIRST if k == kind]
