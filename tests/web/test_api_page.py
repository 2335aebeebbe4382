"""The API page (``/{lang}/api``): every API route has an entry, every entry a route, every example works."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient

from govsocial.settings import Settings
from govsocial.web.api import PREFIX
from govsocial.web.app import create_app
from govsocial.web.pages.api_docs import ENDPOINTS, query_parameters

#: Served by FastAPI itself, outside the document it serves.
DOCUMENT = f"{PREFIX}/openapi.json"


def _api_paths() -> set[str]:
    """Every GET path under /api/v1: the OpenAPI document's, and the document itself."""
    document = create_app(Settings.load(database_url="sqlite://")).openapi()
    return {path for path, item in document["paths"].items() if "get" in item} | {DOCUMENT}


def test_every_api_route_has_an_entry() -> None:
    listed = {e.path for e in ENDPOINTS}
    missing = sorted(_api_paths() - listed)
    assert not missing, f"add these to ENDPOINTS in govsocial/web/pages/api_docs.py: {missing}"


def test_every_api_entry_names_a_route() -> None:
    listed = {e.path for e in ENDPOINTS if e.path.startswith(PREFIX + "/")}
    assert not listed - _api_paths(), "entries for routes that do not exist"
    assert len(ENDPOINTS) == len({e.path for e in ENDPOINTS}), "an endpoint listed twice"


def test_the_feed_and_the_downloads_are_listed() -> None:
    listed = {e.path for e in ENDPOINTS}
    assert {
        "/{lang}/timeline.atom",
        f"{PREFIX}/downloads",
        f"{PREFIX}/downloads/{{dataset}}.{{fmt}}",
    } <= listed


def test_parameters_come_from_the_openapi_document() -> None:
    document = create_app(Settings.load(database_url="sqlite://")).openapi()
    assert {"platform", "status", "limit", "offset"} <= set(query_parameters(document, f"{PREFIX}/accounts"))
    assert query_parameters(document, f"{PREFIX}/downloads/{{dataset}}.{{fmt}}") == ("jurisdiction",)
    assert query_parameters(document, "/{lang}/timeline.atom") == ("platform", "organisation")


@pytest.mark.parametrize("lang", ["en", "zh-hant"])
def test_page_lists_every_endpoint_and_every_example_link_works(client: TestClient, lang: str) -> None:
    response = client.get(f"/{lang}/api")
    assert response.status_code == 200
    page = response.text
    assert f'href="/{lang}/open-data" aria-current="page"' in page  # the API belongs to the open data section
    for endpoint in ENDPOINTS:
        assert f"<code>GET {html.escape(endpoint.path)}</code>" in page, endpoint.path
    examples = [html.unescape(href) for href in re.findall(r'<a class="break" href="([^"]+)"', page)]
    assert len(examples) == len(ENDPOINTS)
    assert f"/{lang}/timeline.atom?platform=facebook" in examples
    for example in examples:
        assert client.get(example).status_code == 200, example


def test_page_keeps_the_envelope_and_caching_notes(client: TestClient) -> None:
    page = client.get("/en/api").text
    assert "<code>count</code>" in page and "&#34;count&#34;: 1" in page
    assert "If-None-Match" in page and "CORS" in page and "byte order mark" in page
