"""YouTube connector, offline: recorded pyyoutube payloads (anonymised) and hand-written error bodies
served through ``httpx.MockTransport``."""

from __future__ import annotations

import asyncio
import copy
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
    QuotaExceededError,
    RateLimitedError,
    TransientError,
)
from govsocial.collect.records import Batch, PostFormat
from govsocial.collect.youtube import errors, plugin, types
from govsocial.collect.youtube.client import YouTubeConnector
from tests.collect.harness import ConnectorHarness, Handler

FIXTURES = Path(__file__).parent.parent / "fixtures" / "payloads" / "youtube"
BASE = "https://yt.example/youtube/v3"
KEY = "SECRET-YT-KEY"
NOW = dt.datetime(2026, 5, 4, 12, 0, tzinfo=dt.UTC)
GOOGLE_DEV = "UC_x5XG1OV2P6uZZ5FSM9Ttw"
OWN = "UCaaaaaaaaaaaaaaaaaaaaaa"


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def reply(name: str, status: int = 200) -> httpx.Response:
    return httpx.Response(status, text=(FIXTURES / name).read_text(encoding="utf-8"))


class Harness(ConnectorHarness):
    """The YouTube connector over a mock transport."""

    def __init__(self, handler: Handler) -> None:
        super().__init__(handler, YouTubeConnector, KEY, BASE, NOW)

    def calls(self, method: str) -> list[httpx.Request]:
        return super().calls("/" + method)


def target(kind: str = "id", handle: str = GOOGLE_DEV, platform_id: str | None = None) -> Target:
    return Target(account_id=1, platform="youtube", kind=kind, handle=handle, platform_id=platform_id)


def method_of(request: httpx.Request) -> str:
    return request.url.path.rsplit("/", 1)[-1]


# -- a fake channel built from the recorded payloads ---------------------------------------------

PLAYLIST_PAGES = {
    None: "pyyoutube_playlist_items_playlist_items_paged_1.json",
    "CAoQAA": "pyyoutube_playlist_items_playlist_items_paged_2.json",
}
PUBLISHED = {
    item["snippet"]["resourceId"]["videoId"]: item["snippet"]["publishedAt"]
    for name in PLAYLIST_PAGES.values()
    for item in load(name)["items"]
}
WITH_COMMENTS = "CvTApw9X8aA"
VANISHED = "o5LP2xzKkpg"
THREAD_WITH_REPLIES = "UgwI_ylXVnzPS8Q-oAV4AaABAg"


def videos_body(ids: list[str]) -> dict[str, Any]:
    """``videos.list`` for ``ids``: the recorded full-parts video under each id (one has vanished)."""
    template = load("pyyoutube_videos_list_full_parts.json")
    items = []
    for video_id in ids:
        if video_id == VANISHED:
            continue
        item = copy.deepcopy(template["items"][0])
        item["id"] = video_id
        item["snippet"]["publishedAt"] = PUBLISHED[video_id]
        if video_id != WITH_COMMENTS:
            item["statistics"]["commentCount"] = "0"
        items.append(item)
    return {**template, "items": items}


def channel_handler(request: httpx.Request) -> httpx.Response:
    params = request.url.params
    method = method_of(request)
    if method == "channels":
        return reply("pyyoutube_channel_info_single.json")
    if method == "playlistItems":
        return reply(PLAYLIST_PAGES[params.get("pageToken")])
    if method == "videos":
        return httpx.Response(200, json=videos_body(params["id"].split(",")))
    if method == "commentThreads":
        return reply(
            {None: "pyyoutube_comment_threads_comment_threads_by_video_paged_1.json"}.get(
                params.get("pageToken"), "pyyoutube_comment_threads_comment_thread_single.json"
            )
        )
    if method == "comments":
        return reply(
            "pyyoutube_comments_comments_by_parent_paged_2.json"
            if params.get("pageToken")
            else "pyyoutube_comments_comments_by_parent_paged_1.json"
        )
    raise AssertionError(f"unexpected request {request.url}")


# -- profile --------------------------------------------------------------------------------------


def test_profile_maps_the_channel_and_sends_the_key_as_a_parameter() -> None:
    harness = Harness(channel_handler)
    [batch] = harness.run(target("handle", "GoogleDevelopers"), limit=1)
    assert batch.edge == "profile" and batch.profile is not None
    assert batch.profile.followers == 1927873
    assert batch.profile.posts_count == 5026
    assert batch.profile.name == "Google Developers"
    assert batch.profile.platform_id == GOOGLE_DEV
    assert batch.profile.account_ref == "GoogleDevelopers"
    assert batch.profile.taken_at == NOW
    request = harness.requests[0]
    assert request.url.params["forHandle"] == "@GoogleDevelopers"
    assert request.url.params["part"] == "snippet,statistics,contentDetails"
    assert request.url.params["key"] == KEY
    assert batch.raw is not None and KEY not in batch.raw.location and "key=***" in batch.raw.location
    assert harness.connector.units_used == 1


def test_hidden_subscriber_count_is_unknown_and_uploads_come_from_content_details() -> None:
    item = load("handwritten_channels_hidden_subscribers.json")["items"][0]
    profile = types.profile_from_channel(item, OWN, NOW)
    assert profile.followers is None
    assert profile.posts_count == 42
    assert types.uploads_playlist(item) == "UUaaaaaaaaaaaaaaaaaaaaaa"
    # Without contentDetails the uploads playlist follows the UC -> UU convention.
    assert types.uploads_playlist(load("pyyoutube_channels_list_full_parts.json")["items"][0]) == (
        "UU_x5XG1OV2P6uZZ5FSM9Ttw"
    )


