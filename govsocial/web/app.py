"""The app factory: ``create_app(settings)`` builds the portal and the API, nothing at import time."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.datastructures import MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from govsocial import __version__
from govsocial.analyze.metrics.params import configured
from govsocial.collect.runs import RunSummary
from govsocial.collect.scheduler import Scheduler
from govsocial.settings import Settings
from govsocial.store.db import make_engine, session_factory
from govsocial.web import admin, api, errors, health, pages
from govsocial.web.admin.refresh import MetricsRefresher
from govsocial.web.api.survey import WITHHELD_HEADER
from govsocial.web.caching import ConditionalGet
from govsocial.web.inputs import RequestInputs
from govsocial.web.response_cache import ResponseCache
from govsocial.web.state import AppState

STATIC = Path(__file__).resolve().parent / "static"
log = logging.getLogger(__name__)

# No inline scripts or styles and nothing from another origin: the portal ships its own assets.
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}
#: The API's data change only after a collection run and a metrics refresh: a minute in a cache is harmless.
API_CACHE_CONTROL = "public, max-age=60"
#: Pages may be stored but are revalidated each time (a 304 when unchanged): they show the latest run.
PAGE_CACHE_CONTROL = "no-cache"
#: What other sites' scripts may do with the API: read it, nothing else, never with credentials.
CORS_METHODS = ("GET", "HEAD", "OPTIONS")
#: The response headers beyond the CORS-safelisted ones that those scripts may read: the validator to
#: send back, what the survey export holds back, a download's file name, a list's next and previous pages.
CORS_EXPOSED = ("ETag", WITHHELD_HEADER, "Content-Disposition", "Link")


def create_app(settings: Settings, engine: Engine | None = None, collect: bool = False) -> FastAPI:
    """Build the web app for ``settings``; pass ``engine`` to share one (tests, workers).

    With ``collect``, the app also runs the collection scheduler while it serves.
    """
    configured(settings)  # a bad metric_params stops the start (one line), not every scorecard page
    engine = engine or make_engine(settings.database_url)
    app = FastAPI(
        lifespan=_scheduler_lifespan(engine, settings) if collect else None,
        title="govsocial API",
        version=__version__,
        description="Open data on a government's official social media accounts. "
        'List responses are {"data": [...], "count": N}.',
        openapi_url=f"{api.PREFIX}/openapi.json",
        # FastAPI's interactive docs load scripts from a CDN; the portal documents the API itself.
        docs_url=None,
        redoc_url=None,
    )
    app.state.govsocial = AppState(settings, engine, session_factory(engine))
    app.include_router(api.router())
    app.include_router(health.router)  # before the pages, whose /{lang} would take /healthz
    # Before the pages: their /{lang}/... routes would take /admin/... (docs/admin.md).
    admin.install(app)
    app.include_router(pages.router())
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    pages.add_catch_all(app)
    errors.install(app)
    # The last added runs first: security headers around CORS around the 500 answer around the
    # ETags around the checks of the address around the page cache, so that a cached answer still
    # gets its ETag, its 304 and its headers, an unhandled error still gets the security headers and
    # CORS (web/errors.py), and the cache keys the query string as the routes read it (web/inputs.py).
    if settings.page_cache_seconds > 0:
        app.add_middleware(ResponseCache, ttl=settings.page_cache_seconds)
    app.add_middleware(RequestInputs, is_api=_is_api_path, strict=admin.is_admin_path)
    app.add_middleware(ConditionalGet, cache_control=cache_control)
    app.add_middleware(errors.ServerErrors)
    app.add_middleware(_ApiCors)
    app.add_middleware(_SecurityHeaders)
    return app


def cache_control(path: str) -> str | None:
    """The ``Cache-Control`` of a successful GET of ``path``; None for static files, which
    carry their own validators (ETag and Last-Modified from the file)."""
    if _is_api_path(path):
        return API_CACHE_CONTROL
    if path.startswith("/static/"):
        return None
    return PAGE_CACHE_CONTROL


def _scheduler_lifespan(
    engine: Engine, settings: Settings
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        stop = asyncio.Event()
        refresher: MetricsRefresher = app.state.metrics_refresher
        scheduler = Scheduler(engine, settings, after_round=_refresh_metrics(refresher))
        task = asyncio.create_task(scheduler.run_forever(stop))
        try:
            yield
        finally:
            stop.set()
            await task
            # A stop waits for the refresh a round asked for, as it waited when the round made it.
            await asyncio.to_thread(refresher.wait)

    return lifespan


def _refresh_metrics(refresher: MetricsRefresher) -> Callable[[RunSummary], None]:
    """After a scheduled round that stored something new or changed (the scheduler calls it only
    then, ``collect/scheduler.py``): recompute the metrics of the jurisdictions it stored rows
    under, so pages show the new numbers. The admin imports' refresher does it: one refresh at a
    time, never beside an import's refresh of the same jurisdiction, and the run's page says how it
    went (``admin/refresh.py``)."""

    def refresh_after(summary: RunSummary) -> None:
        state = refresher.after_run(summary, dt.datetime.now(dt.UTC))
        log.info("after collection run %s: metrics refresh %s", summary.run_id, state.get("status"))

    return refresh_after


class _SecurityHeaders:
    """The security headers on every response (pure ASGI: no task per request)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_api = _is_api_path(scope["path"])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if is_api:
                    # The API is open data: any site may read it, with or without an Origin header.
                    headers.setdefault("Access-Control-Allow-Origin", "*")
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _ApiCors:
    """Starlette's CORS middleware on the API only (the pages are not meant for other sites' scripts):
    any origin, read-only methods, no credentials; scripts may send ``If-None-Match`` and read the
    headers of ``CORS_EXPOSED``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.cors = CORSMiddleware(
            app,
            allow_origins=["*"],
            allow_methods=CORS_METHODS,
            allow_headers=["If-None-Match"],
            allow_credentials=False,
            expose_headers=list(CORS_EXPOSED),
            max_age=86400,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _is_api_path(scope["path"]):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def _is_api_path(path: str) -> bool:
    return path == api.PREFIX or path.startswith(api.PREFIX + "/")
