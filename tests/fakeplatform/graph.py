"""A fake Facebook Graph API, built from the recorded payloads, that knows the truth it serves.

Pages, posts and comments are made from the real fixture files (their shapes and texts) with new
ids and times, so that there are several pages of posts per account and several pages of comments
per post. Paging works as Graph's does: ``paging.cursors.after`` and a ``paging.next`` URL back to
this server (with the ``access_token`` in it, as Graph writes it). ``since`` filters posts by time.

Served paths (under any version prefix such as ``/v23.0``):

* ``GET /{page-handle-or-id}``: the Page node (profile; followers).
* ``GET /{page}/posts`` (and ``/published_posts``): the Page's posts, newest first.
* ``GET /{post-id}/comments``: the post's comments and replies in one chronological stream.

Each comment template that has an ``id`` (a Page-token shape) gets a ``from`` with a placeholder
citizen; templates without one (the PPCA shape) stay without ``id`` and ``from``, with the ids only
in ``permalink_url``, as Graph answers apps that use Page Public Content Access.
"""

from __future__ import annotations

import asyncio
import base64
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

from tests.fakeplatform.faults import Control, graph_error
from tests.fakeplatform.payloads import listing_items, load_json

PLATFORM = "facebook"
#: Newest post of the first page; every other time counts back from it.
BASE_TIME = dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.UTC)
#: Comments per post, cycled over each page's posts: one post without comments saves a call.
COMMENT_PATTERN = (5, 4, 0, 5, 3, 5)
#: Distinct citizens commenting on each page (they come back, so pseudonyms repeat).
CITIZENS = 7
PII_TEXT = "請致電 9123 4567 或電郵 citizen1@example.com 聯絡我"

POST_TEMPLATES = (
    "pyfacebook_v4_posts_with_reactions_by_type_p1.json",
    "pyfacebook_posts_feeds_default_fields_p1.json",
)
COMMENT_TEMPLATES = (
    "pyfacebook_comments_by_parent_p1.json",
    "pyfacebook_v4_comments_with_summary_p1.json",
    "pyfacebook_comments_comments_p1.json",
    "pyfacebook_comments_comments_p2.json",
)
#: Keys of templates that the fake sets itself (ids, times, identities, links).
_SET_BY_FAKE = ("id", "from", "parent", "permalink_url", "created_time", "updated_time", "comments")


