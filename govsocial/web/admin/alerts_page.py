"""The admin page of alerts (``/admin/alerts``): what the rules fired, newest first, with when each
channel delivered it or why it did not, and the rules themselves (docs/alerts.md). Read-only: rules
are managed with ``govsocial alerts rules``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from govsocial.store import alerts
from govsocial.web.admin.pages import PAGE_ROWS, PREFIX, Viewer, render
from govsocial.web.deps import MAX_INT, get_state


def router() -> APIRouter:
    """The alerts page's router (kept out of the OpenAPI document)."""
    r = APIRouter(prefix=PREFIX, include_in_schema=False)
    r.add_api_route("/alerts", alerts_page, methods=["GET"])
    return r


def alerts_page(request: Request, me: Viewer, offset: int = 0) -> Response:
    """Alerts, newest first, a page at a time, and every rule."""
    offset = max(0, min(offset, MAX_INT))
    with get_state(request).sessions() as session:
        rows = alerts.recent(session, PAGE_ROWS, offset)
        rules = alerts.list_rules(session)
        return render("alerts.html", me, rows=rows, rules=rules, offset=offset, page_rows=PAGE_ROWS)
