"""A fake YouTube Data API v3, built from the recorded payloads, that knows the truth it serves.

Each registry channel gets videos made from the recorded ``videos.list`` item (new ids, times and
counts) and comment threads made from the recorded ``commentThreads.list`` items, newest first,
some with more replies than the five a thread embeds (so the connector pages ``comments.list``).

Served (under ``/youtube/v3``): ``channels`` (by ``id``, ``forHandle`` or ``forUsername``),
``playlistItems`` (the uploads playlist, newest first), ``videos`` (by ``id`` list),
``commentThreads`` (by ``videoId``, newest first) and ``comments`` (by ``parentId``). Pages are
two items long and linked by ``nextPageToken``. The key must be the configured one.

Faults go through the same ``Control`` as the Graph fake; the "path" a rule matches is the API
method and the object it is about, e.g. ``/youtube/v3/commentThreads/{videoId}``, and the account
is the channel's registry handle.
"""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.fakeplatform.faults import Control, Fault
from tests.fakeplatform.graph import decode_cursor, encode_cursor
from tests.fakeplatform.payloads import load_json, load_payload

PLATFORM = "youtube"
BASE_TIME = dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.UTC)
#: Threads per video, cycled; each thread's replies cycle through REPLY_PATTERN.
THREAD_PATTERN = (3, 0, 2)
REPLY_PATTERN = (0, 2, 7)  # 7 > the 5 a thread embeds: the rest comes from comments.list
EMBEDDED = 5
KEY_INVALID = "handwritten_error_key_invalid_bad_request.json"