@pytest.mark.parametrize(
    ("kind", "param", "value"),
    [
        ("id", "id", GOOGLE_DEV),
        ("user", "forUsername", "GoogleDevelopers"),
        ("handle", "forHandle", "@GoogleDevelopers"),
    ],
)
def test_channel_lookup_by_kind(kind: str, param: str, value: str) -> None:
    harness = Harness(channel_handler)
    handle = GOOGLE_DEV if kind == "id" else "GoogleDevelopers"
    harness.run(target(kind, handle), limit=1)
    assert harness.requests[0].url.params[param] == value


def test_known_platform_id_is_used_whatever_the_kind() -> None:
    harness = Harness(channel_handler)
    harness.run(target("handle", "GoogleDevelopers", platform_id=GOOGLE_DEV), limit=1)
    assert harness.requests[0].url.params["id"] == GOOGLE_DEV


def test_custom_url_tries_handle_and_username_then_searches_at_100_units() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        params = request.url.params
        if method_of(request) == "search":
            assert params["type"] == "channel" and params["q"] == "examplegov"
            return reply("handwritten_search_channel.json")
        if params.get("id") == OWN:
            return reply("handwritten_channels_hidden_subscribers.json")
        return reply("handwritten_channels_empty.json")

    harness = Harness(handler)
    [batch] = harness.run(target("custom", "examplegov"), limit=1)
    assert batch.profile is not None and batch.profile.platform_id == OWN
    lookups = [dict(r.url.params) for r in harness.requests]
    assert [next(k for k in p if k != "part") for p in lookups] == ["forHandle", "forUsername", "type", "id"]
    assert harness.connector.units_used == 1 + 1 + 100 + 1


def test_unknown_channel_is_gone() -> None:
    harness = Harness(lambda request: reply("handwritten_channels_empty.json"))
    with pytest.raises(GoneError, match="no channel found for handle 'nosuch'"):
        harness.run(target("handle", "nosuch"))


def test_no_key_is_an_auth_error() -> None:
    harness = Harness(channel_handler)
    harness.connector.token = None
    with pytest.raises(AuthError, match="youtube_api_key"):
        harness.run(target())
    assert harness.requests == []


# -- posts and comments ---------------------------------------------------------------------------


def test_full_run_pages_uploads_videos_and_comments_with_checkpoints() -> None:
    harness = Harness(channel_handler)
    batches = harness.run(target())
    edges = [(b.edge, bool(b.raw), len(b.posts), len(b.comments), b.checkpoint is not None) for b in batches]
    comments_edge = f"comments:{WITH_COMMENTS}"
    assert edges == [
        ("profile", True, 0, 0, False),
        ("posts", True, 0, 0, False),  # playlistItems page 1
        ("posts", True, 9, 0, False),  # videos.list: 10 listed, one vanished
        (comments_edge, True, 0, 5, False),  # threads page 1; one thread has 2 replies to page
        (comments_edge, True, 0, 2, False),  # comments.list page 1
        (comments_edge, True, 0, 1, False),  # comments.list page 2
        (comments_edge, False, 0, 0, True),  # checkpoint after threads page 1
        (comments_edge, True, 0, 1, True),  # threads page 2 (last)
        ("posts", False, 0, 0, True),  # checkpoint after uploads page 1
        ("posts", True, 0, 0, False),  # playlistItems page 2
        ("posts", True, 3, 0, False),
        ("posts", False, 0, 0, True),
    ]
    assert batches[2].gap == f"videos deleted or made private since they were listed: {VANISHED}"
    # The thread whose replies were paged is remembered with its reply count (not paged again unchanged).
    assert batches[6].checkpoint == {
        "after": load("pyyoutube_comment_threads_comment_threads_by_video_paged_1.json")["nextPageToken"],
        "since": None,
        "newest": "2019-11-26T15:51:44+00:00",
        "paged": {THREAD_WITH_REPLIES: 2},
    }
    assert batches[7].checkpoint == {
        "newest": "2019-11-26T15:51:44+00:00",
        "complete": True,
        "paged": {THREAD_WITH_REPLIES: 2},
    }
    assert batches[8].checkpoint == {"after": "CAoQAA", "since": None, "newest": "2019-11-23T00:40:19+00:00"}
    assert batches[-1].checkpoint == {"newest": "2019-11-23T00:49:59+00:00", "complete": True}
    # Videos showing 0 comments cost no commentThreads call; the batched videos.list takes <= 50 ids.
    assert {r.url.params["videoId"] for r in harness.calls("commentThreads")} == {WITH_COMMENTS}
    assert len(harness.calls("videos")[0].url.params["id"].split(",")) == 10
    assert harness.calls("comments")[0].url.params["parentId"] == THREAD_WITH_REPLIES
    assert harness.connector.units_used == 1 + 2 + 2 + 2 + 2
    assert all(KEY not in b.raw.location for b in batches if b.raw)


def test_video_mapping() -> None:
    item = load("pyyoutube_videos_list_full_parts.json")["items"][0]
    post = types.post_from_video(item, GOOGLE_DEV, NOW)
    assert post.platform == "youtube" and post.post_id == "D-lhorsDlUQ"
    assert post.account_ref == GOOGLE_DEV
    assert post.created_at == dt.datetime(2019, 3, 21, 20, 37, 49, tzinfo=dt.UTC)
    assert post.created_at_raw == "2019-03-21T20:37:49.000Z"
    assert post.format is PostFormat.VIDEO
    assert post.url == "https://www.youtube.com/watch?v=D-lhorsDlUQ"
    assert post.text is not None and post.text.startswith(item["snippet"]["title"] + "\n\n")
    assert post.media and post.media[0].startswith("https://i.ytimg.com/vi/D-lhorsDlUQ/")
    assert post.extra["duration"] == "PT21M7S"
    assert post.counts is not None
    assert (post.counts.views, post.counts.likes, post.counts.comments) == (7920, 190, 32)
    assert post.counts.taken_at == NOW
    assert post.counts.shares is None and post.counts.reactions is None


