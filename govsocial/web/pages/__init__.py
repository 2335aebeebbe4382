"""The public portal: server-rendered pages in three languages, the language first in every URL.

``router()`` gives every page route; ``error_page()`` is what ``create_app``'s exception handlers
show for a missing organisation, an unknown language or a bad address outside the API.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

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
    survey,
    timeline,
    verify,
)
from govsocial.web.pages.i18n import LANGUAGES
from govsocial.web.pages.render import default_language, render

__all__ = ["error_page", "router"]


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


def router() -> APIRouter:
    """Every page route: ``/`` and ``/{lang}/...``, then a 404 page for other paths under a language."""
    pages = APIRouter()
    pages.add_api_route("/", _root, methods=["GET"], include_in_schema=False)
    directory = (home, organisation, account, leaderboards, compare, timeline)
    for module in (*directory, verify, how_we_measure, open_data, reports, api_docs, survey):
        pages.include_router(module.router)
    # One literal prefix per language, so /static and /api/v1 are never caught here.
    for code in LANGUAGES:
        pages.add_api_route(f"/{code}/{{rest:path}}", _no_page, methods=["GET"], include_in_schema=False)
    return pages


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