def graph_time(value: dt.datetime) -> str:
    """Graph's time format: ``2021-07-04T19:50:58+0000``."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def encode_cursor(index: int) -> str:
    """An opaque cursor (Graph's are base64 too) that locates the item at ``index``."""
    return base64.urlsafe_b64encode(f"fake-cursor:{index}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The index a cursor from ``encode_cursor`` locates."""
    padded = cursor + "=" * (-len(cursor) % 4)
    return int(base64.urlsafe_b64decode(padded).decode().split(":", 1)[1])


@dataclass(frozen=True)
class Expected:
    """What the store must hold for one comment after a complete collection."""

    comment_id: str
    post_id: str
    parent_id: str | None
    author_id: str | None
    is_page_reply: bool
    text: str | None


@dataclass
class FakePost:
    """A post and its comment stream, as Graph JSON."""

    post_id: str
    created: dt.datetime
    data: dict[str, Any]
    comments: list[dict[str, Any]] = field(default_factory=list)
    expected: list[Expected] = field(default_factory=list)


@dataclass
class FakePage:
    """A Facebook Page of the registry, with its posts newest first."""

    handle: str
    page_id: str
    name: str
    followers: int
    posts: list[FakePost] = field(default_factory=list)


def _post(page: FakePage, index: int, created: dt.datetime, comments: int) -> FakePost:
    templates = listing_items(PLATFORM, *POST_TEMPLATES)
    template = copy.deepcopy(templates[index % len(templates)])
    data = {k: v for k, v in template.items() if k not in _SET_BY_FAKE}
    obj = str(int(page.page_id) * 1000 + index)
    post_id = f"{page.page_id}_{obj}"
    data.update(
        id=post_id,
        created_time=graph_time(created),
        updated_time=graph_time(created),
        permalink_url=f"https://www.facebook.com/{page.page_id}/posts/{obj}/",
        comments={"data": [], "summary": {"order": "chronological", "total_count": comments}},
    )
    post = FakePost(post_id, created, data)
    for k in range(comments):
        _add_comment(page, post, obj, k, comments)
    return post


def _add_comment(page: FakePage, post: FakePost, obj: str, k: int, count: int) -> None:
    """The ``k``-th of ``count`` comments: every third is a reply to the first, and the last of three
    or more is the Page's own reply (``is_page_reply``)."""
    templates = listing_items(PLATFORM, *COMMENT_TEMPLATES)
    template = templates[(int(obj) + k) % len(templates)]
    cid, first = str(int(obj) * 100 + k), str(int(obj) * 100)
    page_reply = k == count - 1 and count >= 3
    reply_to = first if k and (page_reply or k % 3 == 2) else None
    item = {key: v for key, v in copy.deepcopy(template).items() if key not in _SET_BY_FAKE}
    item["created_time"] = graph_time(post.created + dt.timedelta(minutes=k + 1))
    if k == 0 and obj.endswith("000"):
        item["message"] = PII_TEXT  # the first comment of each page's newest post carries personal data
    link = f"https://www.facebook.com/{page.page_id}/posts/{obj}/?comment_id={reply_to or cid}"
    item["permalink_url"] = link + (f"&reply_comment_id={cid}" if reply_to else "")
    author: str | None = None
    if "id" in template or page_reply:  # a Page-token shape: ids and the author are given
        citizen = (int(obj) + k) % CITIZENS
        author = page.page_id if page_reply else str(9_000_000_000_000 + int(page.page_id) + citizen)
        item["id"] = f"{obj}_{cid}"
        name = page.name if page_reply else f"Commenter {citizen + 1} of {page.handle}"
        item["from"] = {"name": name, "id": author}
        if reply_to:
            item["parent"] = {"id": f"{obj}_{reply_to}"}
    post.comments.append(item)
    parent = f"{obj}_{reply_to}" if reply_to else None
    text = item.get("message")
    post.expected.append(Expected(f"{obj}_{cid}", post.post_id, parent, author, page_reply, text))


def build_pages(handles: Sequence[str], posts_per_page: int = 6) -> list[FakePage]:
    """Pages for ``handles`` (registry handles), each with ``posts_per_page`` posts and their comments."""
    profile = load_json(PLATFORM, "pyfacebook_v4_page_info.json")
    pages = []
    for i, handle in enumerate(handles):
        page = FakePage(
            handle,
            str(1_000_000_000 + 1000 * (i + 1)),
            f"{profile['name']} {handle}",
            followers=10_000 * (i + 1),
        )
        for j in range(posts_per_page):
            created = BASE_TIME - dt.timedelta(hours=6 * j, minutes=i)
            page.posts.append(_post(page, j, created, COMMENT_PATTERN[j % len(COMMENT_PATTERN)]))
        pages.append(page)
    return pages


class FakeGraph:
    """The fake Graph API: its data, its fault control, and the ASGI app serving them."""

    def __init__(
        self,
        pages: Iterable[FakePage],
        token: str,
        posts_page_size: int = 2,
        comments_page_size: int = 2,
        control: Control | None = None,
    ) -> None:
        self.pages = {page.handle: page for page in pages}
        self.by_page_id = {page.page_id: page for page in self.pages.values()}
        self.posts = {post.post_id: (page, post) for page in self.pages.values() for post in page.posts}
        self.token = token
        self.posts_page_size = posts_page_size
        self.comments_page_size = comments_page_size
        self.control = control or Control()

    # --- the truth, for assertions ---------------------------------------------------------

    def expected_posts(self, handles: Iterable[str] | None = None) -> dict[str, FakePost]:
        """Posts by id (of ``handles``, or of every page)."""
        chosen = self.pages if handles is None else set(handles)
        return {p.post_id: p for page in self.pages.values() if page.handle in chosen for p in page.posts}

    def expected_comments(self, handles: Iterable[str] | None = None) -> dict[str, Expected]:
        """Comments by id (of ``handles``, or of every page)."""
        return {c.comment_id: c for post in self.expected_posts(handles).values() for c in post.expected}

    def citizen_identities(self) -> set[str]:
        """Every commenter id and name the fake serves (none may reach the store in clear)."""
        found: set[str] = set()
        for page in self.pages.values():
            for post in page.posts:
                for item in post.comments:
                    author = item.get("from") or {}
                    if author.get("id") and author["id"] != page.page_id:
                        found.update({author["id"], author["name"]})
        return found

    # --- serving ---------------------------------------------------------------------------

    def app(self) -> Starlette:
        """The ASGI app (one catch-all route)."""
        return Starlette(routes=[Route("/{path:path}", self.handle)])

    def account_of(self, parts: list[str]) -> str | None:
        """The page handle a request concerns (a page node, or a post of the page)."""
        node = parts[1] if len(parts) > 1 else ""
        if node in self.pages:
            return node
        if node in self.by_page_id:
            return self.by_page_id[node].handle
        found = self.posts.get(node)
        return found[0].handle if found else None

    async def handle(self, request: Request) -> Response:
        """Count and log the request, apply the fault plan, and answer."""
        parts = request.url.path.strip("/").split("/")
        params = dict(request.query_params)
        account = self.account_of(parts)
        fault = self.control.fault_for(account, request.url.path)
        token_ok = params.get("access_token") == self.token
        self.control.record(account, request.url.path, params, token_ok, fault)
        if fault is not None and fault.delay:
            await asyncio.sleep(fault.delay)
        response = self.answer(request, parts, params) if token_ok else _invalid_token()
        return fault.respond(response) if fault is not None else response

    def answer(self, request: Request, parts: list[str], params: dict[str, str]) -> Response:
        """The normal answer to a request with a valid token."""
        node, edge = [*parts, "", ""][1:3]
        page = self.pages.get(node) or self.by_page_id.get(node)
        if page is not None and not edge:
            return _json(self._profile(page, params.get("fields")))
        if page is not None and edge in ("posts", "published_posts", "feed"):
            since = int(params["since"]) if params.get("since") else None
            posts = [p.data for p in page.posts if since is None or p.created.timestamp() >= since]
            return _json(self._listing(request, posts, params, self.posts_page_size))
        found = self.posts.get(node)
        if found is not None and edge == "comments":
            return _json(self._listing(request, found[1].comments, params, self.comments_page_size))
        return _does_not_exist(node)

    @staticmethod
    def _profile(page: FakePage, fields: str | None) -> dict[str, Any]:
        data = load_json(PLATFORM, "pyfacebook_v4_page_info.json")
        data.update(
            id=page.page_id,
            name=page.name,
            username=page.handle,
            fan_count=page.followers,
            followers_count=page.followers,
        )
        wanted = set(fields.split(",")) if fields else {"id", "name"}
        return {k: v for k, v in data.items() if k in wanted}

    @staticmethod
    def _listing(
        request: Request, items: list[dict[str, Any]], params: dict[str, str], size: int
    ) -> dict[str, Any]:
        limit = min(int(params.get("limit", size)), size)
        start = decode_cursor(params["after"]) if params.get("after") else 0
        chunk = items[start : start + limit]
        if not chunk:
            return {"data": []}
        end = start + len(chunk)
        paging: dict[str, Any] = {"cursors": {"before": encode_cursor(start), "after": encode_cursor(end)}}
        if end < len(items):
            paging["next"] = str(request.url.include_query_params(after=encode_cursor(end)))
        return {"data": chunk, "paging": paging}


def _json(data: Any) -> Response:
    return Response(json.dumps(data, ensure_ascii=False), 200, media_type="application/json")


def _invalid_token() -> Response:
    error = {
        "message": "Invalid OAuth access token - Cannot parse access token",
        "type": "OAuthException",
        "code": 190,
        "fbtrace_id": "FakeTraceToken",
    }
    return graph_error(400, error)


def _does_not_exist(node: str) -> Response:
    error = {
        "message": f"Unsupported get request. Object with ID '{node}' does not exist, cannot be loaded "
        "due to missing permissions, or does not support this operation.",
        "type": "GraphMethodException",
        "code": 100,
        "error_subcode": 33,
        "fbtrace_id": "FakeTrace404",
    }
    return graph_error(400, error)
