"""``/{lang}/api``: the open data API, documented in the portal itself.

FastAPI's Swagger UI loads its scripts from a CDN, which the portal's CSP forbids; this page
lists every endpoint with a working example link instead. What each endpoint answers is written
here by hand, so that it can be translated; its query parameters come from the app's OpenAPI
document, so they never drift from the code. A test fails when an API route has no entry here, or
an entry names no route.

The examples name things of the configured jurisdiction's own registry (its first organisations
with a published account, its example account), so that a portal for another government never
links to Hong Kong's; an example that needs something the registry lacks is left out.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, quote_plus

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from govsocial.store import tables as t
from govsocial.web.api import PREFIX
from govsocial.web.deps import SessionDep, SettingsDep
from govsocial.web.pages.i18n import N_
from govsocial.web.pages.render import LangDep, example_account, example_organisations, render

router = APIRouter()


@dataclass(frozen=True)
class Endpoint:
    """One documented endpoint: its path, what it answers (a message id) and an example address.

    Names in braces in the example are filled in by :func:`example_values`: ``{lang}`` is the page's
    language (the feed is per language), the others things of the jurisdiction's registry."""

    path: str
    summary: str
    example: str


@dataclass(frozen=True)
class EndpointView:
    """An endpoint as the page shows it: with its query parameters and the example for this language."""

    path: str
    summary: str
    parameters: tuple[str, ...]
    example: str | None


ENDPOINTS = (
    Endpoint(
        f"{PREFIX}/organisations",
        N_("Bureaux, departments and other organisations, by English name."),
        f"{PREFIX}/organisations?q={{name}}",
    ),
    Endpoint(
        f"{PREFIX}/organisations/{{jurisdiction}}/{{code}}",
        N_("One organisation."),
        f"{PREFIX}/organisations/{{jurisdiction}}/{{org}}",
    ),
    Endpoint(
        f"{PREFIX}/accounts",
        N_("Accounts, with their owners, status and evidence."),
        f"{PREFIX}/accounts?platform=youtube",
    ),
    Endpoint(f"{PREFIX}/accounts/{{account_id}}", N_("One account."), f"{PREFIX}/accounts/{{account}}"),
    Endpoint(
        f"{PREFIX}/accounts/{{account_id}}/posts",
        N_("An account's posts, newest first, with their latest counts and the sentiment of their comments."),
        f"{PREFIX}/accounts/{{account}}/posts?limit=5",
    ),
    Endpoint(
        f"{PREFIX}/timeline",
        N_("The government timeline: the posts of every official account, newest first."),
        f"{PREFIX}/timeline?platform=facebook&limit=5",
    ),
    Endpoint(
        f"{PREFIX}/verify",
        N_("Is this address an official account? Answers official, archived or unknown."),
        f"{PREFIX}/verify?url={{url}}",
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
        f"{PREFIX}/compare?organisation={{org}}&organisation={{org2}}",
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

#: A name in braces in an example.
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def example_values(
    session: Session, jurisdiction: str, organisations: list[t.Organisation], lang_code: str
) -> dict[str, str]:
    """What the examples' names in braces stand for (``organisations``: the jurisdiction's example
    ones); a name the registry has nothing for is absent."""
    values = {"lang": lang_code, "jurisdiction": quote(jurisdiction, safe="")}
    account = example_account(session, jurisdiction)
    if account is not None and account.url:
        values |= {"account": str(account.id), "url": quote(account.url, safe=":/")}
    for key, organisation in zip(("org", "org2"), organisations, strict=False):
        values[key] = quote(organisation.code, safe="")
    if organisations:
        values["name"] = quote_plus(organisations[0].name_en)
    return values


def fill(example: str, values: dict[str, str]) -> str | None:
    """``example`` with its names in braces filled in from ``values``; None if one is missing."""
    missing = [key for key in PLACEHOLDER.findall(example) if key not in values]
    return None if missing else PLACEHOLDER.sub(lambda found: values[found.group(1)], example)


def envelope_example(organisations: list[t.Organisation]) -> str:
    """The shape of a list answer, shown with the jurisdiction's first organisation (if any)."""
    first = organisations[0] if organisations else None
    code = first.code if first else "..."
    names = {"en": first.name_en if first else "...", "zh_hant": first.name_zh_hant if first else None}
    shown = ", ".join(f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in names.items() if v)
    return f"""{{
  "data": [
    {{"code": {json.dumps(code, ensure_ascii=False)}, "name": {{{shown}, ...}}, ...}}
  ],
  "count": 1
}}"""


def query_parameters(document: dict[str, Any], path: str) -> tuple[str, ...]:
    """The query parameters of ``GET path`` in the OpenAPI ``document`` (path parameters show in the path)."""
    operation = document.get("paths", {}).get(path, {}).get("get")
    if operation is None:
        return OTHER_PARAMETERS.get(path, ())
    return tuple(p["name"] for p in operation.get("parameters", []) if p["in"] == "query")


def endpoint_views(document: dict[str, Any], values: dict[str, str]) -> list[EndpointView]:
    """Every documented endpoint, with its parameters and its example filled in from ``values``."""
    return [
        EndpointView(e.path, e.summary, query_parameters(document, e.path), fill(e.example, values))
        for e in ENDPOINTS
    ]


@router.get("/{lang}/api", response_class=HTMLResponse, include_in_schema=False)
def api_docs(request: Request, lang: LangDep, session: SessionDep, settings: SettingsDep) -> HTMLResponse:
    """The API's documentation page."""
    organisations = example_organisations(session, settings.jurisdiction)
    values = example_values(session, settings.jurisdiction, organisations, lang.code)
    # FastAPI builds the document once and keeps it.
    endpoints = endpoint_views(request.app.openapi(), values)
    envelope = envelope_example(organisations)
    return render(
        request, lang, "api.html", section="open-data",
        endpoints=endpoints, prefix=PREFIX, envelope=envelope, max_page_size=settings.max_page_size,
    )  # fmt: skip
