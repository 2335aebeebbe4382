"""X connector, offline: recorded tweepy/pytwitter payloads (replies anonymised), the real 403 and 429
bodies from issue reports, and hand-written bodies for the documented shapes without a recording."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
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
    QuotaExceededError,
    RateLimitedError,
    TransientError,
)
from govsocial.collect.records import Batch, PostCounts, PostFormat, PostRecord
from govsocial.collect.x import errors, plugin, types
from govsocial.collect.x.client import ReplyState, XConnector
from tests.collect.harness import ConnectorHarness, Handler

FIXTURES = Path(__file__).parent.parent / "fixtures" / "payloads" / "x_twitter"
BASE = "https://x.example/2"
TOKEN = "SECRET-X-BEARER"
ACCOUNT = "2244994945"
NOW = dt.datetime(2021, 2, 26, tzinfo=dt.UTC)
TIMELINE_NEXT = "7140dibdnow9c7btw3w3itbygz8uu5pbs45oy6erjc2ls"
PAGE1_NEWEST = {"newest_id": "1364275610764201984", "newest": "2021-02-23T18:07:07+00:00"}
LAST_NEWEST = {"newest_id": "1790000000000000000", "newest": "2024-05-10T09:00:00+00:00"}


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def reply(name: str, status: int = 200, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, text=(FIXTURES / name).read_text(encoding="utf-8"), headers=headers)


class Harness(ConnectorHarness):
    """The X connector over a mock transport."""

    def __init__(self, handler: Handler, now: dt.datetime = NOW) -> None:
        super().__init__(handler, XConnector, TOKEN, BASE, now)

    def replies(self, post: PostRecord, checkpoint: dict[str, Any] | None = None) -> list[Batch]:
        async def go() -> list[Batch]:
            return [b async for b in self.connector._replies(post, ReplyState(ACCOUNT), checkpoint)]

        return asyncio.run(go())


def target(kind: str = "handle", handle: str = "TwitterDev", platform_id: str | None = None) -> Target:
    return Target(account_id=1, platform="x", kind=kind, handle=handle, platform_id=platform_id)


def account_handler(request: httpx.Request) -> httpx.Response:
    path, params = request.url.path, request.url.params
    if path.endswith(("/users/by/username/TwitterDev", f"/users/{ACCOUNT}")):
        return reply("pytwitter_user_user_resp.json")
    if path.endswith(f"/users/{ACCOUNT}/tweets"):
        if params.get("pagination_token") == TIMELINE_NEXT:
            return reply("handwritten_users_tweets_last_page.json")
        return reply("pytwitter_timeline_timeline_tweets.json")
    if path.endswith("/tweets/search/recent"):
        return reply("handwritten_search_conversation.json")
    raise AssertionError(f"unexpected request {request.url}")


def post(
    post_id: str = "1790000000000000003",
    replies: int | None = 3,
    created: dt.datetime = dt.datetime(2024, 5, 13, 9, tzinfo=dt.UTC),
) -> PostRecord:
    return PostRecord(
        platform="x",
        post_id=post_id,
        account_ref="TwitterDev",
        created_at=created,
        counts=PostCounts(taken_at=created, replies=replies),
    )


# -- profile --------------------------------------------------------------------------------------


def test_profile_maps_public_metrics() -> None:
    harness = Harness(account_handler)
    [batch] = harness.run(target(), limit=1)
    assert batch.profile is not None
    profile = batch.profile
    assert (profile.followers, profile.following, profile.posts_count) == (514020, 2038, 3639)
    assert (profile.name, profile.platform_id, profile.account_ref) == ("Twitter Dev", ACCOUNT, "TwitterDev")
    request = harness.requests[0]
    assert request.url.path == "/2/users/by/username/TwitterDev"
    assert request.url.params["user.fields"] == "public_metrics"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"


def test_profile_by_id_and_without_metrics() -> None:
    harness = Harness(account_handler)
    harness.run(target("id", ACCOUNT), limit=1)
    assert harness.requests[0].url.path == f"/2/users/{ACCOUNT}"
    profile = types.profile_from_user(load("tweepy_user_by_username_v2.json")["data"], "Twitter", NOW)
    assert profile.followers is None and profile.platform_id == "783214" and profile.name == "Twitter"


def test_unknown_account_is_gone() -> None:
    harness = Harness(lambda request: reply("handwritten_users_by_username_not_found.json"))
    with pytest.raises(GoneError, match="resource-not-found nosuchaccount"):
        harness.run(target(handle="nosuchaccount"))


def test_token_is_sent_only_to_the_x_api() -> None:
    harness = Harness(lambda request: httpx.Response(200, json={}))

    async def other() -> None:
        await harness.client.get("https://www.googleapis.com/youtube/v3/channels")
        await harness.client.get("https://x.example/20/elsewhere")

    asyncio.run(other())
    assert all("Authorization" not in r.headers for r in harness.requests)


def test_no_token_is_an_auth_error() -> None:
    harness = Harness(account_handler)
    harness.connector.token = None
    with pytest.raises(AuthError, match="x_bearer_token"):
        harness.run(target())


# -- posts ----------------------------------------------------------------------------------------


def test_full_run_pages_posts_and_reads_recent_replies() -> None:
    harness = Harness(account_handler)
    batches = harness.run(target())
    shape = [(b.edge, bool(b.raw), len(b.posts), len(b.comments), b.checkpoint is not None) for b in batches]
    assert shape == [
        ("profile", True, 0, 0, False),
        ("posts", True, 5, 0, False),
        ("comments:1364275610764201984", True, 0, 3, True),
        ("comments:1362876655061073928", True, 0, 3, True),
        ("posts", False, 0, 0, True),
        ("posts", True, 1, 0, False),
        ("comments:1790000000000000000", True, 0, 3, True),
        ("posts", False, 0, 0, True),
    ]
    assert batches[1].gap == "replies of 3 post(s) older than 7 days not read (recent search only)"
    assert batches[4].checkpoint == {"after": TIMELINE_NEXT, "since_id": None, **PAGE1_NEWEST}
    assert batches[-1].checkpoint == {**LAST_NEWEST, "complete": True}
    first = harness.calls(f"/users/{ACCOUNT}/tweets")[0].url.params
    assert first["max_results"] == "100" and "since_id" not in first and "pagination_token" not in first
    assert first["tweet.fields"].split(",") == [
        "created_at",
        "public_metrics",
        "conversation_id",
        "attachments",
        "entities",
        "referenced_tweets",
    ]
    assert first["expansions"] == "attachments.media_keys"
    search = harness.calls("/tweets/search/recent")[0].url.params
    assert search["query"] == "conversation_id:1364275610764201984"
    assert all(r.headers["Authorization"] == f"Bearer {TOKEN}" for r in harness.requests)


def test_timeline_mapping() -> None:
    data = load("pytwitter_timeline_timeline_tweets.json")
    posts = [types.post_from_tweet(t, "TwitterDev", NOW, {}) for t in data["data"]]
    first = posts[0]
    assert (first.post_id, first.platform, first.account_ref) == ("1364275610764201984", "x", "TwitterDev")
    assert first.created_at == dt.datetime(2021, 2, 23, 18, 7, 7, tzinfo=dt.UTC)
    assert first.created_at_raw == "2021-02-23T18:07:07.000Z"
    assert first.url == "https://x.com/i/web/status/1364275610764201984"
    assert first.text is not None and first.text.startswith("If you're newly approved")
    assert first.format is PostFormat.TEXT
    counts = first.counts
    assert counts is not None
    assert (counts.likes, counts.shares, counts.replies, counts.comments, counts.quotes) == (37, 10, 2, 2, 1)
    assert counts.views is None and counts.taken_at == NOW


def test_media_links_references_and_newer_metrics() -> None:
    data = load("handwritten_users_tweets_partial_errors.json")
    media = types.media_index(data)
    photo, video, quote = (types.post_from_tweet(t, "TwitterDev", NOW, media) for t in data["data"])
    assert photo.format is PostFormat.IMAGE and photo.link == "https://www.gov.example/renew"
    assert photo.counts is not None and (photo.counts.views, photo.counts.likes) == (5400, 20)
    assert photo.extra["bookmarks"] == 2 and photo.extra["media_types"] == ["photo"]
    assert photo.extra["conversation_id"] == "1790000000000000003"
    assert video.format is PostFormat.VIDEO and video.link is None
    assert quote.format is PostFormat.TEXT and quote.extra["references"] == {"quoted": "1371363774729363460"}
    assert errors.partial_errors(data) == (
        "1 item(s) not returned: resource-not-found 1371363774729363460 (referenced_tweets.id)"
    )


def test_recorded_tweet_with_gif_reply_reference_and_own_link() -> None:
    tweet = load("pytwitter_models_tweet.json")
    media = types.media_index({"includes": load("pytwitter_models_expansions.json")})
    record = types.post_from_tweet(tweet, "TwitterDev", NOW, media)
    assert record.format is PostFormat.VIDEO  # an animated GIF
    assert record.link is None  # the only URL points back at twitter.com
    assert record.extra["references"] == {"replied_to": "1212092627178287104"}
    # A recorded lookup without created_at cannot become a post.
    with pytest.raises(ValueError, match="expected an ISO 8601 time"):
        types.post_from_tweet(load("pytwitter_tweet_tweet_resp.json")["data"], "TwitterDev", NOW, {})


def test_partial_errors_keep_the_data_and_record_a_gap() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/tweets"):
            return reply(
                "handwritten_users_tweets_partial_errors.json"
                if "pagination_token" not in request.url.params
                else "handwritten_users_tweets_empty.json"
            )
        return account_handler(request)

    batches = Harness(handler, now=dt.datetime(2024, 5, 14, tzinfo=dt.UTC)).run(target())
    page = batches[1]
    assert len(page.posts) == 3
    assert page.gap == "1 item(s) not returned: resource-not-found 1371363774729363460 (referenced_tweets.id)"
    # Only the post with replies is searched (each search is billed).
    assert [b.edge for b in batches if b.edge.startswith("comments")] == ["comments:1790000000000000003"]


def test_incremental_run_asks_since_the_newest_post_or_from_the_window_start() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/tweets"):
            return reply("handwritten_users_tweets_empty.json")
        return account_handler(request)

    # The newest post read is older than the refresh window: ask for the posts after it.
    harness = Harness(handler, now=dt.datetime(2021, 3, 10, tzinfo=dt.UTC))
    checkpoint = {"newest_id": "1364275610764201984", "newest": "2021-02-23T18:07:07+00:00", "complete": True}
    batches = harness.run(target(), {"posts": checkpoint})
    params = harness.calls("/tweets")[0].url.params
    assert params["since_id"] == "1364275610764201984" and "pagination_token" not in params
    assert "start_time" not in params
    assert batches[-1].checkpoint == checkpoint
    # It is inside the window (7 days before NOW): read the window again, new posts included.
    harness = Harness(handler)
    batches = harness.run(target(), {"posts": checkpoint})
    params = harness.calls("/tweets")[0].url.params
    assert params["start_time"] == "2021-02-19T00:00:00Z" and "since_id" not in params
    assert batches[-1].checkpoint == checkpoint


def test_resume_from_a_posts_checkpoint() -> None:
    harness = Harness(account_handler)
    checkpoint = {"after": TIMELINE_NEXT, "since_id": "1300000000000000000", **PAGE1_NEWEST}
    batches = harness.run(target(), {"posts": checkpoint})
    params = harness.calls("/tweets")[0].url.params
    assert params["pagination_token"] == TIMELINE_NEXT and params["since_id"] == "1300000000000000000"
    assert batches[-1].checkpoint == {**LAST_NEWEST, "complete": True}


def expired_token(request: httpx.Request) -> httpx.Response:
    """The account, except that the timeline refuses the page token a previous run stored."""
    if request.url.params.get("pagination_token") == "EXPIRED":
        return reply("handwritten_error_400_invalid_pagination_token.json", 400)
    return account_handler(request)


def test_an_expired_pagination_token_restarts_the_listing_with_the_same_bounds() -> None:
    # docs.x.com: paging tokens can expire. One kept in the checkpoint must not fail every later run.
    harness = Harness(expired_token)
    checkpoint = {"after": "EXPIRED", "since_id": "1300000000000000000", **PAGE1_NEWEST}
    batches = harness.run(target(), {"posts": checkpoint})
    calls = [r.url.params for r in harness.calls("/tweets")]
    assert [c.get("pagination_token") for c in calls] == ["EXPIRED", None, TIMELINE_NEXT]
    assert all(c["since_id"] == "1300000000000000000" for c in calls)
    [gap] = [b.gap for b in batches if b.gap and "paging token" in b.gap]
    assert gap.startswith(
        "post listing: the paging token was refused (x: /2/users/2244994945/tweets: HTTP 400"
    )
    assert harness.waits == [] and batches[-1].checkpoint == {**LAST_NEWEST, "complete": True}


def test_an_expired_next_token_restarts_the_conversation() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("next_token") == "EXPIRED":
            body = load("handwritten_error_400_invalid_pagination_token.json")
            body["errors"][0]["parameters"] = {"next_token": ["EXPIRED"]}
            return httpx.Response(400, json=body)
        return reply("handwritten_search_conversation.json")

    harness = Harness(handler, now=dt.datetime(2024, 5, 14, tzinfo=dt.UTC))
    batches = harness.replies(
        post(), {"after": "EXPIRED", "since_id": None, "newest_id": None, "newest": None}
    )
    assert [r.url.params.get("next_token") for r in harness.requests] == ["EXPIRED", None]
    assert batches[0].gap is not None and batches[0].gap.startswith(
        "replies of 1790000000000000003: the paging"
    )
    assert batches[-1].checkpoint is not None and batches[-1].checkpoint["complete"]
    assert sum(len(b.comments) for b in batches) == 3  # the conversation's three replies


def test_a_token_refused_after_the_restart_is_an_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("pagination_token"):
            return reply("handwritten_error_400_invalid_pagination_token.json", 400)
        return account_handler(request)

    harness = Harness(handler)
    with pytest.raises(errors.InvalidPaginationTokenError):
        harness.run(target(), {"posts": {"after": "EXPIRED", "since_id": "1300000000000000000"}})


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


# -- the refresh window: posts published in the last ``refresh_days`` are read again each run ------

X_NOW = dt.datetime(2024, 5, 14, tzinfo=dt.UTC)
#: The second run of the refresh tests: its window starts at 2024-05-08 (X_NOW - 6 days).
X_LATER = X_NOW + dt.timedelta(days=1)
CITIZEN = "1500000000000000001"


def snowflake(when: dt.datetime, sequence: int = 0) -> str:
    return str(((int(when.timestamp() * 1000) - types.SNOWFLAKE_EPOCH_MS) << 22) | sequence)


def x_time(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.000Z")


class RecentAccount:
    """An account with posts around X_NOW, two per page, whose counts and conversations tests change
    between runs: recent1/2/3 are inside X_LATER's window (recent3 has no replies), older4/5 outside.
    The timeline honours ``since_id`` and (unless told not to) ``start_time``; the search ``since_id``."""

    def __init__(self, honour_start_time: bool = True) -> None:
        hours = {"recent1": 20, "recent2": 72, "recent3": 120, "older4": 240, "older5": 720}
        self.created = {name: X_NOW - dt.timedelta(hours=h) for name, h in hours.items()}
        self.ids = {name: snowflake(when) for name, when in self.created.items()}
        self.names = {post_id: name for name, post_id in self.ids.items()}
        self.likes = 1
        self.conversations: dict[str, list[dict[str, Any]]] = {name: [] for name in hours}
        self.honour_start_time = honour_start_time

    def add_reply(self, name: str, when: dt.datetime, own: bool = False) -> str:
        """A reply to post ``name`` written at ``when`` (newest first, as the search answers)."""
        replies = self.conversations[name]
        reply_id = snowflake(when, len(replies) + 1)
        replies.insert(
            0,
            {
                "id": reply_id,
                "text": "?",
                "created_at": x_time(when),
                "author_id": ACCOUNT if own else CITIZEN,
                "conversation_id": self.ids[name],
                "referenced_tweets": [{"type": "replied_to", "id": self.ids[name]}],
            },
        )
        return reply_id

    def post(self, name: str) -> dict[str, Any]:
        metrics = {
            "like_count": self.likes,
            "reply_count": len(self.conversations[name]),
            "retweet_count": 0,
            "quote_count": 0,
        }
        return {
            "id": self.ids[name],
            "text": name,
            "created_at": x_time(self.created[name]),
            "conversation_id": self.ids[name],
            "public_metrics": metrics,
        }

    @staticmethod
    def page(items: list[dict[str, Any]], params: httpx.QueryParams, token_param: str) -> dict[str, Any]:
        if params.get("since_id"):
            items = [i for i in items if int(i["id"]) > int(params["since_id"])]
        start = int(params.get(token_param) or 0)
        chunk = items[start : start + 2]
        meta: dict[str, Any] = {"result_count": len(chunk)}
        if start + 2 < len(items):
            meta["next_token"] = str(start + 2)
        return {"data": chunk, "meta": meta} if chunk else {"meta": meta}

    def handler(self, request: httpx.Request) -> httpx.Response:
        path, params = request.url.path, request.url.params
        if path.endswith(f"/users/{ACCOUNT}/tweets"):
            posts = [self.post(name) for name in self.ids]
            if params.get("start_time") and self.honour_start_time:
                start = types.parse_time(params["start_time"])
                posts = [p for p in posts if types.parse_time(p["created_at"]) >= start]
            return httpx.Response(200, json=self.page(posts, params, "pagination_token"))
        if path.endswith("/tweets/search/recent"):
            name = self.names[params["query"].removeprefix("conversation_id:")]
            return httpx.Response(200, json=self.page(self.conversations[name], params, "next_token"))
        return account_handler(request)

    def run(
        self, when: dt.datetime, checkpoints: dict[str, dict[str, Any]] | None = None, refresh_days: int = 7
    ) -> tuple[Harness, list[Batch]]:
        harness = Harness(self.handler, now=when)
        harness.connector.refresh_days = refresh_days
        return harness, harness.run(target(), checkpoints)

    def searched(self, harness: Harness) -> list[tuple[str, str | None]]:
        """(post name, since_id) of each conversation search."""
        calls = [r.url.params for r in harness.calls("/tweets/search/recent")]
        return [(self.names[c["query"].removeprefix("conversation_id:")], c.get("since_id")) for c in calls]


def latest_checkpoints(*runs: list[Batch]) -> dict[str, dict[str, Any]]:
    """What the runner holds after storing ``runs`` in order: each edge's last checkpoint."""
    return {b.edge: b.checkpoint for batches in runs for b in batches if b.checkpoint is not None}


