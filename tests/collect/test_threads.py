"""Threads connector, offline. No recorded Threads post, reply or insights payload exists (PLATFORMS.md
§12), so every body here is hand-written from the documented field lists (see each ``.source.txt``)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from govsocial.collect.base import Target
from govsocial.collect.errors import (
    AccessError,
    AuthError,
    CollectError,
    GoneError,
    PayloadError,
    RateLimitedError,
    TransientError,
)
from govsocial.collect.records import Batch, PostFormat, PostRecord
from govsocial.collect.threads import errors, plugin, types
from govsocial.collect.threads.client import Account, ThreadsConnector
from tests.collect.harness import ConnectorHarness, Handler

FIXTURES = Path(__file__).parent.parent / "fixtures" / "payloads" / "threads"
BASE = "https://threads.example/v1.0"
TOKEN = "THQVJsecretthreadstoken0123456789"
USER = "17841400000000001"
NOW = dt.datetime(2026, 5, 4, 12, tzinfo=dt.UTC)
WITH_REPLIES = "18000000000000003"
NEWEST = "2026-05-03T09:00:00+00:00"


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def reply(name: str, status: int = 200) -> httpx.Response:
    return httpx.Response(status, text=(FIXTURES / name).read_text(encoding="utf-8"))


class Harness(ConnectorHarness):
    """The Threads connector over a mock transport."""

    def __init__(self, handler: Handler) -> None:
        super().__init__(handler, ThreadsConnector, TOKEN, BASE, NOW)


def target(kind: str = "handle", handle: str = "examplegov", platform_id: str | None = None) -> Target:
    return Target(account_id=1, platform="threads", kind=kind, handle=handle, platform_id=platform_id)


def insights_for(media_id: str) -> httpx.Response:
    body = load("handwritten_media_insights.json")
    if media_id != WITH_REPLIES:  # only one post has replies, so one conversation is read
        for entry in body["data"]:
            if entry["name"] == "replies":
                entry["values"][0]["value"] = 0
    return httpx.Response(200, json=body)


def account_handler(request: httpx.Request) -> httpx.Response:
    path, params = request.url.path, request.url.params
    parts = path.split("/")
    if path.endswith("/me"):
        return reply("handwritten_me.json")
    if path.endswith("/threads_insights"):
        return reply("handwritten_user_insights_followers.json")
    if path.endswith(f"/{USER}/threads"):
        return reply(
            "handwritten_threads_p2.json"
            if params.get("after") == "QVFIUafter1"
            else "handwritten_threads_p1.json"
        )
    if path.endswith("/insights"):
        return insights_for(parts[-2])
    if path.endswith("/conversation"):
        return reply(
            "handwritten_conversation_p2.json"
            if params.get("after") == "QVFIUcafter1"
            else "handwritten_conversation.json"
        )
    raise AssertionError(f"unexpected request {request.url}")


def post(post_id: str = WITH_REPLIES) -> PostRecord:
    return PostRecord(
        platform="threads",
        post_id=post_id,
        account_ref="examplegov",
        created_at=dt.datetime(2026, 5, 3, 9, tzinfo=dt.UTC),
    )


# -- profile --------------------------------------------------------------------------------------


def test_profile_with_followers_from_insights() -> None:
    harness = Harness(account_handler)
    insight, batch = harness.run(target(), limit=2)
    assert insight.edge == "profile" and insight.raw is not None and insight.profile is None
    assert batch.profile is not None
    profile = batch.profile
    assert (profile.followers, profile.platform_id) == (12345, USER)
    assert profile.name == "Example Government Department"
    assert profile.account_ref == "examplegov" and profile.taken_at == NOW
    me, followers = harness.requests[:2]
    assert me.url.path == "/v1.0/me" and me.url.params["fields"].startswith("id,username,name")
    assert followers.url.params["metric"] == "followers_count"
    assert all(r.url.params["access_token"] == TOKEN for r in harness.requests)
    assert batch.raw is not None and TOKEN not in batch.raw.location
    assert "access_token=***" in batch.raw.location


def test_follower_insight_not_permitted_is_a_gap() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/threads_insights"):
            return reply("handwritten_error_10_permission.json", 403)
        return account_handler(request)

    gap, batch = Harness(handler).run(target(), limit=2)
    assert gap.gap is not None and gap.gap.startswith("follower count not read: threads: ")
    assert batch.profile is not None and batch.profile.followers is None


@pytest.mark.parametrize(
    "other", [target(handle="someoneelse"), target("id", "999"), target(platform_id="999")]
)
def test_an_account_other_than_the_token_owner_is_refused(other: Target) -> None:
    harness = Harness(account_handler)
    with pytest.raises(AccessError, match="reads only the token owner's own account"):
        harness.run(other)
    assert len(harness.requests) == 1


def test_owner_by_id_and_handle_case() -> None:
    assert len(Harness(account_handler).run(target("id", USER), limit=2)) == 2
    assert len(Harness(account_handler).run(target(handle="@ExampleGov"), limit=2)) == 2


def test_no_token_is_an_auth_error() -> None:
    harness = Harness(account_handler)
    harness.connector.token = None
    with pytest.raises(AuthError, match="threads_token"):
        harness.run(target())


# -- posts and replies ----------------------------------------------------------------------------


def test_full_run_pages_posts_insights_and_conversations() -> None:
    harness = Harness(account_handler)
    batches = harness.run(target())
    shape = [(b.edge, bool(b.raw), len(b.posts), len(b.comments), b.checkpoint) for b in batches]
    conversation = f"comments:{WITH_REPLIES}"
    assert shape == [
        ("profile", True, 0, 0, None),
        ("profile", True, 0, 0, None),
        ("posts", True, 0, 0, None),  # insights of the three posts
        ("posts", True, 0, 0, None),
        ("posts", True, 0, 0, None),
        ("posts", True, 3, 0, None),
        (conversation, True, 0, 2, {"after": "QVFIUcafter1"}),
        (conversation, True, 0, 1, {"complete": True}),
        ("posts", False, 0, 0, {"after": "QVFIUafter1", "since": None, "newest": NEWEST}),
        ("posts", True, 0, 0, None),  # insights of the carousel (a repost has none)
        ("posts", True, 2, 0, None),
        ("posts", False, 0, 0, {"newest": NEWEST, "complete": True}),
    ]
    listing = harness.calls(f"/{USER}/threads")[0].url.params
    assert listing["limit"] == "50" and "since" not in listing and "after" not in listing
    assert "timestamp" in listing["fields"].split(",")
    assert harness.calls("/insights")[0].url.params["metric"] == "views,likes,replies,reposts,quotes"
    conversation_params = harness.calls("/conversation")[0].url.params
    assert conversation_params["reverse"] == "false"
    assert "is_reply_owned_by_me" in conversation_params["fields"]
    assert [r.url.path for r in harness.calls("/insights")][-1] == "/v1.0/18000000000000000/insights"
    assert all(TOKEN not in b.raw.location for b in batches if b.raw)


def test_the_token_repeated_in_paging_urls_is_not_kept() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        response = account_handler(request)
        if request.url.path.endswith((f"/{USER}/threads", "/conversation")):
            body = json.loads(response.text)
            if "next" in body["paging"]:  # as Graph writes it: the query repeats the access_token
                body["paging"]["next"] += f"&access_token={TOKEN}&limit=50"
            return httpx.Response(200, json=body)
        return response

    batches = Harness(handler).run(target())
    raws = [b.raw for b in batches if b.raw]
    assert any("access_token=***" in r.body for r in raws)
    assert all(TOKEN not in r.body and TOKEN not in r.location for r in raws)
    assert batches[-1].checkpoint == {"newest": NEWEST, "complete": True}


def test_post_mapping() -> None:
    page = load("handwritten_threads_p1.json")["data"] + load("handwritten_threads_p2.json")["data"]
    counts = types.post_counts(types.metrics(load("handwritten_media_insights.json")), NOW)
    text, image, video, carousel, repost = (
        types.post_from_thread(item, "examplegov", counts if i == 0 else None) for i, item in enumerate(page)
    )
    assert (text.post_id, text.platform, text.format) == (WITH_REPLIES, "threads", PostFormat.TEXT)
    assert text.created_at == dt.datetime(2026, 5, 3, 9, tzinfo=dt.UTC)
    assert text.created_at_raw == "2026-05-03T09:00:00+0000"
    assert text.url == "https://www.threads.net/@examplegov/post/000003"
    assert text.text == "Road closure tonight."
    assert text.counts is not None
    c = text.counts
    assert (c.views, c.likes, c.replies, c.comments, c.shares, c.quotes) == (880, 31, 3, 3, 4, 1)
    assert image.format is PostFormat.IMAGE and image.media == [
        "https://scontent.cdninstagram.com/example.jpg"
    ]
    assert video.format is PostFormat.VIDEO and video.text is None and video.counts is None
    assert carousel.format is PostFormat.IMAGE and carousel.extra["media_type"] == "CAROUSEL_ALBUM"
    assert repost.format is PostFormat.OTHER and repost.url is None


def test_reply_mapping() -> None:
    first, own = (
        types.reply_from_item(i, WITH_REPLIES, "examplegov")
        for i in load("handwritten_conversation.json")["data"]
    )
    [private] = (
        types.reply_from_item(i, WITH_REPLIES, "examplegov")
        for i in load("handwritten_conversation_p2.json")["data"]
    )
    assert (first.comment_id, first.post_id, first.parent_id) == ("18100000000000001", WITH_REPLIES, None)
    assert first.author_id == "citizen_1" and not first.is_page_reply
    assert own.is_page_reply and own.parent_id == "18100000000000001" and own.author_id == "examplegov"
    assert private.author_id is None and private.parent_id == "18100000000000002"
    assert private.created_at == dt.datetime(2026, 5, 3, 10, tzinfo=dt.UTC) and private.text == "Thanks"
    # Without is_reply_owned_by_me, the username still says who wrote it.
    item = {"id": "1", "timestamp": "2026-05-03T10:00:00+0000", "username": "examplegov"}
    assert types.reply_from_item(item, WITH_REPLIES, "examplegov").is_page_reply


def test_incremental_run_lists_from_the_newest_post() -> None:
    harness = Harness(account_handler)
    harness.connector.refresh_days = 0  # no refresh window: only what is new since the last run
    harness.run(target(), {"posts": {"newest": "2026-05-03T09:00:00+00:00", "complete": True}})
    params = harness.calls(f"/{USER}/threads")[0].url.params
    assert params["since"] == str(int(dt.datetime(2026, 5, 3, 9, tzinfo=dt.UTC).timestamp()))
    assert "after" not in params


# -- the refresh window ----------------------------------------------------------------------------

DONE = {"posts": {"newest": NEWEST, "complete": True}, f"comments:{WITH_REPLIES}": {"complete": True}}


def listing_since(request: httpx.Request) -> httpx.Response:
    """The account's posts (both recorded pages as one), filtered by ``since`` as the API does."""
    if not request.url.path.endswith(f"/{USER}/threads"):
        return account_handler(request)
    since = int(request.url.params.get("since") or 0)
    items = load("handwritten_threads_p1.json")["data"] + load("handwritten_threads_p2.json")["data"]
    return httpx.Response(
        200,
        json={"data": [item for item in items if types.parse_time(item["timestamp"]).timestamp() >= since]},
    )