def rfc3339(value: dt.datetime) -> str:
    """YouTube's time format: ``2019-11-26T15:51:44.000Z``."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@dataclass(frozen=True)
class ExpectedComment:
    """What the store must hold for one YouTube comment."""

    comment_id: str
    post_id: str
    parent_id: str | None
    author_id: str | None
    is_page_reply: bool
    text: str | None


@dataclass
class FakeVideo:
    """A video with its comment threads (newest first) and every reply by thread id."""

    video_id: str
    published: dt.datetime
    data: dict[str, Any]
    threads: list[dict[str, Any]] = field(default_factory=list)
    replies: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    expected: list[ExpectedComment] = field(default_factory=list)


@dataclass
class FakeChannel:
    """A registry channel: its handle there, its channel id and its videos (newest first)."""

    handle: str
    channel_id: str
    title: str
    subscribers: int
    number: int = 0
    videos: list[FakeVideo] = field(default_factory=list)

    @property
    def uploads(self) -> str:
        """The uploads playlist id (UC... -> UU...)."""
        return "UU" + self.channel_id[2:]


def _comment(
    channel: FakeChannel,
    video: FakeVideo,
    comment_id: str,
    when: dt.datetime,
    n: int,
    parent: str | None,
    own: bool,
) -> dict[str, Any]:
    template = load_json(PLATFORM, "pyyoutube_comments_comments_by_parent_paged_1.json")["items"][0]
    item = copy.deepcopy(template)
    author = channel.channel_id if own else f"UCcitizen{channel.channel_id[-6:]}{n % 5:013d}"
    name = channel.title if own else f"Viewer {n % 5 + 1} of {channel.handle}"
    text = f"Reply {n} on {video.video_id}" if parent else f"Question {n} about {video.video_id}?"
    snippet = item["snippet"]
    snippet.update(
        authorDisplayName=name,
        authorChannelUrl=f"http://www.youtube.com/channel/{author}",
        authorChannelId={"value": author},
        textDisplay=text,
        textOriginal=text,
        likeCount=n % 4,
        publishedAt=rfc3339(when),
        updatedAt=rfc3339(when),
        videoId=video.video_id,
    )
    snippet.pop("parentId", None)
    if parent:
        snippet["parentId"] = parent
    item["id"] = comment_id
    video.expected.append(ExpectedComment(comment_id, video.video_id, parent, author, own, text))
    return dict(item)


def _thread(channel: FakeChannel, video: FakeVideo, t: int, replies: int) -> dict[str, Any]:
    template = load_json(PLATFORM, "pyyoutube_comment_threads_comment_threads_by_video_paged_1.json")
    thread = copy.deepcopy(template["items"][0])
    thread_id = f"Ugz{video.video_id}T{t:03d}"
    when = video.published + dt.timedelta(hours=1, minutes=-t)  # newest first
    top = _comment(channel, video, thread_id, when, t, None, own=False)
    answers = [
        _comment(
            channel,
            video,
            f"{thread_id}.R{r:03d}",
            when + dt.timedelta(minutes=r + 1),
            t + r,
            thread_id,
            own=r == replies - 1,
        )
        for r in range(replies)
    ]
    thread["id"] = thread_id
    thread["snippet"].update(
        videoId=video.video_id, channelId=channel.channel_id, topLevelComment=top, totalReplyCount=replies
    )
    thread.pop("replies", None)
    if answers:
        thread["replies"] = {"comments": answers[:EMBEDDED]}
    video.replies[thread_id] = answers
    return dict(thread)


def _video(channel: FakeChannel, index: int) -> FakeVideo:
    template = load_json(PLATFORM, "pyyoutube_videos_list_full_parts.json")["items"][0]
    item = copy.deepcopy(template)
    video_id = f"fakeV{channel.number:02d}x{index:03d}"  # 11 characters, as YouTube's ids
    published = BASE_TIME - dt.timedelta(days=index, minutes=len(channel.handle))
    video = FakeVideo(video_id, published, item)
    threads = THREAD_PATTERN[index % len(THREAD_PATTERN)]
    video.threads = [
        _thread(channel, video, t, REPLY_PATTERN[t % len(REPLY_PATTERN)]) for t in range(threads)
    ]
    comments = len(video.expected)
    item["id"] = video_id
    item["snippet"].update(
        publishedAt=rfc3339(published),
        channelId=channel.channel_id,
        title=f"Video {index} of {channel.title}",
        liveBroadcastContent="none",
    )
    item["statistics"] = {
        "viewCount": str(1000 + index),
        "likeCount": str(10 + index),
        "favoriteCount": "0",
        "commentCount": str(comments),
    }
    item.pop("liveStreamingDetails", None)
    return video


def build_channels(handles: Sequence[str], videos_per_channel: int = 5) -> list[FakeChannel]:
    """Channels for registry ``handles`` (a ``UC...`` handle is its own channel id)."""
    channels = []
    for i, handle in enumerate(handles):
        channel_id = handle if handle.startswith("UC") else f"UCfake{i:02d}{handle[:8]:_<8}xxxxxxxx"
        channel = FakeChannel(handle, channel_id, f"Channel {handle}", subscribers=5_000 * (i + 1), number=i)
        channel.videos = [_video(channel, j) for j in range(videos_per_channel)]
        channels.append(channel)
    return channels


class FakeYouTube:
    """The fake YouTube Data API: its data, its fault control, and the ASGI app serving them."""

    def __init__(
        self, channels: Iterable[FakeChannel], key: str, page_size: int = 2, control: Control | None = None
    ) -> None:
        self.channels = {c.handle: c for c in channels}
        self.by_id = {c.channel_id: c for c in self.channels.values()}
        self.by_playlist = {c.uploads: c for c in self.channels.values()}
        self.videos = {v.video_id: (c, v) for c in self.channels.values() for v in c.videos}
        self.threads = {t: (c, v) for c, v in self.videos.values() for t in v.replies}
        self.key = key
        self.page_size = page_size
        self.control = control or Control()

    # --- the truth ---------------------------------------------------------------------------

    def expected_posts(self) -> dict[str, FakeVideo]:
        """Videos by id."""
        return {video_id: video for video_id, (_, video) in self.videos.items()}

    def expected_comments(self) -> dict[str, ExpectedComment]:
        """Comments and replies by id."""
        return {e.comment_id: e for _, video in self.videos.values() for e in video.expected}

    def viewer_identities(self) -> set[str]:
        """Commenters' channel ids and names (none may reach the store in clear)."""
        found: set[str] = set()
        for _, video in self.videos.values():
            for items in video.replies.values():
                for item in items:
                    snippet = item["snippet"]
                    if snippet["authorChannelId"]["value"] not in self.by_id:
                        found.update({snippet["authorChannelId"]["value"], snippet["authorDisplayName"]})
            for thread in video.threads:
                snippet = thread["snippet"]["topLevelComment"]["snippet"]
                found.update({snippet["authorChannelId"]["value"], snippet["authorDisplayName"]})
        return found

    # --- serving -------------------------------------------------------------------------------

    def app(self) -> Starlette:
        """The ASGI app."""
        return Starlette(routes=[Route("/youtube/v3/{method}", self.handle)])

    def _subject(self, method: str, params: dict[str, str]) -> tuple[str | None, str]:
        """(the channel handle, the object id) a request is about."""
        if method == "channels":
            ref = params.get("id") or params.get("forHandle", "").lstrip("@") or params.get("forUsername", "")
            channel = self.by_id.get(ref) or self.channels.get(ref)
            return (channel.handle if channel else None), ref
        if method == "playlistItems":
            found = self.by_playlist.get(params.get("playlistId", ""))
            return (found.handle if found else None), params.get("playlistId", "")
        ref = params.get("videoId") or params.get("parentId") or params.get("id", "").split(",")[0]
        owner = self.videos.get(ref) or self.threads.get(ref)
        return (owner[0].handle if owner else None), ref

    async def handle(self, request: Request) -> Response:
        """Count and log the request, apply the fault plan, and answer."""
        method = request.path_params["method"]
        params = dict(request.query_params)
        account, subject = self._subject(method, params)
        path = f"/youtube/v3/{method}/{subject}"
        fault = self.control.fault_for(account, path)
        key_ok = params.get("key") == self.key
        safe = {k: v for k, v in params.items() if k != "key"}
        self.control.record(account, path, {**safe, "after": params.get("pageToken", "")}, key_ok, fault)
        if fault is not None and fault.delay:
            await asyncio.sleep(fault.delay)
        response = self.answer(method, params) if key_ok else youtube_error(400, KEY_INVALID)
        return fault.respond(response) if fault is not None else response

    def answer(self, method: str, params: dict[str, str]) -> Response:
        """The normal answer to a request with a valid key."""
        if method == "channels":
            ref = params.get("id") or params.get("forHandle", "").lstrip("@") or params.get("forUsername", "")
            channel = self.by_id.get(ref) or (self.channels.get(ref) if "id" not in params else None)
            items = [self._channel(channel)] if channel else []
            return _json({"kind": "youtube#channelListResponse", "items": items})
        if method == "playlistItems":
            channel = self.by_playlist.get(params.get("playlistId", ""))
            if channel is None:
                return youtube_error(404, "handwritten_error_video_not_found.json")
            return _json(self._page([self._playlist_item(v) for v in channel.videos], params))
        if method == "videos":
            ids = params.get("id", "").split(",")
            return _json(
                {
                    "kind": "youtube#videoListResponse",
                    "items": [self.videos[i][1].data for i in ids if i in self.videos],
                }
            )
        if method == "commentThreads":
            found = self.videos.get(params.get("videoId", ""))
            if found is None:
                return youtube_error(404, "handwritten_error_video_not_found.json")
            return _json(self._page(found[1].threads, params))
        if method == "comments":
            owner = self.threads.get(params.get("parentId", ""))
            replies = owner[1].replies[params["parentId"]] if owner else []
            return _json(self._page(replies, params))
        return youtube_error(404, "handwritten_error_video_not_found.json")

    def _channel(self, channel: FakeChannel) -> dict[str, Any]:
        item = copy.deepcopy(load_json(PLATFORM, "pyyoutube_channel_info_single.json")["items"][0])
        item["id"] = channel.channel_id
        item["snippet"]["title"] = channel.title
        item["statistics"] = {
            "viewCount": "100000",
            "subscriberCount": str(channel.subscribers),
            "hiddenSubscriberCount": False,
            "videoCount": str(len(channel.videos)),
        }
        item["contentDetails"] = {"relatedPlaylists": {"uploads": channel.uploads, "likes": ""}}
        return dict(item)

    @staticmethod
    def _playlist_item(video: FakeVideo) -> dict[str, Any]:
        template = load_json(PLATFORM, "pyyoutube_playlist_items_playlist_items_paged_1.json")["items"][0]
        item = copy.deepcopy(template)
        item["snippet"].update(
            publishedAt=rfc3339(video.published),
            resourceId={"kind": "youtube#video", "videoId": video.video_id},
        )
        item["contentDetails"] = {"videoId": video.video_id, "videoPublishedAt": rfc3339(video.published)}
        return dict(item)

    def _page(self, items: list[dict[str, Any]], params: dict[str, str]) -> dict[str, Any]:
        start = decode_cursor(params["pageToken"]) if params.get("pageToken") else 0
        chunk = items[start : start + self.page_size]
        body: dict[str, Any] = {
            "kind": "youtube#listResponse",
            "items": chunk,
            "pageInfo": {"totalResults": len(items), "resultsPerPage": self.page_size},
        }
        if start + self.page_size < len(items):
            body["nextPageToken"] = encode_cursor(start + self.page_size)
        return body


def youtube_error(status: int, fixture: str) -> Response:
    """A recorded Google error body with ``status``."""
    return Response(load_payload(PLATFORM, fixture), status, media_type="application/json")


@dataclass(frozen=True)
class YouTubeError(Fault):
    """A recorded YouTube error answer (``handwritten_error_*.json``) with its status."""

    status: int = 503
    fixture: str = "handwritten_error_backend_error.json"

    def respond(self, normal: Response) -> Response:
        return youtube_error(self.status, self.fixture)


def _json(data: Any) -> Response:
    return Response(json.dumps(data, ensure_ascii=False), 200, media_type="application/json")
