"""The Facebook Pages connector: profile snapshot, posts with engagement counts, and comments.

Per run it reads ``GET /{page}`` (followers), then ``GET /{page}/posts`` newest first, from the
earlier of the previous run's newest post and the start of the refresh window
(``Connector.refresh_since``) on (``since``), and after each page of posts the comments of those
posts (``GET /{post-id}/comments?filter=stream``, so replies come in the same listing, with
``parent``). Engagement comes with the posts in one call: each reaction type through a field alias,
the comment total through ``comments.summary``, and ``shares``. So every post published within the
refresh window is listed again on every run (a new counts snapshot each time), and its comments are
read again from the start even when their listing was complete (new comments are inserted, the
others are noops). Older posts are not asked for again.

Checkpoints (one per edge, stored with each batch):

* ``posts``: ``{"after": cursor, "since": iso, "newest": iso}`` while paging (or ``until`` and
  ``paging_token`` where Graph pages by time), ``{"newest": iso, "complete": True}`` when done.
  A listing cut short resumes from its cursor with the ``since`` it started with. An account's
  first listing starts at ``Connector.first_run_since`` when that is set; if it finds no post, its
  final checkpoint keeps that ``since`` for the next run to start from.
* ``comments:{post_id}``: ``{"after": cursor}`` while paging, ``{"complete": True}`` when done.
  Comment listings cut short by a previous run are resumed even when their post is not listed again.
  A complete listing is read again only while its post is within the refresh window.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlsplit

import httpx
from pydantic import ValidationError

from govsocial.collect.base import Connector, Target
from govsocial.collect.errors import AuthError, CollectError, GoneError, PayloadError, credential_names
from govsocial.collect.facebook import errors, types
from govsocial.collect.facebook.errors import CursorLimitError
from govsocial.collect.http import path_segment
from govsocial.collect.paging import SeenCursors, cycle_gap, listing_items
from govsocial.collect.privacy import with_decoded
from govsocial.collect.records import (
    BadRecord,
    Batch,
    CommentRecord,
    PostRecord,
    RawPayload,
    listing_bad_record,
)
from govsocial.settings import Settings

PROFILE_FIELDS = "id,name,username,followers_count,fan_count"
POST_FIELDS = ",".join(
    [
        "id",
        "created_time",
        "updated_time",
        "message",
        "story",
        "permalink_url",
        "status_type",
        "attachments{media_type,type,url,unshimmed_url,title,media,subattachments}",
        "full_picture",
        "shares",
        "reactions.limit(0).summary(total_count)",
        *(
            f"reactions.type({kind}).limit(0).summary(total_count).as({kind.lower()})"
            for kind in types.REACTION_TYPES
        ),
        "comments.filter(stream).limit(0).summary(true)",
    ]
)
# permalink_url: under PPCA it is the only place the comment's id still appears (types.comment_ids).
COMMENT_FIELDS = "id,message,created_time,from,like_count,comment_count,parent{id},permalink_url"
#: Query parameters of a time-paged ``paging.next`` URL that locate the next page.
TIME_PAGING_PARAMS = ("until", "__paging_token")

Parser = Callable[[Mapping[str, Any]], PostRecord | CommentRecord]


def next_cursor(data: Mapping[str, Any]) -> dict[str, str] | None:
    """Where the next page starts, or None on the last page.

    Graph marks "more" by ``paging.next``; ``cursors.after`` alone also appears on last pages.
    Time-paged edges (``/posts`` in some versions) have no cursors: the next URL's ``until`` and
    ``__paging_token`` locate the page. Only those are kept, never the URL, which holds the token.
    """
    paging = data.get("paging")
    if not isinstance(paging, Mapping) or not paging.get("next"):
        return None
    cursors = paging.get("cursors")
    after = cursors.get("after") if isinstance(cursors, Mapping) else None
    if after:
        return {"after": str(after)}
    query = dict(parse_qsl(urlsplit(str(paging["next"])).query))
    found = {key: query[key] for key in TIME_PAGING_PARAMS if query.get(key)}
    return found or None


def bad_record(source: str, raw: RawPayload, item: Any, exc: Exception) -> BadRecord:
    """An item of a listing that could not be read, kept with the reason."""
    return listing_bad_record(source, raw.location, item, exc)


def parse_items(items: Any, parse: Parser, source: str, raw: RawPayload) -> tuple[list[Any], list[BadRecord]]:
    """Records of a listing's ``data``; items that do not parse become ``BadRecord``s."""
    good: list[Any] = []
    bad: list[BadRecord] = []
    for item in items if isinstance(items, list) else []:
        try:
            good.append(parse(as_object(item)))
        except (KeyError, TypeError, ValueError, ValidationError) as exc:
            bad.append(bad_record(source, raw, item, exc))
    return good, bad