def test_posts_in_the_refresh_window_are_read_again_with_their_conversations() -> None:
    harness = Harness(listing_since)
    harness.connector.refresh_days = 2  # the window starts 2026-05-02T12:00: only the newest post
    batches = harness.run(target(), DONE)
    params = harness.calls(f"/{USER}/threads")[0].url.params
    assert params["since"] == str(int(dt.datetime(2026, 5, 2, 12, tzinfo=dt.UTC).timestamp()))
    [post] = [p for b in batches for p in b.posts]
    assert post.post_id == WITH_REPLIES and post.counts is not None and post.counts.taken_at == NOW
    # Its complete conversation is read again from the start; nothing is asked about older posts.
    assert [r.url.params.get("after") for r in harness.calls("/conversation")] == [None, "QVFIUcafter1"]
    assert [r.url.path.rsplit("/", 1)[-1] for r in harness.requests] == [
        "me",
        "threads_insights",
        "threads",
        "insights",
        "conversation",
        "conversation",
    ]
    assert len([c for b in batches for c in b.comments]) == 3
    assert [b.checkpoint for b in batches if b.checkpoint is not None][-2:] == [
        {"complete": True},
        {"newest": NEWEST, "complete": True},
    ]


def test_the_default_window_reads_a_weeks_posts_again() -> None:
    harness = Harness(listing_since)
    batches = harness.run(target(), DONE)
    params = harness.calls(f"/{USER}/threads")[0].url.params
    assert params["since"] == str(int((NOW - dt.timedelta(days=7)).timestamp()))
    assert len([p for b in batches for p in b.posts if p.counts is not None]) == 4  # the repost has none
    assert len(harness.calls("/conversation")) == 2 and len(harness.calls("/insights")) == 4


