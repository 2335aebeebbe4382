"""``/{lang}/api``: the open data API, documented in the portal itself.

FastAPI's Swagger UI loads its scripts from a CDN, which the portal's CSP forbids; this page
lists the endpoints with working example links instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from govsocial.web.api import PREFIX
from govsocial.web.pages.i18n import N_
from govsocial.web.pages.render import LangDep, render

router = APIRouter()


@dataclass(frozen=True)
class Endpoint:
    """One documented endpoint: its path, what it answers (a message id), its parameters and an example."""

    path: str
    summary: str
    parameters: tuple[str, ...]
    example: str


ENDPOINTS = (
    Endpoint(
        f"{PREFIX}/organisations",
        N_("Bureaux, departments and other organisations, by English name."),
        ("q", "org_type", "platform", "jurisdiction", "limit", "offset"),
        f"{PREFIX}/organisations?q=police",
    ),
    Endpoint(
        f"{PREFIX}/organisations/{{jurisdiction}}/{{code}}",
        N_("One organisation."),
        (),
        f"{PREFIX}/organisations/hk/cfs",
    ),
    Endpoint(
        f"{PREFIX}/accounts",
        N_("Accounts, with their owners, status and evidence."),
        ("q", "platform", "org_type", "organisation", "status", "jurisdiction", "limit", "offset"),
        f"{PREFIX}/accounts?platform=youtube",
    ),
    Endpoint(
        f"{PREFIX}/accounts/{{id}}",
        N_("One account."),
        (),
        f"{PREFIX}/accounts/1",
    ),
    Endpoint(
        f"{PREFIX}/verify",
        N_("Is this address an official account? Answers official, archived or unknown."),
        ("url", "platform"),
        f"{PREFIX}/verify?url=https://www.facebook.com/cfs.hk",
    ),
    Endpoint(
        f"{PREFIX}/platforms",
        N_("The platforms the registry knows, with the web addresses each one uses."),
        (),
        f"{PREFIX}/platforms",
    ),
    Endpoint(
        f"{PREFIX}/openapi.json",
        N_("The OpenAPI description of every endpoint, for code generators and API tools."),
        (),
        f"{PREFIX}/openapi.json",
    ),
)

ENVELOPE_EXAMPLE = """{
  "data": [
    {"code": "cfs", "name": {"en": "Centre for Food Safety", "zh_hant": "食物安全中心", ...}, ...}
  ],
  "count": 1
}"""


@router.get("/{lang}/api", response_class=HTMLResponse, include_in_schema=False)
def api_docs(request: Request, lang: LangDep) -> HTMLResponse:
    """The API's documentation page."""
    return render(
        request, lang, "api.html", section="api",
        endpoints=ENDPOINTS, prefix=PREFIX, envelope=ENVELOPE_EXAMPLE,
    )
