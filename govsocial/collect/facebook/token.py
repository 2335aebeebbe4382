"""When a Graph API token expires, as the platform says: ``GET /debug_token?input_token=...``.

The answer is ``{"data": {"is_valid", "expires_at", "data_access_expires_at", ...}}`` with unix
seconds, ``0`` meaning never (tests/fixtures/payloads/facebook/pyfacebook_base_token_info.json).
A token the platform refuses (error 190, e.g. 463 "Session has expired", or 102) is an invalid token,
not a failure: ``TokenInfo(is_valid=False, error=...)``. Other errors raise the ``CollectError`` of
``facebook.errors.classify``.

The token is both the token inspected and the token that asks (a token may inspect itself). It
travels in the query, so neither the URL nor the response's text ever goes into an error message,
and ``collect.http`` scrubs ``input_token`` values from httpx's log as it scrubs ``access_token``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from govsocial.collect.errors import AuthError, PayloadError, TransientError
from govsocial.collect.facebook import errors
from govsocial.collect.http import keep_secrets_out_of_httpx_log


@dataclass(frozen=True)
class TokenInfo:
    """What the platform says of a token; an expiry of None is "never"."""

    is_valid: bool
    expires_at: dt.datetime | None = None
    data_access_expires_at: dt.datetime | None = None
    error: str | None = None


def _moment(value: Any) -> dt.datetime | None:
    """Unix seconds as a UTC time; 0 or missing is "never"."""
    seconds = int(value or 0)
    return dt.datetime.fromtimestamp(seconds, dt.UTC) if seconds > 0 else None


def parse(body: Mapping[str, Any], token: str | None = None) -> TokenInfo:
    """A ``debug_token`` answer as ``TokenInfo``; ``PayloadError`` when it is not one. The error
    message is scrubbed of ``token`` and of anything token-like (``errors.scrub_message``)."""
    data = body.get("data")
    if not isinstance(data, Mapping) or "is_valid" not in data:
        raise PayloadError("facebook: /debug_token: the answer has no data.is_valid")
    try:
        expires, data_access = _moment(data.get("expires_at")), _moment(data.get("data_access_expires_at"))
    except (TypeError, ValueError, OverflowError, OSError):
        raise PayloadError("facebook: /debug_token: an expiry is not unix seconds") from None
    error = data.get("error")
    message = (
        errors.scrub_message(str(error.get("message")), (token,)) if isinstance(error, Mapping) else None
    )
    # Only JSON true is valid: a token is not taken for valid on an answer that does not say so
    # plainly (a string "false" is truthy).
    return TokenInfo(data["is_valid"] is True, expires, data_access, message)


async def debug_token(client: httpx.AsyncClient, base_url: str, token: str) -> TokenInfo:
    """Ask the Graph API at ``base_url`` about ``token``."""
    keep_secrets_out_of_httpx_log()  # httpx logs each URL, and this one holds the token twice
    url = f"{base_url.rstrip('/')}/debug_token"
    try:
        response = await client.get(url, params={"input_token": token, "access_token": token})
    except httpx.TimeoutException:
        raise TransientError("facebook: /debug_token: timed out") from None
    except httpx.TransportError as exc:
        raise TransientError(f"facebook: /debug_token: {type(exc).__name__}") from None
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        # A body that does not decode, a malformed API root: a failed check like any other (its
        # name only: an httpx message may quote the URL, and the URL holds the token).
        raise PayloadError(f"facebook: /debug_token: {type(exc).__name__}") from None
    failure = errors.classify(response, "facebook")
    if isinstance(failure, AuthError):
        return TokenInfo(is_valid=False, error=str(failure))
    if failure is not None:
        raise failure
    try:
        body = json.loads(response.text)
    except json.JSONDecodeError:
        raise PayloadError("facebook: /debug_token: the answer is not JSON") from None
    if not isinstance(body, Mapping):
        raise PayloadError("facebook: /debug_token: the answer is not a JSON object")
    return parse(body, token)