def test_a_post_older_than_the_window_is_not_read_again() -> None:
    harness = Harness(listing_since)
    harness.connector.clock = lambda: NOW + dt.timedelta(days=30)  # the newest post is 31 days old
    batches = harness.run(target(), DONE)
    # Listed from the newest post (since is inclusive), which costs no insights or conversation call.
    params = harness.calls(f"/{USER}/threads")[0].url.params
    assert params["since"] == str(int(dt.datetime(2026, 5, 3, 9, tzinfo=dt.UTC).timestamp()))
    assert [r.url.path.rsplit("/", 1)[-1] for r in harness.requests] == ["me", "threads_insights", "threads"]
    assert [p.counts for b in batches for p in b.posts] == [None]  # no new snapshot
    assert batches[-1].checkpoint == {"newest": NEWEST, "complete": True}


def test_an_unfinished_conversation_of_an_old_post_is_still_finished() -> None:
    harness = Harness(listing_since)
    harness.connector.clock = lambda: NOW + dt.timedelta(days=30)
    checkpoints = {**DONE, f"comments:{WITH_REPLIES}": {"after": "QVFIUcafter1"}}
    batches = harness.run(target(), checkpoints)
    assert [r.url.params.get("after") for r in harness.calls("/conversation")] == ["QVFIUcafter1"]
    assert not harness.calls("/insights")
    assert [b.checkpoint for b in batches if b.edge == f"comments:{WITH_REPLIES}"] == [{"complete": True}]