def test_live_video_with_hidden_likes_and_no_comment_count() -> None:
    item = load("handwritten_videos_live_hidden_likes.json")["items"][0]
    post = types.post_from_video(item, OWN, NOW)
    assert post.format is PostFormat.LIVE
    assert post.counts is not None
    assert (post.counts.views, post.counts.likes, post.counts.comments) == (1500, None, None)
    assert post.extra["live"]["concurrentViewers"] == "321"


def test_video_without_statistics_has_unknown_counts() -> None:
    item = load("pyyoutube_videos_videos_info_single.json")["items"][0]
    post = types.post_from_video(item, GOOGLE_DEV, NOW)
    assert post.counts is not None
    assert (post.counts.views, post.counts.likes, post.counts.comments) == (None, None, None)


def test_comment_thread_mapping_with_embedded_replies_and_page_reply() -> None:
    thread = load("handwritten_comment_threads_with_replies.json")["items"][0]
    top, own, citizen = types.thread_comments(thread, "LIVEvideo01", OWN)
    assert (top.comment_id, top.parent_id) == ("UgxTHREAD0000000000000000", None)
    assert (top.replies, top.likes) == (2, 3)
    assert top.author_id == "UCcitizen0000000000000001" and not top.is_page_reply
    assert top.text == "When will the new rules start?"
    assert top.created_at == dt.datetime(2026, 5, 1, 3, tzinfo=dt.UTC)
    assert own.is_page_reply and own.author_id == OWN and own.parent_id == top.comment_id
    assert not citizen.is_page_reply and citizen.parent_id == top.comment_id
    assert not types.has_more_replies(thread)


def test_recorded_threads_and_replies_mapping() -> None:
    page = load("pyyoutube_comment_threads_comment_threads_by_video_paged_1.json")
    comments = [c for t in page["items"] for c in types.thread_comments(t, "F1UP7wRCPH8", GOOGLE_DEV)]
    assert [c.comment_id for c in comments] == [t["id"] for t in page["items"]]
    first = comments[0]
    assert first.author_id == "UCzj-CjKYmGlZ7vTL-vOe57A" and first.text == "Google.com"
    assert first.created_at_raw == "2019-11-26T15:51:44.000Z" and first.likes == 0 and first.replies == 0
    assert [types.has_more_replies(t) for t in page["items"]] == [False, False, False, False, True]
    # The replier's own channel: its replies are page replies.
    replier = "UCNvMBmCASzTNNX8lW3JRMbw"
    item = load("pyyoutube_comments_comments_by_parent_paged_2.json")["items"][0]
    reply_record = types.comment(item, "JE8xdDp5B8Q", replier, parent_id="ignored-when-given")
    assert reply_record.parent_id == "Ugw5zYU6n9pmIgAZWvN4AaABAg"
    assert reply_record.is_page_reply and reply_record.author_id == replier


def test_resume_from_a_posts_checkpoint_reads_the_next_page_only() -> None:
    harness = Harness(channel_handler)
    checkpoint = {"after": "CAoQAA", "since": None, "newest": "2019-11-23T00:40:19+00:00"}
    batches = harness.run(target(), {"posts": checkpoint})
    assert [r.url.params.get("pageToken") for r in harness.calls("playlistItems")] == ["CAoQAA"]
    assert batches[-1].checkpoint == {"newest": "2019-11-23T00:49:59+00:00", "complete": True}


def test_incremental_run_stops_at_videos_already_seen() -> None:
    harness = Harness(channel_handler)
    batches = harness.run(target(), {"posts": {"newest": "2019-11-23T00:30:00+00:00", "complete": True}})
    assert [r.url.params.get("pageToken") for r in harness.calls("playlistItems")] == [None]
    posts = [p.post_id for b in batches for p in b.posts]
    assert posts == ["2cHddIA4EvY", "kTJUt9CmTXg", "o7_oJYZw2Hg", "vN6uK5Qm23c"]  # o5LP2xzKkpg vanished
    assert batches[-1].checkpoint == {"newest": "2019-11-23T00:40:19+00:00", "complete": True}


def test_comments_resume_from_their_checkpoint() -> None:
    harness = Harness(channel_handler)
    connector = harness.connector

    async def go() -> list[Batch]:
        return [b async for b in connector._comments(WITH_COMMENTS, GOOGLE_DEV, {"after": "PAGE2"})]

    batches = asyncio.run(go())
    assert [r.url.params.get("pageToken") for r in harness.calls("commentThreads")] == ["PAGE2"]
    assert [c.comment_id for c in batches[0].comments] == ["UgxKREWxIgDrw8w2e_Z4AaABAg"]


def test_videos_list_asks_by_id_without_max_results() -> None:
    # videos.list reference: maxResults "is not supported for use in conjunction with the id parameter".
    harness = Harness(channel_handler)
    harness.run(target())
    assert harness.calls("videos") and all("maxResults" not in r.url.params for r in harness.calls("videos"))


