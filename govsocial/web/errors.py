"""How the web app answers errors: JSON under ``/api``, the translated error page elsewhere.

- ``NotFoundError`` and ``AddressError`` (raised by the store and the registry) are 404 and 400.
- Starlette's own 404 and 405 (no route; a route without that method) become the same answers, and
  a 405 names every method the path takes, HEAD included (``ConditionalGet`` serves HEAD as GET).
- Any other exception is a 500, logged with its traceback and answered without any internal text.

Why the 500 is not an exception handler: Starlette gives ``Exception`` handlers to its outermost
``ServerErrorMiddleware``, which sends their answer straight to the server, past every middleware the
app added, so it would lack the security headers and CORS. :class:`ServerErrors` sits just inside
those middlewares instead (``create_app`` adds it), and turns the exception into an ordinary answer
that goes out through them.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from fastapi import FastAPI, Request, Response
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse
from starlette.exceptions import HTTPException
from starlette.routing import Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from govsocial.errors import AddressError, NotFoundError
from govsocial.web import admin, pages
from govsocial.web.admin import auth as admin_auth
from govsocial.web.admin import pages as admin_pages

log = logging.getLogger(__name__)

#: What a 500 says: nothing of the exception, which may name tables, paths or a query.
SERVER_ERROR = "Internal server error: the request could not be answered. It has been logged."


def wants_json(path: str) -> bool:
    """Whether errors at ``path`` are JSON: the open API (``/api`` and below, so that a client that
    mistypes the version still gets JSON) and the admin API."""
    return any(path == root or path.startswith(root + "/") for root in ("/api", admin_auth.API_PREFIX))


def install(app: FastAPI) -> None:
    """Answer the app's expected errors (404, 400, Starlette's 404 and 405, validation on pages)."""
    app.add_exception_handler(NotFoundError, _not_found)
    app.add_exception_handler(AddressError, _bad_address)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, invalid_parameters)


def error_response(
    request: Request, status: int, message: str, headers: dict[str, str] | None = None
) -> Response:
    """The answer to an error at ``request``'s path: JSON ``{"detail": message}`` for an API, the
    admin area's message page under ``/admin``, else the portal's error page in the URL's language."""
    path = request.url.path
    if wants_json(path):
        response: Response = JSONResponse({"detail": message}, status_code=status)
    elif admin.is_admin_path(path):
        response = admin_pages.message_page(status, message)
    else:
        response = pages.error_page(request, status, message)
    response.headers.update(headers or {})
    return response


async def _not_found(request: Request, exc: Exception) -> Response:
    return error_response(request, 404, str(exc))


async def _bad_address(request: Request, exc: Exception) -> Response:
    return error_response(request, 400, str(exc))


async def invalid_parameters(request: Request, exc: Exception) -> Response:
    """The 422 of a ``RequestValidationError``: FastAPI's list of the invalid parameters on the APIs,
    the error page naming them elsewhere."""
    assert isinstance(exc, RequestValidationError)
    if wants_json(request.url.path):
        # FastAPI's own answer: the list of invalid parameters (docs/api.md).
        return await request_validation_exception_handler(request, exc)
    names = ", ".join(str(error["loc"][-1]) for error in exc.errors())
    return error_response(request, 422, f"invalid parameter: {names}")


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    status, headers = exc.status_code, dict(exc.headers or {})
    message = str(exc.detail)
    if status == 405:
        allowed = allowed_methods(request)
        if not allowed:
            # Only a catch-all route took the path: there is nothing here, whatever the method.
            status, message = 404, ""
            headers.pop("Allow", None)
        else:
            headers["Allow"] = ", ".join(allowed)
            message = f"{request.method} is not allowed here; this address answers {headers['Allow']}"
    if status == 404 and message in ("", HTTPStatus.NOT_FOUND.phrase):
        message = _no_page(request.url.path)
    return error_response(request, status, message, headers)


def _no_page(path: str) -> str:
    if wants_json(path):
        return f"no API endpoint {path!r}; the endpoints are listed in /api/v1/openapi.json"
    return f"no page {path!r}"


#: The methods a 405 may name (OPTIONS is the CORS preflight's, answered by its middleware).
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route takes at ``request``'s path, HEAD wherever GET is, in a stable order.

    Each method is tried as the router would route it; the portal's catch-all routes, which only
    answer 404 pages, and static files, which take GET and HEAD alone, do not count otherwise.
    """
    allowed = {method for method in METHODS if _routed(request, method)}
    if "GET" in allowed:
        allowed.add("HEAD")
    return sorted(allowed)


def _routed(request: Request, method: str) -> bool:
    # A scope of its own: matching may note things in the scope, and the request's is in use.
    # Inside a mount (static files) root_path has grown by the mount's prefix; the app's is kept aside.
    live = request.scope
    root = live.get("app_root_path", live.get("root_path", ""))
    scope = {"type": "http", "path": live["path"], "root_path": root, "method": method}
    for route in request.app.router.routes:
        match, child = route.matches(scope)
        if match is Match.FULL:
            if isinstance(route, Mount):
                return method == "GET"
            return child.get("endpoint") not in pages.CATCH_ALL
    return False


class ServerErrors:
    """Any exception that escapes the app: logged with its traceback, answered 500 as JSON or as the
    error page (with nothing of the exception in it), before the middlewares that add headers.

    An exception after the answer has started (a stream cut short) cannot be answered any more: it
    goes on to the server, which closes the connection.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception:
            if started:
                raise
            log.exception("unhandled error answering %s %s", scope["method"], scope["path"])
            response = _server_error(Request(scope))
            # An error is no answer to keep: no cache (nor a browser's, for an admin page) holds it.
            response.headers["Cache-Control"] = "no-store"
            await response(scope, receive, _no_body(send) if scope["method"] == "HEAD" else send)


def _server_error(request: Request) -> Response:
    path = request.url.path
    # The portal's page says it in the reader's language; the APIs and the admin area in English.
    portal = not (wants_json(path) or admin.is_admin_path(path))
    try:
        return error_response(request, 500, "" if portal else SERVER_ERROR)
    except Exception:  # the error page itself failed (a broken template): say it plainly
        log.exception("the error page could not be rendered")
        return PlainTextResponse(SERVER_ERROR, status_code=500)


def _no_body(send: Send) -> Send:
    """``send`` for a HEAD request: the headers as for GET, an empty body."""

    async def send_headers_only(message: Message) -> None:
        if message["type"] == "http.response.body":
            message = {**message, "body": b""}
        await send(message)

    return send_headers_only