def test_resume_from_a_posts_checkpoint() -> None:
    harness = Harness(account_handler)
    checkpoint = {
        "after": "QVFIUafter1",
        "since": "2026-04-01T00:00:00+00:00",
        "newest": "2026-05-03T09:00:00+00:00",
    }
    batches = harness.run(target(), {"posts": checkpoint})
    params = harness.calls(f"/{USER}/threads")[0].url.params
    # The since the listing started with (2026-04-01), not the refresh window's (2026-04-27).
    assert params["after"] == "QVFIUafter1" and params["since"] == "1775001600"
    assert batches[-1].checkpoint == {"newest": "2026-05-03T09:00:00+00:00", "complete": True}


# -- the first run bounded by ``first_run_days`` ------------------------------------------------------


def bounded(handler: Handler, first_run_days: int | None, now: dt.datetime = NOW) -> Harness:
    """A harness whose connector has ``first_run_days`` set as the runner sets it."""
    harness = Harness(handler)
    harness.connector.first_run_days = first_run_days
    harness.connector.clock = lambda: now
    return harness


def posts_checkpoint(batches: list[Batch]) -> dict[str, Any]:
    return [b.checkpoint for b in batches if b.edge == "posts" and b.checkpoint is not None][-1]


def test_a_bounded_first_run_asks_only_for_the_posts_since_the_bound(
    caplog: pytest.LogCaptureFixture,
) -> None:
    harness = bounded(listing_since, 2)  # since 2026-05-02T12:00: only the newest post
    with caplog.at_level("INFO", logger="govsocial.collect.base"):
        batches = harness.run(target())
    params = harness.calls(f"/{USER}/threads")[0].url.params
    assert params["since"] == str(int(dt.datetime(2026, 5, 2, 12, tzinfo=dt.UTC).timestamp()))
    assert [p.post_id for b in batches for p in b.posts] == [WITH_REPLIES]
    assert len(harness.calls("/insights")) == 1 and len(harness.calls("/conversation")) == 2  # its own
    assert posts_checkpoint(batches) == {"newest": NEWEST, "complete": True}
    assert not [b.gap for b in batches if b.gap]
    [said] = [r.getMessage() for r in caplog.records]
    assert said.startswith("threads examplegov: first run") and "2026-05-02T12:00:00+00:00" in said
    # The next run is incremental as without the setting: from the refresh window's start.
    later = NOW + dt.timedelta(days=1)
    checkpoints = {"posts": posts_checkpoint(batches), f"comments:{WITH_REPLIES}": {"complete": True}}
    again, unbounded = bounded(listing_since, 2, later), bounded(listing_since, None, later)
    again.run(target(), checkpoints)
    unbounded.run(target(), checkpoints)
    assert [str(r.url) for r in again.requests] == [str(r.url) for r in unbounded.requests]
    window = later - dt.timedelta(days=7)
    assert again.calls(f"/{USER}/threads")[0].url.params["since"] == str(int(window.timestamp()))