def stale_token(method: str, token: str) -> Handler:
    """The fake channel, except that ``method`` refuses ``pageToken=token`` (invalidPageToken)."""

    def handler(request: httpx.Request) -> httpx.Response:
        if method_of(request) == method and request.url.params.get("pageToken") == token:
            return reply("handwritten_error_invalid_page_token.json", 400)
        return channel_handler(request)

    return handler


def test_a_stale_uploads_page_token_restarts_the_listing_from_the_top() -> None:
    # A token kept in the checkpoint that YouTube no longer accepts must not fail every later run.
    harness = Harness(stale_token("playlistItems", "STALE"))
    checkpoint = {"after": "STALE", "since": None, "newest": "2019-11-23T00:40:19+00:00"}
    batches = harness.run(target(), {"posts": checkpoint})
    tokens = [r.url.params.get("pageToken") for r in harness.calls("playlistItems")]
    assert tokens == ["STALE", None, "CAoQAA"]
    [gap] = [b.gap for b in batches if b.gap and "page token" in b.gap]
    assert gap.startswith("uploads listing: the page token was refused (youtube: ")
    assert "invalidPageToken" in gap and KEY not in gap
    assert len(harness.waits) == 0  # not retried as it is: read again from the top
    assert {p.post_id for b in batches for p in b.posts} >= {"2cHddIA4EvY", "vN6uK5Qm23c"}
    assert batches[-1].checkpoint == {"newest": "2019-11-23T00:49:59+00:00", "complete": True}


def test_a_stale_comment_threads_page_token_restarts_them_from_the_top() -> None:
    harness = Harness(stale_token("commentThreads", "STALE"))

    async def go() -> list[Batch]:
        checkpoint = {"after": "STALE", "since": None, "newest": "2019-11-26T15:51:44+00:00"}
        return [b async for b in harness.connector._comments(WITH_COMMENTS, GOOGLE_DEV, checkpoint)]

    batches = asyncio.run(go())
    tokens = [r.url.params.get("pageToken") for r in harness.calls("commentThreads")]
    assert tokens[:2] == ["STALE", None]
    assert batches[0].gap is not None and batches[0].gap.startswith(
        f"comment threads of {WITH_COMMENTS}: the page token was refused"
    )
    assert batches[0].checkpoint is None  # the stale checkpoint stands until the restart saves one
    assert sum(len(b.comments) for b in batches) >= 5
    assert batches[-1].checkpoint is not None and batches[-1].checkpoint["complete"]


def test_a_page_token_refused_again_after_the_restart_fails_the_listing() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if method_of(request) == "playlistItems" and request.url.params.get("pageToken"):
            return reply("handwritten_error_invalid_page_token.json", 400)
        return channel_handler(request)

    harness = Harness(handler)
    with pytest.raises(errors.InvalidPageTokenError):
        harness.run(target(), {"posts": {"after": "STALE", "since": None, "newest": None}})
    assert [r.url.params.get("pageToken") for r in harness.calls("playlistItems")] == [
        "STALE",
        None,
        "CAoQAA",
    ]


def test_processing_failure_on_comment_threads_is_retried() -> None:
    # "While this can be a transient error...": commentThreads.list answers it in comment outages.
    answers = iter([reply("handwritten_error_processing_failure.json", 400)])

    def handler(request: httpx.Request) -> httpx.Response:
        if method_of(request) == "commentThreads":
            return next(answers, None) or channel_handler(request)
        return channel_handler(request)

    harness = Harness(handler)

    async def go() -> list[Batch]:
        return [b async for b in harness.connector._comments(WITH_COMMENTS, GOOGLE_DEV, {})]

    batches = asyncio.run(go())
    assert len(harness.waits) >= 1 and sum(len(b.comments) for b in batches) >= 5


def test_comments_disabled_is_a_gap_and_the_run_goes_on() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        method = method_of(request)
        if method == "channels":
            return reply("handwritten_channels_hidden_subscribers.json")
        if method == "playlistItems":
            body = load("pyyoutube_playlist_items_playlist_items_paged_2.json")
            body["items"][0]["snippet"]["resourceId"]["videoId"] = "LIVEvideo01"
            return httpx.Response(200, json=body)
        if method == "videos":
            return reply("handwritten_videos_live_hidden_likes.json")
        return reply("handwritten_error_comments_disabled.json", 403)

    harness = Harness(handler)
    batches = harness.run(target(platform_id=OWN))
    gap = [b for b in batches if b.edge == "comments:LIVEvideo01"]
    disabled = {"complete": True, "disabled": True}
    assert [(b.gap, b.checkpoint) for b in gap] == [("comments disabled", disabled)]
    assert batches[-1].checkpoint == {"newest": "2026-05-01T02:00:00+00:00", "complete": True}
    assert len(harness.calls("commentThreads")) == 1  # a 403 is not retried


@pytest.mark.parametrize(
    "body", ["handwritten_error_video_not_found.json", "handwritten_error_forbidden.json"]
)
def test_unreadable_comments_are_a_gap(body: str) -> None:
    status = 404 if "not_found" in body else 403
    harness = Harness(lambda request: reply(body, status))

    async def go() -> list[Batch]:
        return [b async for b in harness.connector._comments("gone", OWN, None)]

    [batch] = asyncio.run(go())
    assert batch.gap is not None and batch.gap.startswith("comments unavailable: youtube:")
    assert batch.checkpoint == {"complete": True}


