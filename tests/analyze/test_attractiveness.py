"""Attractiveness: interactions per post by format, live events, and the portal's breakdowns."""

from __future__ import annotations

from typing import Any

import pytest

from govsocial.analyze import frames as F
from govsocial.analyze.metrics import breakdowns, engines
from govsocial.analyze.metrics.model import Level, PeriodKind
from govsocial.analyze.metrics.params import MetricParams
from govsocial.analyze.metrics.view import make_view
from tests.analyze.builders import build, hk, run

OWNERS = [
    {"account_id": 1, "organisation": "isd", "organisation_kind": "department"},
    {"account_id": 2, "organisation": "isd", "organisation_kind": "department"},
]


def _post(i: int, fmt: str, reactions: int, account: int = 1, **extra: Any) -> dict[str, Any]:
    return {
        "post_id": i,
        "account_id": account,
        "platform": "facebook",
        "ts": hk(2026, 10, 5, 12),
        "format": fmt,
        "reactions": reactions,
        "url": f"https://facebook.com/p/{i}",
        **extra,
    }


POSTS = [
    _post(1, "text", 10),
    _post(2, "text", 20, comments=3),
    _post(3, "image", 40),
    _post(4, "video", 100, shares=20),
    _post(5, "link", 5),
    _post(6, "live", 50, comments=30),
    _post(7, "live", 10, comments=10),
    _post(8, "text", 1000, platform="rss"),  # a press release: not a social post
]


@pytest.mark.parametrize(
    ("fmt", "interactions", "posts"),
    [("text", 33, 2), ("image", 40, 1), ("video", 120, 1), ("link", 5, 1), ("live", 100, 2)],
)
def test_interactions_per_post_by_format(fmt: str, interactions: int, posts: int) -> None:
    rows = run(build(posts=POSTS), f"interactions_per_post_{fmt}")
    assert len(rows) == 1
    assert rows[0]["inputs"] == {"interactions": interactions, "posts": posts}
    assert rows[0]["value"] == pytest.approx(interactions / posts)


def test_a_format_not_posted_has_no_value() -> None:
    assert run(build(posts=[_post(1, "text", 1)]), "interactions_per_post_video") == []


def test_format_interactions_follow_the_x_parameters() -> None:
    posts = [_post(1, "text", 4, platform="x", shares=1, replies=5)]
    plain = run(build(posts=posts), "interactions_per_post_text")[0]["value"]
    counted = run(build(posts=posts), "interactions_per_post_text", params=MetricParams(x_count_replies=True))
    assert (plain, counted[0]["value"]) == (5.0, 10.0)


def test_live_events_counts_zero_when_the_page_posted_but_not_live() -> None:
    posts = [*POSTS, _post(9, "text", 1, account=2)]
    got = {r["entity"]: (r["value"], r["inputs"]) for r in run(build(posts=posts), "live_events")}
    assert got == {"1": (2.0, {"live_posts": 2, "posts": 7}), "2": (0.0, {"live_posts": 0, "posts": 1})}


def test_live_participation_is_comments_per_live_event() -> None:
    row = run(build(posts=POSTS), "live_participation")[0]
    assert row["inputs"] == {"comments": 40, "live_posts": 2, "interactions": 100}
    assert row["value"] == pytest.approx(20.0)


def test_attractiveness_at_organisation_level() -> None:
    posts = [*POSTS, _post(9, "image", 10, account=2)]
    rows = run(build(posts=posts, owners=OWNERS), "interactions_per_post_image", Level.ORGANISATION)
    assert [(r["entity"], r["value"], r["inputs"]) for r in rows] == [
        ("isd", 25.0, {"interactions": 50, "posts": 2})
    ]
    live = run(build(posts=posts, owners=OWNERS), "live_events", Level.ORGANISATION)
    assert [(r["entity"], r["value"]) for r in live] == [("isd", 2.0)]


def _table(frames: F.Frames, name: str, level: Level = Level.ACCOUNT, **kwargs: Any) -> list[dict[str, Any]]:
    view = make_view(engines.duckdb(frames), level, PeriodKind.MONTH, "hk", None)
    rows: list[dict[str, Any]] = (
        getattr(breakdowns, name)(view, MetricParams(), **kwargs).to_pyarrow().to_pylist()
    )
    return rows


def test_by_format_gives_mean_and_median_per_format() -> None:
    posts = [*POSTS, _post(9, "text", 0)]
    rows = {r["format"]: r for r in _table(build(posts=posts), "by_format")}
    assert set(rows) == {"text", "image", "video", "link", "live"}
    text = rows["text"]
    assert (text["posts"], text["interactions"], text["interactions_per_post"]) == (3, 33, 11.0)
    assert text["median_interactions"] == 10.0  # 0, 10, 23: the median is not the mean
    assert (text["entity"], text["period"]) == ("1", "2026-10")


def test_by_hour_and_weekday_use_local_time() -> None:
    posts = [
        _post(1, "text", 10, ts=hk(2026, 10, 5, 8)),  # Monday 08:00 in Hong Kong (00:00 UTC)
        _post(2, "text", 30, ts=hk(2026, 10, 5, 8, 30)),
        _post(3, "text", 5, ts=hk(2026, 10, 10, 21)),  # Saturday
    ]
    hours = {
        r["hour"]: (r["posts"], r["interactions_per_post"]) for r in _table(build(posts=posts), "by_hour")
    }
    assert hours == {8: (2, 20.0), 21: (1, 5.0)}
    days = {r["weekday"]: r["posts"] for r in _table(build(posts=posts), "by_weekday")}
    assert days == {0: 2, 5: 1}


def test_by_length_buckets_at_their_boundaries() -> None:
    lengths = [49, 50, 149, 150, 399, 400, None]
    posts = [_post(i, "text", i, text_length=length) for i, length in enumerate(lengths, 1)]
    got = {r["length"]: r["posts"] for r in _table(build(posts=posts), "by_length")}
    assert got == {"<50": 1, "50-149": 2, "150-399": 2, "400+": 1, "unknown": 1}


def test_top_posts_best_and_worst_with_urls() -> None:
    best = _table(build(posts=POSTS), "top_posts", n=2)
    assert [(r["rank"], r["post_id"], r["interactions"]) for r in best] == [(1, 4, 120), (2, 6, 80)]
    assert best[0]["url"] == "https://facebook.com/p/4"
    worst = _table(build(posts=POSTS), "top_posts", n=2, worst=True)
    assert [r["post_id"] for r in worst] == [5, 1]  # the press release (post 8) is not a post


def test_top_posts_per_entity_at_organisation_level() -> None:
    posts = [*POSTS, _post(9, "image", 500, account=2)]
    rows = _table(build(posts=posts, owners=OWNERS), "top_posts", Level.ORGANISATION, n=1)
    assert [(r["entity"], r["post_id"]) for r in rows] == [("isd", 9)]
