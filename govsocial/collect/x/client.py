"""The X connector: the account's profile, its posts newest first, and each post's replies.

The bearer token goes in an ``Authorization`` header. The runner shares one ``httpx.AsyncClient``
between all platforms, so the header is not set on the client (every platform would receive X's
token): a request hook adds it only to requests for this connector's API root.

Checkpoints
    posts              ``{"after": next_token, "since_id": id, "newest_id": id, "newest": iso}`` while
                       paging (plus ``"start_time": iso`` when the listing reads by time);
                       ``{"newest_id": id, "newest": iso, "complete": True}`` at the end. The next run
                       reads the posts of the refresh window again (``start_time`` = ``refresh_since``),
                       for fresh counts and new replies; when the last run's newest post is older than
                       the window, it asks for the posts after it (``since_id``) instead. An
                       account's first listing asks for the posts from ``first_run_since`` on
                       (``start_time``) when that is set; if it finds none, its final checkpoint
                       keeps that ``start_time`` for the next run.
    comments:{post}    the same, over ``search/recent?query=conversation_id:{post}``. Read again (for a
                       post listed again), it asks only for replies after its ``newest_id``. The recent
                       search sees the last 7 days only: older posts' replies are not read (a gap says so).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

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
from govsocial.collect.paging import ListingPaging, cycle_gap, listing_items
from govsocial.collect.records import (
    BadRecord,
    Batch,
    CommentRecord,
    PostRecord,
    RawPayload,
    listing_bad_record,
)
from govsocial.collect.x import errors, types

POST_PARAMS = {
    "tweet.fields": "created_at,public_metrics,conversation_id,attachments,entities,referenced_tweets",
    "expansions": "attachments.media_keys",
    "media.fields": "type,url,preview_image_url",
    "max_results": 100,
}
REPLY_PARAMS = {
    "tweet.fields": ",".join(
        [
            "created_at",
            "author_id",
            "conversation_id",
            "in_reply_to_user_id",
            "referenced_tweets",
            "public_metrics",
        ]
    ),
    "max_results": 100,
}
USER_PARAMS = {"user.fields": "public_metrics"}
#: How far back ``search/recent`` sees; older replies need the full-archive search (higher plans).
SEARCH_WINDOW = dt.timedelta(days=7)
#: A since_id this close to the window's edge may already be outside it, which X refuses (400).
SEARCH_MARGIN = dt.timedelta(hours=1)
MAPPING_ERRORS = (KeyError, ValueError, TypeError, AttributeError)
#: What X's documentation calls a listing's cursor, as the gap of a refused one says it.
CURSOR_TERM = "paging token"


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def bad_record(raw: RawPayload, item: Any, exc: Exception) -> BadRecord:
    """An item that could not be mapped, kept with the reason."""
    return listing_bad_record(raw.source, raw.location, item, exc)


@dataclass
class IdCursor:
    """Where a newest-first, id-ordered listing stands (X ids grow with time).

    ``since_id`` is the newest item before this listing: what is newer is new. The listing asks for
    the items after it, or, when ``start_time`` is set, for every item from that time on.
    """

    after: str | None = None
    since_id: str | None = None
    newest_id: str | None = None
    newest: str | None = None
    start_time: str | None = None

    @classmethod
    def resume(cls, checkpoint: Mapping[str, Any] | None) -> IdCursor:
        """Continue a listing cut short, or ask for what came after the last run's newest post."""
        checkpoint = checkpoint or {}
        newest_id, newest = checkpoint.get("newest_id"), checkpoint.get("newest")
        if checkpoint.get("after") and not checkpoint.get("complete"):
            return cls(
                str(checkpoint["after"]),
                checkpoint.get("since_id"),
                newest_id,
                newest,
                checkpoint.get("start_time"),
            )
        # A bounded first listing that found no post kept its ``start_time``: list from there again.
        start_time = None if newest_id else checkpoint.get("start_time")
        return cls(None, newest_id, newest_id, newest, start_time)

    def params(self, page_param: str) -> dict[str, str]:
        """The query parameters of the next page."""
        bound = {"start_time": self.start_time} if self.start_time else _opt("since_id", self.since_id)
        return {**bound, **_opt(page_param, self.after)}

    def is_new(self, item_id: str) -> bool:
        """Whether an item is newer than the newest one before this listing."""
        return self.since_id is None or int(item_id) > int(self.since_id)

    def see(self, items: list[PostRecord] | list[CommentRecord]) -> None:
        """Remember the newest of ``items`` (by id, as X orders them)."""
        for item in items:
            item_id = item.post_id if isinstance(item, PostRecord) else item.comment_id
            if self.newest_id is None or int(item_id) > int(self.newest_id):
                self.newest_id, self.newest = item_id, item.created_at.isoformat()

    def checkpoint(self, next_token: str | None) -> dict[str, Any]:
        """The state to store after a page."""
        if not next_token:
            # No post found: keep the time bound, or the next run would list the whole timeline.
            kept = {"start_time": self.start_time} if self.start_time and not self.newest_id else {}
            return {"newest_id": self.newest_id, "newest": self.newest, "complete": True, **kept}
        window = {"start_time": self.start_time} if self.start_time else {}
        return {
            "after": next_token,
            "since_id": self.since_id,
            "newest_id": self.newest_id,
            "newest": self.newest,
            **window,
        }