def recent_account(honour_start_time: bool = True) -> RecentAccount:
    account = RecentAccount(honour_start_time)
    for name, created in account.created.items():
        if name != "recent3":
            account.add_reply(name, created + dt.timedelta(minutes=10))
            account.add_reply(name, created + dt.timedelta(minutes=20), own=True)
    return account


def test_a_second_run_refreshes_the_posts_of_the_window_and_reads_only_their_new_replies() -> None:
    account = recent_account()
    harness, first = account.run(X_NOW)
    assert [p.text for b in first for p in b.posts] == list(account.ids)
    # The recent search sees 7 days: older4 and older5 are a gap, not searched.
    assert [name for name, _ in account.searched(harness)] == ["recent1", "recent2"]
    checkpoints = latest_checkpoints(first)
    seen = {
        name: checkpoints[f"comments:{account.ids[name]}"]["newest_id"] for name in ("recent1", "recent2")
    }
    # Between the runs: counts grow, a citizen replies again, and the account answers late.
    account.likes = 50
    late = account.add_reply("recent1", X_NOW + dt.timedelta(hours=2))
    answer = account.add_reply("recent2", X_NOW + dt.timedelta(hours=3), own=True)

    harness, second = account.run(X_LATER, checkpoints)

    timelines = [r.url.params for r in harness.calls(f"/users/{ACCOUNT}/tweets")]
    assert [(t["start_time"], t.get("pagination_token")) for t in timelines] == [
        ("2024-05-08T00:00:00Z", None),
        ("2024-05-08T00:00:00Z", "2"),
    ]
    assert not [t for t in timelines if "since_id" in t]
    refreshed = [p for b in second for p in b.posts]
    assert [p.text for p in refreshed] == ["recent1", "recent2", "recent3"]
    assert all(p.counts and p.counts.taken_at == X_LATER and p.counts.likes == 50 for p in refreshed)
    # The conversations are searched again from the newest reply already read: only new replies billed.
    assert account.searched(harness) == [("recent1", seen["recent1"]), ("recent2", seen["recent2"])]
    comments = {c.comment_id: c for b in second for c in b.comments}
    assert comments.keys() == {late, answer} and comments[answer].is_page_reply
    assert not [b.gap for b in second if b.gap]
    assert latest_checkpoints(second)["posts"] == checkpoints["posts"]
    assert latest_checkpoints(second)[f"comments:{account.ids['recent1']}"]["newest_id"] == late


