"""Graph API error and usage-header rules, shared by the Facebook and Instagram connectors.

Errors come as ``{"error": {"message", "type", "code", "error_subcode", "is_transient", ...}}``,
usually with HTTP 400 (PLATFORMS.md §1.8). What the runner should do depends on the code, and for
code 100 on the message too, because Graph uses 100 for unrelated faults:

=========================================  ==========================  =============================
signal                                      class                       why
=========================================  ==========================  =============================
190 (463 expired, 460, 467, 492...), 102    ``AuthError``               the token must be renewed
4, 17, 32, 341, 613, 80001, 80002           ``RateLimitedError``        throttled: wait, then retry
368 (temporarily blocked for policy)        ``RateLimitedError``        Meta says: wait and retry
1, 2, HTTP 5xx                              ``TransientError``          retry with backoff
3, 10, 200-299, 100 naming PPCA/PPMA        ``AccessError``             a permission/feature is missing
100 "After Cursor ... exceeds the max"      ``CursorLimitError``        the edge cannot be paged deeper
803, 100 "... does not exist"               ``GoneError``               deleted, private or renamed
110/2207013 (business discovery)            ``GoneError``               no such professional account
``is_transient: true`` (other codes)        ``RateLimitedError``        Meta's own "try later" flag
anything else                               ``RequestError``            a bug in our request: no retry
=========================================  ==========================  =============================

Usage headers (``X-App-Usage``, ``X-Page-Usage``, ``X-Business-Use-Case-Usage``) give percentages
of the budget used; ``pause`` slows down before they reach 100, because at 100 every call fails and
each failed call counts against the budget again. A throttled answer is retried at the later of the
Business Use Case header's ``estimated_time_to_regain_access`` and a standard ``Retry-After`` header
(the only hint in a bare 429 from a proxy or Meta's edge, which has no Graph error body).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import httpx

from govsocial.collect.errors import (
    AccessError,
    AuthError,
    CollectError,
    GoneError,
    PayloadError,
    RateLimitedError,
    TransientError,
)
from govsocial.collect.http import SECRET_PARAMS, retry_after
from govsocial.collect.privacy import without_secrets

AUTH_CODES = frozenset({102, 190})
TRANSIENT_CODES = frozenset({1, 2})
#: 4 app, 17 user, 32 Page (user token), 341 application, 613 custom, 80001 Page BUC, 80002 Instagram BUC.
THROTTLE_CODES = frozenset({4, 17, 32, 341, 613, 80001, 80002})
#: 368 "Temporarily blocked for policies violations": the Graph error guide's recovery is "wait and
#: retry the operation", so it waits like a throttle (and is left for a later run if it lasts).
BLOCKED_CODES = frozenset({368})
#: 3 "API Method": "capability or permissions issue", 10 permission denied, 200-299 API permissions.
PERMISSION_CODES = frozenset({3, 10, *range(200, 300)})
GONE_CODES = frozenset({803})
#: (code, subcode) pairs that say the account asked for is not there, with what the operator should
#: check. 110/2207013 "Invalid user id" is business discovery's answer for a user name that no
#: Instagram professional (Business/Creator) account has: none has it, it was renamed, or the
#: account is personal or age-restricted (Graph answers the same for each). Retrying cannot help and
#: the request is well formed: the registry's handle needs a look, as for any account gone.
GONE_SUBCODES: Mapping[tuple[int, int], str] = {
    (110, 2207013): "no Instagram professional (Business/Creator) account has this user name: it may "
    "not exist, have been renamed, or be a personal or age-restricted account; check the registry's handle",
}

#: Usage percentage from which we slow down (the API refuses calls at 100).
USAGE_THRESHOLD = 90
#: How long to slow down when a usage header is high but says nothing about when it recovers.
USAGE_PAUSE_S = 60.0
USAGE_HEADERS = ("x-app-usage", "x-page-usage", "x-ad-account-usage")
BUC_HEADER = "x-business-use-case-usage"
#: Phrases in code-100 messages that mean "this token lacks Page Public Content/Metadata Access".
_PPCA_PHRASES = ("public content access", "public metadata access", "pages_read_engagement")
#: Meta user/page tokens (EAA...) and Instagram-Login tokens (IG...): scrubbed should a message echo one.
_TOKEN_LIKE = re.compile(r"\b(?:EAA|IG[A-Z])[A-Za-z0-9_-]{20,}")
#: App tokens ("{app-id}|{app-secret}") and client tokens ("{app-id}|{client-token}"), the "|" perhaps
#: URL-encoded: the app id (public) is kept, what follows it is scrubbed.
_APP_TOKEN = re.compile(r"\b(\d{5,20})(?:\||%7[Cc])[A-Za-z0-9_-]{10,}")
#: Secrets shorter than this are not looked for literally: they would match ordinary words.
_LITERAL_MIN = 8


class CursorLimitError(CollectError):
    """The edge refuses to page deeper ("After Cursor ... exceeds the max limit"): stop, note a gap."""


class RequestError(CollectError):
    """The API rejected our request as malformed (unknown field, bad syntax): a bug, not retried."""


def classify(response: httpx.Response, platform: str = "facebook") -> CollectError | None:
    """The ``CollectError`` a Graph API response means, or None when it succeeded."""
    if response.status_code < 400:
        return None
    where = f"{platform}: {_path(response)}"
    error = _error_body(response)
    if error is None:
        return _by_status(response, where)
    return _by_code(error, where, response)


def _by_code(error: dict[str, Any], where: str, response: httpx.Response) -> CollectError:
    code, subcode = _int(error.get("code")), _int(error.get("error_subcode"))
    message = scrub_message(str(error.get("message") or ""), _sent_secrets(response))
    text = f"{where}: Graph error {code}" + (f"/{subcode}" if subcode else "") + f": {message}"
    lowered = message.lower()
    if code in AUTH_CODES:
        return AuthError(text)
    if code in TRANSIENT_CODES:
        return TransientError(text)
    if code in THROTTLE_CODES or code in BLOCKED_CODES:
        return RateLimitedError(text, retry_at=throttled_until(response))
    if code in PERMISSION_CODES or (code == 100 and any(p in lowered for p in _PPCA_PHRASES)):
        return AccessError(text)
    if code == 100 and "after cursor" in lowered and "max limit" in lowered:
        return CursorLimitError(text)
    if code in GONE_CODES or (code == 100 and "does not exist" in lowered):
        return GoneError(text)
    hint = GONE_SUBCODES.get((code or 0, subcode or 0))
    if hint:
        return GoneError(f"{text} ({hint})")
    if error.get("is_transient") is True:
        return RateLimitedError(text, retry_at=throttled_until(response))
    return TransientError(text) if response.status_code >= 500 else RequestError(text)


def scrub_message(message: str, secrets: Iterable[str | None] = ()) -> str:
    """An error message without tokens, should it echo one (Graph echoes a token it cannot parse):
    ``secrets`` (those sent) as they are and URL-encoded, the values of secret URL parameters
    (``privacy.without_secrets``), and whatever looks like a user, Page, Instagram, app or client
    token. Error messages go to ``collection_runs.errors``, to stderr and into alerts."""
    for secret in secrets:
        if secret and len(secret) >= _LITERAL_MIN:
            for form in {secret, quote(secret, safe="")}:
                message = message.replace(form, "***")
    message = _APP_TOKEN.sub(r"\1|***", without_secrets(message))
    return _TOKEN_LIKE.sub("***", message)


def forget_token(error: CollectError, token: str | None) -> None:
    """Scrub ``error``'s message (``scrub_message``) of ``token`` too, in place: a connector knows
    the token it was configured with, whatever form a message came to hold it in."""
    error.args = tuple(scrub_message(arg, [token]) if isinstance(arg, str) else arg for arg in error.args)


def _sent_secrets(response: httpx.Response) -> list[str]:
    """The values of the request's secret query parameters: the token the client sent."""
    try:
        query = urlsplit(str(response.request.url)).query
    except RuntimeError:  # a response built without a request (tests)
        return []
    return [value for key, value in parse_qsl(query) if key.lower() in SECRET_PARAMS]


