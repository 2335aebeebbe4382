"""The admin area: staff pages under ``/admin`` and a JSON API under ``/admin/api`` (docs/admin.md).

``install(app)`` adds both routers, the answers to refusals, and a guard in front of every
``/admin`` request that refuses a body of unknown or excessive length before anything reads it,
and marks every answer ``Cache-Control: no-store`` so that neither the page cache
(``web/response_cache.py``), the ETag middleware nor any proxy keeps a copy. The public portal and
``/api/v1`` are untouched: they set no cookie and know nothing of users.
"""

from __future__ import annotations

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from govsocial.store.queries import ascii_digits
from govsocial.web.admin import alerts_page, api, pages
from govsocial.web.admin.auth import (
    FORM_OVERHEAD,
    NO_STORE,
    SESSION_COOKIE,
    AdminDenied,
    clear_cookie,
    is_api,
)
from govsocial.web.admin.refresh import MetricsRefresher
from govsocial.web.deps import get_state
from govsocial.web.state import AppState

PREFIX = pages.PREFIX
#: Methods whose body the guard bounds.
BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def install(app: FastAPI) -> None:
    """Add the admin area to ``app`` (call it before the app's other middleware are added)."""
    state: AppState = app.state.govsocial
    # One per app (per process): the imports' metrics refreshes, one at a time (admin/refresh.py).
    app.state.metrics_refresher = MetricsRefresher(state.engine, state.settings)
    app.include_router(api.router())
    app.include_router(pages.router())
    app.include_router(alerts_page.router())
    app.add_exception_handler(AdminDenied, _denied)
    app.add_middleware(AdminGuard, max_body=state.settings.admin_upload_max_bytes + FORM_OVERHEAD)


def is_admin_path(path: str) -> bool:
    """Whether ``path`` is in the admin area."""
    return path == PREFIX or path.startswith(PREFIX + "/")


async def _denied(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AdminDenied)
    headers = {"Cache-Control": NO_STORE, **exc.headers}
    if is_api(request):
        return JSONResponse({"detail": exc.message}, status_code=exc.status, headers=headers)
    if exc.status == 401:
        return _to_sign_in(request)
    response = pages.message_page(exc.status, exc.message)
    response.headers.update(headers)
    return response


def _to_sign_in(request: Request) -> Response:
    """The sign-in page (which leads back to the page asked for), for a page request without a
    session; a cookie of a session that ended (expired, signed out elsewhere, its user disabled) is
    cleared, not sent with every request."""
    response = pages.redirect(pages.sign_in_url(request))
    if SESSION_COOKIE in request.cookies:
        clear_cookie(response, get_state(request).settings, SESSION_COOKIE)
    return response


class AdminGuard:
    """For ``/admin`` requests: a body must say its length and stay under ``max_body`` (else 411 or
    413, before the body is read); every answer says ``Cache-Control: no-store``."""

    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_admin_path(scope["path"]):
            await self.app(scope, receive, send)
            return
        refusal = self._refusal(scope)
        if refusal is not None:
            status, message = refusal
            body = JSONResponse({"detail": message}, status_code=status, headers={"Cache-Control": NO_STORE})
            await body(scope, receive, send)
            return

        async def send_no_store(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["Cache-Control"] = NO_STORE
            await send(message)

        await self.app(scope, receive, send_no_store)

    def _refusal(self, scope: Scope) -> tuple[int, str] | None:
        if scope["method"] not in BODY_METHODS:
            return None
        headers = Headers(scope=scope)
        length = headers.get("content-length")
        if length is None:
            # Neither header: no body at all (RFC 9112, 6.3). A chunked body of unknown length is refused.
            if "transfer-encoding" in headers:
                return 411, "The request must say how long its body is (Content-Length)."
            return None
        if not ascii_digits(length):
            return 400, "The Content-Length header is not a number."
        if int(length) > self.max_body:
            return 413, f"The request is larger than the limit of {self.max_body} bytes."
        return None