def test_posts_outside_the_window_are_left_alone_even_when_listed() -> None:
    # A server that ignores start_time lists every post: those before the window and already read
    # are snapshots only, with no search (here the window is 2 days: recent2 is out of it).
    account = recent_account(honour_start_time=False)
    _, first = account.run(X_NOW)
    harness, second = account.run(X_NOW + dt.timedelta(hours=4), latest_checkpoints(first), refresh_days=2)
    assert [name for name, _ in account.searched(harness)] == ["recent1"]
    assert not [b.gap for b in second if b.gap]  # the old posts' gap was said once, on the first run


def test_a_new_post_older_than_the_window_is_read_since_the_newest() -> None:
    account = recent_account()
    checkpoints = {
        "posts": {
            "newest_id": snowflake(X_NOW - dt.timedelta(days=40)),
            "newest": (X_NOW - dt.timedelta(days=40)).isoformat(),
            "complete": True,
        }
    }
    harness, batches = account.run(X_NOW + dt.timedelta(days=9), checkpoints)
    timelines = harness.calls(f"/users/{ACCOUNT}/tweets")
    assert all(r.url.params["since_id"] == checkpoints["posts"]["newest_id"] for r in timelines)
    assert all("start_time" not in r.url.params for r in timelines)
    assert [p.text for b in batches for p in b.posts] == list(account.ids)