@dataclass
class ReplyState:
    """Per-account state of reply collection within one ``collect`` call."""

    account_id: str
    blocked: str | None = None  # why replies cannot be read at all (e.g. the plan lacks search)


class XConnector(Connector):
    """Collects an X account with an app-only bearer token (``x_bearer_token``)."""

    platform: ClassVar[str] = "x"
    default_base_url: ClassVar[str] = "https://api.twitter.com/2"
    credential_setting: ClassVar[str | None] = "x_bearer_token"

    def __init__(self, http: HttpClient, token: str | None, base_url: str | None = None) -> None:
        super().__init__(http, token, base_url)
        self.clock = _utc_now
        if token:
            http.client.event_hooks["request"].append(self._authorize)

    async def _authorize(self, request: httpx.Request) -> None:
        """Adds the bearer token to requests for this API root only (the client is shared)."""
        if str(request.url).startswith(self.base_url + "/") and self.token:
            request.headers["Authorization"] = f"Bearer {self.token}"

    @staticmethod
    def classify(response: httpx.Response) -> CollectError | None:
        return errors.classify(response)

    @staticmethod
    def pause(response: httpx.Response) -> float | None:
        return errors.pause(response)

    async def _get(
        self, path: str, params: Mapping[str, Any], source: str
    ) -> tuple[dict[str, Any], RawPayload]:
        if not self.token:
            raise AuthError(f"x: no bearer token configured ({credential_names('x_bearer_token')})")
        data, raw = await self.http.get_json(f"{self.base_url}/{path}", params, source=f"x:{source}")
        if not isinstance(data, dict):
            raise PayloadError(f"x: {raw.location}: expected a JSON object")
        return data, raw

    async def collect(
        self, target: Target, checkpoints: Mapping[str, dict[str, Any]]
    ) -> AsyncIterator[Batch]:
        """Profile, then each page of posts followed by the replies to them."""
        user, raw = await self._user(target)
        yield Batch(edge="profile", raw=raw, profile=types.profile_from_user(user, target.ref, self.clock()))
        async for batch in self._posts(target.ref, ReplyState(str(user["id"])), checkpoints):
            yield batch

    async def _user(self, target: Target) -> tuple[dict[str, Any], RawPayload]:
        if target.platform_id or target.kind == "id":
            path = f"users/{path_segment(target.platform_id or target.handle)}"
        else:
            path = f"users/by/username/{path_segment(target.handle.lstrip('@'))}"
        data, raw = await self._get(path, USER_PARAMS, "users")
        if not isinstance(data.get("data"), dict):
            raise GoneError(f"x: account {target.handle!r}: {errors.partial_errors(data) or 'not returned'}")
        return data["data"], raw

    # -- posts -----------------------------------------------------------------------------------

    async def _posts(
        self, account_ref: str, state: ReplyState, checkpoints: Mapping[str, dict[str, Any]]
    ) -> AsyncIterator[Batch]:
        cursor = IdCursor.resume(checkpoints.get("posts"))
        first = None if checkpoints.get("posts") else self.first_run_since(self.clock())
        if first is not None:  # the account's first listing, bounded by the operator: X filters
            cursor.start_time = _x_time(first)
            self.log_first_run_bound(account_ref, first, cut=False)
        elif cursor.after is None and cursor.since_id is not None:
            window = self.refresh_since(self.clock())
            if _newest_time(cursor) > window:  # read the window again, new posts included
                cursor.start_time = _x_time(window)
        window_start = types.parse_time(cursor.start_time) if cursor.start_time else None
        paging = ListingPaging("post listing", cursor.after, term=CURSOR_TERM)
        while True:
            params = {**POST_PARAMS, **cursor.params("pagination_token")}
            try:
                data, raw = await self._get(
                    f"users/{path_segment(state.account_id)}/tweets", params, "users/:id/tweets"
                )
            except errors.InvalidPaginationTokenError as exc:
                # A token kept from an earlier run can expire: list again from the top once, with the
                # same bounds (posts already stored are noops), rather than fail every run.
                yield Batch(edge="posts", gap=paging.restart(cursor, exc))
                continue
            listing_items(data, raw)  # a page whose data is not a list is malformed, not empty
            batch = self._posts_batch(data, raw, account_ref)
            # Replies are read for new posts and those of the window, while the recent search sees
            # them; a post listed again from before the window (a server ignoring start_time) is only
            # a snapshot. The gap for posts too old to search is said once, when they are new.
            new = [p for p in batch.posts if cursor.is_new(p.post_id)]
            due = [
                p
                for p in batch.posts
                if cursor.is_new(p.post_id) or (window_start and p.created_at >= window_start)
            ]
            recent = [p for p in due if self._searchable(p.created_at)]
            cursor.see(batch.posts)
            yield self._note_old(batch, sum(not self._searchable(p.created_at) for p in new))
            for post in recent:
                checkpoint = checkpoints.get(f"comments:{post.post_id}")
                async for reply_batch in self._replies(post, state, checkpoint):
                    yield reply_batch
            next_token = (data.get("meta") or {}).get("next_token")
            # A token seen before (the same one for ever, or A -> B -> A): end the listing, with a gap.
            cycle = bool(next_token) and paging.seen.repeats(str(next_token))
            next_token = None if cycle else next_token
            gap = cycle_gap("post listing") if cycle else None
            yield Batch(edge="posts", checkpoint=cursor.checkpoint(next_token), gap=gap)
            if not next_token:
                return
            cursor.after = str(next_token)

    def _searchable(self, when: dt.datetime, margin: dt.timedelta = dt.timedelta(0)) -> bool:
        """Whether the recent search still sees posts from ``when`` (less ``margin`` of safety)."""
        return self.clock() - when < SEARCH_WINDOW - margin

    @staticmethod
    def _note_old(batch: Batch, old: int) -> Batch:
        if not old:
            return batch
        note = f"replies of {old} post(s) older than 7 days not read (recent search only)"
        return batch.model_copy(update={"gap": f"{batch.gap}; {note}" if batch.gap else note})

    def _posts_batch(self, data: dict[str, Any], raw: RawPayload, account_ref: str) -> Batch:
        media = types.media_index(data)
        posts: list[PostRecord] = []
        bad: list[BadRecord] = []
        taken_at = self.clock()
        for tweet in data.get("data") or []:
            try:
                posts.append(types.post_from_tweet(tweet, account_ref, taken_at, media))
            except MAPPING_ERRORS as exc:
                bad.append(bad_record(raw, tweet, exc))
        return Batch(edge="posts", raw=raw, posts=posts, bad=bad, gap=errors.partial_errors(data))

    # -- replies ---------------------------------------------------------------------------------

    async def _replies(
        self, post: PostRecord, state: ReplyState, checkpoint: Mapping[str, Any] | None
    ) -> AsyncIterator[Batch]:
        edge = f"comments:{post.post_id}"
        if post.counts and post.counts.replies == 0 and not (checkpoint or {}).get("after"):
            return  # nothing to read, and each search call is billed
        if state.blocked:
            yield Batch(edge=edge, gap=state.blocked)
            return
        cursor = IdCursor.resume(checkpoint)
        if cursor.since_id and not self._searchable(types.snowflake_time(cursor.since_id), SEARCH_MARGIN):
            cursor.since_id = None  # X refuses a since_id outside the window; the window bounds the read
        paging = ListingPaging(f"replies of {post.post_id}", cursor.after, term=CURSOR_TERM)
        while True:
            params = {
                **REPLY_PARAMS,
                "query": f"conversation_id:{post.post_id}",
                **cursor.params("next_token"),
            }
            try:
                data, raw = await self._get("tweets/search/recent", params, "tweets/search/recent")
            except errors.InvalidPaginationTokenError as exc:
                yield Batch(edge=edge, gap=paging.restart(cursor, exc))
                continue
            except AccessError as exc:
                state.blocked = f"replies not read: {exc}"
                yield Batch(edge=edge, gap=state.blocked)
                return
            except GoneError as exc:
                yield Batch(edge=edge, gap=f"conversation unavailable: {exc}", checkpoint={"complete": True})
                return
            listing_items(data, raw)  # a page whose data is not a list is malformed, not empty
            batch = self._replies_batch(data, raw, post.post_id, state.account_id)
            cursor.see(batch.comments)
            next_token = (data.get("meta") or {}).get("next_token")
            # A token seen before (the same one for ever, or A -> B -> A): the conversation ends there.
            cycle = bool(next_token) and paging.seen.repeats(str(next_token))
            next_token = None if cycle else next_token
            gaps = [batch.gap, cycle_gap(f"replies of {post.post_id}") if cycle else None]
            gap = "; ".join(g for g in gaps if g) or None  # the page's own partial errors stay
            yield batch.model_copy(update={"checkpoint": cursor.checkpoint(next_token), "gap": gap})
            if not next_token:
                return
            cursor.after = str(next_token)

    @staticmethod
    def _replies_batch(data: dict[str, Any], raw: RawPayload, root_id: str, account_id: str) -> Batch:
        comments: list[CommentRecord] = []
        bad: list[BadRecord] = []
        for tweet in data.get("data") or []:
            if str(tweet.get("id")) == root_id:
                continue  # the search can match the root post itself
            try:
                comments.append(types.reply_from_tweet(tweet, root_id, account_id))
            except MAPPING_ERRORS as exc:
                bad.append(bad_record(raw, tweet, exc))
        return Batch(
            edge=f"comments:{root_id}", raw=raw, comments=comments, bad=bad, gap=errors.partial_errors(data)
        )


def _opt(key: str, value: str | None) -> dict[str, str]:
    return {key: value} if value else {}


def _x_time(when: dt.datetime) -> str:
    """A time as X's ``start_time`` takes it: ``2024-05-13T09:00:00Z`` (whole seconds, UTC)."""
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _newest_time(cursor: IdCursor) -> dt.datetime:
    """When the newest post already read was created: its stored time, else from its id."""
    try:
        return types.parse_time(cursor.newest)
    except ValueError:
        return types.snowflake_time(str(cursor.since_id))
