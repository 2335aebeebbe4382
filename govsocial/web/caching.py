"""HTTP caching for the portal and the API: ETags from the response body, ``304 Not Modified``, HEAD.

A pure ASGI middleware (no per-request task like ``BaseHTTPMiddleware``). For a GET or HEAD whose
answer is a complete ``200`` (one body message; streamed answers pass through untouched), it adds a
weak ETag (a BLAKE2b digest of the body: weak because a proxy may compress or re-encode it) and the
``Cache-Control`` the path's policy gives, and answers ``304`` with no body when ``If-None-Match``
names that tag. The page is still rendered to compare tags: a 304 saves the transfer, not the query.

HEAD is served as the GET of the same URL with the body dropped (FastAPI routes answer GET only).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Set to True in the scope of a HEAD served as a GET, so that a route whose GET is not safe (the
#: admin area's one-time token page) can answer without acting.
HEAD_AS_GET = "govsocial.head"
#: Headers that describe a body; a 304 has none (RFC 9110, 15.4.5).
BODY_HEADERS = ("content-length", "content-type", "content-encoding", "transfer-encoding")


def etag(body: bytes) -> str:
    """The weak ETag of a body: ``W/"<32 hex digits>"``."""
    return f'W/"{hashlib.blake2b(body, digest_size=16).hexdigest()}"'


def matches(if_none_match: str, tag: str) -> bool:
    """Whether an ``If-None-Match`` value names ``tag`` (weak comparison, ``*`` matches any)."""
    wanted = tag.removeprefix("W/")
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == wanted:
            return True
    return False


class ConditionalGet:
    """ETags, ``Cache-Control`` and ``304`` for complete ``200`` answers to GET and HEAD.

    ``cache_control(path)`` gives the ``Cache-Control`` value for a path, or None to set none; a
    value the route set itself is kept. Answers that already carry an ETag (static files) or say
    ``no-store`` are left as they are.
    """

    def __init__(self, app: ASGIApp, cache_control: Callable[[str], str | None]) -> None:
        self.app = app
        self.cache_control = cache_control

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        head = scope["method"] == "HEAD"
        if head:
            scope = {**scope, "method": "GET", HEAD_AS_GET: True}
        condition = ", ".join(Headers(scope=scope).getlist("if-none-match"))
        policy = self.cache_control(scope["path"])
        exchange = _Exchange(send, head, condition, policy)
        await self.app(scope, receive, exchange.send)


class _Exchange:
    """One response on its way out: the start is held until the body shows whether it is complete."""

    def __init__(self, send: Send, head: bool, condition: str, policy: str | None) -> None:
        self._send = send
        self.head = head
        self.condition = condition
        self.policy = policy
        self.start: Message | None = None
        self.streaming = False

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.start = message
            return
        complete = message["type"] == "http.response.body" and not message.get("more_body", False)
        if self.start is not None and not (complete and self._cacheable()):
            # Streamed, or not ours to tag: pass it on as it came.
            self.streaming = True
            await self._send(self.start)
            self.start = None
        if self.streaming or self.start is None:
            await self._send(self._strip(message))
            return
        await self._complete(self.start, message.get("body", b""))

    def _cacheable(self) -> bool:
        assert self.start is not None
        headers = Headers(raw=self.start["headers"])
        return (
            self.start["status"] == 200
            and "etag" not in headers
            and "no-store" not in headers.get("cache-control", "")
        )

    def _strip(self, message: Message) -> Message:
        """A body message, empty for HEAD (the headers still say what GET would send)."""
        if self.head and message["type"] == "http.response.body":
            return {**message, "body": b""}
        return message

    async def _complete(self, start: Message, body: bytes) -> None:
        headers = MutableHeaders(raw=list(start["headers"]))
        tag = etag(body)
        headers["etag"] = tag
        if self.policy is not None and "cache-control" not in headers:
            headers["cache-control"] = self.policy
        if self.condition and matches(self.condition, tag):
            for name in BODY_HEADERS:
                del headers[name]
            await self._send({**start, "status": 304, "headers": headers.raw})
            await self._send({"type": "http.response.body", "body": b""})
            return
        await self._send({**start, "headers": headers.raw})
        await self._send({"type": "http.response.body", "body": b"" if self.head else body})