def test_resume_mid_listing_keeps_the_window_of_the_interrupted_run() -> None:
    account = recent_account()
    _, first = account.run(X_NOW)
    account.add_reply("recent3", X_NOW + dt.timedelta(hours=1))
    checkpoints = latest_checkpoints(first)
    newest = {"newest_id": account.ids["recent1"], "newest": "2024-05-13T04:00:00+00:00"}
    checkpoints["posts"] = {
        "after": "2",
        "since_id": account.ids["recent1"],
        **newest,
        "start_time": "2024-05-08T00:00:00Z",
    }
    # Resumed a few hours later: the page token goes with the interrupted run's start_time.
    harness, batches = account.run(X_LATER + dt.timedelta(hours=5), checkpoints)
    [timeline] = harness.calls(f"/users/{ACCOUNT}/tweets")
    assert timeline.url.params["pagination_token"] == "2"
    assert timeline.url.params["start_time"] == "2024-05-08T00:00:00Z"
    assert "since_id" not in timeline.url.params
    assert [p.text for b in batches for p in b.posts] == ["recent3"]
    assert account.searched(harness) == [("recent3", None)]
    assert batches[-1].checkpoint == {**newest, "complete": True}


def test_a_refresh_run_killed_after_any_batch_resumes_without_loss() -> None:
    account = recent_account()
    _, first = account.run(X_NOW)
    base = latest_checkpoints(first)
    late = account.add_reply("recent1", X_NOW + dt.timedelta(hours=2))
    answer = account.add_reply("recent2", X_NOW + dt.timedelta(hours=3), own=True)
    _, full = account.run(X_LATER, base)
    assert {late, answer} <= {c.comment_id for b in full for c in b.comments}
    mid_listing = 0
    for cut in range(1, len(full)):
        stored = full[:cut]
        checkpoints = latest_checkpoints(first, stored)
        harness, resumed = account.run(X_LATER, checkpoints)
        assert stored_ids(stored) | stored_ids(resumed) == stored_ids(full), f"killed after batch {cut}"
        if checkpoints["posts"].get("after"):
            mid_listing += 1
            assert harness.calls("/tweets")[0].url.params["start_time"] == "2024-05-08T00:00:00Z"
    assert mid_listing


