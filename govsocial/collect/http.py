"""HTTP for connectors: retries with backoff for transient faults only, and waiting out rate limits.

One ``HttpClient`` serves one platform for a whole run, shared by every account on it, so a
rate-limit signal seen on one account slows all requests to that platform. The connector supplies
two functions: ``classify`` turns a response into a ``CollectError`` (or None when it is fine) and
``pause`` reads usage headers into seconds to wait before the next request.

Secrets in query strings (``access_token``, ``key``...) are removed from every URL that is logged,
stored or put in an error message.

A body that cannot be read (a broken ``Content-Encoding``, bytes that are not UTF-8, JSON nested too
deeply to decode) is a ``PayloadError``, retried like truncated JSON: never a bare ``httpx`` or
``RecursionError`` out of a connector. ``retry_after`` reads the standard ``Retry-After`` header for
the connectors' rate-limit rules.

An id that goes into a request's path (a node of the Graph API, a user of X) is the platform's
string, or the registry's: ``path_segment`` makes it one percent-encoded path segment, so that an id
such as ``12/../me`` names no other endpoint. A raw payload's ``source`` is the connector's name of
the endpoint; without one, ``source_of_url`` writes the path with its ids as ``{id}``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import random
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import httpx

from govsocial.collect import payload_json
from govsocial.collect.errors import (
    CollectError,
    PayloadError,
    QuotaExceededError,
    RateLimitedError,
    TransientError,
)
from govsocial.collect.records import RawPayload

# ``input_token``: the token that Graph's ``debug_token`` is asked about (collect/facebook/token.py).
SECRET_PARAMS = frozenset(
    {"access_token", "key", "api_key", "appsecret_proof", "client_secret", "token", "input_token"}
)
# A secret parameter's value in any text: httpx logs every request's full URL at INFO.
_SECRET_VALUE = re.compile(r"([?&](?:" + "|".join(sorted(SECRET_PARAMS)) + r")=)[^&\s\"'#]+", re.IGNORECASE)

#: The length of ``raw_payloads.source``.
SOURCE_MAX = 200
#: A path segment kept in a source named after its URL: an endpoint's name (``comments``,
#: ``threads_insights``) or an API version (``v23.0``); any other is an id, or may be one.
_ENDPOINT_SEGMENT = re.compile(r"[A-Za-z_]{1,64}|v\d+(?:\.\d+)*")

Classifier = Callable[[httpx.Response], CollectError | None]
Pauser = Callable[[httpx.Response], float | None]
Sleeper = Callable[[float], Awaitable[None]]


def redact_url(url: str | httpx.URL) -> str:
    """``url`` with the values of secret query parameters replaced by ``***``."""
    parts = urlsplit(str(url))
    query = [
        (k, "***" if k.lower() in SECRET_PARAMS else v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit(parts._replace(query=urlencode(query, safe="*,")))


def path_segment(value: str) -> str:
    """``value`` as one path segment of a URL: every character but letters, digits and ``_.-~``
    percent-encoded (``/`` as ``%2F``, ``?`` as ``%3F``), and a segment of dots alone (``.``,
    ``..``) as ``%2E``s, which httpx would otherwise resolve against the path before it. An empty
    value names no node: a ``PayloadError``, not a request to the edge's parent."""
    if not value:
        raise PayloadError("an empty id cannot name a node of a request's path")
    if not value.strip("."):
        return "%2E" * len(value)
    return quote(value, safe="")


def source_of_url(platform: str, url: str) -> str:
    """A raw payload's ``source`` for a connector that gave none: the platform and the URL's path,
    each segment that is not an endpoint's name or an API version written ``{id}``, without the
    query, within ``SOURCE_MAX`` characters (the column's)."""
    segments = urlsplit(url).path.split("/")
    path = "/".join(s if not s or _ENDPOINT_SEGMENT.fullmatch(s) else "{id}" for s in segments)
    return f"{platform}:{path}"[:SOURCE_MAX]


