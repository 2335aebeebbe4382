"""X API v2 error and rate-limit rules (PLATFORMS.md §4.4 and §10).

Errors are problem JSON (``{"title", "detail", "type", ...}``); the v1.1 shape
``{"errors": [{"code": 88, ...}]}`` still appears on rate limits. The status decides:

    429 usage-capped (monthly post cap)   QuotaExceededError: no more reads this billing period
    429                                   RateLimitedError until ``x-rate-limit-reset`` (epoch seconds),
                                          else until ``Retry-After`` (seconds or an HTTP date)
    401                                   AuthError: the bearer token is invalid or revoked
    403 (client-not-enrolled...)          AccessError: the app or its plan lacks this endpoint
    404                                   GoneError
    5xx                                   TransientError
    400 naming ``pagination_token`` or    InvalidPaginationTokenError: the paging token is refused
        ``next_token``                    (tokens expire); the listing is read again from the top
    400 (invalid-request) and others      CollectError: our request is wrong; not retried

A 200 can still carry ``errors[]`` beside ``data`` (deleted or protected items): ``partial_errors``
summarises them for the batch's gap. ``pause`` waits for the window to reset once
``x-rate-limit-remaining`` reaches 0, so the next call is not refused.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import urlsplit

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
from govsocial.collect.http import retry_after

#: Seconds added to a reset time: our clock and X's may differ by a little.
RESET_MARGIN_S = 1.0
#: The request parameters that carry a paging token: ``pagination_token`` (timelines) and
#: ``next_token`` (search).
TOKEN_PARAMETERS = frozenset({"pagination_token", "next_token"})


class InvalidPaginationTokenError(CollectError):
    """A ``400 invalid-request`` whose ``errors[].parameters`` name the paging token: X refuses the
    token (paging tokens can expire, so one kept in a checkpoint may be refused by a later run)."""


def reset_at(response: httpx.Response) -> dt.datetime | None:
    """When the rate-limit window resets (``x-rate-limit-reset``), if the response says."""
    try:
        return dt.datetime.fromtimestamp(int(response.headers["x-rate-limit-reset"]), dt.UTC)
    except (KeyError, ValueError, OverflowError):
        return None


def pause(response: httpx.Response) -> float | None:
    """Seconds until the window resets when the last call used it up; None otherwise."""
    if response.headers.get("x-rate-limit-remaining") != "0":
        return None
    reset = reset_at(response)
    if reset is None:
        return None
    return max((reset - dt.datetime.now(dt.UTC)).total_seconds(), 0.0) + RESET_MARGIN_S


def problem(response: httpx.Response) -> dict[str, Any]:
    """The error body as a dict ({} when it is not JSON)."""
    try:
        body = json.loads(response.text)
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _describe(body: dict[str, Any]) -> str:
    """``title (reason): detail`` of a problem body, or the first v1.1 error message."""
    title, detail, reason = body.get("title"), body.get("detail"), body.get("reason")
    if not title and not detail:
        found = body.get("errors")
        first = found[0] if isinstance(found, list) and found and isinstance(found[0], dict) else {}
        title = first.get("message")
    head = f"{title} ({reason})" if title and reason else str(title or reason or "")
    tail = str(detail) if detail and detail != title else ""
    return ": ".join(part for part in (head, tail) if part)


def _where(response: httpx.Response) -> str:
    try:
        return f"x: {urlsplit(str(response.request.url)).path}"
    except RuntimeError:  # a response built without a request (unit tests)
        return "x"


def classify(response: httpx.Response) -> CollectError | None:
    """The error an X response means, or None when it succeeded (partial errors included)."""
    status = response.status_code
    if status < 400:
        return None
    body = problem(response)
    text = f"{_where(response)}: HTTP {status}: {_describe(body) or 'no details'}"
    if status == 429:
        if str(body.get("type", "")).endswith("/usage-capped") or body.get("title") == "UsageCapExceeded":
            return QuotaExceededError(text)
        # A 429 from X's edge (or a proxy) may carry only the standard header, not X's own.
        return RateLimitedError(text, retry_at=reset_at(response) or retry_after(response))
    if status >= 500:
        return TransientError(text)
    if status == 400 and _names_paging_token(body):
        return InvalidPaginationTokenError(text)
    return {401: AuthError, 403: AccessError, 404: GoneError}.get(status, CollectError)(text)


def _names_paging_token(body: dict[str, Any]) -> bool:
    """Whether an invalid-request body blames the paging token (``errors[].parameters``)."""
    found = body.get("errors")
    for error in found if isinstance(found, list) else []:
        parameters = error.get("parameters") if isinstance(error, dict) else None
        if isinstance(parameters, dict) and TOKEN_PARAMETERS & parameters.keys():
            return True
    return False


def partial_errors(data: dict[str, Any]) -> str | None:
    """A summary of the ``errors[]`` of a successful response, e.g. deleted referenced posts."""
    found = [e for e in data.get("errors") or [] if isinstance(e, dict)]
    if not found:
        return None
    return f"{len(found)} item(s) not returned: " + "; ".join(_partial(e) for e in found)


def _partial(error: dict[str, Any]) -> str:
    kind = str(error.get("type") or "").rsplit("/", 1)[-1] or str(error.get("title") or "error")
    what = error.get("resource_id") or error.get("value") or "?"
    return f"{kind} {what}" + (f" ({error['parameter']})" if error.get("parameter") else "")