# -- the first run bounded by ``first_run_days`` ------------------------------------------------------


def run_bounded(
    account: RecentAccount,
    when: dt.datetime,
    first_run_days: int | None,
    checkpoints: dict[str, dict[str, Any]] | None = None,
) -> tuple[Harness, list[Batch]]:
    """``account.run`` with the connector's ``first_run_days`` set as the runner sets it."""
    harness = Harness(account.handler, now=when)
    harness.connector.first_run_days = first_run_days
    return harness, harness.run(target(), checkpoints)


def test_a_bounded_first_run_asks_only_for_the_posts_since_the_bound(
    caplog: pytest.LogCaptureFixture,
) -> None:
    account = recent_account()
    with caplog.at_level("INFO", logger="govsocial.collect.base"):
        harness, first = run_bounded(account, X_NOW, 4)  # since 2024-05-10: recent1 and recent2
    [timeline] = [r.url.params for r in harness.calls(f"/users/{ACCOUNT}/tweets")]
    assert timeline["start_time"] == "2024-05-10T00:00:00Z" and "since_id" not in timeline
    assert [p.text for b in first for p in b.posts] == ["recent1", "recent2"]
    assert [name for name, _ in account.searched(harness)] == ["recent1", "recent2"]
    checkpoints = latest_checkpoints(first)
    assert checkpoints["posts"] == {
        "newest_id": account.ids["recent1"],
        "newest": account.created["recent1"].isoformat(),
        "complete": True,
    }
    assert not [b.gap for b in first if b.gap]
    [said] = [r.getMessage() for r in caplog.records]
    assert said.startswith("x TwitterDev: first run") and "2024-05-10T00:00:00+00:00" in said
    # The next run is incremental as without the setting: the refresh window again.
    again, _ = run_bounded(account, X_LATER, 4, checkpoints)
    unbounded, _ = run_bounded(account, X_LATER, None, checkpoints)
    assert [str(r.url) for r in again.requests] == [str(r.url) for r in unbounded.requests]
    assert again.calls(f"/users/{ACCOUNT}/tweets")[0].url.params["start_time"] == "2024-05-08T00:00:00Z"