class SecretsOutOfLog(logging.Filter):
    """Removes the values of secret query parameters from the records of httpx's logger, which
    writes each request's URL (``HTTP Request: GET ...?access_token=...``) at INFO."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "=" in message:
            record.msg, record.args = _SECRET_VALUE.sub(r"\1***", message), None
        return True


def keep_secrets_out_of_httpx_log() -> None:
    """Install ``SecretsOutOfLog`` on httpx's logger (once; called by every ``HttpClient``)."""
    logger = logging.getLogger("httpx")
    if not any(isinstance(f, SecretsOutOfLog) for f in logger.filters):
        logger.addFilter(SecretsOutOfLog())


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try. Backoff is exponential with full jitter, capped at ``max_backoff``."""

    attempts: int = 5
    base_backoff: float = 1.0
    max_backoff: float = 60.0
    max_rate_limit_wait: float = 900.0

    def backoff(self, attempt: int) -> float:
        """Seconds to wait before retry number ``attempt`` (1-based)."""
        return random.uniform(0, min(self.max_backoff, self.base_backoff * 2 ** (attempt - 1)))  # noqa: S311


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


#: The longest ``Retry-After`` delay taken at its word: a day. Any value past the retry policy's
#: longest wait already means "leave the account for a later run"; the cap keeps a delay of
#: absurd size from overflowing the date arithmetic.
MAX_RETRY_AFTER_S = 86_400


def retry_after(response: httpx.Response, now: dt.datetime | None = None) -> dt.datetime | None:
    """When ``Retry-After`` (delay-seconds or an HTTP date, RFC 9110 10.2.3) says to come back, in
    UTC; None when the header is absent or unreadable."""
    value = response.headers.get("retry-after", "").strip()
    now = now or _now()
    # isascii: str.isdigit also accepts digits such as "²", which int() refuses. The length is
    # checked first because int() refuses more than 4,300 digits.
    if value.isascii() and value.isdigit():
        digits = value.lstrip("0") or "0"
        seconds = MAX_RETRY_AFTER_S if len(digits) > len(str(MAX_RETRY_AFTER_S)) else int(digits)
        return now + dt.timedelta(seconds=min(seconds, MAX_RETRY_AFTER_S))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return when.astimezone(dt.UTC) if when.tzinfo else when.replace(tzinfo=dt.UTC)


class HttpClient:
    """GET JSON from one platform with its error rules, retries and rate-limit waits."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        platform: str,
        classify: Classifier,
        pause: Pauser | None = None,
        policy: RetryPolicy | None = None,
        sleep: Sleeper = asyncio.sleep,
    ) -> None:
        self.client = client
        self.platform = platform
        self.classify = classify
        self.pause = pause
        self.policy = policy or RetryPolicy()
        self.sleep = sleep
        self._not_before = 0.0  # loop time before which no request may start
        keep_secrets_out_of_httpx_log()
        self.requests = 0
        self.retries = 0

    async def get_json(
        self, url: str, params: Mapping[str, Any] | None = None, source: str | None = None
    ) -> tuple[Any, RawPayload]:
        """The decoded JSON body and its raw payload; raises the classified ``CollectError``."""
        for attempt in range(1, self.policy.attempts + 1):
            try:
                return await self._once(url, params, source)
            except QuotaExceededError:
                raise
            except RateLimitedError as exc:
                await self._wait_rate_limit(exc, attempt)
            except (TransientError, PayloadError):
                if attempt == self.policy.attempts:
                    raise
                self.retries += 1
                await self.sleep(self.policy.backoff(attempt))
        raise TransientError(
            f"{self.platform}: {redact_url(url)}: gave up after {self.policy.attempts} attempts"
        )

    async def _wait_rate_limit(self, exc: RateLimitedError, attempt: int) -> None:
        wait = (exc.retry_at - _now()).total_seconds() if exc.retry_at else self.policy.backoff(attempt + 2)
        if wait > self.policy.max_rate_limit_wait or attempt == self.policy.attempts:
            raise exc
        self.retries += 1
        await self.sleep(max(wait, 0.0))

    async def _once(
        self, url: str, params: Mapping[str, Any] | None, source: str | None
    ) -> tuple[Any, RawPayload]:
        await self._respect_pause()
        self.requests += 1
        shown = redact_url(httpx.URL(url, params=dict(params or {})))
        try:
            response = await self.client.get(url, params=dict(params or {}))
        except httpx.TimeoutException as exc:
            raise TransientError(f"{self.platform}: {shown}: timed out") from exc
        except httpx.TransportError as exc:
            raise TransientError(f"{self.platform}: {shown}: {type(exc).__name__}") from exc
        except httpx.DecodingError as exc:
            # The body does not match its Content-Encoding (bad gzip...): like a truncated body,
            # possibly a fault on the way, so retried as one.
            raise PayloadError(
                f"{self.platform}: {shown}: the response body cannot be decoded ({exc})"
            ) from exc
        self._note_pause(response)
        error = self._classify(response, shown)
        if error is not None:
            raise error
        raw = RawPayload(
            source=source or source_of_url(self.platform, url),
            location=shown,
            fetched_at=_now(),
            status=response.status_code,
            body=response.text,
        )
        return self._decode(response, shown), raw

    def _classify(self, response: httpx.Response, shown: str) -> CollectError | None:
        try:
            return self.classify(response)
        except RecursionError:
            # The connectors read error bodies with ``json``, which gives up on deep nesting: such a
            # body is no platform's error, only a malformed answer.
            status = response.status_code
            raise PayloadError(
                f"{self.platform}: {shown}: HTTP {status} with a body nested too deeply to read"
            ) from None

    def _decode(self, response: httpx.Response, shown: str) -> Any:
        try:
            return payload_json.loads(response.content)
        except json.JSONDecodeError as exc:
            # No position for a body that breaks at its start, or is too deep to say where it breaks.
            at = f" at character {exc.pos}" if exc.pos else ""
            raise PayloadError(
                f"{self.platform}: {shown}: response is not valid JSON ({exc.msg}{at})"
            ) from exc

    def _note_pause(self, response: httpx.Response) -> None:
        seconds = self.pause(response) if self.pause else None
        if seconds and seconds > 0:
            loop_now = asyncio.get_running_loop().time()
            self._not_before = max(self._not_before, loop_now + min(seconds, self.policy.max_rate_limit_wait))

    async def _respect_pause(self) -> None:
        delay = self._not_before - asyncio.get_running_loop().time()
        if delay > 0:
            await self.sleep(delay)