def as_object(item: Any) -> Mapping[str, Any]:
    """``item`` if it is a JSON object; ``TypeError`` (so it is quarantined) if not."""
    if not isinstance(item, Mapping):
        raise TypeError(f"a listing item is {type(item).__name__}, not an object")
    return item


def newest_of(current: str | None, posts: list[PostRecord]) -> str | None:
    """The later of the checkpoint's newest time and the newest post of this page, as ISO text."""
    times = [dt.datetime.fromisoformat(current)] if current else []
    times.extend(post.created_at for post in posts)
    return types.format_time(max(times)) if times else None


def listing_since(newest: str | None, window: dt.datetime) -> str | None:
    """Where a new listing starts: the earlier of the newest post seen and the refresh window's start.

    None (the whole listing) when no post has been seen yet: the account's first collection."""
    if not newest:
        return None
    return types.format_time(min(dt.datetime.fromisoformat(newest), window))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class FacebookConnector(Connector):
    """Facebook Pages through the Graph API (a Page token, or an app token with PPCA)."""

    platform: ClassVar[str] = "facebook"
    default_base_url: ClassVar[str] = "https://graph.facebook.com/v23.0"
    credential_setting: ClassVar[str | None] = "facebook_token"

    @classmethod
    def base_url_from(cls, settings: Settings) -> str | None:
        """The Graph API root at the version pinned in the settings."""
        return f"https://graph.facebook.com/{settings.graph_api_version}"

    #: ``posts`` (the Page's own posts; PPCA suffices) or ``published_posts`` (a Page token).
    posts_edge: ClassVar[str] = "posts"
    page_size: ClassVar[int] = 100
    comments_page_size: ClassVar[int] = 100

    @staticmethod
    def classify(response: httpx.Response) -> CollectError | None:
        """Graph error rules (see ``facebook.errors``)."""
        return errors.classify(response, "facebook")

    @staticmethod
    def pause(response: httpx.Response) -> float | None:
        """Usage-header rules (see ``facebook.errors``)."""
        return errors.pause(response)

    async def collect(
        self, target: Target, checkpoints: Mapping[str, dict[str, Any]]
    ) -> AsyncIterator[Batch]:
        """Profile, then pages of posts each followed by their comments, then unfinished comments."""
        window = self.refresh_since(_now())
        profile = await self._profile(target)
        yield profile
        page_id = (profile.profile.platform_id if profile.profile else None) or target.platform_id
        unfinished = unfinished_comment_edges(checkpoints)
        async for batch in self._posts(target, checkpoints.get("posts"), window):
            # The page's checkpoint is saved only after its posts' comments: a run killed while
            # reading them re-reads this page (noop) instead of losing those comments.
            yield batch.model_copy(update={"checkpoint": None})
            async for comments in self._page_comments(batch, page_id, checkpoints, unfinished, window):
                yield comments
            if batch.checkpoint is not None:
                yield Batch(edge="posts", checkpoint=batch.checkpoint)
        for post_id in unfinished:
            async for comments in self._comments(post_id, page_id, checkpoints):
                yield comments

    async def _page_comments(
        self,
        batch: Batch,
        page_id: str | None,
        checkpoints: Mapping[str, dict[str, Any]],
        unfinished: dict[str, None],
        window: dt.datetime,
    ) -> AsyncIterator[Batch]:
        """The comments of the posts of one page of the listing (again, for posts in the window)."""
        for post in batch.posts:
            unfinished.pop(post.post_id, None)
            if post.counts is not None and post.counts.comments == 0:
                continue  # nothing to read: save the call
            refresh = post.created_at >= window
            async for comments in self._comments(post.post_id, page_id, checkpoints, refresh=refresh):
                yield comments

    async def _get(self, path: str, params: Mapping[str, Any], source: str) -> tuple[Any, RawPayload]:
        if not self.token:
            raise AuthError(f"facebook: {source}: no token configured ({credential_names('facebook_token')})")
        query = {**params, "access_token": self.token}
        try:
            data, raw = await self.http.get_json(f"{self.base_url}{path}", query, source)
        except CollectError as exc:
            errors.forget_token(exc, self.token)  # should the API have echoed it
            raise
        # The errors name the URL asked for (its secrets redacted), not only the edge, so that a
        # failed run says which page of which listing to look at.
        if data is False:  # how Graph has answered for an object the token cannot see
            raise GoneError(f"facebook: {raw.location}: the API answered false (object gone or not visible)")
        if not isinstance(data, dict):
            shape = type(data).__name__
            raise PayloadError(f"facebook: {raw.location}: the API answered {shape}, not an object")
        # The payload as decoded goes with it: the writer redacts it without decoding it again.
        return data, with_decoded(raw, data)

    async def _profile(self, target: Target) -> Batch:
        data, raw = await self._get(
            f"/{path_segment(target.ref)}", {"fields": PROFILE_FIELDS}, "facebook:/{page}"
        )
        record = types.profile_record(data, target.ref, _now())
        return Batch(edge="profile", raw=raw, profile=record)

    async def _posts(
        self, target: Target, state: Mapping[str, Any] | None, window: dt.datetime
    ) -> AsyncIterator[Batch]:
        first = not state
        state = state or {}
        newest: str | None = state.get("newest")
        cursor = _cursor_of(state)
        # Mid-listing, keep the lower bound that listing started with; otherwise start at the newest
        # post seen, or at the refresh window's start when that is earlier (re-read recent posts).
        since: str | None = state.get("since") if cursor else listing_since(newest_or_bound(state), window)
        bound = self.first_run_since(_now()) if first else None
        if bound is not None:  # the account's first listing, bounded by the operator: Graph filters
            since = types.format_time(bound)
            self.log_first_run_bound(target.handle, bound, cut=False)
        source = f"facebook:/{{page}}/{self.posts_edge}"
        seen = SeenCursors(cursor)
        while True:
            params: dict[str, Any] = {"fields": POST_FIELDS, "limit": self.page_size, **cursor}
            if since:
                params["since"] = int(dt.datetime.fromisoformat(since).timestamp())
            try:
                data, raw = await self._get(f"/{path_segment(target.ref)}/{self.posts_edge}", params, source)
            except (GoneError, CursorLimitError) as exc:
                if not cursor:
                    raise
                # The item the cursor pointed at was deleted, or the edge will not page deeper.
                stopped = f"post listing stopped early: {exc}"
                yield Batch(edge="posts", gap=stopped, checkpoint=done_state(newest, since))
                return
            parse = _bind_post(target.ref, _now())
            posts, bad = parse_items(listing_items(data, raw), parse, source, raw)
            newest = newest_of(newest, posts)
            following = next_cursor(data)
            # A cursor seen before (A -> B -> A) would page for ever: end the listing, with a gap.
            if following is None or seen.repeats(following):
                gap = cycle_gap("post listing") if following else None
                done = done_state(newest, since)
                yield Batch(edge="posts", raw=raw, posts=posts, bad=bad, checkpoint=done, gap=gap)
                return
            cursor = following
            checkpoint = _paging_state(cursor, since, newest)
            yield Batch(edge="posts", raw=raw, posts=posts, bad=bad, checkpoint=checkpoint)

    async def _comments(
        self,
        post_id: str,
        page_id: str | None,
        checkpoints: Mapping[str, dict[str, Any]],
        *,
        refresh: bool = False,
    ) -> AsyncIterator[Batch]:
        """A post's comments from its checkpoint's cursor; a complete listing again only if ``refresh``."""
        edge = f"comments:{post_id}"
        state = checkpoints.get(edge) or {}
        if state.get("complete") and not refresh:
            return
        # A complete listing is re-read from the start: Graph has no time filter on comments, and
        # ``order`` is not kept where comments are ranked. Comments already stored are noops.
        after: str | None = None if state.get("complete") else state.get("after")
        source = "facebook:/{post-id}/comments"
        seen = SeenCursors(after)
        while True:
            params: dict[str, Any] = {
                "fields": COMMENT_FIELDS,
                "filter": "stream",
                "order": "chronological",
                "limit": self.comments_page_size,
            }
            if after:
                params["after"] = after
            try:
                data, raw = await self._get(f"/{path_segment(post_id)}/comments", params, source)
            except (GoneError, CursorLimitError) as exc:
                gap = f"comments of {post_id} stopped: {exc}"
                yield Batch(edge=edge, gap=gap, checkpoint={"complete": True})
                return
            items = listing_items(data, raw)
            comments, bad = parse_items(items, _bind_comment(post_id, page_id), source, raw)
            following = next_cursor(data)
            after = following.get("after") if following else None
            # A cursor seen before (A -> B -> A) would page for ever: the listing ends there, complete.
            cycle = after is not None and seen.repeats(after)
            after = None if cycle else after
            checkpoint: dict[str, Any] = {"after": after} if after else {"complete": True}
            page_gap = cycle_gap(f"comments of {post_id}") if cycle else None
            # The page as decoded goes with it: the writer scrubs it without decoding it again.
            kept = with_decoded(raw, data)
            yield Batch(edge=edge, raw=kept, comments=comments, bad=bad, checkpoint=checkpoint, gap=page_gap)
            if not after:
                return


