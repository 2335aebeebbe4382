"""Popularity: followers, followers per 100 residents, follower growth (absolute and weekly compound)."""

from __future__ import annotations

from typing import Any

import pytest

from govsocial.analyze.metrics.model import Level
from tests.analyze.builders import build, hk, run

OWNERS = [
    {"account_id": 1, "organisation": "isd", "organisation_kind": "department"},
    {"account_id": 1, "organisation": "cmab", "organisation_kind": "bureau"},  # two owners
    {"account_id": 2, "organisation": "cmab", "organisation_kind": "bureau"},
]


def _snap(account: int, ts: int, followers: int | None) -> dict[str, Any]:
    return {"account_id": account, "ts": ts, "followers": followers}


def _frames(population: int | None = 7_500_000) -> Any:
    """Account 1: 1,000 -> 1,200 over exactly four weeks; account 2: 500 -> 450 over two weeks;
    account 3: one count only. Snapshots without a count are ignored."""
    followers = [
        _snap(1, hk(2026, 10, 1), 1_000),
        _snap(1, hk(2026, 10, 15), 1_100),
        _snap(1, hk(2026, 10, 29), 1_200),
        _snap(1, hk(2026, 10, 30), None),
        _snap(2, hk(2026, 10, 1), 500),
        _snap(2, hk(2026, 10, 15), 450),
        _snap(3, hk(2026, 10, 20), 80),
    ]
    return build(population=population, followers=followers, owners=OWNERS)


def _values(rows: list[dict[str, Any]]) -> dict[tuple[str, str], float | None]:
    return {(r["entity"], r["period"]): r["value"] for r in rows}


def test_followers_sum_each_accounts_last_count() -> None:
    assert _values(run(_frames(), "followers")) == {
        ("1", "2026-10"): 1_200.0,
        ("2", "2026-10"): 450.0,
        ("3", "2026-10"): 80.0,
    }
    rows = run(_frames(), "followers", Level.GOVERNMENT)
    assert rows[0]["value"] == 1_730.0
    assert rows[0]["inputs"] == {"followers": 1_730, "accounts": 3}


def test_followers_an_account_with_two_owners_counts_for_each() -> None:
    got = _values(run(_frames(), "followers", Level.ORGANISATION))
    assert got == {("isd", "2026-10"): 1_200.0, ("cmab", "2026-10"): 1_650.0}


def test_follower_share_of_population_is_followers_per_100_residents() -> None:
    rows = run(_frames(), "follower_share_of_population", Level.GOVERNMENT)
    assert rows[0]["inputs"] == {"followers": 1_730, "population": 7_500_000}
    assert rows[0]["value"] == pytest.approx(1_730 / 7_500_000 * 100)


def test_follower_share_of_population_is_empty_without_a_population() -> None:
    rows = run(_frames(population=None), "follower_share_of_population", Level.GOVERNMENT)
    assert rows[0]["value"] is None
    assert rows[0]["inputs"] == {"followers": 1_730, "population": None}


def test_weekly_growth_is_compound_per_account() -> None:
    got = _values(run(_frames(), "follower_growth_weekly"))
    assert got[("1", "2026-10")] == pytest.approx((1.2 ** (1 / 4) - 1) * 100)  # 4.66 % a week
    assert got[("2", "2026-10")] == pytest.approx((0.9 ** (1 / 2) - 1) * 100)  # -5.13 % a week
    assert ("3", "2026-10") not in got  # one count: no growth to measure


def test_weekly_growth_of_a_group_sums_counts_and_averages_spans() -> None:
    rows = run(_frames(), "follower_growth_weekly", Level.GOVERNMENT)
    assert rows[0]["inputs"] == {
        "followers_start": 1_500,
        "followers_end": 1_650,
        "accounts": 2,
        "weeks": 3.0,
    }
    assert rows[0]["value"] == pytest.approx((1_650 / 1_500) ** (1 / 3) * 100 - 100)
    by_organisation = _values(run(_frames(), "follower_growth_weekly", Level.ORGANISATION))
    assert by_organisation[("isd", "2026-10")] == pytest.approx((1.2 ** (1 / 4) - 1) * 100)
    assert by_organisation[("cmab", "2026-10")] == pytest.approx((1_650 / 1_500) ** (1 / 3) * 100 - 100)


def test_follower_growth_is_last_minus_first_count() -> None:
    assert _values(run(_frames(), "follower_growth")) == {("1", "2026-10"): 200.0, ("2", "2026-10"): -50.0}
    rows = run(_frames(), "follower_growth", Level.ORGANISATION)
    cmab = next(r for r in rows if r["entity"] == "cmab")
    assert cmab["value"] == 150.0
    assert cmab["inputs"] == {"followers_start": 1_500, "followers_end": 1_650, "accounts": 2}
