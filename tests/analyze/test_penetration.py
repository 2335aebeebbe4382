"""Penetration: interaction rates (CrowdTangle), daily engagement (Fanpage Karma), Bonsón P/C/V/E and
the overperforming score, with the published worked examples of ``docs/METRICS.md`` as golden tests.
"""

from __future__ import annotations

import json
from typing import Any

import ibis
import pyarrow as pa
import pytest

from govsocial.analyze.metrics import engines, scorecard
from govsocial.analyze.metrics.model import Goal, Level, PeriodKind, registry
from govsocial.analyze.metrics.params import Aggregation, FollowerBasis, LikesMeaning, MetricParams
from govsocial.analyze.metrics.penetration import _score, overperforming_score, overperforming_scores
from govsocial.analyze.metrics.view import frame_benchmarks, make_view
from tests.analyze.builders import build, hk, run

BONSON = ("p1", "p2", "p3", "c1", "c2", "c3", "v1", "v2", "v3", "e")
TWO_OWNERS = [
    {"account_id": 1, "organisation": "isd", "organisation_kind": "department"},
    {"account_id": 1, "organisation": "cmab", "organisation_kind": "bureau"},
]


def _post(post_id: int, ts: int, account: int = 1, **counts: Any) -> dict[str, Any]:
    return {"post_id": post_id, "account_id": account, "platform": "facebook", "ts": ts, **counts}


def _snap(ts: int, followers: int, account: int = 1) -> dict[str, Any]:
    return {"account_id": account, "ts": ts, "followers": followers}


def _one(rows: list[dict[str, Any]], entity: str = "1") -> dict[str, Any]:
    [row] = [r for r in rows if r["entity"] == entity]
    return row


# --- CrowdTangle post interaction rate -------------------------------------------------------------


def test_post_rate_golden_crowdtangle() -> None:
    """METRICS.md §3, CrowdTangle (published): 10 interactions, 800 page likes at posting -> 1.25 %."""
    frames = build(
        posts=[_post(1, hk(2026, 10, 1), reactions=6, comments=3, shares=1, followers_at_posting=800)]
    )
    for aggregation in Aggregation:
        row = _one(run(frames, "interaction_rate_post", params=MetricParams(aggregation=aggregation)))
        assert row["value"] == pytest.approx(1.25)
        assert row["inputs"] == {
            "interactions": 10,
            "followers_at_posting": 800,
            "posts": 1,
            "posts_without_followers": 0,
        }


def _two_posts_and_one_unknown() -> Any:
    posts = [
        _post(1, hk(2026, 10, 1), reactions=10, followers_at_posting=800),
        _post(2, hk(2026, 10, 2), reactions=30, followers_at_posting=1_000),
        _post(3, hk(2026, 10, 3), reactions=999),  # no follower count at posting: left out, counted
    ]
    return build(posts=posts, owners=TWO_OWNERS)


def test_post_rate_aggregation_parameter() -> None:
    frames = _two_posts_and_one_unknown()
    sums = _one(run(frames, "interaction_rate_post"))  # default: ratio of sums
    assert sums["value"] == pytest.approx(40 / 1_800 * 100)
    assert sums["inputs"] == {
        "interactions": 40,
        "followers_at_posting": 1_800,
        "posts": 2,
        "posts_without_followers": 1,
    }
    means = _one(
        run(frames, "interaction_rate_post", params=MetricParams(aggregation=Aggregation.MEAN_OF_RATIOS))
    )
    assert means["value"] == pytest.approx((1.25 + 3.0) / 2)


def test_post_rate_an_account_with_two_owners_counts_for_each() -> None:
    rows = run(_two_posts_and_one_unknown(), "interaction_rate_post", Level.ORGANISATION)
    assert {r["entity"]: r["value"] for r in rows} == {
        "isd": pytest.approx(40 / 1_800 * 100),
        "cmab": pytest.approx(40 / 1_800 * 100),
    }