def test_a_bounded_first_run_cut_short_resumes_with_its_bound() -> None:
    account = recent_account()
    _, first = run_bounded(account, X_NOW, 10)  # since 2024-05-04: four posts, two pages
    page1 = next(b.checkpoint for b in first if b.edge == "posts" and b.checkpoint is not None)
    assert page1["after"] == "2" and page1["start_time"] == "2024-05-04T00:00:00Z"
    harness, resumed = run_bounded(account, X_NOW, None, {"posts": page1})
    [timeline] = [r.url.params for r in harness.calls(f"/users/{ACCOUNT}/tweets")]
    assert (timeline["pagination_token"], timeline["start_time"]) == ("2", "2024-05-04T00:00:00Z")
    assert [p.text for b in resumed for p in b.posts] == ["recent3", "older4"]


def test_a_bounded_first_run_that_finds_no_post_keeps_its_bound() -> None:
    account = recent_account()
    later = X_NOW + dt.timedelta(days=30)
    _, first = run_bounded(account, later, 2)  # the newest post is 30 days old
    assert not [p for b in first for p in b.posts]
    checkpoint = latest_checkpoints(first)["posts"]
    assert checkpoint == {
        "newest_id": None,
        "newest": None,
        "complete": True,
        "start_time": "2024-06-11T00:00:00Z",
    }
    # The next run lists from that time, not the whole timeline.
    harness, _ = run_bounded(account, later + dt.timedelta(days=1), None, {"posts": checkpoint})
    [timeline] = [r.url.params for r in harness.calls(f"/users/{ACCOUNT}/tweets")]
    assert timeline["start_time"] == "2024-06-11T00:00:00Z"


# -- replies --------------------------------------------------------------------------------------


def test_reply_mapping_marks_the_accounts_own_replies() -> None:
    data = load("handwritten_search_conversation.json")
    citizen, own, first = (types.reply_from_tweet(t, "1790000000000000003", ACCOUNT) for t in data["data"])
    assert own.is_page_reply and own.author_id == ACCOUNT and own.parent_id == "1790000000000000010"
    assert not citizen.is_page_reply and citizen.author_id == "1500000000000000001"
    assert first.parent_id is None  # a direct reply to the root post
    assert (own.likes, own.replies, own.post_id) == (4, 1, "1790000000000000003")
    assert own.created_at == dt.datetime(2024, 5, 13, 10, 30, tzinfo=dt.UTC)


def test_recorded_conversation_mapping() -> None:
    data = load("pytwitter_searches_search_tweets_query.json")
    root = "1273733248749690880"
    records = [types.reply_from_tweet(t, root, "17200003") for t in data["data"]]
    assert [r.is_page_reply for r in records] == [False, True, False, True]
    assert records[0].author_id == "63046977" and records[0].parent_id == "1275653067283759104"
    assert records[1].parent_id is None  # it replies to the root post
    assert records[0].likes is None  # no public_metrics requested in that recording