def test_a_bounded_first_run_cut_short_resumes_with_its_bound() -> None:
    harness = bounded(account_handler, 30)  # two pages, the API filtering nothing here
    batches = harness.run(target())
    bound = str(int((NOW - dt.timedelta(days=30)).timestamp()))
    assert [r.url.params["since"] for r in harness.calls(f"/{USER}/threads")] == [bound, bound]
    first_page = next(b.checkpoint for b in batches if b.edge == "posts" and b.checkpoint is not None)
    assert first_page["after"] == "QVFIUafter1"
    # Killed after page 1; resumed with the setting unset: page 2 keeps the listing's bound.
    resumed = bounded(account_handler, None)
    resumed.run(target(), {"posts": first_page})
    [params] = [r.url.params for r in resumed.calls(f"/{USER}/threads")]
    assert params["after"] == "QVFIUafter1" and params["since"] == bound


def test_a_bounded_first_run_that_finds_no_post_keeps_its_bound() -> None:
    later = NOW + dt.timedelta(days=30)  # the newest post is 31 days old
    batches = bounded(listing_since, 10, later).run(target())
    assert not [p for b in batches for p in b.posts]
    checkpoint = posts_checkpoint(batches)
    assert checkpoint == {
        "newest": None,
        "complete": True,
        "since": (later - dt.timedelta(days=10)).isoformat(),
    }
    # The next run lists from that bound (older than its window's start), not the whole listing.
    harness = bounded(listing_since, None, later + dt.timedelta(days=1))
    harness.run(target(), {"posts": checkpoint})
    bound = later - dt.timedelta(days=10)
    assert harness.calls(f"/{USER}/threads")[0].url.params["since"] == str(int(bound.timestamp()))


def test_conversation_resumes_from_its_checkpoint() -> None:
    harness = Harness(account_handler)

    async def go() -> list[Batch]:
        account = Account(USER, "examplegov")
        return [b async for b in harness.connector._replies(post(), account, {"after": "QVFIUcafter1"})]

    [batch] = asyncio.run(go())
    assert harness.requests[0].url.params["after"] == "QVFIUcafter1"
    assert batch.checkpoint == {"complete": True} and len(batch.comments) == 1


def test_missing_permissions_leave_gaps_and_are_asked_once() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith(("/insights", "/conversation")):
            return reply("handwritten_error_10_permission.json", 400)
        return account_handler(request)

    harness = Harness(handler)
    batches = harness.run(target())
    pages = [b for b in batches if b.posts]
    assert all(b.gap is not None and b.gap.startswith("engagement counts not read: threads:") for b in pages)
    assert all(p.counts is None for b in pages for p in b.posts)
    gaps = [b.gap for b in batches if b.edge.startswith("comments:")]
    # Counts unknown, so every non-repost post's conversation is tried: asked once, then skipped.
    assert len(gaps) == 4 and all(g is not None and g.startswith("replies not read:") for g in gaps)
    assert len(harness.calls("/insights")) == 1 and len(harness.calls("/conversation")) == 1


