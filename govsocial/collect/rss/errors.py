"""How a feed server's answers map to collection errors.

Feeds have no error bodies of their own: the HTTP status decides. A ``Retry-After`` header (on 429
or 503) says when to come back; no usage headers exist, so there is no ``pause`` rule. Redirects
are followed before a response gets here, so a 3xx other than 304 means a redirect without a
usable ``Location``.
"""

from __future__ import annotations

import datetime as dt

import httpx

from govsocial.collect.errors import (
    AccessError,
    CollectError,
    GoneError,
    PayloadError,
    RateLimitedError,
    TransientError,
)
from govsocial.collect.http import redact_url, retry_after

NOT_MODIFIED = 304


def retry_at(response: httpx.Response, now: dt.datetime | None = None) -> dt.datetime | None:
    """When ``Retry-After`` (seconds or an HTTP date) says to come back, in UTC; None if it does not.

    The one reading every connector shares (``http.retry_after``: digits such as "²" and delays too
    long to add to a date are refused or capped there)."""
    return retry_after(response, now)


def classify(response: httpx.Response) -> CollectError | None:
    """The error a feed response means; None for 2xx and for 304 (not modified)."""
    status = response.status_code
    if status < 300 or status == NOT_MODIFIED:
        return None
    where = f"rss: {redact_url(response.request.url)}"
    if status < 400:
        return PayloadError(f"{where}: HTTP {status} without a usable redirect")
    if status == 429 or (status == 503 and "retry-after" in response.headers):
        return RateLimitedError(f"{where}: HTTP {status}, the server asks to slow down", retry_at(response))
    if status in (408, 425) or status >= 500:
        return TransientError(f"{where}: HTTP {status}")
    if status in (404, 410):
        return GoneError(f"{where}: HTTP {status}, the feed is not there any more (moved or removed?)")
    # 401/403/451 and other refusals: retrying will not help; the account is skipped with the reason.
    return AccessError(f"{where}: HTTP {status}, the server refuses to serve the feed")
