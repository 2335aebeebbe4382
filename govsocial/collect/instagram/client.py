"""The Instagram connector (Instagram API with Facebook Login, ``graph.facebook.com``).

Two ways in, chosen per account:

* **Own account**: the token belongs to the account (``target.platform_id`` is its IG user id).
  ``GET /{ig-user-id}`` for the profile, ``GET /{ig-user-id}/media`` for posts, and
  ``GET /{media-id}/comments`` (top-level comments with their ``replies`` nested) for comments.
* **Business discovery**: any other Business/Creator account, read through the collecting
  account: ``GET /{own-ig-user-id}?fields=business_discovery.username(handle){...}``. Public fields
  only: no comments, and ``like_count`` is missing where the owner hid it.

Media come newest first and neither listing filters by time, so incremental runs stop paging at the
first media no newer than the earlier of the previous run's newest and the start of the refresh
window (``Connector.refresh_since``): media published within the window are read again on every run
(a new counts snapshot each time), and the comments of the own account's media in the window are
read again from the start even when their listing was complete. Older media get no new request.
An account's first listing stops the same way at ``Connector.first_run_since`` when that is set.
Checkpoints: ``posts`` is ``{"after": cursor, "since": iso, "newest": iso}`` while paging (a listing
cut short resumes with the ``since`` it started with) and ``{"newest": iso, "complete": True}`` when
done (plus the ``since`` of a bounded first listing that found no media, for the next run to stop
at); ``comments:{media_id}`` is ``{"after": cursor}`` / ``{"complete": True}``.
"""

from __future__ import annotations

import datetime as dt
import re
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
from govsocial.collect.facebook.client import (
    as_object,
    bad_record,
    done_state,
    listing_since,
    newest_of,
    newest_or_bound,
    next_cursor,
    unfinished_comment_edges,
)
from govsocial.collect.facebook.errors import CursorLimitError, RequestError
from govsocial.collect.http import HttpClient, path_segment
from govsocial.collect.instagram import errors, types
from govsocial.collect.paging import SeenCursors, cycle_gap, listing_items
from govsocial.collect.records import BadRecord, Batch, CommentRecord, PostRecord, RawPayload
from govsocial.settings import Settings

PROFILE_FIELDS = "id,username,name,followers_count,follows_count,media_count"
MEDIA_FIELDS = (
    "id,caption,media_type,media_product_type,permalink,timestamp,like_count,comments_count,"
    "media_url,thumbnail_url,children{media_type,media_url,thumbnail_url}"
)
_COMMENT = "id,text,timestamp,username,from{id,username},like_count,parent_id"
COMMENT_FIELDS = f"{_COMMENT},replies{{{_COMMENT}}}"
#: Instagram user names: letters, digits, periods and underscores (checked before going into a field query).
USERNAME = re.compile(r"[A-Za-z0-9._]{1,30}")
DISCOVERY_SOURCE = "instagram:/{ig-user-id}?fields=business_discovery"
MEDIA_SOURCE = "instagram:/{ig-user-id}/media"
COMMENTS_SOURCE = "instagram:/{ig-media-id}/comments"