def _by_status(response: httpx.Response, where: str) -> CollectError:
    """A failure without Graph's JSON error body (a proxy, an outage page): judge by the status."""
    status = response.status_code
    text = f"{where}: HTTP {status} without a Graph error body"
    if status >= 500:
        return TransientError(text)
    if status == 429:
        return RateLimitedError(text, retry_at=throttled_until(response))
    if status == 401:
        return AuthError(text)
    return PayloadError(text)


def _error_body(response: httpx.Response) -> dict[str, Any] | None:
    try:
        body = json.loads(response.text)
    except json.JSONDecodeError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else None


def _path(response: httpx.Response) -> str:
    """What was being fetched: the URL path only (the query holds the token and long field lists)."""
    try:
        return urlsplit(str(response.request.url)).path or "/"
    except RuntimeError:  # a response built without a request (tests)
        return "?"


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def pause(response: httpx.Response) -> float | None:
    """Seconds to wait before the next request, from the usage headers; None when under the threshold."""
    high = [name for name in USAGE_HEADERS if _max_percent(_header_json(response, name)) >= USAGE_THRESHOLD]
    waits = [USAGE_PAUSE_S] * len(high)
    for entry in _buc_entries(response):
        minutes = _int(entry.get("estimated_time_to_regain_access")) or 0
        if minutes > 0:
            waits.append(minutes * 60.0)
        elif _max_percent(entry) >= USAGE_THRESHOLD:
            waits.append(USAGE_PAUSE_S)
    return max(waits) if waits else None


def regain_access_at(response: httpx.Response) -> dt.datetime | None:
    """When the Business Use Case header says access comes back (its minutes from now), if it says."""
    entries = _buc_entries(response)
    minutes = max((_int(e.get("estimated_time_to_regain_access")) or 0 for e in entries), default=0)
    return dt.datetime.now(dt.UTC) + dt.timedelta(minutes=minutes) if minutes > 0 else None


def throttled_until(response: httpx.Response) -> dt.datetime | None:
    """When a throttled call may be tried again: the later of the Business Use Case header's time
    and ``Retry-After``'s, when either says (waiting for the later one satisfies both)."""
    said = [when for when in (regain_access_at(response), retry_after(response)) if when is not None]
    return max(said, default=None)


def _buc_entries(response: httpx.Response) -> Iterator[dict[str, Any]]:
    """The per-use-case entries of ``X-Business-Use-Case-Usage``: ``{business_id: [entry, ...]}``."""
    value = _header_json(response, BUC_HEADER)
    for entries in value.values():
        for entry in entries if isinstance(entries, list) else [entries]:
            if isinstance(entry, dict):
                yield entry


def _header_json(response: httpx.Response, name: str) -> dict[str, Any]:
    """A usage header's JSON object; {} when absent or unreadable (never fail a good response over it)."""
    raw = response.headers.get(name)
    if not raw:
        return {}
    for text in (raw, raw.replace("'", '"')):  # old SDK docs quote these headers with single quotes
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            continue
        return value if isinstance(value, dict) else {}
    return {}


def _max_percent(usage: dict[str, Any]) -> int:
    """The highest of the usage percentages (call count, CPU time, total time) in one header entry."""
    keys = ("call_count", "total_cputime", "total_time", "acc_id_util_pct")
    return max((_int(usage.get(key)) or 0 for key in keys), default=0)