def test_post_rate_x_replies_parameter() -> None:
    post = {
        **_post(1, hk(2026, 10, 1), reactions=6, shares=2, replies=2, followers_at_posting=100),
        "platform": "x",
    }
    frames = build(posts=[post])
    assert _one(run(frames, "interaction_rate_post"))["value"] == pytest.approx(8.0)
    with_replies = run(frames, "interaction_rate_post", params=MetricParams(x_count_replies=True))
    assert _one(with_replies)["value"] == pytest.approx(10.0)


# --- CrowdTangle account interaction rate ----------------------------------------------------------


def _seven_posts(
    account: int = 1, followers_at_posting: int | None = 1_200
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """METRICS.md §3: 7 posts, 100 interactions in all, fans 1,000 at the start and 1,500 at the end."""
    spread = [10, 20, 5, 15, 30, 0, 20]
    posts = [
        _post(
            account * 100 + day,
            hk(2026, 10, day + 2),
            account,
            reactions=n,
            followers_at_posting=followers_at_posting,
        )
        for day, n in enumerate(spread)
    ]
    followers = [_snap(hk(2026, 10, 1), 1_000, account), _snap(hk(2026, 10, 10), 1_500, account)]
    return posts, followers


def test_account_rate_golden_crowdtangle() -> None:
    """METRICS.md §3, CrowdTangle (published): 7 posts, 100 interactions, fans 1,000 -> 1,500 -> 1.14 %."""
    posts, followers = _seven_posts()
    row = _one(run(build(posts=posts, followers=followers), "interaction_rate_account"))
    assert row["value"] == pytest.approx(100 / 7 / 1_250 * 100)
    assert round(row["value"], 2) == 1.14
    assert row["inputs"] == {
        "interactions": 100,
        "posts": 7,
        "followers": 1_250.0,
        "posts_without_followers": 0,
    }


def test_account_rate_follower_basis_parameter() -> None:
    posts, followers = _seven_posts()
    frames = build(posts=posts, followers=followers)
    latest = run(
        frames, "interaction_rate_account", params=MetricParams(account_rate_basis=FollowerBasis.LATEST)
    )
    assert _one(latest)["value"] == pytest.approx(100 / 7 / 1_500 * 100)
    posting = run(
        frames, "interaction_rate_account", params=MetricParams(account_rate_basis=FollowerBasis.AT_POSTING)
    )
    assert _one(posting)["value"] == pytest.approx(100 / 7 / 1_200 * 100)
    # The Bonsón basis is a separate parameter: it leaves this metric alone.
    other = run(frames, "interaction_rate_account", params=MetricParams(follower_basis=FollowerBasis.LATEST))
    assert _one(other)["value"] == pytest.approx(100 / 7 / 1_250 * 100)


def test_account_rate_posts_without_a_follower_count_are_left_out() -> None:
    posts, followers = _seven_posts()
    posts.append(_post(999, hk(2026, 11, 2), reactions=50))  # November: no snapshot in that month
    rows = run(build(posts=posts, followers=followers), "interaction_rate_account")
    november = next(r for r in rows if r["period"] == "2026-11")
    assert november["value"] is None
    assert november["inputs"]["posts_without_followers"] == 1


def test_account_rate_of_a_group_divides_by_the_follower_count_of_an_average_post() -> None:
    """Two accounts with the golden example's numbers, the second twice as large: the group's rate
    is its interactions per post over the follower count of an average post."""
    posts_1, followers_1 = _seven_posts(1)
    posts_2, followers_2 = _seven_posts(2)
    followers_2 = [{**s, "followers": s["followers"] * 2} for s in followers_2]
    owners = [*TWO_OWNERS, {"account_id": 2, "organisation": "cmab", "organisation_kind": "bureau"}]
    frames = build(posts=posts_1 + posts_2, followers=followers_1 + followers_2, owners=owners)
    rows = run(frames, "interaction_rate_account", Level.ORGANISATION)
    assert _one(rows, "isd")["value"] == pytest.approx(100 / 7 / 1_250 * 100)
    cmab = _one(rows, "cmab")
    assert cmab["inputs"] == {
        "interactions": 200,
        "posts": 14,
        "followers": 1_875.0,
        "posts_without_followers": 0,
    }
    assert cmab["value"] == pytest.approx(200 / 14 / 1_875 * 100)
    government = _one(run(frames, "interaction_rate_account", Level.GOVERNMENT), "hk")
    assert government["value"] == pytest.approx(cmab["value"])


# --- Fanpage Karma engagement ----------------------------------------------------------------------

#: METRICS.md §6, Fanpage Karma (published): interactions and fans, Monday 5 to Sunday 11 October.
KARMA_INTERACTIONS = (20, 0, 37, 100, 0, 0, 2)
KARMA_FANS = (3_500, 3_590, 3_700, 3_750, 3_755, 3_780, 3_783)
KARMA_EXACT = (20 / 3_500 + 37 / 3_700 + 100 / 3_750 + 2 / 3_783) / 7 * 100  # 0.61299... %


def _karma(fans_days: tuple[int, ...] = tuple(range(7))) -> Any:
    posts = [
        _post(day, hk(2026, 10, 5 + day, 10), reactions=n) for day, n in enumerate(KARMA_INTERACTIONS) if n
    ]
    followers = [_snap(hk(2026, 10, 5 + day, 20), KARMA_FANS[day]) for day in fans_days]
    return build(posts=posts, followers=followers, owners=TWO_OWNERS)


def test_engagement_golden_fanpage_karma() -> None:
    """The exact mean is 0.613 %; Fanpage Karma's page prints 0.62 % because it averages daily values
    it has already rounded. We compute from exact values, hence the tolerance and the 0.61."""
    row = _one(run(_karma(), "engagement_daily", Level.ACCOUNT, PeriodKind.WEEK))
    assert row["period"] == "2026-W41"
    assert row["value"] == pytest.approx(0.613, abs=5e-4)
    assert row["value"] == pytest.approx(KARMA_EXACT)
    assert round(row["value"], 2) == 0.61
    assert row["inputs"] == {"interactions": 159, "days": 7, "post_days": 4, "post_days_without_fans": 0}


def test_engagement_uses_the_last_count_on_or_before_each_day() -> None:
    # Counts only on Monday and Thursday (taken at 20:00, after that day's post): Wednesday's post
    # is divided by Monday's count, Thursday's and Sunday's by Thursday's.
    row = _one(run(_karma((0, 3)), "engagement_daily", Level.ACCOUNT, PeriodKind.WEEK))
    assert row["value"] == pytest.approx((20 / 3_500 + 37 / 3_500 + 100 / 3_750 + 2 / 3_750) / 7 * 100)


def test_engagement_a_post_day_before_any_count_is_left_out() -> None:
    row = _one(run(_karma((3,)), "engagement_daily", Level.ACCOUNT, PeriodKind.WEEK))
    assert row["inputs"] == {"interactions": 102, "days": 7, "post_days": 2, "post_days_without_fans": 2}
    assert row["value"] == pytest.approx((100 / 3_750 + 2 / 3_750) / 7 * 100)


def test_engagement_of_a_group_divides_by_all_its_fans() -> None:
    # A second account in cmab never posts but has 3,500 fans all week: cmab's audience doubles
    # on Monday, so its daily rates are those of the golden example over larger counts.
    frames = _karma()
    followers = [*frames.tables["followers"].to_pylist(), _snap(hk(2026, 10, 5, 8), 3_500, account=2)]
    owners = [*TWO_OWNERS, {"account_id": 2, "organisation": "cmab", "organisation_kind": "bureau"}]
    posts = frames.tables["posts"].to_pylist()
    frames = build(posts=posts, followers=followers, owners=owners)
    rows = run(frames, "engagement_daily", Level.ORGANISATION, PeriodKind.WEEK)
    assert _one(rows, "isd")["value"] == pytest.approx(KARMA_EXACT)
    expected = sum(n / (KARMA_FANS[d] + 3_500) for d, n in enumerate(KARMA_INTERACTIONS)) / 7 * 100
    assert _one(rows, "cmab")["value"] == pytest.approx(expected)


def test_engagement_takes_each_days_last_count_keeps_a_stopped_count_and_follows_x_parameters() -> None:
    """cmab: account 1 (Facebook) is counted twice on 5 October, the later count being the one
    of that day, and never again; account 3 (X) is counted on the 5th and posts on the 9th, when
    account 1's count of the 5th still stands. X's interactions include replies when the
    parameters say so. Account 4, never counted, posts on the 9th too: its interactions count,
    with no fans of its own. The data covers 5 to 9 October: five days of the week."""
    accounts = [
        {"account_id": 3, "platform": "x", "handle": "x3", "status": "published", "jurisdiction": "hk"}
    ]
    owners = [
        *TWO_OWNERS,
        {"account_id": 3, "organisation": "cmab", "organisation_kind": "bureau"},
        {"account_id": 4, "organisation": "cmab", "organisation_kind": "bureau"},
    ]
    posts = [
        _post(1, hk(2026, 10, 5, 22), reactions=10, comments=2, shares=1),
        {**_post(2, hk(2026, 10, 9), account=3, reactions=30, shares=5, replies=6), "platform": "x"},
        _post(3, hk(2026, 10, 9, 15), account=4, reactions=7),
    ]
    followers = [
        _snap(hk(2026, 10, 5, 8), 900),
        _snap(hk(2026, 10, 5, 20), 1_000),
        _snap(hk(2026, 10, 5, 9), 4_000, account=3),
    ]
    frames = build(accounts=accounts, posts=posts, followers=followers, owners=owners)
    for params, x in ((MetricParams(), 35), (MetricParams(x_count_replies=True), 41)):
        row = _one(run(frames, "engagement_daily", Level.ORGANISATION, PeriodKind.WEEK, params), "cmab")
        assert row["value"] == pytest.approx((13 / 5_000 + (x + 7) / 5_000) / 5 * 100)
        assert row["inputs"] == {
            "interactions": 13 + x + 7,
            "days": 5,
            "post_days": 2,
            "post_days_without_fans": 0,
        }


# --- Bonsón, Royo & Ratkai (2015) ------------------------------------------------------------------


def _bonson_frames() -> Any:
    """Four posts; the Like reaction is part of ``reactions``; F at posting 1,000, 1,000, 2,000, 2,000;
    the page had 1,000 fans at the start of October and 3,000 at its end."""
    posts = [
        _post(1, hk(2026, 10, 2), reactions=5, like=2, comments=0, shares=1, followers_at_posting=1_000),
        _post(2, hk(2026, 10, 3), reactions=3, like=0, comments=2, shares=0, followers_at_posting=1_000),
        _post(3, hk(2026, 10, 4), reactions=0, like=0, comments=0, shares=0, followers_at_posting=2_000),
        _post(4, hk(2026, 10, 5), reactions=4, like=4, comments=1, shares=3, followers_at_posting=2_000),
    ]
    followers = [_snap(hk(2026, 10, 1), 1_000), _snap(hk(2026, 10, 30), 3_000)]
    return build(posts=posts, followers=followers, owners=TWO_OWNERS)


def _bonson(frames: Any, level: Level = Level.ACCOUNT, **params: Any) -> dict[str, float]:
    """Every Bonsón indicator of account 1 (or of ``isd``) on one engine connection."""
    entity = "1" if level is Level.ACCOUNT else "isd"
    names = [f"bonson_{code}" for code in BONSON]
    table = scorecard.compute(
        engines.duckdb(frames), "hk", None, MetricParams(**params), [level], PeriodKind.MONTH, names
    )
    return {r["metric"][len("bonson_") :]: r["value"] for r in table.to_pylist() if r["entity"] == entity}


def test_bonson_indicators_with_fans_window_mean() -> None:
    got = _bonson(_bonson_frames(), follower_basis=FollowerBasis.WINDOW_MEAN)  # F = 2,000
    assert got == {
        "p1": pytest.approx(75.0),  # 3 of 4 posts liked (all reactions count as likes by default)
        "p2": pytest.approx(3.0),  # 12 likes / 4
        "p3": pytest.approx(1.5),  # 3 / 2,000 x 1000
        "c1": pytest.approx(50.0),
        "c2": pytest.approx(0.75),
        "c3": pytest.approx(0.375),
        "v1": pytest.approx(50.0),
        "v2": pytest.approx(1.0),
        "v3": pytest.approx(0.5),
        "e": pytest.approx(1.5 + 0.375 + 0.5),
    }


def test_bonson_likes_parameter() -> None:
    got = _bonson(_bonson_frames(), likes=LikesMeaning.LIKE_ONLY, follower_basis=FollowerBasis.LATEST)
    assert got["p1"] == pytest.approx(50.0)  # posts 1 and 4 have a Like
    assert got["p2"] == pytest.approx(1.5)
    assert got["p3"] == pytest.approx(1.5 / 3_000 * 1_000)
    assert got["e"] == pytest.approx((6 + 3 + 4) / 4 / 3_000 * 1_000)
    assert got["c3"] == pytest.approx(0.25)  # comments do not depend on what a like is


def test_bonson_follower_basis_and_aggregation_parameters() -> None:
    frames = _bonson_frames()
    p3 = {
        (basis, aggregation): _one(
            run(frames, "bonson_p3", params=MetricParams(follower_basis=basis, aggregation=aggregation))
        )["value"]
        for basis in FollowerBasis
        for aggregation in Aggregation
    }
    assert p3 == {
        (FollowerBasis.AT_POSTING, Aggregation.RATIO_OF_SUMS): pytest.approx(12 / 6_000 * 1_000),
        (FollowerBasis.AT_POSTING, Aggregation.MEAN_OF_RATIOS): pytest.approx((5 + 3 + 0 + 2) / 4),
        (FollowerBasis.WINDOW_MEAN, Aggregation.RATIO_OF_SUMS): pytest.approx(1.5),
        (FollowerBasis.WINDOW_MEAN, Aggregation.MEAN_OF_RATIOS): pytest.approx(1.5),
        (FollowerBasis.LATEST, Aggregation.RATIO_OF_SUMS): pytest.approx(1.0),
        (FollowerBasis.LATEST, Aggregation.MEAN_OF_RATIOS): pytest.approx(1.0),
    }
    row = _one(run(frames, "bonson_e"))
    assert row["inputs"] == {
        "interactions": 19,
        "posts": 4,
        "followers": 1_500.0,
        "posts_without_followers": 0,
    }


def test_bonson_an_account_with_two_owners_counts_for_each() -> None:
    frames = _bonson_frames()
    account = _bonson(frames)
    assert _bonson(frames, Level.ORGANISATION) == {
        code: pytest.approx(value) for code, value in account.items()
    }
    rows = run(frames, "bonson_e", Level.ORGANISATION)
    assert _one(rows, "cmab")["value"] == pytest.approx(account["e"])


def test_counts_per_account_weigh_each_post_with_its_own_accounts_fans() -> None:
    """With a count per account and period (window mean, latest), every post of an account has
    the same F: the sums are taken per account and weighted by its posts. Three accounts of isd:
    two posts at F = 2,000, one at F = 500, and one post of an account never counted."""
    posts = [
        _post(1, hk(2026, 10, 2), reactions=5, comments=0, shares=0),
        _post(2, hk(2026, 10, 3), reactions=3, comments=1, shares=0),
        _post(3, hk(2026, 10, 4), account=3, reactions=4, comments=0, shares=2),
        _post(4, hk(2026, 10, 5), account=4, reactions=9, comments=9, shares=9),
    ]
    followers = [
        _snap(hk(2026, 10, 1), 1_000),
        _snap(hk(2026, 10, 30), 3_000),
        _snap(hk(2026, 10, 1), 500, account=3),
    ]
    owners = [{"account_id": a, "organisation": "isd", "organisation_kind": "department"} for a in (1, 3, 4)]
    frames = build(posts=posts, followers=followers, owners=owners)
    mean = MetricParams(follower_basis=FollowerBasis.WINDOW_MEAN, aggregation=Aggregation.MEAN_OF_RATIOS)
    p3 = _one(run(frames, "bonson_p3", Level.ORGANISATION, params=mean), "isd")
    assert p3["value"] == pytest.approx((5 / 2_000 + 3 / 2_000 + 4 / 500) / 3 * 1_000)
    assert p3["inputs"] == {
        "likes": 12,
        "posts": 3,
        "followers": pytest.approx(4_500 / 3),
        "posts_without_followers": 1,
    }
    sums = MetricParams(follower_basis=FollowerBasis.WINDOW_MEAN)
    c3 = _one(run(frames, "bonson_c3", Level.ORGANISATION, params=sums), "isd")
    assert c3["value"] == pytest.approx(1 / 4_500 * 1_000)
    rate = _one(run(frames, "interaction_rate_account", Level.ORGANISATION), "isd")
    assert rate["value"] == pytest.approx((5 + 4 + 6) / 4_500 * 100)
    assert rate["inputs"]["posts_without_followers"] == 1


@pytest.mark.parametrize("level", [Level.ACCOUNT, Level.ORGANISATION, Level.GOVERNMENT])
@pytest.mark.parametrize("aggregation", list(Aggregation))
def test_bonson_e_is_ten_times_the_account_interaction_rate_with_one_fan_count(
    level: Level, aggregation: Aggregation
) -> None:
    """METRICS.md §2: with one fan count, E = 10 x CrowdTangle's account interaction rate in percent."""
    posts, _ = _seven_posts(followers_at_posting=1_300)
    posts_2, _ = _seven_posts(2, followers_at_posting=1_300)
    followers = [_snap(hk(2026, 10, 1), 1_300), _snap(hk(2026, 10, 1), 1_300, account=2)]
    for i, post in enumerate(posts + posts_2):
        post.update(comments=i % 3, shares=i % 2)
    frames = build(posts=posts + posts_2, followers=followers, owners=TWO_OWNERS)
    entity = "1" if level is Level.ACCOUNT else "isd" if level is Level.ORGANISATION else "hk"
    for basis in FollowerBasis:
        params = MetricParams(follower_basis=basis, account_rate_basis=basis, aggregation=aggregation)
        e = _one(run(frames, "bonson_e", level, params=params), entity)["value"]
        rate = _one(run(frames, "interaction_rate_account", level, params=params), entity)["value"]
        assert e == pytest.approx(10 * rate)


# --- Overperforming score (CrowdTangle) ------------------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "benchmark", "minimum", "score"),
    [
        (100, 50, 10, 2.0),  # published: 100 vs an expected 50
        (100, 200, 10, -2.0),  # published: 100 vs an expected 200
        (0, 200, 10, -400.0),  # published: no interaction against a benchmark of 200
        (9, 2, 10, 0.9),  # published: benchmark 2, minimum 10, 9 interactions
        (50, 50, 10, 1.0),
        (30, 2, 10, 3.0),  # a small benchmark is raised to the minimum
        (1, 2, 10, -0.1),  # below a benchmark under the minimum: between 0 and -1 (our rule)
        (0, 0, 0, None),  # nothing could be expected
    ],
)
def test_overperforming_score_published_cases(
    actual: float, benchmark: float, minimum: float, score: float | None
) -> None:
    """METRICS.md §4; CrowdTangle help centre article 2013937."""
    assert overperforming_score(actual, benchmark, minimum) == (
        None if score is None else pytest.approx(score)
    )


