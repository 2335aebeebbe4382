"""Presence: accounts in the registry, active and dormant accounts, post volume per day and week."""

from __future__ import annotations

from typing import Any

import pytest

from govsocial.analyze.metrics.model import Level, PeriodKind
from govsocial.analyze.metrics.params import MetricParams
from tests.analyze.builders import build, hk, run

ACCOUNTS = [
    {"account_id": 1, "platform": "facebook", "handle": "a", "status": "active", "jurisdiction": "hk"},
    {"account_id": 2, "platform": "x", "handle": "b", "status": "published", "jurisdiction": "hk"},
    {"account_id": 3, "platform": "facebook", "handle": "c", "status": "active", "jurisdiction": "hk"},
    {"account_id": 4, "platform": "facebook", "handle": "d", "status": "archived", "jurisdiction": "hk"},
]
OWNERS = [
    {"account_id": 1, "organisation": "isd", "organisation_kind": "department"},
    {"account_id": 2, "organisation": "isd", "organisation_kind": "department"},
    {"account_id": 2, "organisation": "cmab", "organisation_kind": "bureau"},  # two owners
    {"account_id": 3, "organisation": "cmab", "organisation_kind": "bureau"},
    {"account_id": 4, "organisation": "cmab", "organisation_kind": "bureau"},
]


def _post(post_id: int, account: int, ts: int) -> dict[str, Any]:
    return {"post_id": post_id, "account_id": account, "platform": "facebook", "ts": ts}


def _frames() -> Any:
    """Account 1 posts only in October, account 2 only on 25 September, account 3 never, and the
    archived account 4 posts in both months. The data runs from 25 September to 20 October, so
    September ends at 1 October 00:00 and October at 21 October 00:00 (Hong Kong time)."""
    posts = [
        _post(1, 1, hk(2026, 10, 20)),
        _post(2, 2, hk(2026, 9, 25)),
        _post(3, 4, hk(2026, 9, 25)),
        _post(4, 4, hk(2026, 10, 20)),
    ]
    return build(accounts=ACCOUNTS, owners=OWNERS, posts=posts)


def _values(rows: list[dict[str, Any]]) -> dict[tuple[str, str], float]:
    return {(r["entity"], r["period"]): r["value"] for r in rows}


def test_accounts_counts_present_accounts_in_every_period() -> None:
    rows = run(_frames(), "accounts", Level.GOVERNMENT)
    # "active" (the frames' word) and "published" (the registry's) count; "archived" does not.
    assert _values(rows) == {("hk", "2026-09"): 3.0, ("hk", "2026-10"): 3.0}
    assert rows[0]["inputs"] == {"accounts": 3}


def test_accounts_an_account_with_two_owners_counts_for_each() -> None:
    got = _values(run(_frames(), "accounts", Level.ORGANISATION))
    assert got == {
        ("isd", "2026-09"): 2.0,
        ("isd", "2026-10"): 2.0,
        ("cmab", "2026-09"): 2.0,  # accounts 2 and 3; the archived account 4 is left out
        ("cmab", "2026-10"): 2.0,
    }


def test_accounts_per_platform() -> None:
    got = _values(run(_frames(), "accounts", Level.PLATFORM))
    assert got == {
        ("facebook", "2026-09"): 2.0,
        ("facebook", "2026-10"): 2.0,
        ("x", "2026-09"): 1.0,
        ("x", "2026-10"): 1.0,
    }


def test_active_accounts_look_back_from_the_period_end_never_ahead() -> None:
    rows = run(_frames(), "active_accounts", Level.GOVERNMENT)
    # September: only account 2 (account 1's first post is after September ends).
    # October (ends 21 Oct): account 1 (20 Oct) and account 2 (25 Sep, within 30 days).
    assert _values(rows) == {("hk", "2026-09"): 1.0, ("hk", "2026-10"): 2.0}
    october = next(r for r in rows if r["period"] == "2026-10")
    assert october["inputs"] == {"accounts": 3, "active_accounts": 2}


