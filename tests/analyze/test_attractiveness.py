"""Attractiveness: interactions per post by format, live events, and the portal's breakdowns."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from govsocial.analyze import frames as F
from govsocial.analyze.extract import extract
from govsocial.analyze.metrics import breakdowns, engines, scorecard
from govsocial.analyze.metrics.model import Level, PeriodKind
from govsocial.analyze.metrics.params import MetricParams
from govsocial.analyze.metrics.view import VIEW_PREFIX, make_view
from tests.analyze.builders import build, hk, run
from tests.analyze.store_rows import Store
from tests.analyze.store_rows import hk as stored_hk

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


def _live_comment(i: int, post: int, page: bool = False, account: int = 1) -> dict[str, Any]:
    """A comment on ``post``: a citizen's, or (``page``) the page's reply to comment k1."""
    return {
        "comment_id": i,
        "post_id": post,
        "account_id": account,
        "platform": "facebook",
        "ts": hk(2026, 10, 5, 13),
        "key": f"k{i}",
        "parent": "k1" if page else None,
        "is_page_reply": page,
    }


#: Live post 6 (platform count 30) has 3 citizen comments and 2 page replies collected; live post 7
#: (platform count 10) has none collected, so only the platform's count is known for it. Text post
#: 2 has a citizen comment collected, which is no participation in a live event.
LIVE_COMMENTS = [
    *(_live_comment(i, 6) for i in (1, 2, 3)),
    *(_live_comment(i, 6, page=True) for i in (4, 5)),
    _live_comment(6, 2),
]


@pytest.mark.parametrize("level", [Level.ACCOUNT, Level.ORGANISATION])
def test_live_participation_counts_citizens_not_the_page_replies(level: Level) -> None:
    frames = build(posts=POSTS, comments=LIVE_COMMENTS, owners=OWNERS)
    row = run(frames, "live_participation", level)[0]
    assert row["inputs"] == {"comments": 13, "live_posts": 2, "interactions": 100}
    assert row["value"] == pytest.approx(6.5)


def test_live_participation_counts_a_live_post_in_its_own_period() -> None:
    """A live post's comments count in the period of the post, whenever they were written."""
    posts = [_post(6, "live", 50, comments=30, ts=hk(2026, 9, 30, 23)), _post(7, "live", 10, comments=10)]
    late = [{**c, "ts": hk(2026, 10, 1, 1)} for c in LIVE_COMMENTS[:5]]
    got = {
        r["period"]: r["inputs"]["comments"]
        for r in run(build(posts=posts, comments=late), "live_participation")
    }
    assert got == {"2026-09": 3, "2026-10": 10}


def test_the_scorecard_reads_no_comment_for_live_participation() -> None:
    """Each live post's citizen comments are counted once, when the frames are loaded
    (``attractiveness.live_days``): the scorecard's query reads that table, not the comments."""
    con = engines.duckdb(build(posts=POSTS, comments=LIVE_COMMENTS))
    scorecard.compute(con, "hk", None, None, [Level.ACCOUNT], PeriodKind.MONTH, ["live_participation"])
    plans = [
        p.sql
        for key, p in scorecard._PLANS.items()
        if key[0] == "duckdb" and _names(key) == ["live_participation"]
    ]
    assert plans
    assert all(f"{VIEW_PREFIX}comments" not in sql and f"{VIEW_PREFIX}live_days" in sql for sql in plans)


def _names(key: tuple[Any, ...]) -> list[str]:
    """The metrics of a key of ``scorecard._PLANS``."""
    return [name for name, _compute in key[2]]


def test_the_pandas_reference_counts_live_participation_alike() -> None:
    from bench import metrics_pandas

    frames = build(posts=POSTS, comments=LIVE_COMMENTS, owners=OWNERS)
    data = {name: table.to_pandas() for name, table in frames.tables.items()}
    view = metrics_pandas.make_view(data, "organisation", "month", "hk", None)
    got = metrics_pandas.live_participation(view, MetricParams())
    assert got["value"].tolist() == [pytest.approx(6.5)]


def test_live_participation_from_a_store_counts_the_citizens(engine: Engine, session: Session) -> None:
    """Through ``extract`` (SQLite and PostgreSQL): a live post's page reply is not participation."""
    s = Store(session)
    s.jurisdiction("hk")
    page = s.account("facebook", [s.organisation("hk-isd")])
    live = s.post(page, stored_hk(2026, 10, 5, 20), "Live Q&A", format="live")
    s.snapshot(live, stored_hk(2026, 10, 6), comments=3)  # the platform counts the reply too
    s.comment(live, stored_hk(2026, 10, 5, 20, 5), "幾時開始？", comment_id="q1")
    s.comment(live, stored_hk(2026, 10, 5, 20, 6), "多謝")
    s.comment(live, stored_hk(2026, 10, 5, 20, 7), "下星期。", is_page_reply=True, parent_comment_id="q1")
    session.commit()
    frames = extract(engine, "hk")
    row = run(frames, "live_participation")[0]
    assert (row["value"], row["inputs"]) == (2.0, {"comments": 2, "live_posts": 1, "interactions": 3})