def test_overperforming_rule_is_the_same_in_ibis_and_python() -> None:
    actual = [0, 1, 2, 9, 10, 50, 100, 200, 400]
    benchmarks = [0.0, 2.0, 10.0, 50.0, 200.0]
    pairs = pa.table({"a": [a for a in actual for _ in benchmarks], "b": benchmarks * len(actual)})
    con = ibis.duckdb.connect()
    table = ibis.memtable(pairs)
    for minimum in (0.0, 10.0):
        result = con.to_pyarrow(table.select(score=_score(table.a, table.b, minimum)))
        expected = [
            overperforming_score(a, b, minimum)
            for a, b in zip(pairs["a"].to_pylist(), pairs["b"].to_pylist(), strict=True)
        ]
        got = result.column("score").to_pylist()
        assert got == [None if e is None else pytest.approx(e) for e in expected], minimum


def _benchmark_frames() -> Any:
    """One account, four formats, four posts each; each format's middle half pins its benchmark:
    photo 50, video 200, link 200, status 2."""
    spreads = {
        "photo": [10, 50, 50, 100],
        "video": [100, 200, 200, 300],
        "link": [0, 200, 200, 400],
        "status": [1, 2, 2, 9],
    }
    posts = [
        {**_post(i * 10 + j, hk(2026, 10, 1 + j, i), reactions=n), "format": fmt}
        for i, (fmt, spread) in enumerate(spreads.items())
        for j, n in enumerate(spread)
    ]
    return build(posts=posts, owners=TWO_OWNERS)


