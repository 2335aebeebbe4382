"""The RSS/Atom connector: one conditional GET per feed and run, items as posts.

Edges and checkpoints:

- ``profile``: the feed's title, every run (a feed has no follower count); checkpoint
  ``{"name": title}`` so that a run answered 304 still names the feed;
- ``posts``: one batch per fetch. Checkpoint ``{"etag", "last_modified", "newest", "seen",
  "complete": True}``: the validators for the next conditional GET, the newest item time seen,
  and the ids of the items seen (the current window first, at most ``MAX_SEEN``). A feed is a
  window of its latest N items, not a listing that can be paged, so "incremental" means: only
  items whose id is not in ``seen`` are yielded, and when no item seen before is left in the
  window, the batch says that items may have been missed between polls.
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
import re
import xml.sax
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any, ClassVar, TypeVar
from urllib.parse import urlsplit, urlunsplit

import feedparser  # type: ignore[import-untyped]
import httpx

from govsocial.collect.base import Connector, Target
from govsocial.collect.errors import (
    CollectError,
    PayloadError,
    QuotaExceededError,
    RateLimitedError,
    TransientError,
)
from govsocial.collect.http import redact_url
from govsocial.collect.records import BadRecord, Batch, PostRecord, ProfileRecord, RawPayload
from govsocial.collect.rss import errors, types

T = TypeVar("T")
#: How many item ids the checkpoint keeps: more than any feed window, few enough to stay small.
MAX_SEEN = 2000
_XML_ENCODING = re.compile(rb"""\A(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")

Fetched = tuple[T, RawPayload, httpx.Response]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def conditional_headers(state: Mapping[str, Any]) -> dict[str, str]:
    """``If-None-Match`` / ``If-Modified-Since`` from the validators the last fetch returned."""
    headers = {}
    if state.get("etag"):
        headers["If-None-Match"] = str(state["etag"])
    if state.get("last_modified"):
        headers["If-Modified-Since"] = str(state["last_modified"])
    return headers


def body_text(response: httpx.Response) -> str:
    """The body as text, in the encoding the XML declaration names when the headers name none."""
    match = _XML_ENCODING.match(response.content)
    if response.charset_encoding is None and match:
        name = match.group(1).decode("ascii")
        try:
            codecs.lookup(name)
        except LookupError:
            return response.text
        return response.content.decode(name, errors="replace")
    return response.text


def _ill_formed(feed: Any) -> Exception | None:
    """The XML error when the document is not well-formed (other ``bozo`` flags are harmless)."""
    exc = feed.get("bozo_exception")
    return exc if feed.get("bozo") and isinstance(exc, xml.sax.SAXException) else None


def parse_feed(response: httpx.Response) -> Any:
    """The ``feedparser`` result of a response; ``PayloadError`` when it is no readable feed.

    feedparser gets the bytes, not the text, so that it honours the XML declaration's encoding
    (Big5 feeds exist), and a stream, so that it never takes the body for a URL or a file name.
    It is not told the feed's URL: it would resolve relative guids against it, and an item's id
    must not change when the feed moves.
    """
    headers = {"content-type": response.headers.get("content-type", "")}
    feed = feedparser.parse(io.BytesIO(response.content), response_headers=headers)
    shown = f"rss: {redact_url(response.url)}"
    if not feed.get("version"):
        raise PayloadError(f"{shown}: not an RSS or Atom document")
    broken = _ill_formed(feed)
    if broken is not None and not feed.entries:
        raise PayloadError(f"{shown}: the feed is not well-formed XML ({broken})")
    return feed


class RssConnector(Connector):
    """Reads one RSS or Atom feed per target: ``target.url``, else ``target.handle``."""

    platform: ClassVar[str] = "rss"
    #: Feeds live on many hosts: no API root. A base URL given per instance (tests, a caching
    #: proxy) replaces the scheme and host of every feed URL and keeps its path and query.
    default_base_url: ClassVar[str] = ""
    credential_setting: ClassVar[str | None] = None

    @staticmethod
    def classify(response: httpx.Response) -> CollectError | None:
        """Per the HTTP status (see ``rss.errors``)."""
        return errors.classify(response)

    def feed_url(self, target: Target) -> str:
        """Where to fetch the target's feed."""
        url = target.url or target.handle
        if not self.base_url:
            return url
        parts, base = urlsplit(url), urlsplit(self.base_url)
        return urlunsplit((base.scheme, base.netloc, base.path + parts.path, parts.query, ""))

    async def collect(
        self, target: Target, checkpoints: Mapping[str, dict[str, Any]]
    ) -> AsyncIterator[Batch]:
        """A profile batch, then one batch of the items not seen before (none when 304)."""
        state = checkpoints.get("posts") or {}
        fetched = await self.get_text(self.feed_url(target), conditional_headers(state), parse_feed)
        if fetched is None:
            name = (checkpoints.get("profile") or {}).get("name")
            profile = ProfileRecord(platform=self.platform, account_ref=target.ref, taken_at=_now(),
                                    name=name)  # fmt: skip
            yield Batch(edge="profile", profile=profile)
            yield Batch(edge="posts")  # not modified: nothing new, the checkpoint stands
            return
        feed, raw, response = fetched
        profile = types.feed_profile(feed.feed, target.ref, raw.fetched_at)
        yield Batch(edge="profile", profile=profile, checkpoint={"name": profile.name})
        yield self._posts_batch(feed, raw, response.headers, state, target.ref)

    def _posts_batch(
        self, feed: Any, raw: RawPayload, headers: httpx.Headers, state: Mapping[str, Any], ref: str
    ) -> Batch:
        previous = [str(item) for item in state.get("seen") or []]
        posts, bad, window = _new_items(feed.entries, set(previous), ref, raw)
        broken = _ill_formed(feed)
        checkpoint = {
            # A body cut short must be fetched whole next time, so its validators are not kept.
            "etag": None if broken else headers.get("etag"),
            "last_modified": None if broken else headers.get("last-modified"),
            "newest": _newest(posts, state.get("newest")),
            # The current window first; older ids stay while there is room, so a window that
            # shrinks for one fetch (a body cut short) does not make its old items new again.
            "seen": list(dict.fromkeys(window + previous))[:MAX_SEEN],
            "complete": True,
        }
        return Batch(edge="posts", raw=raw, posts=posts, bad=bad, checkpoint=checkpoint,
                     gap=_gap(set(previous), window, broken))  # fmt: skip

    async def get_text(
        self, url: str, headers: Mapping[str, str], decode: Callable[[httpx.Response], T]
    ) -> Fetched[T] | None:
        """GET ``url`` as ``HttpClient.get_json`` would (classify, retry faults and unreadable
        bodies with backoff, wait out rate limits) but decode the body with ``decode``, and send
        ``headers``. None when the server answers 304 Not Modified."""
        policy = self.http.policy
        for attempt in range(1, policy.attempts + 1):
            try:
                return await self._get_once(url, headers, decode)
            except QuotaExceededError:
                raise
            except RateLimitedError as exc:
                wait = _seconds_until(exc.retry_at) if exc.retry_at else policy.backoff(attempt + 2)
                if wait > policy.max_rate_limit_wait or attempt == policy.attempts:
                    raise
                await self._wait(max(wait, 0.0))
            except (TransientError, PayloadError):
                if attempt == policy.attempts:
                    raise
                await self._wait(policy.backoff(attempt))
        raise TransientError(f"rss: {redact_url(url)}: gave up after {policy.attempts} attempts")

    async def _wait(self, seconds: float) -> None:
        self.http.retries += 1
        await self.http.sleep(seconds)

    async def _get_once(
        self, url: str, headers: Mapping[str, str], decode: Callable[[httpx.Response], T]
    ) -> Fetched[T] | None:
        self.http.requests += 1
        shown = f"rss: {redact_url(url)}"
        try:
            response = await self.http.client.get(url, headers=dict(headers), follow_redirects=True)
        except httpx.TimeoutException as exc:
            raise TransientError(f"{shown}: timed out") from exc
        except httpx.TransportError as exc:
            raise TransientError(f"{shown}: {type(exc).__name__}") from exc
        except httpx.RequestError as exc:  # a redirect loop, an undecodable compressed body
            raise PayloadError(f"{shown}: {type(exc).__name__}") from exc
        error = self.http.classify(response)
        if error is not None:
            raise error
        if response.status_code == errors.NOT_MODIFIED:
            return None
        decoded = decode(response)
        raw = RawPayload(source=types.SOURCE, location=redact_url(response.url), fetched_at=_now(),
                         status=response.status_code, body=body_text(response))  # fmt: skip
        return decoded, raw, response


def _new_items(
    entries: list[Any], seen: set[str], ref: str, raw: RawPayload
) -> tuple[list[PostRecord], list[BadRecord], list[str]]:
    """Posts and bad records of the items not in ``seen``, and the ids of every item in the feed."""
    posts: list[PostRecord] = []
    bad: list[BadRecord] = []
    window: list[str] = []
    for index, entry in enumerate(entries, start=1):
        item_id = types.entry_id(entry)
        if item_id is not None:
            window.append(item_id)
            if item_id in seen:
                continue  # stored (or quarantined) by an earlier run
        try:
            posts.append(types.entry_post(entry, ref, raw.fetched_at, raw.location))
        except types.BadItem as exc:
            bad.append(types.bad_item(entry, f"{raw.location}, item {index}", str(exc)))
    return posts, bad, window


def _seconds_until(when: dt.datetime) -> float:
    return (when - _now()).total_seconds()


def _newest(posts: list[PostRecord], previous: Any) -> str | None:
    times = [post.created_at for post in posts]
    if isinstance(previous, str):
        times.append(dt.datetime.fromisoformat(previous))
    return max(times).isoformat() if times else None


def _gap(seen: set[str], window: list[str], broken: Exception | None) -> str | None:
    if broken is not None:
        return f"the feed is not well-formed XML ({broken}): items after the fault may be missing"
    if seen and window and seen.isdisjoint(window):
        return ("no item of the previous fetch is in the feed any more: items published between the "
                "two fetches may have been missed (fetch this feed more often)")  # fmt: skip
    return None