@dataclass(frozen=True)
class MediaPage:
    """One page of media and where the next one starts (None: last page)."""

    items: list[Any]
    after: str | None
    raw: RawPayload


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class InstagramConnector(Connector):
    """Instagram Business/Creator accounts through the Graph API."""

    platform: ClassVar[str] = "instagram"
    default_base_url: ClassVar[str] = "https://graph.facebook.com/v23.0"
    credential_setting: ClassVar[str | None] = "instagram_token"

    @classmethod
    def base_url_from(cls, settings: Settings) -> str | None:
        """The Graph API root at the version pinned in the settings."""
        return f"https://graph.facebook.com/{settings.graph_api_version}"

    @classmethod
    def options_from(cls, settings: Settings) -> dict[str, Any]:
        """Business discovery goes through the collecting account's own IG user id."""
        return {"own_ig_user_id": settings.instagram_user_id}

    page_size: ClassVar[int] = 50
    #: The comments edge returns at most 50 per page.
    comments_page_size: ClassVar[int] = 50

    def __init__(
        self,
        http: HttpClient,
        token: str | None,
        base_url: str | None = None,
        *,
        own_ig_user_id: str | None = None,
    ) -> None:
        super().__init__(http, token, base_url)
        #: The collecting account's IG user id, through which business discovery reads other accounts.
        self.own_ig_user_id = own_ig_user_id

    @staticmethod
    def classify(response: httpx.Response) -> CollectError | None:
        """Graph error rules, shared with Facebook (80002 is Instagram's throttle)."""
        return errors.classify(response)

    @staticmethod
    def pause(response: httpx.Response) -> float | None:
        """Usage-header rules, shared with Facebook."""
        return errors.pause(response)

    async def collect(
        self, target: Target, checkpoints: Mapping[str, dict[str, Any]]
    ) -> AsyncIterator[Batch]:
        """Profile, then pages of media, each followed by its comments when the account is our own."""
        window = self.refresh_since(_now())
        own = self._is_own(target)
        profile, username = await (self._own_profile(target) if own else self._discovery_profile(target))
        yield profile
        # Our own replies are recognised by id, or by user name where the API gives only that.
        me = _Me(target.platform_id, username or target.handle)
        unfinished = unfinished_comment_edges(checkpoints) if own else {}
        async for batch in self._media(target, own, checkpoints.get("posts"), window):
            # The page's checkpoint is saved only after its posts' comments: a run killed while
            # reading them re-reads this page (noop) instead of losing those comments.
            yield batch.model_copy(update={"checkpoint": None})
            async for comments in self._page_comments(batch, me, checkpoints, unfinished, own, window):
                yield comments
            if batch.checkpoint is not None:
                yield Batch(edge="posts", checkpoint=batch.checkpoint)
        for media_id in unfinished:
            async for comments in self._comments(media_id, me, checkpoints):
                yield comments

    async def _page_comments(
        self,
        batch: Batch,
        me: _Me,
        checkpoints: Mapping[str, dict[str, Any]],
        unfinished: dict[str, None],
        own: bool,
        window: dt.datetime,
    ) -> AsyncIterator[Batch]:
        """The comments of the media of one page of the listing (own account only; again, in the window)."""
        if not own:
            return  # business discovery exposes no comments
        for post in batch.posts:
            unfinished.pop(post.post_id, None)
            if post.counts is not None and post.counts.comments == 0:
                continue  # nothing to read: save the call
            refresh = post.created_at >= window
            async for comments in self._comments(post.post_id, me, checkpoints, refresh=refresh):
                yield comments

    def _is_own(self, target: Target) -> bool:
        """Whether ``target`` is the collecting account itself (its token reads everything)."""
        if target.platform_id and self.own_ig_user_id in (None, target.platform_id):
            return True
        if self.own_ig_user_id:
            return False
        raise AccessError(
            f"instagram: @{target.handle}: business discovery needs the collecting account's IG user id "
            "(construct the connector with own_ig_user_id), or give the account's own platform_id"
        )

    async def _get(
        self, path: str, params: Mapping[str, Any], source: str
    ) -> tuple[dict[str, Any], RawPayload]:
        """``GET`` the ``path`` (``_node``'s: its id one path segment)."""
        if not self.token:
            raise AuthError(
                f"instagram: {source}: no token configured ({credential_names('instagram_token')})"
            )
        query = {**params, "access_token": self.token}
        data, raw = await self.http.get_json(f"{self.base_url}{path}", query, source)
        if not isinstance(data, dict):
            raise PayloadError(f"instagram: {source}: the API answered {type(data).__name__}, not an object")
        return data, raw

    async def _own_profile(self, target: Target) -> tuple[Batch, str | None]:
        """The profile batch and the account's user name."""
        params = {"fields": PROFILE_FIELDS}
        data, raw = await self._get(_node(target.platform_id), params, "instagram:/{ig-user-id}")
        return _profile_batch(data, raw, target), _str(data.get("username"))

    async def _discovery_profile(self, target: Target) -> tuple[Batch, str | None]:
        fields = f"business_discovery.username({_username(target)}){{{PROFILE_FIELDS}}}"
        data, raw = await self._get(_node(self.own_ig_user_id), {"fields": fields}, DISCOVERY_SOURCE)
        found = _discovered(data)
        return _profile_batch(found, raw, target), _str(found.get("username"))

    async def _media_page(self, target: Target, own: bool, after: str | None) -> MediaPage:
        """One page of media, from the account's own ``/media`` edge or from business discovery."""
        if own:
            params: dict[str, Any] = {"fields": MEDIA_FIELDS, "limit": self.page_size}
            if after:
                params["after"] = after
            data, raw = await self._get(_node(target.platform_id, "media"), params, MEDIA_SOURCE)
            following = next_cursor(data)
            return MediaPage(listing_items(data, raw), following.get("after") if following else None, raw)
        paging = f".after({after})" if after else ""
        media = f"media.limit({self.page_size}){paging}{{{MEDIA_FIELDS}}}"
        fields = f"business_discovery.username({_username(target)}){{{media}}}"
        data, raw = await self._get(_node(self.own_ig_user_id), {"fields": fields}, DISCOVERY_SOURCE)
        block = _discovered(data).get("media")
        # Discovery pages carry only cursors (no "next" URL): more may follow while a page is not empty.
        items = listing_items(block, raw) if isinstance(block, Mapping) else []
        return MediaPage(items, _after(block) if items else None, raw)

    async def _media(
        self, target: Target, own: bool, state: Mapping[str, Any] | None, window: dt.datetime
    ) -> AsyncIterator[Batch]:
        first = self.first_run_since(_now()) if not state else None
        state = state or {}
        newest: str | None = state.get("newest")
        after: str | None = state.get("after")
        # Mid-listing, keep the bound that listing started with; otherwise stop at the newest seen,
        # or at the refresh window's start when that is earlier (media in the window are read again).
        since: str | None = state.get("since") if after else listing_since(newest_or_bound(state), window)
        if first is not None:  # the account's first listing, bounded by the operator
            since = first.isoformat()
        bound = dt.datetime.fromisoformat(since) if since else None
        source = MEDIA_SOURCE if own else DISCOVERY_SOURCE
        seen = SeenCursors(after)
        while True:
            try:
                page = await self._media_page(target, own, after)
            except (GoneError, CursorLimitError) as exc:
                if not after:
                    raise
                stopped = f"media listing stopped early: {exc}"
                yield Batch(edge="posts", gap=stopped, checkpoint=done_state(newest, since))
                return
            posts, bad = _parse_media(page, target.ref, source)
            reached_bound = bound is not None and any(post.created_at <= bound for post in posts)
            posts = [post for post in posts if bound is None or post.created_at > bound]
            newest = newest_of(newest, posts)
            # A cursor seen before (A -> B -> A) would page for ever: end the listing, with a gap.
            cycle = page.after is not None and not reached_bound and seen.repeats(page.after)
            if page.after is None or cycle or reached_bound:
                gap = cycle_gap("media listing") if cycle else None
                if first is not None and reached_bound:
                    self.log_first_run_bound(target.handle, first, cut=True)
                done = done_state(newest, since)
                yield Batch(edge="posts", raw=page.raw, posts=posts, bad=bad, checkpoint=done, gap=gap)
                return
            after = page.after
            checkpoint = {"after": after, "since": since, "newest": newest}
            yield Batch(edge="posts", raw=page.raw, posts=posts, bad=bad, checkpoint=checkpoint)

    async def _comments(
        self, media_id: str, me: _Me, checkpoints: Mapping[str, dict[str, Any]], *, refresh: bool = False
    ) -> AsyncIterator[Batch]:
        """A media's comments from its checkpoint's cursor; a complete listing again only if ``refresh``."""
        edge = f"comments:{media_id}"
        state = checkpoints.get(edge) or {}
        if state.get("complete") and not refresh:
            return
        # A complete listing is re-read from the start: the edge has no time filter, and a new reply
        # can sit under an old comment. Comments already stored are noops.
        after: str | None = None if state.get("complete") else state.get("after")
        seen = SeenCursors(after)
        while True:
            params: dict[str, Any] = {"fields": COMMENT_FIELDS, "limit": self.comments_page_size}
            if after:
                params["after"] = after
            try:
                data, raw = await self._get(_node(media_id, "comments"), params, COMMENTS_SOURCE)
            except (GoneError, CursorLimitError) as exc:
                gap = f"comments of {media_id} stopped: {exc}"
                yield Batch(edge=edge, gap=gap, checkpoint={"complete": True})
                return
            listing_items(data, raw)  # a page whose data is not a list is malformed, not empty
            batches = [_comments_batch(edge, data, raw, media_id, me)]
            for item in types.listing(data):  # objects only: the others are quarantined above
                batches.extend([b async for b in self._more_replies(edge, item, media_id, me)])
            following = next_cursor(data)
            after = following.get("after") if following else None
            # A cursor seen before (A -> B -> A) would page for ever: the listing ends there, complete.
            cycle = after is not None and seen.repeats(after)
            after = None if cycle else after
            # The checkpoint goes on the page's last batch: a run killed before it re-reads the page.
            checkpoint = {"after": after} if after else {"complete": True}
            gaps = [batches[-1].gap, cycle_gap(f"comments of {media_id}") if cycle else None]
            page_gap = "; ".join(g for g in gaps if g) or None  # the last batch may be replies with a gap
            batches[-1] = batches[-1].model_copy(update={"checkpoint": checkpoint, "gap": page_gap})
            for batch in batches:
                yield batch
            if not after:
                return

    async def _more_replies(
        self, edge: str, comment: Mapping[str, Any], media_id: str, me: _Me
    ) -> AsyncIterator[Batch]:
        """Replies beyond the first page nested in a comment, from ``GET /{comment-id}/replies``."""
        nested = comment.get("replies")
        following = next_cursor(nested) if isinstance(nested, Mapping) else None
        parent = str(comment.get("id") or "")
        seen = SeenCursors()
        while following and following.get("after") and parent:
            if seen.repeats(following["after"]):  # A -> B -> A would page for ever
                yield Batch(edge=edge, gap=cycle_gap(f"replies of {parent}"))
                return
            params = {"fields": _COMMENT, "limit": self.comments_page_size, "after": following["after"]}
            data, raw = await self._get(
                _node(parent, "replies"), params, "instagram:/{ig-comment-id}/replies"
            )
            records, bad = _parse_comments(listing_items(data, raw), raw, media_id, me, parent)
            yield Batch(edge=edge, raw=raw, comments=records, bad=bad)
            following = next_cursor(data)