def _scores(
    frames: Any, level: Level = Level.ACCOUNT, params: MetricParams | None = None
) -> dict[tuple[str, int], tuple[Any, Any]]:
    con = engines.duckdb(frames)
    view = make_view(con, level, PeriodKind.MONTH, frames.jurisdiction, frames.population)
    table = overperforming_scores(view, params or MetricParams()).to_pyarrow().to_pylist()
    return {(r["entity"], r["post_id"]): (r["expected"], r["score"]) for r in table}


def test_overperforming_scores_reproduce_the_published_cases() -> None:
    got = _scores(_benchmark_frames())
    assert got[("1", 3)] == (50.0, pytest.approx(2.0))  # photo: 100 vs 50
    assert got[("1", 10)] == (200.0, pytest.approx(-2.0))  # video: 100 vs 200
    assert got[("1", 20)] == (200.0, pytest.approx(-400.0))  # link: 0 vs 200
    assert got[("1", 33)] == (2.0, pytest.approx(0.9))  # status: 9 vs 2, minimum 10
    by_organisation = _scores(_benchmark_frames(), Level.ORGANISATION)
    assert by_organisation[("isd", 3)] == by_organisation[("cmab", 3)] == (50.0, pytest.approx(2.0))


def test_overperforming_minimum_parameter() -> None:
    got = _scores(_benchmark_frames(), params=MetricParams(overperforming_minimum=1.0))
    assert got[("1", 33)] == (2.0, pytest.approx(4.5))  # 9 / 2 once the minimum is below the benchmark