def _bind_post(account_ref: str, taken_at: dt.datetime) -> Parser:
    return lambda item: types.post_record(item, account_ref, taken_at)


def _bind_comment(post_id: str, page_id: str | None) -> Parser:
    return lambda item: types.comment_record(item, post_id, page_id)


#: Checkpoint key -> Graph paging parameter (``__paging_token`` is kept without its underscores).
_CURSOR_KEYS = {"after": "after", "until": "until", "paging_token": "__paging_token"}


def _cursor_of(state: Mapping[str, Any]) -> dict[str, str]:
    """The paging parameters stored in a posts checkpoint."""
    return {param: str(state[key]) for key, param in _CURSOR_KEYS.items() if state.get(key)}


def _paging_state(cursor: Mapping[str, str], since: str | None, newest: str | None) -> dict[str, Any]:
    """The posts checkpoint while paging: where the next page starts, and the listing's bounds."""
    state: dict[str, Any] = {"since": since, "newest": newest}
    state.update({key: cursor[param] for key, param in _CURSOR_KEYS.items() if param in cursor})
    return state


def done_state(newest: str | None, since: str | None) -> dict[str, Any]:
    """A finished listing's checkpoint: its newest post, from which the next run reads on. A
    listing bounded by ``since`` that found no post (the first run of an account that has not
    posted since ``collect_first_run_days`` ago) keeps that bound instead, so the next run does not
    read the whole listing."""
    return {"newest": newest, "complete": True, **({"since": since} if newest is None and since else {})}


def newest_or_bound(state: Mapping[str, Any]) -> str | None:
    """Where a finished listing's successor starts: its newest post, else the bound it kept."""
    return state.get("newest") or state.get("since")


def unfinished_comment_edges(checkpoints: Mapping[str, dict[str, Any]]) -> dict[str, None]:
    """Post ids whose comment listing a previous run left half read (ordered, as a dict)."""
    return {
        edge.split(":", 1)[1]: None
        for edge, state in checkpoints.items()
        if edge.startswith("comments:") and state and state.get("after") and not state.get("complete")
    }
