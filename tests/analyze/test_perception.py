"""Perception: the reaction mix and the influence score."""

from __future__ import annotations

import math
from typing import Any

import pytest

from govsocial.analyze.metrics.model import Level
from govsocial.analyze.metrics.params import MetricParams
from tests.analyze.builders import build, hk, run

OWNERS = [
    {"account_id": 1, "organisation": "isd", "organisation_kind": "department"},
    {"account_id": 2, "organisation": "isd", "organisation_kind": "department"},
]


def _post(i: int, account: int = 1, platform: str = "facebook", **counts: Any) -> dict[str, Any]:
    return {"post_id": i, "account_id": account, "platform": platform, "ts": hk(2026, 10, 5), **counts}


def _mix() -> list[dict[str, Any]]:
    return [
        _post(1, like=40, love=10, haha=30, angry=20, reactions=100),
        _post(2, like=50, love=20, care=10, wow=5, sad=15, reactions=100),
        _post(3, platform="x", like=500, reactions=500),  # no reaction types: not in the mix
    ]


def _value(name: str, level: Level = Level.ACCOUNT, **frames: Any) -> dict[str, Any]:
    rows = run(build(**frames), name, level)
    assert len(rows) == 1, rows
    return rows[0]


@pytest.mark.parametrize(
    ("reaction", "count", "share"),
    [
        ("like", 90, 45.0),
        ("love", 30, 15.0),
        ("haha", 30, 15.0),
        ("angry", 20, 10.0),
        ("sad", 15, 7.5),
        ("wow", 5, 2.5),
        ("care", 10, 5.0),
    ],
)
def test_each_reaction_share_is_over_all_reactions_of_typed_posts(
    reaction: str, count: int, share: float
) -> None:
    row = _value(f"reaction_{reaction}_share", posts=_mix())
    assert row["inputs"] == {reaction: count, "reactions": 200}
    assert row["value"] == pytest.approx(share)


def test_positive_share_is_love_and_care_never_haha() -> None:
    row = _value("positive_reaction_share", posts=_mix())
    assert row["inputs"] == {"positive": 40, "reactions": 200}
    assert row["value"] == pytest.approx(20.0)


def test_platforms_without_reaction_types_get_no_mix() -> None:
    posts = [_post(1, platform="x", like=5, reactions=5), _post(2, platform="youtube", like=9, reactions=9)]
    assert run(build(posts=posts), "reaction_haha_share") == []
    assert run(build(posts=posts), "positive_reaction_share") == []


def test_without_a_reaction_total_the_types_are_summed() -> None:
    row = _value("reaction_angry_share", posts=[_post(1, like=3, angry=1)])
    assert row["inputs"] == {"angry": 1, "reactions": 4}
    assert row["value"] == pytest.approx(25.0)


def test_a_typed_post_without_reactions_gives_a_null_share() -> None:
    row = _value("reaction_love_share", posts=[_post(1, like=0, love=0, reactions=0)])
    assert row["value"] is None and row["inputs"] == {"love": 0, "reactions": 0}


def test_reaction_mix_at_organisation_level_pools_the_accounts() -> None:
    posts = [_post(1, like=8, angry=2, reactions=10), _post(2, account=2, like=10, angry=30, reactions=40)]
    row = _value("reaction_angry_share", Level.ORGANISATION, posts=posts, owners=OWNERS)
    assert row["entity"] == "isd"
    assert row["inputs"] == {"angry": 32, "reactions": 50}
    assert row["value"] == pytest.approx(64.0)