def test_overperforming_benchmark_uses_the_last_posts_only() -> None:
    # Eight photos: the four older ones had 1,000 interactions, the four newest 10, 20, 20, 40.
    spread = [1_000, 1_000, 1_000, 1_000, 10, 20, 20, 40]
    posts = [{**_post(i, hk(2026, 10, 1 + i), reactions=n), "format": "photo"} for i, n in enumerate(spread)]
    frames = build(posts=posts)
    assert _scores(frames)[("1", 7)][0] == pytest.approx((20 + 40 + 1_000 + 1_000) / 4)  # middle half of 8
    last_four = _scores(frames, params=MetricParams(overperforming_posts=4))
    assert last_four[("1", 7)] == (20.0, pytest.approx(2.0))
    assert last_four[("1", 0)] == (20.0, pytest.approx(50.0))  # old posts are compared with the recent usual


def test_overperforming_share() -> None:
    rows = run(_benchmark_frames(), "overperforming_share")
    # Scores above 1: photo 100 (2.0), video 300 (1.5), link 400 (2.0). 3 of 16.
    assert _one(rows)["inputs"] == {"posts": 16, "overperforming_posts": 3}
    assert _one(rows)["value"] == pytest.approx(3 / 16 * 100)
    organisation = run(_benchmark_frames(), "overperforming_share", Level.ORGANISATION)
    assert _one(organisation, "cmab")["value"] == pytest.approx(3 / 16 * 100)


