"""Clarifications of misinformation from the store: keywords, registry marks, reach, time to clarification."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from govsocial.analyze import clarifications as c
from govsocial.store import tables as t
from govsocial.store.db import session_factory
from tests.analyze.store_rows import Store, hk

CLARIFY_ZH = "【澄清】網上流傳「免費派發口罩」的訊息，內容失實。"


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (CLARIFY_ZH, ("澄清", "失實")),
        ("网上流传的谣言不实，请勿转发", ("谣言", "不实")),
        ("Clarification: the claims are FAKE NEWS.", ("clarification", "fake news")),
        ("We clarify false claims about rumors and a hoax.", ("clarify", "false claims", "rumors", "hoax")),
        ("Beware of fake SMS and scam websites", ()),
        ("a rumourmonger's declarification", ()),  # not whole words
        ("今日天氣晴朗", ()),
        (None, ()),
    ],
)
def test_keywords(text: str | None, found: tuple[str, ...]) -> None:
    assert c.keywords(text) == found


def test_excerpt() -> None:
    assert c.excerpt("a\n\n b  c") == "a b c"
    assert c.excerpt("x" * 200, 10) == "x" * 9 + "…"


@pytest.fixture
def posts(engine: Engine) -> dict[str, int]:
    """Two accounts: one published with a clarification, history and a marked post; one under review."""
    with session_factory(engine)() as session, session.begin():
        store = Store(session)
        store.jurisdiction()
        org = store.organisation("dh")
        published = store.account("facebook", [org])
        review = store.account("instagram", [org], status=t.AccountStatus.UNDER_REVIEW)
        ids: dict[str, int] = {"published": published, "review": review}
        when = hk(2026, 6, 1, 10)
        # 95 days before: outside the 90-day window, would pull the median up.
        old = store.post(published, when - dt.timedelta(days=95), "old news")
        store.snapshot(old, when, likes=5000)
        for i, likes in enumerate((10, 20, 30, 40)):
            p = store.post(published, when - dt.timedelta(days=10 * (i + 1)), f"ordinary post {i}")
            store.snapshot(p, when, likes=likes, comments=0, shares=0, views=likes * 10)
        ids["clarify"] = store.post(published, when, CLARIFY_ZH, url="https://www.facebook.com/dh/posts/1")
        store.snapshot(
            ids["clarify"], when, reactions={"like": 50, "angry": 20}, comments=20, shares=10, views=1000
        )
        ids["marked"] = store.post(
            published,
            when + dt.timedelta(days=2),
            "Please read the official notice.",
            url="https://www.facebook.com/dh/posts/2/",
        )
        ids["review_post"] = store.post(review, when, "Rumour: untrue.", url="https://www.instagram.com/p/x/")
        store.post(published, when + dt.timedelta(days=3), "Weather: sunny")
        session.add(
            t.ClarificationMark(
                jurisdiction="hk",
                post_url="https://www.facebook.com/dh/posts/2",
                rumour_first_seen_at=when - dt.timedelta(hours=6),
                rumour_url="https://forum.example/thread/9",
                source="reviewer",
            )
        )
    return ids


def test_list_clarifications(engine: Engine, posts: dict[str, int]) -> None:
    with Session(engine) as session:
        found = c.list_clarifications(session, "hk")
    # Newest first; posts at the same time, the later stored first.
    assert [f.post_id for f in found] == [posts["marked"], posts["review_post"], posts["clarify"]]
    marked, review, clarify = found
    # Reach: 70 reactions + 20 comments + 10 shares = 100 against the median of 10, 20, 30, 40.
    assert clarify.interactions == 100
    assert clarify.usual_interactions == 25
    assert clarify.reach == 4
    assert clarify.usual_posts == 4
    assert clarify.views_reach == 1000 / 250
    assert clarify.reasons == ("澄清", "失實")
    assert clarify.url == "https://www.facebook.com/dh/posts/1"
    assert clarify.time_to_clarification is None
    # The marked post: no keyword, found by its URL (the mark has no trailing slash), no snapshot.
    assert marked.reasons == (c.MARK,) and marked.marked
    assert marked.time_to_clarification == dt.timedelta(days=2, hours=6)
    assert marked.rumour_url == "https://forum.example/thread/9"
    assert marked.interactions is None and marked.reach is None
    # Under review: listed, but without a link; too little history for a usual level.
    assert review.url is None
    assert review.reasons == ("rumour",)
    assert review.usual_interactions is None


def test_filters(engine: Engine, posts: dict[str, int]) -> None:
    with Session(engine) as session:
        mine = c.list_clarifications(session, "hk", account_ids=[posts["review"]])
        assert [f.post_id for f in mine] == [posts["review_post"]]
        later = c.list_clarifications(session, "hk", since=hk(2026, 6, 2))
        assert [f.post_id for f in later] == [posts["marked"]]
        assert c.list_clarifications(session, "other") == []
