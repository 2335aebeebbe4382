"""Who is asking, and may they: sessions for the admin pages, bearer tokens for the admin API.

* Pages: a server-side session (``store/users.py``) named by the ``gs_admin`` cookie, scoped to
  ``/admin``, ``HttpOnly``, ``SameSite=Strict`` and ``Secure`` unless ``admin_secure_cookies`` is
  false. Every POST carries the session's synchronizer token (``csrf_token`` field), compared in
  constant time; a missing or wrong one is a 403. The sign-in form, before any session, is
  protected the same way by a random value in a second cookie and in the form (double submit).
* API: ``Authorization: Bearer <token>`` only. Cookies are ignored there, so a page of another site
  cannot act with a signed-in browser's session, and bearer requests need no CSRF token.

Denials are ``AdminDenied``: the handler in ``admin/__init__.py`` answers a page with a redirect to
sign in (401) or a short page, and the API with JSON. The clock is ``app.state.admin_clock`` when a
test set one.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import Request, Response

from govsocial.settings import Settings
from govsocial.store import users
from govsocial.store.db import transaction
from govsocial.store.queries import ascii_digits
from govsocial.web.deps import get_state

#: The session cookie, and the sign-in form's own CSRF cookie.
SESSION_COOKIE = "gs_admin"
LOGIN_COOKIE = "gs_admin_login"
COOKIE_PATH = "/admin"
CSRF_FIELD = "csrf_token"
API_PREFIX = "/admin/api"
#: What every admin answer says to caches: never store it (the page cache and ETags respect it).
NO_STORE = "no-store"
#: Room for a multipart form's boundaries and fields around an uploaded file.
FORM_OVERHEAD = 64 * 1024
#: Failed sign-ins per client address, as a multiple of those per username: one office shares an
#: address, so it gets more room before everyone there is locked out.
CLIENT_FACTOR = 4


class AdminDenied(Exception):
    """A request the admin area refuses: ``status`` (401, 403, 413, 429...) and a message."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


@dataclass(frozen=True)
class Principal:
    """The signed-in user of a request, how they proved it, and where from."""

    user_id: int
    username: str
    role: str
    via: str  # "session" or "token"
    csrf_token: str | None
    address: str | None

    def may(self, role: str) -> bool:
        """Whether this user's role includes ``role``."""
        return users.role_allows(self.role, role)


def utcnow() -> dt.datetime:
    """The real clock."""
    return dt.datetime.now(dt.UTC)


def now_of(request: Request) -> dt.datetime:
    """The time for this request: the test clock when one is set on the app."""
    clock: Callable[[], dt.datetime] = getattr(request.app.state, "admin_clock", utcnow)
    return clock()


def address_of(request: Request) -> str:
    """The client's address as the server sees it (behind a proxy, see docs/admin.md)."""
    return request.client.host if request.client else "unknown"


def is_api(request: Request) -> bool:
    """Whether the request is for the admin API."""
    return request.url.path == API_PREFIX or request.url.path.startswith(API_PREFIX + "/")


def same(a: str | None, b: str | None) -> bool:
    """Constant-time equality of two secrets; False when either is missing."""
    return bool(a) and bool(b) and hmac.compare_digest(str(a).encode(), str(b).encode())


# --- Cookies -------------------------------------------------------------------------------------


def set_cookie(response: Response, settings: Settings, name: str, value: str, max_age: int | None) -> None:
    """Set an admin cookie: scoped to /admin, HttpOnly, SameSite=Strict, Secure unless turned off."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=settings.admin_secure_cookies,
    )


def clear_cookie(response: Response, settings: Settings, name: str) -> None:
    """Remove an admin cookie."""
    response.delete_cookie(
        name, path=COOKIE_PATH, httponly=True, samesite="strict", secure=settings.admin_secure_cookies
    )


def login_token(request: Request) -> tuple[str, bool]:
    """The sign-in form's CSRF value: the one in the browser's cookie, or a new one (True: set it)."""
    current = request.cookies.get(LOGIN_COOKIE)
    if current and len(current) >= 32:
        return current, False
    return secrets.token_urlsafe(32), True


# --- Dependencies --------------------------------------------------------------------------------


def page_user(role: str) -> Callable[[Request], Awaitable[Principal]]:
    """A dependency: the signed-in user of a page, with at least ``role``; a POST's CSRF token checked."""

    async def dependency(request: Request) -> Principal:
        principal = _from_session(request)
        if request.method not in ("GET", "HEAD"):
            await check_body_size(request, get_state(request).settings.admin_upload_max_bytes + FORM_OVERHEAD)
            form = await request.form()
            sent = form.get(CSRF_FIELD)
            if not same(sent if isinstance(sent, str) else None, principal.csrf_token):
                raise AdminDenied(
                    403, "The form's security token is missing or out of date: reload and retry."
                )
        _check_role(principal, role)
        return principal

    return dependency


def api_user(role: str) -> Callable[[Request], Principal]:
    """A dependency: the user of an admin API request's bearer token, with at least ``role``."""

    def dependency(request: Request) -> Principal:
        principal = _from_token(request)
        _check_role(principal, role)
        return principal

    return dependency


async def check_body_size(request: Request, limit: int) -> None:
    """Refuse a body larger than ``limit`` before reading it (413), or a chunked one of unknown length (411).

    The server stops reading a body at its ``Content-Length``, so checking the header bounds it.
    """
    length = request.headers.get("content-length")
    if length is None and "transfer-encoding" not in request.headers:
        return  # no body at all
    if length is None or not ascii_digits(length):
        raise AdminDenied(411, "The request must say how long its body is (Content-Length).")
    if int(length) > limit:
        raise AdminDenied(413, f"The request is larger than the limit of {limit} bytes.")


def _check_role(principal: Principal, role: str) -> None:
    if not principal.may(role):
        raise AdminDenied(403, f"This needs the {role} role; {principal.username} is {principal.role}.")


def _from_session(request: Request) -> Principal:
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise AdminDenied(401, "Sign in first.")
    with transaction(get_state(request).sessions) as session:
        found = users.signed_in(session, cookie, now_of(request))
        if found is None:
            raise AdminDenied(401, "Your session has ended: sign in again.")
        return Principal(
            found.user.id,
            found.user.username,
            found.user.role,
            "session",
            found.session.csrf_token,
            address_of(request),
        )


def _from_token(request: Request) -> Principal:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    challenge = {"WWW-Authenticate": 'Bearer realm="govsocial admin"'}
    if scheme.lower() != "bearer" or not token.strip():
        raise AdminDenied(401, "An API token is needed: Authorization: Bearer <token>.", challenge)
    with transaction(get_state(request).sessions) as session:
        found = users.user_for_token(session, token.strip(), now_of(request))
        if found is None:
            raise AdminDenied(
                401, "The API token is not valid (unknown, revoked or of a disabled user).", challenge
            )
        user, _row = found
        return Principal(user.id, user.username, user.role, "token", None, address_of(request))
