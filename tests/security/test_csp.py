"""A strict Content-Security-Policy on every response, and templates that need nothing more.

The policy allows scripts, styles and images from the portal itself only, and no inline script,
inline style, ``eval`` or plugin; frames and ``<base>`` are refused. It is sent on every response
(pages, the admin area, the API, static files, errors). Templates are checked statically: no
``<script>``, no event-handler attribute, no ``style`` attribute (``style-src 'self'`` blocks those
too), no ``javascript:``; and every link whose address comes from data goes through the
``http_url`` filter. The browser test (``test_browser.py``) checks that Chromium reports no
violation.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from govsocial.settings import PROJECT_ROOT, Settings
from govsocial.web.admin import api as admin_api
from govsocial.web.admin import pages as admin_pages
from govsocial.web.app import CSP, SECURITY_HEADERS, create_app
from tests.security.hostile import Hostile, page_paths

TEMPLATES = PROJECT_ROOT / "govsocial" / "web" / "templates"
WEB = PROJECT_ROOT / "govsocial" / "web"
REQUIRED = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def directives(policy: str) -> dict[str, str]:
    """``{"script-src": "'self'", ...}`` from a policy."""
    pairs = (part.strip().split(None, 1) for part in policy.split(";") if part.strip())
    return {name: value if value else "" for name, *rest in pairs for value in [rest[0] if rest else ""]}


def test_the_policy_is_strict() -> None:
    found = directives(CSP)
    assert {k: found.get(k) for k in REQUIRED} == REQUIRED
    assert "unsafe-inline" not in CSP and "unsafe-eval" not in CSP and "unsafe-hashes" not in CSP
    assert "*" not in CSP and "http:" not in CSP and "https:" not in CSP
    assert found["img-src"].split() == ["'self'", "data:"]  # the charts' data: images, nothing else


@pytest.fixture(scope="module")
def client(hostile: Hostile) -> Iterator[TestClient]:
    """The portal over the hostile store."""
    with TestClient(create_app(Settings.load(database_url=hostile.url)), follow_redirects=False) as client:
        yield client


def _get_paths(client: TestClient) -> list[str]:
    """Every GET path of the API (from its OpenAPI document) and of the admin area without path
    parameters, the root, the document itself and a static file (the pages are in ``page_paths``)."""
    document = client.get("/api/v1/openapi.json").json()
    paths = [p for p, item in document["paths"].items() if "get" in item and "{" not in p]
    for router in (admin_pages.router(), admin_api.router()):
        paths += [
            route.path
            for route in router.routes
            if isinstance(route, APIRoute) and "GET" in route.methods and "{" not in route.path
        ]
    return [*paths, "/", "/api/v1/openapi.json", "/static/portal.css"]


def test_every_response_carries_the_security_headers(client: TestClient, hostile: Hostile) -> None:
    paths = (
        _get_paths(client) + page_paths(hostile, "zh-hant") + ["/api/v1/organisations/hk/nothing", "/nothing"]
    )
    admin = [p for p in paths if p.startswith("/admin")]
    assert "/admin/login" in admin, "the admin area is checked too"
    missing = {}
    for path in paths:
        response = client.get(path)
        wrong = {
            k: response.headers.get(k) for k, v in SECURITY_HEADERS.items() if response.headers.get(k) != v
        }
        if wrong:
            missing[f"{path} ({response.status_code})"] = wrong
    assert missing == {}


def test_the_admin_login_form_posts_to_itself_with_no_inline_code(client: TestClient) -> None:
    response = client.get("/admin/login")
    assert response.status_code == 200
    assert "<script" not in response.text and "style=" not in response.text
    assert not re.search(r"\son[a-z]+=", response.text)


def _templates() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


INLINE = {
    "a <script> element": re.compile(r"<script", re.IGNORECASE),
    "an event-handler attribute": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "a style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "a <style> element": re.compile(r"<style", re.IGNORECASE),
    "a javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


def test_templates_hold_no_inline_script_style_or_handler() -> None:
    assert len(_templates()) > 15 and any("admin" in p.parts for p in _templates())
    found = [
        f"{path.relative_to(TEMPLATES)}: {what}"
        for path in _templates()
        for what, pattern in INLINE.items()
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_no_python_module_of_the_web_layer_writes_inline_script_or_style() -> None:
    # Pages and charts built in Python (SVG charts use presentation attributes such as fill=, which
    # the policy allows; a style="..." attribute it would block).
    found = [
        f"{path.relative_to(WEB)}: {what}"
        for path in sorted(WEB.rglob("*.py"))
        for what, pattern in INLINE.items()
        if what != "a javascript: URL" and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []


HREF = re.compile(r"""\b(?:href|src|action)="\{\{\s*(.*?)\s*\}\}""")
#: Expressions that build addresses inside the portal (or name its own files), never from data.
INTERNAL = re.compile(
    r"^(?:page_url\(|organisation_url\(|static\b|url$|href$|feed_url$|api_url$|api$|verify$|prefix\b|"
    r"metrics$|home$|f\.url$|endpoint\.example$|row\.url$|p\.icon$|action$)"
)


def test_every_link_from_data_goes_through_http_url() -> None:
    found = [
        f"{path.relative_to(TEMPLATES)}: {expression}"
        for path in _templates()
        for expression in HREF.findall(path.read_text(encoding="utf-8"))
        if not INTERNAL.match(expression) and not expression.endswith("|http_url")
    ]
    assert found == []


MARKS_SAFE = re.compile(r"\|\s*safe\b|Markup\(|autoescape\s*=\s*False|{%\s*autoescape\s+false", re.IGNORECASE)


def test_nothing_marks_data_as_safe_html() -> None:
    # Autoescaping is on in every environment; ``|safe`` or ``Markup`` would turn it off for a value.
    sources = [*_templates(), *sorted(WEB.rglob("*.py"))]
    found = [
        str(path.relative_to(WEB)) for path in sources if MARKS_SAFE.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []
    for module in ("pages/render.py", "admin/pages.py"):
        assert "autoescape=True" in (WEB / module).read_text(encoding="utf-8"), module