def test_channel_without_uploads_playlist_is_a_gap() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if method_of(request) == "channels":
            return reply("handwritten_channels_hidden_subscribers.json")
        return httpx.Response(
            404,
            json={
                "error": {
                    "code": 404,
                    "message": "not found",
                    "errors": [
                        {
                            "domain": "youtube.playlistItem",
                            "reason": "playlistNotFound",
                            "message": "not found",
                        }
                    ],
                }
            },
        )

    batches = Harness(handler).run(target(platform_id=OWN))
    assert batches[-1].gap == "uploads playlist not found (no public videos)"
    assert batches[-1].checkpoint == {"newest": None, "complete": True}


def test_unmappable_video_is_quarantined() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if method_of(request) == "videos":
            body = videos_body(request.url.params["id"].split(","))
            del body["items"][0]["snippet"]["publishedAt"]
            return httpx.Response(200, json=body)
        return channel_handler(request)

    harness = Harness(handler)
    batches = harness.run(target(), {"posts": {"after": "CAoQAA"}})
    [bad] = [r for b in batches for r in b.bad]
    assert bad.reason.startswith("ValueError: expected an RFC 3339 time")
    assert json.loads(bad.content)["id"] == "6aSG8SdvkoU"
    assert "key=***" in bad.location


def stored_ids(batches: list[Batch]) -> set[tuple[str, str]]:
    return {("post", p.post_id) for b in batches for p in b.posts} | {
        ("comment", c.comment_id) for b in batches for c in b.comments
    }


def test_a_run_killed_after_any_batch_resumes_without_loss() -> None:
    full = Harness(channel_handler).run(target())
    for cut in range(1, len(full)):
        stored = full[:cut]  # what the runner had committed when the run died
        checkpoints = {b.edge: b.checkpoint for b in stored if b.checkpoint is not None}
        resumed = Harness(channel_handler).run(target(), checkpoints)
        assert stored_ids(stored) | stored_ids(resumed) == stored_ids(full), f"killed after batch {cut}"


# -- the refresh window: videos published in the last ``refresh_days`` are read again each run ------

#: The second run of the refresh tests: its window starts at NOW - 6 days.
LATER = NOW + dt.timedelta(days=1)
CITIZEN = "UCcitizen000000000000001"