def test_replies_page_with_checkpoints() -> None:
    page1 = load("handwritten_search_conversation.json")
    page1["meta"]["next_token"] = "NEXT"

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("next_token") == "NEXT":
            return reply("pytwitter_searches_search_tweets_query.json")
        return httpx.Response(200, json=page1)

    harness = Harness(handler, now=dt.datetime(2024, 5, 14, tzinfo=dt.UTC))
    first, second = harness.replies(post())
    assert first.checkpoint == {
        "after": "NEXT",
        "since_id": None,
        "newest_id": "1790000000000000012",
        "newest": "2024-05-13T11:00:00+00:00",
    }
    assert second.checkpoint == {
        "newest_id": "1790000000000000012",
        "newest": "2024-05-13T11:00:00+00:00",
        "complete": True,
    }
    assert len(second.comments) == 4
    assert harness.calls("/search/recent")[0].url.params["max_results"] == "100"


def test_replies_resume_and_since_id_inside_the_window_only() -> None:
    done = {"newest_id": "1790000000000000012", "newest": "2024-05-13T11:00:00+00:00", "complete": True}

    def empty(request: httpx.Request) -> httpx.Response:
        return reply("handwritten_users_tweets_empty.json")

    inside = Harness(empty, now=dt.datetime(2024, 5, 15, tzinfo=dt.UTC))
    [batch] = inside.replies(post(), done)
    assert inside.requests[0].url.params["since_id"] == "1790000000000000012"
    assert batch.checkpoint == done
    outside = Harness(empty, now=dt.datetime(2024, 5, 21, tzinfo=dt.UTC))
    outside.replies(post(), done)
    assert "since_id" not in outside.requests[0].url.params
    cut = Harness(empty, now=dt.datetime(2024, 5, 15, tzinfo=dt.UTC))
    cut.replies(post(replies=0), {"after": "TOKEN", "since_id": None, "newest_id": None, "newest": None})
    assert cut.requests[0].url.params["next_token"] == "TOKEN"


def test_gone_conversation_is_a_gap() -> None:
    harness = Harness(
        lambda r: httpx.Response(404, json={"title": "Not Found", "status": 404}),
        now=dt.datetime(2024, 5, 14, tzinfo=dt.UTC),
    )
    [batch] = harness.replies(post())
    assert batch.gap == "conversation unavailable: x: /2/tweets/search/recent: HTTP 404: Not Found"
    assert batch.checkpoint == {"complete": True}


def test_root_post_in_its_own_conversation_is_skipped() -> None:
    body = {
        "data": [
            {
                "id": "1790000000000000003",
                "text": "root",
                "created_at": "2024-05-13T09:00:00.000Z",
                "author_id": ACCOUNT,
            }
        ],
        "meta": {"result_count": 1},
    }
    harness = Harness(lambda r: httpx.Response(200, json=body), now=dt.datetime(2024, 5, 14, tzinfo=dt.UTC))
    [batch] = harness.replies(post())
    assert batch.comments == []


def test_search_without_access_is_a_gap_once_then_skipped() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/search/recent"):
            return reply("issue_v2_403_client_forbidden.json", 403)
        return account_handler(request)

    harness = Harness(handler)
    batches = harness.run(target())
    gaps = [b.gap for b in batches if b.edge.startswith("comments")]
    assert len(gaps) == 3 and len(set(gaps)) == 1
    assert gaps[0] is not None
    assert gaps[0].startswith("replies not read: x: /2/tweets/search/recent: HTTP 403")
    assert len(harness.calls("/search/recent")) == 1
    assert batches[-1].checkpoint is not None and batches[-1].checkpoint["complete"]


# -- errors and limits ----------------------------------------------------------------------------


def classify(name: str, status: int, headers: dict[str, str] | None = None) -> CollectError | None:
    request = httpx.Request("GET", f"{BASE}/users/{ACCOUNT}/tweets")
    return errors.classify(
        httpx.Response(
            status, text=(FIXTURES / name).read_text(encoding="utf-8"), headers=headers, request=request
        )
    )


@pytest.mark.parametrize(
    ("name", "status", "expected"),
    [
        ("issue_v2_403_client_forbidden.json", 403, AccessError),
        ("issue_v2_429_too_many_requests.json", 429, RateLimitedError),
        ("handwritten_error_429_v11_code_88.json", 429, RateLimitedError),
        ("handwritten_error_429_usage_capped.json", 429, QuotaExceededError),
        ("handwritten_error_401_unauthorized.json", 401, AuthError),
        ("pytwitter_streams_delete_error.json", 400, CollectError),
        ("handwritten_error_400_invalid_pagination_token.json", 400, errors.InvalidPaginationTokenError),
        ("handwritten_error_503.json", 503, TransientError),
        ("handwritten_users_by_username_not_found.json", 404, GoneError),
    ],
)
def test_error_bodies_are_classified(name: str, status: int, expected: type[CollectError]) -> None:
    error = classify(name, status)
    assert type(error) is expected
    assert str(error).startswith(f"x: /2/users/{ACCOUNT}/tweets: HTTP {status}: ")
    assert TOKEN not in str(error)