def _mixed_frames() -> Any:
    """The published cases' account (owned by two organisations) and a second account, whose
    eight photos score differently against their last four than against all eight."""
    spread = [1_000, 1_000, 1_000, 1_000, 10, 20, 20, 40]
    second = [
        {**_post(100 + i, hk(2026, 10, 1 + i), account=2, reactions=n), "format": "photo"}
        for i, n in enumerate(spread)
    ]
    published = _benchmark_frames()
    owners = [*TWO_OWNERS, {"account_id": 2, "organisation": "isd", "organisation_kind": "department"}]
    return build(posts=[*published.tables["posts"].to_pylist(), *second], owners=owners)


def test_overperforming_share_is_the_same_with_benchmarks_made_once_per_scorecard() -> None:
    # A scorecard computes the benchmarks once for every level (view.frame_benchmarks); a
    # view of its own computes them per entity. Both, at every level, for two sets of parameters
    # in turn on one connection (the second call must replace the first call's benchmarks).
    frames = _mixed_frames()
    con = engines.duckdb(frames)
    metric = registry()["overperforming_share"]
    for params in (MetricParams(overperforming_posts=4, overperforming_minimum=1.0), MetricParams()):
        levels = metric.levels
        card = scorecard.compute(
            con, frames.jurisdiction, frames.population, params, levels, PeriodKind.MONTH, [metric.name]
        ).to_pylist()
        from_card = {(r["level"], r["entity"], r["period"]): r["value"] for r in card}
        direct = {}
        for level in metric.levels:
            view = make_view(con, level, PeriodKind.MONTH, frames.jurisdiction, frames.population)
            for r in metric.compute(view, params).to_pyarrow().to_pylist():
                direct[(str(level), str(r["entity"]), r["period"])] = r["value"]
        assert from_card == pytest.approx(direct)
        assert len({value for value in from_card.values()}) > 1  # the accounts differ


