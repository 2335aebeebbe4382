"""The YouTube connector: resolve the channel, list its uploads, read their comment threads.

Every call is charged against the key's daily quota; ``units_used`` adds up the documented cost of
each call this connector made (retries by the HTTP layer are charged too but not counted here).

Checkpoints
    posts              ``{"after": pageToken, "since": iso, "newest": iso}`` while paging the uploads
                       playlist; ``{"newest": iso, "complete": True}`` at the end. The next run reads
                       from the top again and stops at the first video older than both ``newest`` and
                       the refresh window (``refresh_since``): videos in the window get fresh counts
                       and their comments are read again. An account's first listing stops at the
                       first video older than ``first_run_since`` when that is set (a final
                       checkpoint without ``newest`` keeps that ``since`` for the next run).
    comments:{video}   the same shape over the video's comment threads (newest first), plus
                       ``"paged": {thread: totalReplyCount}`` for the threads whose replies were paged
                       through ``comments.list``. A listing read again starts from the top and reads
                       every thread (new replies go to old threads too), but pages a thread's replies
                       again only when its reply count changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import httpx

from govsocial.collect.base import Connector, Target
from govsocial.collect.errors import AuthError, CollectError, GoneError, PayloadError, credential_names
from govsocial.collect.http import HttpClient
from govsocial.collect.paging import ListingPaging, SeenCursors, cycle_gap, listing_items
from govsocial.collect.records import (
    BadRecord,
    Batch,
    CommentRecord,
    PostRecord,
    RawPayload,
    listing_bad_record,
)
from govsocial.collect.youtube import errors, types

CHANNEL_PARTS = "snippet,statistics,contentDetails"
VIDEO_PARTS = "snippet,statistics,liveStreamingDetails,contentDetails"
#: A search costs 100 units (as much as 100 pages of anything else): only for legacy custom URLs.
SEARCH_COST = 100
#: Quota units per call (Google's quota table, PLATFORMS.md §3.1).
UNIT_COSTS: Mapping[str, int] = {
    "channels": 1,
    "playlistItems": 1,
    "videos": 1,
    "commentThreads": 1,
    "comments": 1,
    "search": SEARCH_COST,
}
#: Ids per ``videos.list`` call (the API's maximum).
VIDEOS_PER_CALL = 50
MAPPING_ERRORS = (KeyError, ValueError, TypeError, AttributeError)


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def bad_record(raw: RawPayload, item: Any, exc: Exception) -> BadRecord:
    """An item that could not be mapped, kept with the reason."""
    return listing_bad_record(raw.source, raw.location, item, exc)


@dataclass
class Cursor:
    """Where a newest-first listing stands: the page to read next and what earlier runs saw."""

    after: str | None = None
    since: dt.datetime | None = None
    newest: dt.datetime | None = None

    @classmethod
    def resume(cls, checkpoint: Mapping[str, Any] | None) -> Cursor:
        """Continue a listing cut short, or start from the top above the last run's newest item."""
        checkpoint = checkpoint or {}
        newest = _time_or_none(checkpoint.get("newest"))
        if checkpoint.get("after") and not checkpoint.get("complete"):
            return cls(str(checkpoint["after"]), _time_or_none(checkpoint.get("since")), newest)
        # A bounded first listing that found nothing kept its ``since``: stop there, not at the end.
        return cls(None, newest or _time_or_none(checkpoint.get("since")), newest)

    def is_new(self, when: dt.datetime | None) -> bool:
        """Whether an item is not older than what earlier runs read (undated items count as new)."""
        return self.since is None or when is None or when >= self.since

    def see(self, times: Iterable[dt.datetime | None]) -> None:
        """Remember the newest of ``times``."""
        self.newest = max((t for t in (*times, self.newest) if t is not None), default=None)

    def checkpoint(self, next_token: str | None, done: bool) -> dict[str, Any]:
        """The state to store after a page."""
        newest = self.newest.isoformat() if self.newest else None
        since = self.since.isoformat() if self.since else None
        if done or not next_token:
            # Nothing found: keep the bound, or the next run would read the whole listing.
            return {"newest": newest, "complete": True, **({"since": since} if since and not newest else {})}
        return {"after": next_token, "since": since, "newest": newest}


def _time_or_none(value: Any) -> dt.datetime | None:
    try:
        return types.parse_time(value)
    except ValueError:
        return None


def _reply_count(thread: Mapping[str, Any]) -> int | None:
    """A thread's ``totalReplyCount`` (None when absent or not a number)."""
    snippet = thread.get("snippet")
    total = snippet.get("totalReplyCount") if isinstance(snippet, dict) else None
    return total if isinstance(total, int) and not isinstance(total, bool) else None


