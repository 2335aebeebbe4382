"""Pages that must work on a 320-375 px phone: on a narrow screen a table's header row is hidden, so it
must hold nothing focusable, every figure cell says what it is (``data-label``), and long URLs may
break (class ``break``) so that the page never scrolls sideways."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from govsocial.settings import Settings
from govsocial.web.app import create_app
from tests.demo_store import demo_store

CSS = Path(__file__).resolve().parents[2] / "govsocial" / "web" / "static" / "portal.css"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    url = demo_store(tmp_path_factory.mktemp("phone"), months=2, refresh=True)
    with TestClient(create_app(Settings.load(database_url=url))) as client:
        yield client


def _theads(html: str) -> list[str]:
    return re.findall(r"<thead>(.*?)</thead>", html, flags=re.S)


def test_compare_header_row_has_no_links_and_the_organisations_are_linked_above(demo: TestClient) -> None:
    codes = [row["entity"] for row in demo.get("/api/v1/leaderboards/post_volume").json()["data"][:3]]
    html = demo.get("/en/compare", params={"org": codes}).text
    heads = _theads(html)
    assert heads and all("<a " not in head for head in heads)  # hidden on phones: nothing to focus there
    listed = re.search(r'<ul class="compared-orgs"[^>]*>(.*?)</ul>', html, flags=re.S)
    assert listed is not None and listed.group(1).count("<a href=") == len(codes)
    assert "The organisations compared:" in html


@pytest.mark.parametrize("path", ["/en/leaderboards", "/en/compare"])
def test_the_json_link_may_break(demo: TestClient, path: str) -> None:
    codes = [row["entity"] for row in demo.get("/api/v1/leaderboards/post_volume").json()["data"][:2]]
    html = demo.get(path, params={"org": codes} if "compare" in path else {}).text
    links = re.findall(r"The same data as JSON: <a ([^>]*)>", html)
    assert links and all('class="break"' in link for link in links)


def test_the_stylesheet_keeps_the_page_within_a_phone() -> None:
    css = CSS.read_text()
    assert re.search(r"\.actions \{[^}]*flex-wrap: wrap", css)
    assert re.search(r"\.table-wrap \{[^}]*position: relative", css)
    rule = re.search(r"([^}{]*)\{ overflow-wrap: anywhere; \}", css)
    assert rule is not None and ".hint" in rule.group(1) and ".break" in rule.group(1)
