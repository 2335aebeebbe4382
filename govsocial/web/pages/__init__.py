"""The public portal: server-rendered pages in three languages, the language first in every URL.

``router()`` gives every page route; ``error_page()`` is what the app's error handlers
(``web/errors.py``) show for a missing organisation, an unknown language, a bad address, a method a
page does not take or an unhandled error, outside the API.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import RedirectResponse
from starlette.exceptions import HTTPException

from govsocial.errors import NotFoundError
from govsocial.web.pages import (
    account,
    api_docs,
    compare,
    home,
    how_we_measure,
    leaderboards,
    open_data,
    organisation,
    reports,
    site_files,
    survey,
    timeline,
    verify,
)
from govsocial.web.pages.i18n import LANGUAGES
from govsocial.web.pages.render import default_language, render

__all__ = ["CATCH_ALL", "add_catch_all", "error_page", "router"]


def _root(request: Request) -> Response:
    # 307 keeps the method; the language is a choice of the reader, so never cache it as permanent.
    return RedirectResponse(f"/{default_language(request).code}/", status_code=307)


def _no_page(request: Request, rest: str) -> Response:
    # A trailing slash is the only mistake worth correcting; anything else is the HTML 404 page
    # in the URL's language, not Starlette's JSON one.
    if rest.endswith("/"):
        query = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(request.url.path.rstrip("/") + query, status_code=307)
    raise NotFoundError(f"no page {request.url.path!r}")


def _no_top_page(request: Request, first: str) -> Response:
    # /en is the English home page without its slash. Anything else at the top (/anything, /api)
    # is a 404 at once, rather than a redirect to /anything/ that then finds no such language.
    if first in LANGUAGES:
        query = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(f"/{first}/{query}", status_code=307)
    raise HTTPException(404)


#: The endpoints that only answer 404 pages: a path that only they take has no page, so any method
#: there is a 404, not a 405 (web/errors.py).
CATCH_ALL: frozenset[Callable[..., Any]] = frozenset({_no_page, _no_top_page})


def router() -> APIRouter:
    """Every page route: ``/``, the files asked for at the root and ``/{lang}/...``."""
    pages = APIRouter()
    pages.add_api_route("/", _root, methods=["GET"], include_in_schema=False)
    directory = (home, organisation, account, leaderboards, compare, timeline)
    for module in (*directory, verify, how_we_measure, open_data, reports, api_docs, survey, site_files):
        pages.include_router(module.router)
    return pages


def add_catch_all(app: FastAPI) -> None:
    """404 pages for other paths under a language and for other top-level names.

    Call it after every other route and mount is added, so that all of them come first. The routes
    go on the app itself, not a router, so that the error handlers can tell them apart when they
    work out which methods a path takes (``errors.allowed_methods``).
    """
    # One literal prefix per language, so /static and /api/v1 are never caught here.
    for code in LANGUAGES:
        app.add_api_route(f"/{code}/{{rest:path}}", _no_page, methods=["GET"], include_in_schema=False)
    # One segment, no slash: /static/... and /api/v1/... have more, so they never end here.
    app.add_api_route("/{first}", _no_top_page, methods=["GET"], include_in_schema=False)


def error_page(request: Request, status_code: int, message: str) -> Response:
    """An HTML error page, in the language of the URL's first segment when it names one."""
    first = request.url.path.strip("/").split("/", 1)[0]
    return render(
        request,
        LANGUAGES.get(first),
        "error.html",
        status_code=status_code,
        status=status_code,
        message=message,
    )
