"""``/{lang}/api``: the open data API, documented in the portal itself.

FastAPI's Swagger UI loads its scripts from a CDN, which the portal's CSP forbids; this page
lists every endpoint with a working example link instead. What each endpoint answers is written
here by hand, so that it can be translated; its query parameters come from the app's OpenAPI
document, so they never drift from the code. A test fails when an API route has no entry here, or
an entry names no route.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from govsocial.web.api import PREFIX
from govsocial.web.pages.i18n import N_
from govsocial.web.pages.render import LangDep, render

router = APIRouter()


@dataclass(frozen=True)
class Endpoint:
    """One documented endpoint: its path, what it answers (a message id) and an example address.

    ``{lang}`` in the example is the page's language (the feed is per language)."""

    path: str
    summary: str
    example: str


@dataclass(frozen=True)
class EndpointView:
    """An endpoint as the page shows it: with its query parameters and the example for this language."""

    path: str
    summary: str
    parameters: tuple[str, ...]
    example: str


ENDPOINTS = (
    Endpoint(
        f"{PREFIX}/organisations",
        N_("Bureaux, departments and other organisations, by English name."),
        f"{PREFIX}/organisations?q=police",
    ),
    Endpoint(
        f"{PREFIX}/organisations/{{jurisdiction}}/{{code}}",
        N_("One organisation."),
        f"{PREFIX}/organisations/hk/cfs",
    ),
    Endpoint(
        f"{PREFIX}/accounts",
        N_("Accounts, with their owners, status and evidence."),
        f"{PREFIX}/accounts?platform=youtube",
    ),
    Endpoint(f"{PREFIX}/accounts/{{account_id}}", N_("One account."), f"{PREFIX}/accounts/1"),
    Endpoint(
        f"{PREFIX}/accounts/{{account_id}}/posts",
        N_("An account's posts, newest first, with their latest counts and the sentiment of their comments."),
        f"{PREFIX}/accounts/1/posts?limit=5",
    ),
    Endpoint(
        f"{PREFIX}/timeline",
        N_("The government timeline: the posts of every official account, newest first."),
        f"{PREFIX}/timeline?platform=facebook&limit=5",
    ),
    Endpoint(
        f"{PREFIX}/verify",
        N_("Is this address an official account? Answers official, archived or unknown."),
        f"{PREFIX}/verify?url=https://www.facebook.com/cfs.hk",
    ),
    Endpoint(
        f"{PREFIX}/platforms",
        N_("The platforms the registry knows, with the web addresses each one uses."),
        f"{PREFIX}/platforms",
    ),
    Endpoint(
        f"{PREFIX}/metrics",
        N_("Every metric: its goal, plain-language definition, formula, source and inputs."),
        f"{PREFIX}/metrics",
    ),
    Endpoint(
        f"{PREFIX}/metrics/{{name}}",
        N_("One metric's definition and its stored values, newest period first."),
        f"{PREFIX}/metrics/post_volume?level=government&period_kind=month",
    ),
    Endpoint(
        f"{PREFIX}/scorecard",
        N_("Every metric about one account, organisation, platform or the government in one period."),
        f"{PREFIX}/scorecard?level=government",
    ),
    Endpoint(
        f"{PREFIX}/leaderboards/{{metric}}",
        N_("Organisations or accounts ranked by one metric in one period, best first."),
        f"{PREFIX}/leaderboards/post_volume?level=organisation&period_kind=month",
    ),
    Endpoint(
        f"{PREFIX}/compare",
        N_("The same metrics for two or more organisations side by side, the best of each marked."),
        f"{PREFIX}/compare?organisation=cfs&organisation=hk-hkpf",
    ),
    Endpoint(
        f"{PREFIX}/events",
        N_("Spikes of comment volume or of negative comments, the latest first."),
        f"{PREFIX}/events?kind=comment_volume",
    ),
    Endpoint(
        f"{PREFIX}/clarifications",
        N_("Posts that clarify misinformation, with their reach and the time it took."),
        f"{PREFIX}/clarifications",
    ),
    Endpoint(
        f"{PREFIX}/topics",
        N_("What commenters talk about: the rising and the most mentioned terms of a week or a month."),
        f"{PREFIX}/topics?period=month",
    ),
    Endpoint(
        f"{PREFIX}/downloads",
        N_("The open datasets, each with its columns, row count and files in CSV, JSON and Parquet."),
        f"{PREFIX}/downloads",
    ),
    Endpoint(
        f"{PREFIX}/downloads/{{dataset}}.{{fmt}}",
        N_("One whole dataset as a file: csv, json or parquet."),
        f"{PREFIX}/downloads/organisations.csv",
    ),
    Endpoint(
        f"{PREFIX}/survey/results",
        N_("The citizen survey's results: means with 95 in 100 confidence intervals and counts by age band."),
        f"{PREFIX}/survey/results",
    ),
    Endpoint(
        f"{PREFIX}/survey/responses.csv",
        N_("The citizen survey's anonymised responses as CSV: answers only, the month, no token or address."),
        f"{PREFIX}/survey/responses.csv",
    ),
    Endpoint(
        f"{PREFIX}/openapi.json",
        N_("The OpenAPI description of every endpoint, for code generators and API tools."),
        f"{PREFIX}/openapi.json",
    ),
    Endpoint(
        "/{lang}/timeline.atom",
        N_("The government timeline as an Atom feed, for feed readers; the same filters as the timeline."),
        "/{lang}/timeline.atom?platform=facebook",
    ),
)
#: Query parameters of the endpoints the OpenAPI document does not describe.
OTHER_PARAMETERS = {"/{lang}/timeline.atom": ("platform", "organisation")}

ENVELOPE_EXAMPLE = """{
  "data": [
    {"code": "cfs", "name": {"en": "Centre for Food Safety", "zh_hant": "食物安全中心", ...}, ...}
  ],
  "count": 1
}"""


def query_parameters(document: dict[str, Any], path: str) -> tuple[str, ...]:
    """The query parameters of ``GET path`` in the OpenAPI ``document`` (path parameters show in the path)."""
    operation = document.get("paths", {}).get(path, {}).get("get")
    if operation is None:
        return OTHER_PARAMETERS.get(path, ())
    return tuple(p["name"] for p in operation.get("parameters", []) if p["in"] == "query")


def endpoint_views(document: dict[str, Any], lang_code: str) -> list[EndpointView]:
    """Every documented endpoint, with its parameters and its example in language ``lang_code``."""
    return [
        EndpointView(
            e.path, e.summary, query_parameters(document, e.path), e.example.replace("{lang}", lang_code)
        )
        for e in ENDPOINTS
    ]


@router.get("/{lang}/api", response_class=HTMLResponse, include_in_schema=False)
def api_docs(request: Request, lang: LangDep) -> HTMLResponse:
    """The API's documentation page."""
    # FastAPI builds the document once and keeps it.
    endpoints = endpoint_views(request.app.openapi(), lang.code)
    return render(
        request, lang, "api.html", section="open-data",
        endpoints=endpoints, prefix=PREFIX, envelope=ENVELOPE_EXAMPLE,
    )  # fmt: skip
