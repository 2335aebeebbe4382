"""X connector, offline: recorded tweepy/pytwitter payloads (replies anonymised), the real 403 and 429
bodies from issue reports, and hand-written bodies for the documented shapes without a recording."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
from collections.abc import Callable
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
from govsocial.collect.http import HttpClient, RetryPolicy
from govsocial.collect.records import Batch, PostCounts, PostFormat, PostRecord
from govsocial.collect.x import errors, plugin, types
from govsocial.collect.x.client import ReplyState, XConnector

FIXTURES = Path(__file__).parent.parent / "fixtures" / "payloads" / "x_twitter"
BASE = "https://x.example/2"
TOKEN = "SECRET-X-BEARER"
ACCOUNT = "2244994945"
NOW = dt.datetime(2021, 2, 26, tzinfo=dt.UTC)
TIMELINE_NEXT = "7140dibdnow9c7btw3w3itbygz8uu5pbs45oy6erjc2ls"
PAGE1_NEWEST = {"newest_id": "1364275610764201984", "newest": "2021-02-23T18:07:07+00:00"}
LAST_NEWEST = {"newest_id": "1790000000000000000", "newest": "2024-05-10T09:00:00+00:00"}

Handler = Callable[[httpx.Request], httpx.Response]


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def reply(name: str, status: int = 200, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, text=(FIXTURES / name).read_text(encoding="utf-8"), headers=headers)


class Harness:
    """A connector over a mock transport, recording requests and the waits it was asked for."""

    def __init__(self, handler: Handler, now: dt.datetime = NOW) -> None:
        self.requests: list[httpx.Request] = []
        self.waits: list[float] = []

        def record(request: httpx.Request) -> httpx.Response:
            self.requests.append(request)
            return handler(request)

        async def sleep(seconds: float) -> None:
            self.waits.append(seconds)

        self.client = httpx.AsyncClient(transport=httpx.MockTransport(record))
        http = HttpClient(self.client, "x", XConnector.classify, XConnector.pause,
                          RetryPolicy(attempts=3, base_backoff=0), sleep=sleep)
        self.connector = XConnector(http, TOKEN, base_url=BASE)
        self.connector.clock = lambda: now

    def run(self, target: Target, checkpoints: dict[str, dict[str, Any]] | None = None,
            limit: int | None = None) -> list[Batch]:
        async def go() -> list[Batch]:
            batches: list[Batch] = []
            async for batch in self.connector.collect(target, checkpoints or {}):
                batches.append(batch)
                if limit is not None and len(batches) >= limit:
                    break
            return batches

        return asyncio.run(go())

    def replies(self, post: PostRecord, checkpoint: dict[str, Any] | None = None) -> list[Batch]:
        async def go() -> list[Batch]:
            return [b async for b in self.connector._replies(post, ReplyState(ACCOUNT), checkpoint)]

        return asyncio.run(go())

    def calls(self, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path.endswith(path)]


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


def post(post_id: str = "1790000000000000003", replies: int | None = 3,
         created: dt.datetime = dt.datetime(2024, 5, 13, 9, tzinfo=dt.UTC)) -> PostRecord:
    return PostRecord(platform="x", post_id=post_id, account_ref="TwitterDev", created_at=created,
                      counts=PostCounts(taken_at=created, replies=replies))


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
        "created_at", "public_metrics", "conversation_id", "attachments", "entities", "referenced_tweets"]
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
        "1 item(s) not returned: resource-not-found 1371363774729363460 (referenced_tweets.id)")


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
            return reply("handwritten_users_tweets_partial_errors.json" if "pagination_token" not in
                         request.url.params else "handwritten_users_tweets_empty.json")
        return account_handler(request)

    batches = Harness(handler, now=dt.datetime(2024, 5, 14, tzinfo=dt.UTC)).run(target())
    page = batches[1]
    assert len(page.posts) == 3
    assert page.gap == "1 item(s) not returned: resource-not-found 1371363774729363460 (referenced_tweets.id)"
    # Only the post with replies is searched (each search is billed).
    assert [b.edge for b in batches if b.edge.startswith("comments")] == ["comments:1790000000000000003"]


def test_incremental_run_asks_since_the_newest_post() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/tweets"):
            return reply("handwritten_users_tweets_empty.json")
        return account_handler(request)

    harness = Harness(handler)
    checkpoint = {"newest_id": "1364275610764201984", "newest": "2021-02-23T18:07:07+00:00", "complete": True}
    batches = harness.run(target(), {"posts": checkpoint})
    params = harness.calls("/tweets")[0].url.params
    assert params["since_id"] == "1364275610764201984" and "pagination_token" not in params
    assert batches[-1].checkpoint == checkpoint


def test_resume_from_a_posts_checkpoint() -> None:
    harness = Harness(account_handler)
    checkpoint = {"after": TIMELINE_NEXT, "since_id": "1300000000000000000", **PAGE1_NEWEST}
    batches = harness.run(target(), {"posts": checkpoint})
    params = harness.calls("/tweets")[0].url.params
    assert params["pagination_token"] == TIMELINE_NEXT and params["since_id"] == "1300000000000000000"
    assert batches[-1].checkpoint == {**LAST_NEWEST, "complete": True}


def stored_ids(batches: list[Batch]) -> set[tuple[str, str]]:
    return ({("post", p.post_id) for b in batches for p in b.posts}
            | {("comment", c.comment_id) for b in batches for c in b.comments})


def test_a_run_killed_after_any_batch_resumes_without_loss() -> None:
    full = Harness(account_handler).run(target())
    for cut in range(1, len(full)):
        stored = full[:cut]  # what the runner had committed when the run died
        checkpoints = {b.edge: b.checkpoint for b in stored if b.checkpoint is not None}
        resumed = Harness(account_handler).run(target(), checkpoints)
        assert stored_ids(stored) | stored_ids(resumed) == stored_ids(full), f"killed after batch {cut}"


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
    assert first.checkpoint == {"after": "NEXT", "since_id": None, "newest_id": "1790000000000000012",
                                "newest": "2024-05-13T11:00:00+00:00"}
    assert second.checkpoint == {"newest_id": "1790000000000000012", "newest": "2024-05-13T11:00:00+00:00",
                                 "complete": True}
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
    harness = Harness(lambda r: httpx.Response(404, json={"title": "Not Found", "status": 404}),
                      now=dt.datetime(2024, 5, 14, tzinfo=dt.UTC))
    [batch] = harness.replies(post())
    assert batch.gap == "conversation unavailable: x: /2/tweets/search/recent: HTTP 404: Not Found"
    assert batch.checkpoint == {"complete": True}


def test_root_post_in_its_own_conversation_is_skipped() -> None:
    body = {"data": [{"id": "1790000000000000003", "text": "root", "created_at": "2024-05-13T09:00:00.000Z",
                      "author_id": ACCOUNT}], "meta": {"result_count": 1}}
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
    return errors.classify(httpx.Response(status, text=(FIXTURES / name).read_text(encoding="utf-8"),
                                          headers=headers, request=request))


@pytest.mark.parametrize(("name", "status", "expected"), [
    ("issue_v2_403_client_forbidden.json", 403, AccessError),
    ("issue_v2_429_too_many_requests.json", 429, RateLimitedError),
    ("handwritten_error_429_v11_code_88.json", 429, RateLimitedError),
    ("handwritten_error_429_usage_capped.json", 429, QuotaExceededError),
    ("handwritten_error_401_unauthorized.json", 401, AuthError),
    ("pytwitter_streams_delete_error.json", 400, CollectError),
    ("handwritten_error_503.json", 503, TransientError),
    ("handwritten_users_by_username_not_found.json", 404, GoneError),
])
def test_error_bodies_are_classified(name: str, status: int, expected: type[CollectError]) -> None:
    error = classify(name, status)
    assert type(error) is expected
    assert str(error).startswith(f"x: /2/users/{ACCOUNT}/tweets: HTTP {status}: ")
    assert TOKEN not in str(error)


def test_error_messages_say_what_the_platform_said() -> None:
    assert "Client Forbidden (client-not-enrolled): When authenticating" in str(
        classify("issue_v2_403_client_forbidden.json", 403))
    assert str(classify("issue_v2_429_too_many_requests.json", 429)).endswith(": Too Many Requests")
    assert str(classify("handwritten_error_429_v11_code_88.json", 429)).endswith(": Rate limit exceeded")
    assert str(classify("pytwitter_streams_delete_error.json", 400)).endswith(
        "Invalid Request: One or more parameters to your request was invalid.")
    assert errors.classify(httpx.Response(200, json={"data": []})) is None
    assert isinstance(errors.classify(httpx.Response(502, text="<html>")), TransientError)


def test_rate_limit_reset_header() -> None:
    error = classify("issue_v2_429_too_many_requests.json", 429, {"x-rate-limit-reset": "1665183228"})
    assert isinstance(error, RateLimitedError)
    assert error.retry_at == dt.datetime(2022, 10, 7, 22, 53, 48, tzinfo=dt.UTC)
    assert type(classify("issue_v2_429_too_many_requests.json", 429)) is RateLimitedError


def test_429_waits_until_the_reset_then_retries() -> None:
    reset = str(int(time.time()) + 60)
    answers = iter([reply("issue_v2_429_too_many_requests.json", 429,
                          {"x-rate-limit-remaining": "0", "x-rate-limit-reset": reset})])

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
    assert errors.pause(httpx.Response(200, headers={"x-rate-limit-remaining": "5",
                                                     "x-rate-limit-reset": "9999999999"})) is None
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
            return reply("tweepy_search_recent_v2.json" if "pagination_token" not in request.url.params
                         else "handwritten_users_tweets_empty.json")
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
