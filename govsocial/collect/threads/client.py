"""The Threads connector: the token owner's profile, posts newest first, and their conversations.

The token (``threads_token``) is the account's own user token, sent as ``access_token``; the
account collected must be the token's owner (checked against ``/me``). Insights need
``threads_manage_insights`` and conversations ``threads_read_replies``: without them the posts are
still collected, with a gap saying what is missing.

Every run lists the posts published within the refresh window (``Connector.refresh_since``) again,
reads their insights (a new counts snapshot each time) and reads their conversations again from the
start, even when complete (replies already stored are noops). Older posts get no new request.

Checkpoints
    posts              ``{"after": cursor, "since": iso, "newest": iso}`` while paging (the API filters
                       by ``since``); ``{"newest": iso, "complete": True}`` at the end. The next run
                       lists the posts from the earlier of ``newest`` and the refresh window's start
                       on; a listing cut short resumes from its cursor with the ``since`` it started with.
                       An account's first listing starts at ``first_run_since`` when that is set (a
                       final checkpoint without ``newest`` keeps that ``since`` for the next run).
    comments:{post}    ``{"after": cursor}`` while paging the conversation, ``{"complete": True}``.
                       A complete conversation is read again only while its post is in the window.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import quote

import httpx

from govsocial.collect.base import Connector, Target
from govsocial.collect.errors import (
    AccessError,
    AuthError,
    CollectError,
    GoneError,
    PayloadError,
    credential_names,
)
from govsocial.collect.http import HttpClient, path_segment
from govsocial.collect.paging import SeenCursors, cycle_gap, listing_items
from govsocial.collect.records import (
    BadRecord,
    Batch,
    CommentRecord,
    PostCounts,
    PostRecord,
    RawPayload,
    listing_bad_record,
)
from govsocial.collect.threads import errors, types

PROFILE_FIELDS = "id,username,name,threads_biography,is_verified"
POST_FIELDS = (
    "id,media_product_type,media_type,media_url,permalink,username,text,timestamp,shortcode,"
    "thumbnail_url,is_quote_post"
)
REPLY_FIELDS = "id,text,timestamp,username,is_reply,is_reply_owned_by_me,replied_to,root_post,has_replies"
MEDIA_METRICS = "views,likes,replies,reposts,quotes"
MAPPING_ERRORS = (KeyError, ValueError, TypeError, AttributeError)


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def bad_record(raw: RawPayload, item: Any, exc: Exception) -> BadRecord:
    """An item that could not be mapped, kept with the reason."""
    return listing_bad_record(raw.source, raw.location, item, exc)


def source_of(edge: str, node: str | None = None) -> str:
    """A raw payload's ``source``: the endpoint, its node's id written ``{id}`` ("threads:/{id}/insights"),
    as the other connectors name theirs. Never the id itself: ids are the platform's strings, of any
    length, and ``raw_payloads.source`` is bounded; the payload's ``location`` (its URL) says which
    node it was, in full."""
    return f"threads:/{edge}" if node is None else f"threads:/{{id}}/{edge}"


def _time_or_none(value: Any) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(value).astimezone(dt.UTC) if isinstance(value, str) else None
    except ValueError:
        return None


@dataclass
class Cursor:
    """Where the newest-first post listing stands, and what earlier runs already read."""

    after: str | None = None
    since: dt.datetime | None = None
    newest: dt.datetime | None = None
    #: Start of the refresh window: posts published since are read again (insights, conversation).
    window: dt.datetime | None = None
    #: Newest post of the finished listing this one follows (None: unknown, e.g. resumed mid-listing).
    seen: dt.datetime | None = None

    @classmethod
    def resume(
        cls,
        checkpoint: Mapping[str, Any] | None,
        window: dt.datetime | None = None,
        first: dt.datetime | None = None,
    ) -> Cursor:
        """Continue a listing cut short, or list the posts from the earlier of the last run's newest
        and the refresh window's start on; with no checkpoint (the account's first listing), from
        ``first`` on (None: the whole listing)."""
        if not checkpoint:
            return cls(None, first, None, window)
        newest = _time_or_none(checkpoint.get("newest"))
        if checkpoint.get("after") and not checkpoint.get("complete"):
            return cls(str(checkpoint["after"]), _time_or_none(checkpoint.get("since")), newest, window)
        # A bounded first listing that found no post kept its ``since``: start there, not at the top.
        floor = newest or _time_or_none(checkpoint.get("since"))
        since = min(floor, window) if floor and window else floor
        return cls(None, since, newest, window, seen=newest)

    def refresh(self, created: dt.datetime) -> bool:
        """Whether a post published at ``created`` is within the refresh window."""
        return self.window is None or created >= self.window

    def already_read(self, item: Mapping[str, Any]) -> bool:
        """A listed post older than the window that an earlier run read (the ``since`` bound's own
        post, listed again because ``since`` is inclusive): it costs no new request."""
        created = _time_or_none(item.get("timestamp"))
        if created is None or self.seen is None:
            return False
        return created <= self.seen and not self.refresh(created)

    def params(self) -> dict[str, Any]:
        """``since`` (Unix seconds, inclusive) and ``after`` as the listing wants them."""
        found: dict[str, Any] = {"after": self.after} if self.after else {}
        return found | ({"since": int(self.since.timestamp())} if self.since else {})

    def see(self, posts: list[PostRecord]) -> None:
        """Remember the newest post."""
        times = [p.created_at for p in posts] + ([self.newest] if self.newest else [])
        self.newest = max(times, default=None)

    def checkpoint(self, after: str | None) -> dict[str, Any]:
        """The state to store after a page."""
        newest = self.newest.isoformat() if self.newest else None
        since = self.since.isoformat() if self.since else None
        if not after:
            # No post found: keep the bound, or the next run would list everything (see ``resume``).
            return {"newest": newest, "complete": True, **({"since": since} if since and not newest else {})}
        return {"after": after, "since": since, "newest": newest}


@dataclass
class Account:
    """What one ``collect`` call knows about the account, and which permissions it found missing."""

    user_id: str
    username: str | None
    missing: dict[str, str] = field(default_factory=dict)  # "insights"/"replies" -> why not readable


class ThreadsConnector(Connector):
    """Collects the Threads account that owns the token (``threads_token``)."""

    platform: ClassVar[str] = "threads"
    default_base_url: ClassVar[str] = "https://graph.threads.net/v1.0"
    credential_setting: ClassVar[str | None] = "threads_token"

    def __init__(self, http: HttpClient, token: str | None, base_url: str | None = None) -> None:
        super().__init__(http, token, base_url)
        self.clock = _utc_now

    @staticmethod
    def classify(response: httpx.Response) -> CollectError | None:
        return errors.classify(response)

    @staticmethod
    def pause(response: httpx.Response) -> float | None:
        return errors.pause(response)

    async def _get(
        self, edge: str, params: Mapping[str, Any], node: str | None = None
    ) -> tuple[dict[str, Any], RawPayload]:
        """``GET /{node}/{edge}`` (``/{edge}`` without a node), the node's id one path segment."""
        if not self.token:
            raise AuthError(f"threads: no token configured ({credential_names('threads_token')})")
        path = edge if node is None else f"{path_segment(node)}/{edge}"
        params = {**params, "access_token": self.token}
        data, raw = await self.http.get_json(f"{self.base_url}/{path}", params, source=source_of(edge, node))
        if not isinstance(data, dict):
            raise PayloadError(f"threads: {raw.location}: expected a JSON object")
        return data, self._without_token(raw)

    def _without_token(self, raw: RawPayload) -> RawPayload:
        """The payload with our token removed: Graph's ``paging.next`` URLs repeat the access_token."""
        body = raw.body
        for form in {self.token or "", quote(self.token or "", safe="")} - {""}:
            body = body.replace(form, "***")
        return raw if body == raw.body else raw.model_copy(update={"body": body})

    async def collect(
        self, target: Target, checkpoints: Mapping[str, dict[str, Any]]
    ) -> AsyncIterator[Batch]:
        """Profile (and its follower insight), then each page of posts with insights and replies."""
        me, raw = await self._get("me", {"fields": PROFILE_FIELDS})
        account = Account(str(me["id"]), me.get("username"))
        _check_owner(target, account)
        followers, insight = await self._followers(account)
        if insight is not None:
            yield insight
        profile = types.profile_from_me(me, target.ref, self.clock(), followers)
        yield Batch(edge="profile", raw=raw, profile=profile)
        async for batch in self._posts(target.ref, account, checkpoints):
            yield batch

    async def _followers(self, account: Account) -> tuple[int | None, Batch | None]:
        """The follower count from the user insights, and the batch keeping that response."""
        try:
            data, raw = await self._get("threads_insights", {"metric": "followers_count"}, account.user_id)
        except AccessError as exc:
            return None, Batch(edge="profile", gap=f"follower count not read: {exc}")
        return types.metrics(data).get("followers_count"), Batch(edge="profile", raw=raw)

    # -- posts -----------------------------------------------------------------------------------

    async def _posts(
        self, account_ref: str, account: Account, checkpoints: Mapping[str, dict[str, Any]]
    ) -> AsyncIterator[Batch]:
        first = None if checkpoints.get("posts") else self.first_run_since(self.clock())
        cursor = Cursor.resume(checkpoints.get("posts"), self.refresh_since(self.clock()), first)
        if first is not None:  # the account's first listing, bounded by the operator: the API filters
            self.log_first_run_bound(account_ref, first, cut=False)
        seen = SeenCursors(cursor.after)
        while True:
            params = {"fields": POST_FIELDS, "limit": 50, **cursor.params()}
            page, raw = await self._get("threads", params, account.user_id)
            items = [item for item in listing_items(page, raw) if isinstance(item, dict)]
            counts: dict[str, PostCounts | None] = {}
            # Older than the window and read by an earlier run: no insights, no conversation again.
            done = {str(item.get("id")) for item in items if cursor.already_read(item)}
            for item in items:
                if str(item.get("id")) not in done:
                    async for insight in self._insights(item, account, counts):
                        yield insight
            batch = self._posts_batch(items, raw, account_ref, counts, account)
            cursor.see(batch.posts)
            yield batch
            for post in batch.posts:
                checkpoint = checkpoints.get(f"comments:{post.post_id}")
                if post.post_id in done and not _unfinished(checkpoint):
                    continue
                refresh = cursor.refresh(post.created_at)
                async for replies in self._replies(post, account, checkpoint, refresh=refresh):
                    yield replies
            after = types.next_after(page)
            # A cursor seen before (A -> B -> A) would page for ever: end the listing, with a gap.
            cycle = after is not None and seen.repeats(after)
            after = None if cycle else after
            gap = cycle_gap("post listing") if cycle else None
            yield Batch(edge="posts", checkpoint=cursor.checkpoint(after), gap=gap)
            if not after:
                return
            cursor.after = after

    async def _insights(
        self, item: dict[str, Any], account: Account, counts: dict[str, PostCounts | None]
    ) -> AsyncIterator[Batch]:
        """Reads one post's insights into ``counts`` and yields the batch keeping the response."""
        if item.get("media_type") == types.REPOST or "insights" in account.missing or not item.get("id"):
            return
        try:
            data, raw = await self._get("insights", {"metric": MEDIA_METRICS}, str(item["id"]))
        except AccessError as exc:
            account.missing["insights"] = f"engagement counts not read: {exc}"
            return
        except GoneError as exc:
            yield Batch(edge="posts", gap=f"post {item['id']} gone before its insights were read: {exc}")
            return
        counts[str(item["id"])] = types.post_counts(types.metrics(data), self.clock())
        yield Batch(edge="posts", raw=raw)

    @staticmethod
    def _posts_batch(
        items: list[dict[str, Any]],
        raw: RawPayload,
        account_ref: str,
        counts: Mapping[str, PostCounts | None],
        account: Account,
    ) -> Batch:
        posts: list[PostRecord] = []
        bad: list[BadRecord] = []
        for item in items:
            try:
                posts.append(types.post_from_thread(item, account_ref, counts.get(str(item.get("id")))))
            except MAPPING_ERRORS as exc:
                bad.append(bad_record(raw, item, exc))
        return Batch(edge="posts", raw=raw, posts=posts, bad=bad, gap=account.missing.get("insights"))

    # -- replies ---------------------------------------------------------------------------------

    async def _replies(
        self,
        post: PostRecord,
        account: Account,
        checkpoint: Mapping[str, Any] | None,
        *,
        refresh: bool = False,
    ) -> AsyncIterator[Batch]:
        """The post's conversation from its checkpoint's cursor; a complete one again only if ``refresh``
        (from the start: the API has no time filter on conversations; stored replies are noops)."""
        edge = f"comments:{post.post_id}"
        state = checkpoint or {}
        if state.get("complete") and not refresh:
            return  # read to the end by an earlier run, and the post is older than the refresh window
        after = None if state.get("complete") else state.get("after")
        no_replies = post.counts is not None and post.counts.replies == 0
        if post.extra.get("media_type") == types.REPOST or (no_replies and not after):
            return  # a repost's conversation is not the account's; an empty one costs a call for nothing
        if "replies" in account.missing:
            yield Batch(edge=edge, gap=account.missing["replies"])
            return
        seen = SeenCursors(after)
        while True:
            # Oldest first (reverse=false), so a cut-short read resumes where it stopped.
            params = {"fields": REPLY_FIELDS, "reverse": "false", "limit": 100}
            params |= {"after": after} if after else {}
            try:
                data, raw = await self._get("conversation", params, post.post_id)
            except AccessError as exc:
                account.missing["replies"] = f"replies not read: {exc}"
                yield Batch(edge=edge, gap=account.missing["replies"])
                return
            except GoneError as exc:
                yield Batch(edge=edge, gap=f"conversation unavailable: {exc}", checkpoint={"complete": True})
                return
            listing_items(data, raw)  # a page whose data is not a list is malformed, not empty
            after = types.next_after(data)
            # A cursor seen before (A -> B -> A) would page for ever: the conversation ends there.
            cycle = after is not None and seen.repeats(after)
            after = None if cycle else after
            batch = self._replies_batch(data, raw, post.post_id, account, after)
            yield (
                batch.model_copy(update={"gap": cycle_gap(f"replies of {post.post_id}")}) if cycle else batch
            )
            if not after:
                return

    @staticmethod
    def _replies_batch(
        data: dict[str, Any], raw: RawPayload, root_id: str, account: Account, after: str | None
    ) -> Batch:
        comments: list[CommentRecord] = []
        bad: list[BadRecord] = []
        for item in data.get("data") or []:
            try:
                comments.append(types.reply_from_item(item, root_id, account.username))
            except MAPPING_ERRORS as exc:
                bad.append(bad_record(raw, item, exc))
        checkpoint = {"after": after} if after else {"complete": True}
        return Batch(edge=f"comments:{root_id}", raw=raw, comments=comments, bad=bad, checkpoint=checkpoint)


def _unfinished(checkpoint: Mapping[str, Any] | None) -> bool:
    """Whether a conversation's checkpoint is a cursor left by a read cut short."""
    return bool(checkpoint and checkpoint.get("after") and not checkpoint.get("complete"))


def _check_owner(target: Target, account: Account) -> None:
    """The API reads only the token owner's account: refuse to file its data under another one."""
    wanted_id = target.platform_id or (target.handle if target.kind == "id" else None)
    handle = target.handle.lstrip("@").lower() if target.kind == "handle" else None
    if (wanted_id and wanted_id != account.user_id) or (
        handle and account.username and handle != account.username.lower()
    ):
        raise AccessError(
            f"threads: the token belongs to @{account.username} ({account.user_id}), not to "
            f"{target.handle!r}; the Threads API reads only the token owner's own account"
        )
