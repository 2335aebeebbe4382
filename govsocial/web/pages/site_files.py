"""The files a site is asked for at its root by convention: ``/favicon.ico`` (browsers, feed readers),
``/favicon.svg`` (the pages' icon link) and ``/robots.txt`` (crawlers).

Without these routes the portal would read ``favicon.ico`` as a language and answer with a redirect
and a 404 page. The icon is drawn by :mod:`govsocial.web.favicon`; robots.txt lets every crawler read
every page (the portal is public information) and names nothing outside the site.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse, Response

from govsocial.web import favicon

router = APIRouter()

#: The icon changes only with a release: caches may keep it for a day without asking.
ICON_CACHE_CONTROL = "public, max-age=86400"
ROBOTS = "# govsocial: a public directory; every page may be read.\nUser-agent: *\nAllow: /\n"


@router.get("/favicon.ico", include_in_schema=False)
def favicon_ico() -> Response:
    """The icon as ICO."""
    return Response(favicon.ico(), media_type="image/x-icon", headers={"Cache-Control": ICON_CACHE_CONTROL})


@router.get("/favicon.svg", include_in_schema=False)
def favicon_svg() -> Response:
    """The icon as SVG."""
    return Response(favicon.svg(), media_type="image/svg+xml", headers={"Cache-Control": ICON_CACHE_CONTROL})


@router.get("/robots.txt", include_in_schema=False)
def robots() -> PlainTextResponse:
    """Every crawler may read every page."""
    return PlainTextResponse(ROBOTS)