def _influence_frames(extra_account: bool = False) -> dict[str, Any]:
    posts = [
        # 20 interactions on 2,000 followers at posting: interaction rate 1 % -> engagement 100
        _post(1, reactions=10, comments=0, shares=0, followers_at_posting=1000),
        _post(2, reactions=5, comments=4, shares=1, followers_at_posting=1000),
    ]
    comments = [
        {
            "comment_id": 1,
            "post_id": 1,
            "account_id": 1,
            "platform": "facebook",
            "ts": hk(2026, 10, 5),
            "key": "a",
        },
        {
            "comment_id": 2,
            "post_id": 1,
            "account_id": 1,
            "platform": "facebook",
            "ts": hk(2026, 10, 5),
            "key": "b",
        },
        {
            "comment_id": 3,
            "post_id": 1,
            "account_id": 1,
            "platform": "facebook",
            "ts": hk(2026, 10, 6),
            "key": "c",
            "parent": "a",
            "is_page_reply": True,
        },
    ]
    followers = [
        {"account_id": 1, "ts": hk(2026, 10, 1), "followers": 900},
        {"account_id": 1, "ts": hk(2026, 10, 30), "followers": 1000},  # the last count of the month
    ]
    if extra_account:
        posts.append(_post(9, account=2, reactions=100_000, followers_at_posting=10))
        followers.append({"account_id": 2, "ts": hk(2026, 10, 30), "followers": 5_000_000})
    return {"posts": posts, "comments": comments, "followers": followers}


def test_influence_score_is_the_mean_of_three_fixed_scale_parts() -> None:
    row = _value("influence_score", **_influence_frames())
    inputs = row["inputs"]
    assert inputs["followers"] == 1000 and inputs["reach_score"] == pytest.approx(50.0)  # log10(1000) / 6
    assert inputs["interaction_rate"] == pytest.approx(1.0) and inputs["engagement_score"] == pytest.approx(
        100.0
    )
    assert inputs["response_rate"] == pytest.approx(50.0) and inputs["responsiveness_score"] == pytest.approx(
        50.0
    )
    assert row["value"] == pytest.approx(200 / 3)


def test_influence_score_does_not_move_when_other_accounts_are_added() -> None:
    alone = _value("influence_score", **_influence_frames())
    rows = run(build(**_influence_frames(extra_account=True)), "influence_score")
    assert next(r for r in rows if r["entity"] == "1")["value"] == pytest.approx(alone["value"])
    big = next(r for r in rows if r["entity"] == "2")
    assert big["inputs"]["reach_score"] == 100.0 and big["inputs"]["engagement_score"] == 100.0  # clamped


def test_influence_score_leaves_out_a_part_without_data() -> None:
    frames = _influence_frames()
    del frames["comments"]
    row = _value("influence_score", **frames)
    assert row["inputs"]["response_rate"] is None
    assert row["value"] == pytest.approx(75.0)  # (50 + 100) / 2


def test_influence_engagement_is_log_scaled_from_0_01_to_1_percent() -> None:
    frames = _influence_frames()
    frames["posts"] = [_post(1, reactions=1, followers_at_posting=1000)]  # 0.1 % -> 50
    row = _value("influence_score", **frames)
    assert row["inputs"]["engagement_score"] == pytest.approx(50.0)
    frames["posts"] = [_post(1, reactions=0, followers_at_posting=1000)]  # 0 % -> floor 0
    assert _value("influence_score", **frames)["inputs"]["engagement_score"] == pytest.approx(0.0)


def test_influence_engagement_follows_the_x_interaction_parameters() -> None:
    frames = _influence_frames()
    frames["posts"] = [_post(1, platform="x", reactions=1, shares=0, replies=9, followers_at_posting=1000)]
    plain = run(build(**frames), "influence_score")[0]["inputs"]["engagement_score"]
    counted = run(build(**frames), "influence_score", params=MetricParams(x_count_replies=True))
    assert plain == pytest.approx(50.0)
    assert counted[0]["inputs"]["engagement_score"] == pytest.approx(100.0)


def test_influence_reach_sums_the_last_counts_of_an_organisations_accounts() -> None:
    followers = [
        {"account_id": 1, "ts": hk(2026, 10, 1), "followers": 50},
        {"account_id": 1, "ts": hk(2026, 10, 20), "followers": 60},
        {"account_id": 2, "ts": hk(2026, 10, 2), "followers": 40},
    ]
    row = _value("influence_score", Level.ORGANISATION, followers=followers, owners=OWNERS)
    assert row["inputs"]["followers"] == 100
    assert row["value"] == pytest.approx(100 * math.log10(100) / 6)  # reach alone