def _channel_lookups(target: Target) -> list[dict[str, str]]:
    """``channels.list`` filters to try in turn (1 unit each), cheapest certain match first."""
    value = target.platform_id or target.handle
    if target.platform_id or target.kind == "id":
        return [{"id": value}]
    if target.kind == "user":
        return [{"forUsername": value}]
    handle = {"forHandle": "@" + value.lstrip("@")}
    # A legacy custom URL (/c/name) is often also the handle or the old username.
    return [handle, {"forUsername": value}] if target.kind == "custom" else [handle]


class YouTubeConnector(Connector):
    """Collects a YouTube channel with an API key (``youtube_api_key``)."""

    platform: ClassVar[str] = "youtube"
    default_base_url: ClassVar[str] = "https://www.googleapis.com/youtube/v3"
    credential_setting: ClassVar[str | None] = "youtube_api_key"
    #: Whether to page ``comments.list`` for threads with more replies than the five embedded.
    fetch_all_replies: ClassVar[bool] = True

    def __init__(self, http: HttpClient, token: str | None, base_url: str | None = None) -> None:
        super().__init__(http, token, base_url)
        self.units_used = 0
        self.clock = _utc_now

    @staticmethod
    def classify(response: httpx.Response) -> CollectError | None:
        return errors.classify(response)

    async def _get(self, method: str, params: Mapping[str, Any]) -> tuple[dict[str, Any], RawPayload]:
        if not self.token:
            raise AuthError(f"youtube: no API key configured ({credential_names('youtube_api_key')})")
        self.units_used += UNIT_COSTS[method]
        data, raw = await self.http.get_json(
            f"{self.base_url}/{method}", {**params, "key": self.token}, source=f"youtube:{method}.list"
        )
        if not isinstance(data, dict):
            raise PayloadError(f"youtube: {raw.location}: expected a JSON object")
        return data, raw

    async def collect(
        self, target: Target, checkpoints: Mapping[str, dict[str, Any]]
    ) -> AsyncIterator[Batch]:
        """Profile, then each page of uploads followed by the comments of its videos."""
        channel, raw = await self._channel(target)
        profile = types.profile_from_channel(channel, target.ref, self.clock())
        yield Batch(edge="profile", raw=raw, profile=profile)
        async for batch in self._posts(target.ref, channel, checkpoints):
            yield batch

    # -- channel ---------------------------------------------------------------------------------

    async def _channel(self, target: Target) -> tuple[dict[str, Any], RawPayload]:
        for lookup in _channel_lookups(target):
            data, raw = await self._get("channels", {"part": CHANNEL_PARTS, **lookup})
            if data.get("items"):
                return data["items"][0], raw
        if target.kind == "custom" and not target.platform_id:
            channel_id = await self._search_channel(target.handle)
            if channel_id:
                data, raw = await self._get("channels", {"part": CHANNEL_PARTS, "id": channel_id})
                if data.get("items"):
                    return data["items"][0], raw
        raise GoneError(f"youtube: no channel found for {target.kind} {target.handle!r}")

    async def _search_channel(self, name: str) -> str | None:
        """Last resort for a custom URL: the top channel search result (100 units; may be wrong)."""
        params = {"part": "snippet", "type": "channel", "q": name, "maxResults": 1}
        data, _ = await self._get("search", params)
        for item in data.get("items") or []:
            channel_id = (item.get("id") or {}).get("channelId")
            if channel_id:
                return str(channel_id)
        return None

    # -- posts -----------------------------------------------------------------------------------

    async def _posts(
        self, account_ref: str, channel: dict[str, Any], checkpoints: Mapping[str, dict[str, Any]]
    ) -> AsyncIterator[Batch]:
        cursor = Cursor.resume(checkpoints.get("posts"))
        window = self.refresh_since(self.clock())
        first = None if checkpoints.get("posts") else self.first_run_since(self.clock())
        if first is not None:
            cursor.since = first  # the account's first listing, bounded by the operator
        elif cursor.after is None and cursor.since is not None:
            # From the top, down to the older of the last run's newest video and the refresh window.
            cursor.since = min(cursor.since, window)
        playlist = types.uploads_playlist(channel)
        paging = ListingPaging("uploads listing", cursor.after)
        while True:
            params = {"part": "snippet,contentDetails", "playlistId": playlist, "maxResults": 50}
            try:
                page, raw = await self._get("playlistItems", {**params, **self._page(cursor.after)})
            except GoneError:
                yield Batch(
                    edge="posts",
                    gap="uploads playlist not found (no public videos)",
                    checkpoint=cursor.checkpoint(None, done=True),
                )
                return
            except errors.InvalidPageTokenError as exc:
                # A page token kept from an earlier run can go stale: read from the top once, down to
                # the same ``since`` (what was read already is a noop), rather than fail every run.
                yield Batch(edge="posts", gap=paging.restart(cursor, exc))
                continue
            listing_items(page, raw, "items")  # a page whose items are not a list is malformed, not empty
            yield Batch(edge="posts", raw=raw)
            entries = types.playlist_entries(page)
            fresh = [video_id for video_id, published in entries if cursor.is_new(published)]
            for start in range(0, len(fresh), VIDEOS_PER_CALL):
                batch = await self._videos(fresh[start : start + VIDEOS_PER_CALL], account_ref)
                cursor.see(post.created_at for post in batch.posts)
                yield batch
                async for comments in self._comments_of(batch.posts, channel["id"], checkpoints, window):
                    yield comments
            next_token = page.get("nextPageToken")
            # A token seen before (A -> B -> A) would page for ever: end the listing, with a gap.
            cycle = bool(next_token) and paging.seen.repeats(str(next_token))
            done = len(fresh) < len(entries) or not next_token or cycle
            if first is not None and len(fresh) < len(entries):
                self.log_first_run_bound(account_ref, first, cut=True)
            gap = cycle_gap("uploads listing") if cycle else None
            yield Batch(edge="posts", checkpoint=cursor.checkpoint(next_token, done), gap=gap)
            if done:
                return
            cursor.after = next_token

    @staticmethod
    def _page(token: str | None) -> dict[str, str]:
        return {"pageToken": token} if token else {}

    async def _videos(self, ids: list[str], account_ref: str) -> Batch:
        """Details and counts of up to 50 videos; those that vanished since the listing are a gap."""
        # No ``maxResults``: videos.list does not support it together with ``id`` (its reference).
        params = {"part": VIDEO_PARTS, "id": ",".join(ids)}
        data, raw = await self._get("videos", params)
        found = {item.get("id"): item for item in data.get("items") or [] if isinstance(item, dict)}
        posts: list[PostRecord] = []
        bad: list[BadRecord] = []
        taken_at = self.clock()
        for video_id in ids:
            if video_id in found:
                try:
                    posts.append(types.post_from_video(found[video_id], account_ref, taken_at))
                except MAPPING_ERRORS as exc:
                    bad.append(bad_record(raw, found[video_id], exc))
        missing = [video_id for video_id in ids if video_id not in found]
        gap = f"videos deleted or made private since they were listed: {', '.join(missing)}"
        return Batch(edge="posts", raw=raw, posts=posts, bad=bad, gap=gap if missing else None)

    # -- comments --------------------------------------------------------------------------------

    async def _comments_of(
        self,
        posts: list[PostRecord],
        channel_id: str,
        checkpoints: Mapping[str, dict[str, Any]],
        window: dt.datetime,
    ) -> AsyncIterator[Batch]:
        """The comments of each video, unless it has none to read; those of a video published before
        the refresh ``window`` are read once (the last run's newest video is listed again)."""
        for post in posts:
            checkpoint = checkpoints.get(f"comments:{post.post_id}") or {}
            if checkpoint.get("complete") and post.created_at < window:
                continue
            cut_short = bool(checkpoint.get("after")) and not checkpoint.get("complete")
            count = post.counts.comments if post.counts else None
            # A video showing 0 comments has none to read: save the unit, unless a read was cut short.
            # Comments found disabled stay so while the video shows no comment count.
            if not cut_short and (count == 0 or (count is None and checkpoint.get("disabled"))):
                continue
            async for batch in self._comments(post.post_id, channel_id, checkpoint):
                yield batch

    async def _comments(
        self, video_id: str, channel_id: str, checkpoint: Mapping[str, Any] | None
    ) -> AsyncIterator[Batch]:
        edge = f"comments:{video_id}"
        cursor = Cursor.resume(checkpoint)
        if cursor.after is None:
            cursor.since = None  # from the top, every thread: new replies go to old threads too
        # Threads whose replies were paged, with their reply count then: unchanged ones are not paged.
        paged: dict[str, int] = dict((checkpoint or {}).get("paged") or {})
        paging = ListingPaging(f"comment threads of {video_id}", cursor.after)
        while True:
            params = {
                "part": "snippet,replies",
                "videoId": video_id,
                "maxResults": 100,
                "order": "time",
                "textFormat": "plainText",
                **self._page(cursor.after),
            }
            try:
                page, raw = await self._get("commentThreads", params)
            except errors.CommentsDisabledError:
                yield Batch(
                    edge=edge, gap="comments disabled", checkpoint={"complete": True, "disabled": True}
                )
                return
            except errors.InvalidPageTokenError as exc:
                refused = paging.restart(cursor, exc)
                cursor.since = None  # from the top, every thread, as any listing read again
                yield Batch(edge=edge, gap=refused)
                continue
            except (GoneError, errors.ContentForbiddenError) as exc:
                yield Batch(edge=edge, gap=f"comments unavailable: {exc}", checkpoint={"complete": True})
                return
            threads = [t for t in listing_items(page, raw, "items") if isinstance(t, dict)]
            fresh = [t for t in threads if cursor.is_new(types.thread_time(t))]
            cursor.see(types.thread_time(t) for t in fresh)
            next_token = page.get("nextPageToken")
            # A token seen before (A -> B -> A) would page for ever: the listing ends there, complete.
            cycle = bool(next_token) and paging.seen.repeats(str(next_token))
            done = len(fresh) < len(threads) or not next_token or cycle
            more = [t for t in fresh if self._replies_to_page(t, paged)]
            batch = self._threads_batch(edge, raw, fresh, (video_id, channel_id), {id(t) for t in more})
            if more:  # the page is stored as done only after the replies paged for it
                yield batch
                for thread in more:
                    read_all = True
                    async for replies in self._replies(edge, str(thread["id"]), video_id, channel_id):
                        read_all = read_all and replies.gap is None
                        yield replies
                    if read_all:  # else paged again next time
                        paged[str(thread["id"])] = _reply_count(thread) or 0
            final = {**cursor.checkpoint(next_token, done), **({"paged": dict(paged)} if paged else {})}
            gap = cycle_gap(f"comment threads of {video_id}") if cycle else None
            yield (
                Batch(edge=edge, checkpoint=final, gap=gap)
                if more
                else batch.model_copy(update={"checkpoint": final, "gap": gap})
            )
            if final.get("complete"):
                return
            cursor.after = next_token

    def _replies_to_page(self, thread: dict[str, Any], paged: Mapping[str, int]) -> bool:
        """Whether a thread's replies must be read with comments.list: more than embedded, and not
        already paged at the same reply count."""
        if not (self.fetch_all_replies and types.has_more_replies(thread)):
            return False
        return paged.get(str(thread.get("id"))) != _reply_count(thread)

    @staticmethod
    def _threads_batch(
        edge: str,
        raw: RawPayload,
        threads: list[dict[str, Any]],
        video_channel: tuple[str, str],
        paged: set[int],
    ) -> Batch:
        """A page of threads; replies of the ``paged`` threads (by ``id()``) come from comments.list."""
        comments: list[CommentRecord] = []
        bad: list[BadRecord] = []
        for thread in threads:
            try:
                # Replies fetched in full by comments.list are left out here, not stored twice.
                with_replies = id(thread) not in paged
                comments += types.thread_comments(thread, *video_channel, with_replies=with_replies)
            except MAPPING_ERRORS as exc:
                bad.append(bad_record(raw, thread, exc))
        return Batch(edge=edge, raw=raw, comments=comments, bad=bad)

    async def _replies(
        self, edge: str, thread_id: str, video_id: str, channel_id: str
    ) -> AsyncIterator[Batch]:
        """All replies of one thread, a page (of up to 100) per batch; no checkpoint of their own."""
        token: str | None = None
        seen = SeenCursors()
        while True:
            params = {"part": "snippet", "parentId": thread_id, "maxResults": 100, "textFormat": "plainText"}
            try:
                data, raw = await self._get("comments", {**params, **self._page(token)})
            except (GoneError, errors.InvalidPageTokenError) as exc:
                # The gap also makes the thread be paged again next run.
                yield Batch(edge=edge, gap=f"replies of {thread_id} unavailable: {exc}")
                return
            comments: list[CommentRecord] = []
            bad: list[BadRecord] = []
            for item in listing_items(data, raw, "items"):
                try:
                    comments.append(types.comment(item, video_id, channel_id, parent_id=thread_id))
                except MAPPING_ERRORS as exc:
                    bad.append(bad_record(raw, item, exc))
            token = data.get("nextPageToken")
            # A token seen before (A -> B -> A) would page for ever. The gap also makes the thread be
            # paged again next run (its reply count is not remembered as read).
            cycle = bool(token) and seen.repeats(str(token))
            gap = cycle_gap(f"replies of {thread_id}") if cycle else None
            yield Batch(edge=edge, raw=raw, comments=comments, bad=bad, gap=gap)
            if not token or cycle:
                return