def test_error_messages_say_what_the_platform_said() -> None:
    assert "Client Forbidden (client-not-enrolled): When authenticating" in str(
        classify("issue_v2_403_client_forbidden.json", 403)
    )
    assert str(classify("issue_v2_429_too_many_requests.json", 429)).endswith(": Too Many Requests")
    assert str(classify("handwritten_error_429_v11_code_88.json", 429)).endswith(": Rate limit exceeded")
    assert str(classify("pytwitter_streams_delete_error.json", 400)).endswith(
        "Invalid Request: One or more parameters to your request was invalid."
    )
    assert errors.classify(httpx.Response(200, json={"data": []})) is None
    assert isinstance(errors.classify(httpx.Response(502, text="<html>")), TransientError)


def test_rate_limit_reset_header() -> None:
    error = classify("issue_v2_429_too_many_requests.json", 429, {"x-rate-limit-reset": "1665183228"})
    assert isinstance(error, RateLimitedError)
    assert error.retry_at == dt.datetime(2022, 10, 7, 22, 53, 48, tzinfo=dt.UTC)
    assert type(classify("issue_v2_429_too_many_requests.json", 429)) is RateLimitedError


def test_429_waits_until_the_reset_then_retries() -> None:
    reset = str(int(time.time()) + 60)
    answers = iter(
        [
            reply(
                "issue_v2_429_too_many_requests.json",
                429,
                {"x-rate-limit-remaining": "0", "x-rate-limit-reset": reset},
            )
        ]
    )

    def handler(request: httpx.Request) -> httpx.Response:
        return next(answers, None) or account_handler(request)

    harness = Harness(handler)
    [batch] = harness.run(target(), limit=1)
    assert batch.profile is not None and len(harness.requests) == 2
    assert 55 < harness.waits[0] <= 61


def test_used_up_window_pauses_the_next_request() -> None:
    reset = str(int(time.time()) + 30)

    def handler(request: httpx.Request) -> httpx.Response:
        response = account_handler(request)
        if "/users/by/username/" in request.url.path:
            response.headers["x-rate-limit-remaining"] = "0"
            response.headers["x-rate-limit-reset"] = reset
        return response

    harness = Harness(handler)
    harness.run(target(), limit=2)
    assert len(harness.waits) == 1 and 25 < harness.waits[0] <= 32


def test_pause_rules() -> None:
    assert (
        errors.pause(
            httpx.Response(200, headers={"x-rate-limit-remaining": "5", "x-rate-limit-reset": "9999999999"})
        )
        is None
    )
    assert errors.pause(httpx.Response(200, headers={"x-rate-limit-remaining": "0"})) is None
    spent = {"x-rate-limit-remaining": "0", "x-rate-limit-reset": "1"}
    past = errors.pause(httpx.Response(200, headers=spent))
    assert past == errors.RESET_MARGIN_S


def test_monthly_cap_stops_without_retrying() -> None:
    harness = Harness(lambda request: reply("handwritten_error_429_usage_capped.json", 429))
    with pytest.raises(QuotaExceededError):
        harness.run(target())
    assert len(harness.requests) == 1


def test_truncated_json_is_a_payload_error_after_retries() -> None:
    body = (FIXTURES / "pytwitter_user_user_resp.json").read_text(encoding="utf-8")[:120]
    harness = Harness(lambda request: httpx.Response(200, text=body))
    with pytest.raises(PayloadError, match="not valid JSON"):
        harness.run(target())
    assert len(harness.requests) == 3


def test_unmappable_post_is_quarantined() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/tweets"):
            return reply(
                "tweepy_search_recent_v2.json"
                if "pagination_token" not in request.url.params
                else "handwritten_users_tweets_empty.json"
            )
        return account_handler(request)

    batches = Harness(handler).run(target())
    page = batches[1]
    assert page.posts == [] and len(page.bad) == 10
    assert page.bad[0].reason == "ValueError: expected an ISO 8601 time, got None"
    assert json.loads(page.bad[0].content)["id"] == "1578516068309794817"


def test_snowflake_time() -> None:
    # The post's created_at is 2021-02-23T18:07:07.000Z: its id says when, to the millisecond.
    when = types.snowflake_time("1364275610764201984")
    assert when == dt.datetime(2021, 2, 23, 18, 7, 7, 278000, tzinfo=dt.UTC)


def test_plugin_registers_the_connector() -> None:
    assert plugin.govsocial_connectors() == [XConnector]
    assert (XConnector.platform, XConnector.credential_setting) == ("x", "x_bearer_token")
    assert XConnector.default_base_url == "https://api.twitter.com/2"
