"""Threads error rules: Threads answers with Graph API errors (PLATFORMS.md §5.2), so the Facebook
rules apply unchanged (see ``collect.facebook.errors`` for the table: 190 -> AuthError, 3/10/200-299
-> AccessError, 4/17/32/613/368 -> RateLimitedError, 1/2/5xx -> TransientError, 100 "does not exist"
-> GoneError). Only the platform name differs, and Threads tokens (``TH...``) are scrubbed too,
should a message ever echo one.
"""

from __future__ import annotations

import re

import httpx

from govsocial.collect.errors import CollectError
from govsocial.collect.facebook import errors as graph

_TOKEN_LIKE = re.compile(r"\bTH[A-Za-z0-9_-]{20,}")


def classify(response: httpx.Response) -> CollectError | None:
    """The error a Threads response means, or None when it succeeded."""
    error = graph.classify(response, "threads")
    if error is not None:
        error.args = tuple(_TOKEN_LIKE.sub("***", str(arg)) for arg in error.args)
    return error


def pause(response: httpx.Response) -> float | None:
    """Seconds to wait from Graph usage headers, should Threads send them."""
    return graph.pause(response)
