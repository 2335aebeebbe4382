"""``GET /healthz``: whether this worker and its database answer, for a load balancer or a monitor.

Every other answer may come from the page cache (``web/response_cache.py``) for a few seconds, so a
page or an API call can answer 200 while the database is down. This one never does: it runs
``SELECT 1`` on every request and is sent with ``Cache-Control: no-store``, which neither the page
cache nor the conditional-GET layer keeps. A failure answers 503 and names only the kind of error:
a driver's message may hold the database's host and user, and the answer is public.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from govsocial.web.deps import get_state

PATH = "/healthz"
#: Never kept by a cache along the way, nor by the page cache.
NO_STORE = {"Cache-Control": "no-store"}

log = logging.getLogger(__name__)
router = APIRouter()


@router.api_route(PATH, methods=["GET", "HEAD"], include_in_schema=False)
async def healthz(request: Request) -> JSONResponse:
    """200 ``{"status": "ok"}`` when the database answered; 503 when it did not."""
    engine = get_state(request).engine
    try:
        await run_in_threadpool(_ping, engine)
    except SQLAlchemyError as error:
        log.warning("health check: the database did not answer (%s)", type(error).__name__)
        body = {"status": "unavailable", "database": type(error).__name__}
        return JSONResponse(body, status_code=503, headers=NO_STORE)
    return JSONResponse({"status": "ok", "database": "ok"}, headers=NO_STORE)


def _ping(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