def test_gone_conversation_is_a_gap() -> None:
    harness = Harness(lambda request: reply("handwritten_error_100_does_not_exist.json", 400))

    async def go() -> list[Batch]:
        return [b async for b in harness.connector._replies(post(), Account(USER, "examplegov"), None)]

    [batch] = asyncio.run(go())
    assert batch.gap is not None and batch.gap.startswith("conversation unavailable: threads:")
    assert batch.checkpoint == {"complete": True}


def stored_ids(batches: list[Batch]) -> set[tuple[str, str]]:
    return {("post", p.post_id) for b in batches for p in b.posts} | {
        ("comment", c.comment_id) for b in batches for c in b.comments
    }


def test_a_run_killed_after_any_batch_resumes_without_loss() -> None:
    full = Harness(account_handler).run(target())
    for cut in range(1, len(full)):
        stored = full[:cut]  # what the runner had committed when the run died
        checkpoints = {b.edge: b.checkpoint for b in stored if b.checkpoint is not None}
        resumed = Harness(account_handler).run(target(), checkpoints)
        assert stored_ids(stored) | stored_ids(resumed) == stored_ids(full), f"killed after batch {cut}"


# -- errors ---------------------------------------------------------------------------------------


def classify(name: str, status: int = 400) -> CollectError | None:
    request = httpx.Request("GET", f"{BASE}/{USER}/threads?access_token={TOKEN}")
    return errors.classify(
        httpx.Response(status, text=(FIXTURES / name).read_text(encoding="utf-8"), request=request)
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("handwritten_error_190_expired.json", AuthError),
        ("handwritten_error_10_permission.json", AccessError),
        ("handwritten_error_4_rate_limit.json", RateLimitedError),
        ("handwritten_error_100_does_not_exist.json", GoneError),
        ("handwritten_error_2_transient.json", TransientError),
    ],
)
def test_error_bodies_are_classified(name: str, expected: type[CollectError]) -> None:
    error = classify(name)
    assert type(error) is expected
    assert str(error).startswith("threads: ") and TOKEN not in str(error)


def test_a_token_echoed_in_a_message_is_scrubbed() -> None:
    body = {
        "error": {
            "message": f"Invalid OAuth access token - Cannot parse access token {TOKEN}",
            "type": "OAuthException",
            "code": 190,
        }
    }
    error = errors.classify(httpx.Response(400, json=body))
    assert isinstance(error, AuthError) and TOKEN not in str(error) and "***" in str(error)
    assert errors.classify(httpx.Response(200, json={"data": []})) is None


def test_throttling_is_retried_after_a_wait() -> None:
    answers = iter([reply("handwritten_error_4_rate_limit.json", 400)])

    def handler(request: httpx.Request) -> httpx.Response:
        return next(answers, None) or account_handler(request)

    harness = Harness(handler)
    batches = harness.run(target(), limit=2)
    assert batches[1].profile is not None and len(harness.calls("/me")) == 2 and len(harness.waits) == 1


def test_truncated_json_is_a_payload_error_after_retries() -> None:
    body = (FIXTURES / "handwritten_me.json").read_text(encoding="utf-8")[:40]
    harness = Harness(lambda request: httpx.Response(200, text=body))
    with pytest.raises(PayloadError, match="not valid JSON"):
        harness.run(target())
    assert len(harness.requests) == 3


def test_expired_token_stops_the_account() -> None:
    harness = Harness(lambda request: reply("handwritten_error_190_expired.json", 400))
    with pytest.raises(AuthError, match="Graph error 190/463"):
        harness.run(target())
    assert len(harness.requests) == 1


def test_plugin_registers_the_connector() -> None:
    assert plugin.govsocial_connectors() == [ThreadsConnector]
    assert (ThreadsConnector.platform, ThreadsConnector.credential_setting) == ("threads", "threads_token")
    assert ThreadsConnector.default_base_url == "https://graph.threads.net/v1.0"
