"""Collection errors, by what the runner should do about them.

    CollectError
    ├── TransientError        a 5xx, a timeout, a dropped connection: retried with backoff
    ├── RateLimitedError      the platform asked us to slow down: wait until ``retry_at``, then retry
    │   └── QuotaExceededError   a daily quota is spent: the account waits for ``retry_at`` (no retry now)
    ├── AuthError             the token expired or was revoked: stop this account, alert, others go on
    ├── AccessError           the token lacks a permission (e.g. Page Public Content Access): skip, say why
    ├── GoneError             the object was deleted or made private: mark it, go on
    └── PayloadError          a response that is not what the platform documents (truncated JSON...)

Every error names the platform and what was being fetched; none carries a token.
"""

from __future__ import annotations

import datetime as dt

from govsocial.errors import GovsocialError
from govsocial.settings import environment_variable


class CollectError(GovsocialError):
    """Base of collection errors."""


class TransientError(CollectError):
    """A fault worth retrying soon."""


class RateLimitedError(CollectError):
    """The platform throttled us; ``retry_at`` is when to try again (UTC), if it said."""

    def __init__(self, message: str, retry_at: dt.datetime | None = None) -> None:
        super().__init__(message)
        self.retry_at = retry_at


class QuotaExceededError(RateLimitedError):
    """A quota that resets at a fixed time (YouTube's daily units) is spent."""


class AuthError(CollectError):
    """The credential is expired, revoked or invalid."""


class AccessError(CollectError):
    """The credential works but lacks a permission this request needs."""


class GoneError(CollectError):
    """The object no longer exists or is no longer visible."""


class PayloadError(CollectError):
    """A response body that cannot be understood."""


def credential_names(setting: str) -> str:
    """Where an operator gives the credential of ``setting``, for a message that it is missing:
    ``setting x_bearer_token, environment variable GOVSOCIAL_X_BEARER_TOKEN``. Names only, never
    the value (a message goes to the run record, stderr and alerts)."""
    return f"setting {setting}, environment variable {environment_variable(setting)}"
