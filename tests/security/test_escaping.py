"""Everything users, the registry and the platforms write reaches the pages as text, never as markup.

The hostile store (``tests.security.hostile``) holds script payloads in every name, handle, note
and text, and ``javascript:``/``data:`` URLs in every link from outside; every kind of page, in
each language, is rendered over it with hostile query strings too, and its HTML is checked: no
payload unescaped, no script element, no event-handler or style attribute, and no link that is not
relative or http(s). The Atom feed and the JSON API are checked for the same links.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote
from xml.etree import ElementTree as ET

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from govsocial.registry.records import AccountRecord, OrganisationRecord
from govsocial.settings import Settings
from govsocial.store import users
from govsocial.store.db import make_engine, session_factory, transaction
from govsocial.web.app import create_app
from govsocial.web.pages.render import http_url
from tests.demo_store import copy_database
from tests.security.hostile import IMG, JS_URLS, SCRIPT, Hostile, page_paths, problems

LANGUAGES = ("en", "zh-hant", "zh-hans")


@pytest.fixture(scope="module")
def client(hostile: Hostile) -> Iterator[TestClient]:
    """The portal over the hostile store."""
    with TestClient(create_app(Settings.load(database_url=hostile.url))) as client:
        yield client


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_page_lets_a_payload_or_a_script_link_through(
    client: TestClient, hostile: Hostile, lang: str
) -> None:
    found = {}
    for path in page_paths(hostile, lang):
        response = client.get(path)
        assert response.status_code in (200, 400, 404), (path, response.status_code)
        # (a path the router does not know at all gets Starlette's JSON 404, which echoes nothing)
        if problems(response.text):
            found[path] = problems(response.text)
    assert found == {}


def test_the_hostile_rows_are_on_the_pages_as_text(client: TestClient, hostile: Hostile) -> None:
    # Otherwise the test above would prove nothing: the payloads are shown, escaped.
    organisation = client.get(f"/en/organisations/hk/{hostile.org_code}").text
    account = client.get(f"/en/accounts/{hostile.account_id}").text
    timeline = client.get("/en/timeline").text
    for page in (organisation, account, timeline):
        assert str(escape(SCRIPT)) in page
    assert str(escape(IMG)) in account  # the handle and the evidence note
    assert str(escape(SCRIPT)) in client.get(f"/en/?q={quote(SCRIPT)}").text  # the search echoes the query
    assert str(escape(JS_URLS[0])) in client.get(f"/en/verify?url={quote(JS_URLS[0])}").text


def test_links_from_outside_are_only_made_for_http_urls(client: TestClient, hostile: Hostile) -> None:
    account = client.get(f"/en/accounts/{hostile.account_id}").text
    organisation = client.get(f"/en/organisations/hk/{hostile.org_code}").text
    # The account's address and the organisation's website are shown as text, not as links.
    assert str(escape(JS_URLS[1])) in account
    assert str(escape(JS_URLS[0])) in organisation
    for page in (account, organisation):
        assert 'href="javascript' not in page.lower() and 'href="data:' not in page.lower()
        assert 'href=" javascript' not in page.lower()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.gov.hk/", "https://www.gov.hk/"),
        ("http://example.org/a?b=c", "http://example.org/a?b=c"),
        ("HTTPS://EXAMPLE.ORG", "HTTPS://EXAMPLE.ORG"),
        ("javascript:alert(1)", None),
        (" JaVaScRiPt:alert(1)", None),
        ("java\tscript:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("vbscript:msgbox(1)", None),
        ("//evil.example/", None),
        ("/relative", None),
        ("https://", None),
        ("", None),
        (None, None),
    ],
)
def test_http_url_keeps_only_absolute_http_urls(url: str | None, expected: str | None) -> None:
    assert http_url(url) == expected


def test_the_atom_feed_escapes_texts_and_links_only_http(client: TestClient, hostile: Hostile) -> None:
    response = client.get("/en/timeline.atom")
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # noqa: S314 - our own feed; well-formed if every payload was escaped
    links = [e.get("href") or "" for e in root.iter("{http://www.w3.org/2005/Atom}link")]
    assert links and all(link.startswith(("http://", "https://", "/")) for link in links), links
    assert "<script>alert(" not in response.text
    assert SCRIPT in "".join(root.itertext())  # the text is there, as text


def test_the_registry_refuses_script_urls() -> None:
    for url in JS_URLS:
        with pytest.raises(ValueError, match="http"):
            OrganisationRecord(code="x", org_type="other", name_en="X", website=url)
        with pytest.raises(ValueError, match="http"):
            AccountRecord(org_codes=["x"], platform="facebook", handle="x", evidence_url=url)


def test_admin_pages_show_hostile_rows_as_text(hostile: Hostile, tmp_path: Path) -> None:
    copy = tmp_path / "admin.db"
    copy_database(Path(hostile.url.removeprefix("sqlite:///")), copy)
    settings = Settings.load(
        database_url=f"sqlite:///{copy}", admin_secure_cookies=False, page_cache_seconds=0
    )
    engine = make_engine(settings.database_url)
    with transaction(session_factory(engine)) as session:
        users.create_user(session, "security", "admin", "correct horse battery", dt.datetime.now(dt.UTC))
    with TestClient(create_app(settings, engine), follow_redirects=False) as web:
        login = web.get("/admin/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', login)
        assert token
        signed_in = web.post(
            "/admin/login",
            data={"username": "security", "password": "correct horse battery", "csrf_token": token.group(1)},
        )
        assert signed_in.status_code == 303, signed_in.text
        found = {}
        for path in (
            "/admin/",
            "/admin/accounts",
            f"/admin/accounts?q={quote(SCRIPT)}",
            f"/admin/accounts/{hostile.account_id}",
            "/admin/audit",
            "/admin/users",
            "/admin/accounts/new",
        ):
            response = web.get(path)
            assert response.status_code in (200, 404), (path, response.status_code)
            if problems(response.text):
                found[path] = problems(response.text)
        assert found == {}
        assert str(escape(hostile.handle)) in web.get(f"/admin/accounts/{hostile.account_id}").text
    engine.dispose()