@dataclass(frozen=True)
class _Me:
    """The collected account, to tell its own replies from others' comments."""

    ig_user_id: str | None
    username: str | None


def _node(node: str | None, edge: str | None = None) -> str:
    """The path of a node (``/{id}``) or of one of its edges (``/{id}/{edge}``), the id one
    percent-encoded path segment whatever it holds: ids come from the API, the registry and the
    settings, and ``12/../me`` must not name another endpoint."""
    return f"/{path_segment(node or '')}" + (f"/{edge}" if edge else "")


def _profile_batch(data: Mapping[str, Any], raw: RawPayload, target: Target) -> Batch:
    return Batch(edge="profile", raw=raw, profile=types.profile_record(data, target.ref, _now()))


def _str(value: Any) -> str | None:
    return str(value) if value else None


def _parse_media(page: MediaPage, account_ref: str, source: str) -> tuple[list[PostRecord], list[BadRecord]]:
    taken_at = _now()
    posts: list[PostRecord] = []
    bad: list[BadRecord] = []
    for item in page.items:
        try:
            posts.append(types.post_record(as_object(item), account_ref, taken_at))
        except (KeyError, TypeError, ValueError) as exc:
            bad.append(bad_record(source, page.raw, item, exc))
    return posts, bad


def _parse_comments(
    items: list[Any], raw: RawPayload, media_id: str, me: _Me, parent_id: str | None = None
) -> tuple[list[CommentRecord], list[BadRecord]]:
    records: list[CommentRecord] = []
    bad: list[BadRecord] = []
    for item in items:
        try:
            item = as_object(item)
            if parent_id is None:
                records.extend(types.comment_records(item, media_id, me.ig_user_id, me.username))
            else:
                records.append(types.comment_record(item, media_id, me.ig_user_id, me.username, parent_id))
        except (KeyError, TypeError, ValueError) as exc:
            bad.append(bad_record(COMMENTS_SOURCE, raw, item, exc))
    return records, bad


def _comments_batch(edge: str, data: Mapping[str, Any], raw: RawPayload, media_id: str, me: _Me) -> Batch:
    records, bad = _parse_comments(types.items(data), raw, media_id, me)
    return Batch(edge=edge, raw=raw, comments=records, bad=bad)


def _discovered(data: Mapping[str, Any]) -> Mapping[str, Any]:
    found = data.get("business_discovery")
    if not isinstance(found, Mapping):
        raise PayloadError(f"instagram: {DISCOVERY_SOURCE}: response has no business_discovery object")
    return found


def _after(block: Any) -> str | None:
    paging = block.get("paging") if isinstance(block, Mapping) else None
    cursors = paging.get("cursors") if isinstance(paging, Mapping) else None
    after = cursors.get("after") if isinstance(cursors, Mapping) else None
    return str(after) if after else None


def _username(target: Target) -> str:
    """The handle to look up, checked because it is written into the ``fields`` expression."""
    handle = target.handle.strip().lstrip("@")
    if not USERNAME.fullmatch(handle):
        raise RequestError(f"instagram: {target.handle!r} is not an Instagram user name")
    return handle