def rfc3339(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.000Z")


class RecentChannel:
    """A channel with videos around NOW, two per playlist page, whose counts, threads and replies
    tests change between runs: recent1/2/3 are inside LATER's window, older4/5 outside it."""

    def __init__(self) -> None:
        ages = {"recent00001": 1, "recent00002": 3, "recent00003": 5, "older000004": 10, "older000005": 30}
        self.videos = {video_id: NOW - dt.timedelta(days=days) for video_id, days in ages.items()}
        self.views = dict.fromkeys(self.videos, 100)
        self.threads: dict[str, list[dict[str, Any]]] = {video_id: [] for video_id in self.videos}
        self.replies: dict[str, list[dict[str, Any]]] = {}
        self.no_comment_count: set[str] = set()  # videos whose comments are turned off

    def comment(
        self, comment_id: str, video_id: str, when: dt.datetime, own: bool = False, parent: str | None = None
    ) -> dict[str, Any]:
        snippet: dict[str, Any] = {
            "authorChannelId": {"value": OWN if own else CITIZEN},
            "textOriginal": comment_id,
            "publishedAt": rfc3339(when),
            "videoId": video_id,
            "likeCount": 0,
        }
        return {"id": comment_id, "snippet": {**snippet, **({"parentId": parent} if parent else {})}}

    def add_thread(self, video_id: str, thread_id: str, when: dt.datetime) -> None:
        """A citizen's comment, newest first as order=time lists them."""
        self.threads[video_id].insert(0, self.comment(thread_id, video_id, when))
        self.threads[video_id].sort(key=lambda c: c["snippet"]["publishedAt"], reverse=True)
        self.replies[thread_id] = []

    def add_reply(
        self, video_id: str, thread_id: str, reply_id: str, when: dt.datetime, own: bool = False
    ) -> None:
        self.replies[thread_id].append(self.comment(reply_id, video_id, when, own, parent=thread_id))

    def thread(self, top: dict[str, Any]) -> dict[str, Any]:
        replies = self.replies[top["id"]]
        thread = {"id": top["id"], "snippet": {"topLevelComment": top, "totalReplyCount": len(replies)}}
        return {**thread, "replies": {"comments": replies[:5]}} if replies else thread

    def video(self, video_id: str) -> dict[str, Any]:
        """A ``videos.list`` item: its comment count is left out when comments are off."""
        stats = {"viewCount": str(self.views[video_id])}
        if video_id not in self.no_comment_count:
            stats["commentCount"] = str(sum(1 + len(self.replies[t["id"]]) for t in self.threads[video_id]))
        return {
            "id": video_id,
            "snippet": {"publishedAt": rfc3339(self.videos[video_id]), "title": video_id},
            "statistics": stats,
        }

    def page(self, items: list[Any], token: str | None) -> dict[str, Any]:
        start = int(token.removeprefix("P")) if token else 0
        body: dict[str, Any] = {"items": items[start : start + 2]}
        return {**body, "nextPageToken": f"P{start + 2}"} if start + 2 < len(items) else body

    def handler(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        method = method_of(request)
        if method == "channels":
            return reply("handwritten_channels_hidden_subscribers.json")
        if method == "playlistItems":
            items: list[dict[str, Any]] = [
                {"contentDetails": {"videoId": v, "videoPublishedAt": rfc3339(when)}}
                for v, when in self.videos.items()
            ]
            return httpx.Response(200, json=self.page(items, params.get("pageToken")))
        if method == "videos":
            return httpx.Response(200, json={"items": [self.video(v) for v in params["id"].split(",")]})
        if method == "commentThreads":
            assert params["order"] == "time"
            threads = [self.thread(top) for top in self.threads[params["videoId"]]]
            return httpx.Response(200, json=self.page(threads, params.get("pageToken")))
        if method == "comments":
            replies = self.replies[params["parentId"]]
            return httpx.Response(200, json=self.page(replies, params.get("pageToken")))
        raise AssertionError(f"unexpected request {request.url}")

    def run(
        self, when: dt.datetime, checkpoints: dict[str, dict[str, Any]] | None = None
    ) -> tuple[Harness, list[Batch]]:
        harness = Harness(self.handler)
        harness.connector.clock = lambda: when
        return harness, harness.run(target(platform_id=OWN), checkpoints)


def latest_checkpoints(*runs: list[Batch]) -> dict[str, dict[str, Any]]:
    """What the runner holds after storing ``runs`` in order: each edge's last checkpoint."""
    return {b.edge: b.checkpoint for batches in runs for b in batches if b.checkpoint is not None}


def recent_channel() -> RecentChannel:
    channel = RecentChannel()
    for video_id, published in channel.videos.items():
        if video_id != "recent00003":  # it shows 0 comments: no thread call
            channel.add_thread(video_id, f"T-{video_id}", published + dt.timedelta(hours=1))
    return channel


def test_a_second_run_refreshes_the_videos_of_the_window_and_reads_their_new_comments() -> None:
    channel = recent_channel()
    _, first = channel.run(NOW)
    assert [p.post_id for b in first for p in b.posts] == list(channel.videos)
    checkpoints = latest_checkpoints(first)
    assert checkpoints["posts"] == {
        "newest": rfc3339(channel.videos["recent00001"]).replace(".000Z", "+00:00"),
        "complete": True,
    }
    # Between the runs: counts grow, the channel answers an old citizen comment, a new thread comes,
    # and a video outside the window gets a comment (left alone).
    channel.views = dict.fromkeys(channel.videos, 250)
    channel.add_reply("recent00001", "T-recent00001", "R-own-answer", NOW + dt.timedelta(hours=2), own=True)
    channel.add_thread("recent00002", "T-late-question", NOW + dt.timedelta(hours=3))
    channel.add_thread("older000004", "T-too-old", NOW + dt.timedelta(hours=4))

    harness, second = channel.run(LATER, checkpoints)

    # The listing goes on past the last run's newest video, down to the first one older than the window.
    assert [r.url.params.get("pageToken") for r in harness.calls("playlistItems")] == [None, "P2"]
    assert [r.url.params["id"] for r in harness.calls("videos")] == ["recent00001,recent00002", "recent00003"]
    refreshed = [p for b in second for p in b.posts]
    assert [p.post_id for p in refreshed] == ["recent00001", "recent00002", "recent00003"]
    assert all(p.counts and p.counts.taken_at == LATER and p.counts.views == 250 for p in refreshed)
    # Comments of the window's videos are read again although their edges are complete; no call is
    # made for the older videos, nor for the one showing 0 comments.
    assert [r.url.params["videoId"] for r in harness.calls("commentThreads")] == [
        "recent00001",
        "recent00002",
    ]
    comments = {c.comment_id: c for b in second for c in b.comments}
    assert {"R-own-answer", "T-late-question"} <= comments.keys() and "T-too-old" not in comments
    answer = comments["R-own-answer"]
    assert answer.is_page_reply and answer.parent_id == "T-recent00001"
    assert not {method_of(r) for r in harness.requests} & {"comments", "search"}
    assert harness.connector.units_used == 1 + 2 + 2 + 2
    assert latest_checkpoints(second)["posts"] == checkpoints["posts"]
    assert latest_checkpoints(second)["comments:recent00002"] == {
        "newest": "2026-05-04T15:00:00+00:00",
        "complete": True,
    }


def test_videos_older_than_the_window_and_the_last_newest_are_not_read_again() -> None:
    channel = recent_channel()
    _, first = channel.run(NOW)
    channel.add_thread("recent00001", "T-too-old", NOW + dt.timedelta(hours=1))
    harness, batches = channel.run(NOW + dt.timedelta(days=60), latest_checkpoints(first))
    # Everything is older than the window: only the last run's newest video is listed again (a
    # snapshot), its comments are not read again, and the listing stops at the next one.
    assert [method_of(r) for r in harness.requests] == ["channels", "playlistItems", "videos"]
    assert harness.calls("videos")[0].url.params["id"] == "recent00001"
    assert [b.edge for b in batches if b.comments or b.edge.startswith("comments")] == []


def test_a_new_video_older_than_the_window_is_still_read_once() -> None:
    channel = recent_channel()
    checkpoints = {"posts": {"newest": "2026-03-01T00:00:00+00:00", "complete": True}}
    harness, batches = channel.run(NOW + dt.timedelta(days=20), checkpoints)
    # The window starts 2026-05-17, the last run's newest video is older: the listing goes down to it.
    assert [p.post_id for b in batches for p in b.posts] == list(channel.videos)
    assert len(harness.calls("playlistItems")) == 3


def test_threads_with_paged_replies_are_paged_again_only_when_their_count_changed() -> None:
    channel = recent_channel()
    video, thread = "recent00001", "T-recent00001"
    for r in range(7):  # more than the 5 a thread embeds
        channel.add_reply(video, thread, f"R{r}", NOW - dt.timedelta(hours=20 - r))
    harness, first = channel.run(NOW)
    assert [r.url.params["parentId"] for r in harness.calls("comments")] == [thread] * 4  # 7 on 4 pages
    checkpoints = latest_checkpoints(first)
    assert checkpoints[f"comments:{video}"]["paged"] == {thread: 7}

    harness, second = channel.run(LATER, checkpoints)
    assert harness.calls("comments") == []  # unchanged: the embedded replies are stored again instead
    assert {c.comment_id for b in second for c in b.comments if c.parent_id == thread} == {
        f"R{r}" for r in range(5)
    }

    channel.add_reply(video, thread, "R-late", NOW + dt.timedelta(hours=5), own=True)
    harness, third = channel.run(LATER, latest_checkpoints(first, second))
    assert len(harness.calls("comments")) == 4
    assert "R-late" in {c.comment_id for b in third for c in b.comments}
    assert latest_checkpoints(third)[f"comments:{video}"]["paged"] == {thread: 8}


def test_comments_found_disabled_are_not_asked_for_again_while_the_video_shows_no_count() -> None:
    channel = recent_channel()
    channel.no_comment_count = {"recent00001"}
    checkpoints: dict[str, dict[str, Any]] = {
        "posts": {"newest": "2026-05-03T12:00:00+00:00", "complete": True},
        "comments:recent00001": {"complete": True, "disabled": True},
    }
    harness, _ = channel.run(NOW, checkpoints)
    assert [r.url.params["videoId"] for r in harness.calls("commentThreads")] == ["recent00002"]
    channel.no_comment_count = set()  # turned on again: read
    harness, _ = channel.run(NOW, checkpoints)
    assert [r.url.params["videoId"] for r in harness.calls("commentThreads")] == [
        "recent00001",
        "recent00002",
    ]


def test_a_refresh_run_killed_after_any_batch_resumes_without_loss() -> None:
    channel = recent_channel()
    for r in range(7):
        channel.add_reply("recent00002", "T-recent00002", f"R{r}", NOW - dt.timedelta(hours=10 - r))
    _, first = channel.run(NOW)
    base = latest_checkpoints(first)
    channel.add_reply("recent00001", "T-recent00001", "R-own-answer", NOW + dt.timedelta(hours=2), own=True)
    channel.add_reply("recent00002", "T-recent00002", "R-late", NOW + dt.timedelta(hours=3))
    _, full = channel.run(LATER, base)
    assert {"R-own-answer", "R-late"} <= {c.comment_id for b in full for c in b.comments}
    resumed_mid_listing = 0
    for cut in range(1, len(full)):
        stored = full[:cut]
        harness, resumed = channel.run(LATER, latest_checkpoints(first, stored))
        assert stored_ids(stored) | stored_ids(resumed) == stored_ids(full), f"killed after batch {cut}"
        posts = latest_checkpoints(first, stored)["posts"]
        resumed_mid_listing += bool(posts.get("after"))
        if posts.get("after"):  # resumed mid-listing: the page after it, with the interrupted run's window
            assert harness.calls("playlistItems")[0].url.params["pageToken"] == posts["after"]
            assert posts["since"] == (LATER - dt.timedelta(days=7)).isoformat()
    assert resumed_mid_listing


# -- the first run bounded by ``first_run_days`` ------------------------------------------------------


def run_bounded(
    channel: RecentChannel,
    when: dt.datetime,
    first_run_days: int | None,
    checkpoints: dict[str, dict[str, Any]] | None = None,
) -> tuple[Harness, list[Batch]]:
    """``channel.run`` with the connector's ``first_run_days`` set as the runner sets it."""
    harness = Harness(channel.handler)
    harness.connector.clock = lambda: when
    harness.connector.first_run_days = first_run_days
    return harness, harness.run(target(platform_id=OWN), checkpoints)


def test_a_bounded_first_run_stops_at_the_first_older_video(caplog: pytest.LogCaptureFixture) -> None:
    channel = recent_channel()
    with caplog.at_level("INFO", logger="govsocial.collect.base"):
        harness, first = run_bounded(channel, NOW, 2)  # since NOW - 2 days: recent00001 only
    # The first page's second video is older: paging stops there, and the next page is not asked for.
    assert [r.url.params.get("pageToken") for r in harness.calls("playlistItems")] == [None]
    assert [r.url.params["id"] for r in harness.calls("videos")] == ["recent00001"]
    assert [p.post_id for b in first for p in b.posts] == ["recent00001"]
    assert [r.url.params["videoId"] for r in harness.calls("commentThreads")] == ["recent00001"]
    checkpoints = latest_checkpoints(first)
    assert checkpoints["posts"] == {"newest": channel.videos["recent00001"].isoformat(), "complete": True}
    assert not [b.gap for b in first if b.gap]
    [said] = [r.getMessage() for r in caplog.records]
    assert said.startswith(f"youtube {OWN}: first run stopped") and "2026-05-02T12:00:00+00:00" in said
    # The next run is incremental as without the setting: the refresh window again.
    again, second = run_bounded(channel, LATER, 2, checkpoints)
    unbounded, _ = run_bounded(channel, LATER, None, checkpoints)
    assert [str(r.url) for r in again.requests] == [str(r.url) for r in unbounded.requests]
    assert [p.post_id for b in second for p in b.posts] == ["recent00001", "recent00002", "recent00003"]


def test_a_bounded_first_run_that_finds_no_video_keeps_its_bound() -> None:
    channel = recent_channel()
    later = NOW + dt.timedelta(days=40)  # the newest video is 41 days old
    harness, first = run_bounded(channel, later, 5)
    assert len(harness.calls("playlistItems")) == 1 and not harness.calls("videos")
    checkpoint = latest_checkpoints(first)["posts"]
    bound = (later - dt.timedelta(days=5)).isoformat()
    assert checkpoint == {"newest": None, "complete": True, "since": bound}
    # The next run stops at the same place, instead of reading the whole playlist.
    harness, second = run_bounded(channel, later + dt.timedelta(days=1), None, {"posts": checkpoint})
    assert len(harness.calls("playlistItems")) == 1 and not [p for b in second for p in b.posts]


# -- errors ---------------------------------------------------------------------------------------


def classify(name: str, status: int) -> CollectError | None:
    request = httpx.Request("GET", f"{BASE}/videos?id=x&key={KEY}")
    return errors.classify(
        httpx.Response(status, text=(FIXTURES / name).read_text(encoding="utf-8"), request=request)
    )


@pytest.mark.parametrize(
    ("name", "status", "expected"),
    [
        ("pyyoutube_error_permission_resp.json", 403, AccessError),
        ("pyyoutube_error_response.json", 400, AuthError),
        ("handwritten_error_key_invalid_bad_request.json", 400, AuthError),
        ("handwritten_error_quota_exceeded.json", 403, QuotaExceededError),
        ("handwritten_error_daily_limit_exceeded.json", 403, QuotaExceededError),
        ("handwritten_error_rate_limit_exceeded.json", 403, RateLimitedError),
        ("handwritten_error_comments_disabled.json", 403, errors.CommentsDisabledError),
        ("handwritten_error_forbidden.json", 403, errors.ContentForbiddenError),
        ("handwritten_error_access_not_configured.json", 403, AccessError),
        ("handwritten_error_video_not_found.json", 404, GoneError),
        ("handwritten_error_backend_error.json", 503, TransientError),
        ("handwritten_error_processing_failure.json", 400, TransientError),
        ("handwritten_error_invalid_page_token.json", 400, errors.InvalidPageTokenError),
    ],
)
def test_error_bodies_are_classified(name: str, status: int, expected: type[CollectError]) -> None:
    error = classify(name, status)
    assert type(error) is expected
    assert KEY not in str(error) and "youtube: https://yt.example/youtube/v3/videos" in str(error)


def test_success_and_non_json_errors() -> None:
    assert errors.classify(httpx.Response(200, json={"items": []})) is None
    assert isinstance(errors.classify(httpx.Response(502, text="<html>Bad Gateway</html>")), TransientError)
    assert type(errors.classify(httpx.Response(400, text="nope"))) is CollectError
    assert isinstance(errors.classify(httpx.Response(401, text="")), AuthError)
    assert isinstance(errors.classify(httpx.Response(429, text="")), RateLimitedError)


def test_quota_error_waits_for_the_next_pacific_midnight() -> None:
    error = classify("handwritten_error_quota_exceeded.json", 403)
    assert isinstance(error, QuotaExceededError) and error.retry_at is not None
    assert error.retry_at == errors.next_quota_reset()
    # 23:59 in winter (PST, UTC-8) and in summer (PDT, UTC-7).
    assert errors.next_quota_reset(dt.datetime(2026, 1, 15, 7, 59, tzinfo=dt.UTC)) == dt.datetime(
        2026, 1, 15, 8, tzinfo=dt.UTC
    )
    assert errors.next_quota_reset(dt.datetime(2026, 7, 1, 6, 59, tzinfo=dt.UTC)) == dt.datetime(
        2026, 7, 1, 7, tzinfo=dt.UTC
    )
    assert errors.next_quota_reset(dt.datetime(2026, 7, 1, 7, 0, tzinfo=dt.UTC)) == dt.datetime(
        2026, 7, 2, 7, tzinfo=dt.UTC
    )


def test_spent_quota_stops_the_run_without_retrying() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if method_of(request) == "playlistItems":
            return reply("handwritten_error_quota_exceeded.json", 403)
        return channel_handler(request)

    harness = Harness(handler)
    with pytest.raises(QuotaExceededError):
        harness.run(target())
    assert len(harness.calls("playlistItems")) == 1 and harness.waits == []


def test_backend_error_is_retried() -> None:
    answers = iter([reply("handwritten_error_backend_error.json", 503)])

    def handler(request: httpx.Request) -> httpx.Response:
        return next(answers, None) or channel_handler(request)

    harness = Harness(handler)
    [batch] = harness.run(target(), limit=1)
    assert batch.profile is not None and len(harness.requests) == 2 and harness.waits == [0.0]


def test_rate_limit_reason_backs_off_then_retries() -> None:
    answers = iter([reply("handwritten_error_rate_limit_exceeded.json", 403)])

    def handler(request: httpx.Request) -> httpx.Response:
        return next(answers, None) or channel_handler(request)

    harness = Harness(handler)
    [batch] = harness.run(target(), limit=1)
    assert batch.profile is not None and len(harness.requests) == 2 and len(harness.waits) == 1


def test_truncated_json_is_a_payload_error_after_retries() -> None:
    body = (FIXTURES / "pyyoutube_channel_info_single.json").read_text(encoding="utf-8")[:200]
    harness = Harness(lambda request: httpx.Response(200, text=body))
    with pytest.raises(PayloadError, match="not valid JSON"):
        harness.run(target())
    assert len(harness.requests) == 3 and harness.waits == [0.0, 0.0]


def test_plugin_registers_the_connector() -> None:
    assert plugin.govsocial_connectors() == [YouTubeConnector]
    assert YouTubeConnector.platform == "youtube"
    assert YouTubeConnector.credential_setting == "youtube_api_key"
    assert YouTubeConnector.default_base_url == "https://www.googleapis.com/youtube/v3"
