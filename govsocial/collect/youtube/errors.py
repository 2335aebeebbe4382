"""YouTube error rules (PLATFORMS.md §3.3 and §10): the ``reason`` of ``error.errors[0]`` decides.

403 quotaExceeded, dailyLimitExceeded        QuotaExceededError until the next midnight, Pacific time
403 rateLimitExceeded, userRateLimitExceeded RateLimitedError: back off and retry
403 commentsDisabled                         CommentsDisabledError: the client records a gap
403 forbidden                                ContentForbiddenError: members-only or private content
403 any other (accessNotConfigured...)       AccessError: the key's project cannot use the API
401, 400 keyInvalid / "API key not valid"    AuthError
400 invalidPageToken                         InvalidPageTokenError: the listing starts again from the top
400 processingFailure                        TransientError: "can be a transient error" (the API's own words)
400 any other                                CollectError: our request is wrong; retrying will not help
404 videoNotFound, channelNotFound...        GoneError
429                                          RateLimitedError, until ``Retry-After`` when it says
5xx (backendError...)                        TransientError
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from govsocial.collect.errors import (
    AccessError,
    AuthError,
    CollectError,
    GoneError,
    QuotaExceededError,
    RateLimitedError,
    TransientError,
)
from govsocial.collect.http import redact_url, retry_after

#: The daily quota resets at midnight in this zone (Google's quota documentation).
QUOTA_ZONE = ZoneInfo("America/Los_Angeles")

QUOTA_REASONS = frozenset({"quotaExceeded", "dailyLimitExceeded"})
RATE_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})
KEY_REASONS = frozenset({"keyInvalid", "keyExpired"})
#: "The API server failed to successfully process the request. While this can be a transient error,
#: it usually indicates that the request's input is invalid": our requests are fixed and known to be
#: valid, so it is the server's fault (it is what commentThreads.list answers in a comments outage).
TRANSIENT_REASONS = frozenset({"processingFailure"})


class ContentForbiddenError(AccessError):
    """The video's comments (or the video) cannot be read with a key: members-only, private..."""


class CommentsDisabledError(ContentForbiddenError):
    """The owner turned comments off for the video: "no comments", not "0 comments"."""


class InvalidPageTokenError(CollectError):
    """``400 invalidPageToken``: the ``pageToken`` sent is refused. A token kept in a checkpoint can
    go stale (a playlist that changed since); the listing is then read again from its first page."""


def next_quota_reset(now: dt.datetime | None = None) -> dt.datetime:
    """The next midnight in Pacific time, in UTC: when a spent daily quota is restored."""
    local = (now or dt.datetime.now(dt.UTC)).astimezone(QUOTA_ZONE)
    midnight = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(), tzinfo=QUOTA_ZONE)
    return midnight.astimezone(dt.UTC)


def error_reason(response: httpx.Response) -> tuple[str, str]:
    """``(reason, message)`` of a Google error body; empty strings when the body is not one."""
    try:
        body: Any = json.loads(response.text)
    except ValueError:
        return "", ""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return "", ""
    details = error.get("errors")
    first = details[0] if isinstance(details, list) and details and isinstance(details[0], dict) else {}
    return str(first.get("reason") or error.get("status") or ""), str(error.get("message") or "")


def _where(response: httpx.Response) -> str:
    try:
        return f"youtube: {redact_url(response.request.url)}"
    except RuntimeError:  # a response built without a request (unit tests)
        return "youtube"


def classify(response: httpx.Response) -> CollectError | None:
    """The error a YouTube response means, or None when it succeeded."""
    status = response.status_code
    if status < 400:
        return None
    reason, message = error_reason(response)
    text = f"{_where(response)}: HTTP {status} {reason or 'error'}: {message[:300]}".rstrip(": ")
    if status >= 500:
        return TransientError(text)
    if status == 429 or reason in RATE_REASONS:
        # Google sends Retry-After on some throttled answers; without it the client backs off.
        return RateLimitedError(text, retry_at=retry_after(response))
    if reason in QUOTA_REASONS:
        return QuotaExceededError(text, retry_at=next_quota_reset())
    if status == 401 or reason in KEY_REASONS or (status == 400 and "API key" in message):
        return AuthError(text)
    if reason in TRANSIENT_REASONS:
        return TransientError(text)
    if reason == "invalidPageToken":
        return InvalidPageTokenError(text)
    return _by_status(status, reason, text)


def _by_status(status: int, reason: str, text: str) -> CollectError:
    if status == 404:
        return GoneError(text)
    if status == 403 and reason == "commentsDisabled":
        return CommentsDisabledError(text)
    if status == 403 and reason == "forbidden":
        return ContentForbiddenError(text)
    if status == 403:
        return AccessError(text)
    return CollectError(text)
