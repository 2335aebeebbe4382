"""A micro-cache of whole answers: a page or API answer rendered once is served for a few seconds.

Like nginx's micro-caching: the data change only when a collection run or a metrics refresh
writes them, so an answer a few seconds old is as good as a fresh one, and under load most
requests are then served without a query or a template. Pure ASGI, one per worker process.

* What is cached: a GET's complete ``200`` answer (one body message), without ``Set-Cookie``,
  ``Vary``, or ``no-store``/``private`` in its ``Cache-Control``, and no larger than
  ``max_entry_bytes``. Redirects, errors, streamed answers (downloads, static files), the admin
  area (``/admin``) and requests carrying ``Authorization`` or ``Cookie`` go through untouched.
* The key: the scheme, ``Host`` and root path (absolute links in feeds are built from them), the
  path and the raw query string (so ``?page=2`` and ``?page=3`` are different answers; the same
  parameters in another order are a miss, never a wrong answer). No other request header is in
  it because no answer depends on one: the language is in the path, and ``/`` redirects by the
  settings' default language (a redirect, so never stored anyway). An answer that names a header it
  depends on (``Vary``) is not stored.
* Lifetime: ``ttl`` seconds from when the answer was rendered. When an entry expires under load,
  one request renders it again while the others are served the stale entry (nginx's
  ``proxy_cache_use_stale updating``); with no entry at all, concurrent requests for one key wait
  for the first one's rendering instead of each rendering it (``proxy_cache_lock``).
* Bounds: least recently used entries are dropped once the bodies and headers held add up to
  more than ``max_bytes``.

It sits inside ``ConditionalGet`` (``web/caching.py``): a cached body still gets its ETag, its
``Cache-Control`` and a ``304`` for a matching ``If-None-Match``, and HEAD (turned into GET there)
is served from the same entries.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: The header that says whether an answer came from this cache: ``HIT``, ``STALE`` or ``MISS``.
STATUS_HEADER = "x-page-cache"
#: What an entry costs beyond its body and headers (the key, the objects): a rough figure.
ENTRY_OVERHEAD = 200

Key = tuple[str, str, str, str, bytes]


@dataclass(frozen=True)
class Entry:
    """A stored answer: its status line's headers and body, when it was rendered, what it weighs."""

    headers: list[tuple[bytes, bytes]]
    body: bytes
    stored_at: float

    @property
    def size(self) -> int:
        """Bytes held for this entry."""
        return len(self.body) + sum(len(k) + len(v) for k, v in self.headers) + ENTRY_OVERHEAD


class ResponseCache:
    """The middleware: ``ttl`` seconds of life per answer, ``max_bytes`` in all per process."""

    def __init__(
        self,
        app: ASGIApp,
        ttl: float,
        max_bytes: int = 64 * 2**20,
        max_entry_bytes: int = 2 * 2**20,
        clock: Callable[[], float] = time.monotonic,
        skip_prefixes: tuple[str, ...] = ("/static/", "/admin"),
    ) -> None:
        self.app = app
        self.ttl = ttl
        self.max_bytes = max_bytes
        self.max_entry_bytes = max_entry_bytes
        self.clock = clock
        self.skip_prefixes = skip_prefixes
        self.entries: OrderedDict[Key, Entry] = OrderedDict()
        self.held = 0
        self._rendering: dict[Key, asyncio.Event] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = self._key(scope)
        if key is None:
            await self.app(scope, receive, send)
            return
        entry = self._fresh_or_stale(key)
        if entry is not None and (self._is_fresh(entry) or key in self._rendering):
            await _replay(entry, send, "HIT" if self._is_fresh(entry) else "STALE")
            return
        waiting = self._rendering.get(key)
        if waiting is not None:  # no entry yet: wait for the request that is rendering it
            await waiting.wait()
            entry = self._fresh_or_stale(key)
            if entry is not None:
                await _replay(entry, send, "HIT")
                return
        await self._render(key, scope, receive, send)

    def _key(self, scope: Scope) -> Key | None:
        """The cache key of a request, or None when it must not be cached."""
        if scope["type"] != "http" or scope["method"] != "GET" or self.ttl <= 0:
            return None
        path: str = scope["path"]
        if path.startswith(self.skip_prefixes):
            return None
        headers = Headers(scope=scope)
        # Whoever proves who they are may be shown something of their own: never share it. (The
        # portal sets no cookie; the admin area's is scoped to /admin, which is skipped anyway.)
        if "authorization" in headers or "cookie" in headers:
            return None
        return (
            scope["scheme"],
            headers.get("host", ""),
            scope.get("root_path", ""),
            path,
            scope["query_string"],
        )

    def _is_fresh(self, entry: Entry) -> bool:
        return self.clock() - entry.stored_at < self.ttl

    def _fresh_or_stale(self, key: Key) -> Entry | None:
        entry = self.entries.get(key)
        if entry is not None:
            self.entries.move_to_end(key)
        return entry

    async def _render(self, key: Key, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the app for this request, store its answer if it may be, and pass it on."""
        # Only the request that started rendering a key stores its answer; others pass theirs on.
        done = self._rendering.get(key)
        owner = done is None
        if done is None:
            done = self._rendering[key] = asyncio.Event()
        recorder = _Recorder(send, self.clock())
        try:
            await self.app(scope, receive, recorder.send)
        finally:
            if owner:
                if recorder.entry is not None and recorder.entry.size <= self.max_entry_bytes:
                    self._store(key, recorder.entry)
                del self._rendering[key]
                done.set()

    def _store(self, key: Key, entry: Entry) -> None:
        old = self.entries.pop(key, None)
        if old is not None:
            self.held -= old.size
        self.entries[key] = entry
        self.held += entry.size
        while self.held > self.max_bytes and self.entries:
            _, dropped = self.entries.popitem(last=False)
            self.held -= dropped.size


class _Recorder:
    """Passes an answer on as it comes, and keeps a copy when it is one the cache may store."""

    def __init__(self, send: Send, started: float) -> None:
        self._send = send
        self.started = started
        self.start: Message | None = None
        self.entry: Entry | None = None
        self.chunks = 0

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.start = message
            message = _marked(message, "MISS")
        elif message["type"] == "http.response.body":
            self.chunks += 1
            complete = self.chunks == 1 and not message.get("more_body", False)
            if complete and self.start is not None and _storable(self.start):
                self.entry = Entry(list(self.start["headers"]), bytes(message.get("body", b"")), self.started)
        await self._send(message)


def _storable(start: Message) -> bool:
    """Whether an answer's status and headers let it be stored and shared."""
    headers = Headers(raw=start["headers"])
    control = headers.get("cache-control", "")
    return (
        start["status"] == 200
        and "set-cookie" not in headers
        and "vary" not in headers
        and "no-store" not in control
        and "private" not in control
    )


def _marked(start: Message, status: str) -> Message:
    return {**start, "headers": [*start["headers"], (STATUS_HEADER.encode(), status.encode())]}


async def _replay(entry: Entry, send: Send, status: str) -> None:
    start = {"type": "http.response.start", "status": 200, "headers": entry.headers}
    await send(_marked(start, status))
    await send({"type": "http.response.body", "body": entry.body})