def test_the_benchmarks_are_stored_at_load_for_the_engines_parameters_and_computed_for_others() -> None:
    # engines.derive stores the benchmarks for the parameters the engine is loaded with; a
    # scorecard with those parameters reads the table instead of ranking every post again.
    frames = _mixed_frames()
    other = MetricParams(overperforming_posts=4, overperforming_minimum=1.0)
    loaded_with_other = engines.duckdb(frames, params=other)
    loaded_with_defaults = engines.duckdb(frames)
    stored = frame_benchmarks(loaded_with_other, other)
    computed = frame_benchmarks(loaded_with_defaults, other)
    stored_sql = str(loaded_with_other.compile(stored)).upper()
    assert f"POST_BENCHMARKS_{other.digest()}".upper() in stored_sql
    assert "ROW_NUMBER" not in stored_sql
    assert "ROW_NUMBER" in str(loaded_with_defaults.compile(computed)).upper()
    tables = set(loaded_with_defaults.con.sql("SHOW TABLES").fetchnumpy()["name"])
    assert f"post_benchmarks_{MetricParams().digest()}" in tables

    def rows(table: ibis.Table) -> list[dict[str, Any]]:
        return sorted(table.to_pyarrow().to_pylist(), key=lambda r: (r["account_id"], r["kind"]))

    assert rows(stored) == rows(computed)
    assert len({r["expected"] for r in rows(stored)}) > 1


# --- Every metric of the three goals -------------------------------------------------------------


def test_presence_popularity_and_penetration_metrics_show_the_inputs_they_declare() -> None:
    """The inputs a metric declares (the API lists them) are the inputs each of its values shows."""
    goals = (Goal.PRESENCE, Goal.POPULARITY, Goal.PENETRATION)
    metrics = {m.name: m for m in registry().values() if m.goal in goals}
    frames = _bonson_frames()
    table = scorecard.compute(
        engines.duckdb(frames), "hk", None, None, [Level.ACCOUNT], PeriodKind.MONTH, metrics
    )
    shown = {row["metric"]: set(json.loads(row["inputs"])) for row in table.to_pylist()}
    assert shown == {name: set(metric.inputs) for name, metric in metrics.items()}