def test_active_days_parameter_shortens_the_window() -> None:
    rows = run(_frames(), "active_accounts", Level.GOVERNMENT, params=MetricParams(active_days=20))
    # 20 days before 21 Oct is 1 Oct: account 2's post of 25 Sep no longer counts.
    assert _values(rows) == {("hk", "2026-09"): 1.0, ("hk", "2026-10"): 1.0}


def test_active_window_boundary_is_inclusive_at_its_start() -> None:
    end = hk(2026, 10, 11, 0, 0)  # the data's last day is 10 October: the period ends at 11 Oct 00:00
    posts = [
        _post(1, 1, end - 30 * 86_400),
        _post(2, 2, end - 30 * 86_400 - 1),
        _post(3, 3, hk(2026, 10, 10)),
    ]
    frames = build(posts=posts)
    rows = run(frames, "active_accounts", Level.GOVERNMENT, PeriodKind.YEAR)
    assert _values(rows) == {("hk", "2026"): 2.0}  # accounts 1 and 3; account 2 is one second too old


def test_dormant_share_is_the_complement_in_percent() -> None:
    rows = run(_frames(), "dormant_share", Level.ORGANISATION)
    got = {(r["entity"], r["period"]): (r["value"], r["inputs"]) for r in rows}
    # cmab holds accounts 2 and 3: in September account 2 is active, account 3 never posts.
    assert got[("cmab", "2026-09")] == (
        pytest.approx(50.0),
        {"accounts": 2, "active_accounts": 1, "dormant_accounts": 1},
    )
    # isd holds accounts 1 and 2: in September account 1 has not posted yet.
    assert got[("isd", "2026-09")][0] == pytest.approx(50.0)
    assert got[("isd", "2026-10")][0] == pytest.approx(0.0)
    with_20_days = _values(
        run(_frames(), "dormant_share", Level.ORGANISATION, params=MetricParams(active_days=20))
    )
    assert with_20_days[("isd", "2026-10")] == pytest.approx(50.0)


def test_posts_per_day_and_week_divide_by_the_days_the_period_covers() -> None:
    posts = [_post(i, 1, hk(2026, 10, day)) for i, day in enumerate((1, 2, 9, 28))]
    frames = build(posts=posts)  # the data covers 1 to 28 October: 28 days
    per_day = run(frames, "posts_per_day")
    assert per_day[0]["inputs"] == {"posts": 4, "days": 28}
    assert per_day[0]["value"] == pytest.approx(4 / 28)
    per_week = run(frames, "posts_per_week")
    assert per_week[0]["value"] == pytest.approx(1.0)


def test_posts_per_day_by_week_counts_seven_days() -> None:
    posts = [_post(i, 1, hk(2026, 10, day)) for i, day in enumerate((5, 6, 6, 11))]  # Mon 5 .. Sun 11 Oct
    rows = run(build(posts=posts), "posts_per_day", Level.ACCOUNT, PeriodKind.WEEK)
    assert [(r["period"], r["inputs"]["days"], r["value"]) for r in rows] == [
        ("2026-W41", 7, pytest.approx(4 / 7))
    ]


def test_posts_per_week_an_account_with_two_owners_counts_for_each() -> None:
    got = _values(run(_frames(), "posts_per_week", Level.ORGANISATION))
    # October covers 1-20 Oct (20 days). isd: post 1 (account 1); cmab: post 4 (archived account 4).
    assert got[("isd", "2026-10")] == pytest.approx(1 / 20 * 7)
    assert got[("cmab", "2026-10")] == pytest.approx(1 / 20 * 7)
    # September covers 25-30 Sep (6 days): account 2 counts for isd and cmab, account 4 for cmab.
    assert got[("isd", "2026-09")] == pytest.approx(1 / 6 * 7)
    assert got[("cmab", "2026-09")] == pytest.approx(2 / 6 * 7)
