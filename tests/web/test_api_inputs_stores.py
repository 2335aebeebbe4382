"""Control characters in an address and full-width searches, on SQLite and PostgreSQL (web/inputs.py,
store/queries.py ``text_match``), over the bundled registry.

PostgreSQL refuses NUL in text, so every NUL that reached a query was a 500 there; SQLite's LIKE
stops at NUL, so ``q=%00`` matched everything. Both stores now answer alike, before any query.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from govsocial.registry.load import load_registry
from govsocial.settings import Settings
from govsocial.store import tables as t
from govsocial.store.db import make_engine, session_factory, upgrade
from govsocial.web.app import create_app
from tests.conftest import postgres_database


def _databases(kind: str, folder: str) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{folder}/store.db"
    else:
        yield from postgres_database()


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The app over the bundled registry on each store, one organisation renamed with a full-width
    bracket (names are stored as written)."""
    for url in _databases(request.param, str(tmp_path_factory.mktemp("stores"))):
        engine = make_engine(url)
        upgrade(engine)
        assert not load_registry(engine, Settings.load(database_url=url).registry_dir, actor="tests").problems
        with session_factory(engine)() as session:
            renamed = update(t.Organisation).where(t.Organisation.code == "cfs")
            session.execute(renamed.values(name_zh_hant="食物安全中心（食環署）"))
            session.commit()
        with TestClient(create_app(Settings.load(database_url=url), engine)) as client:
            yield client
        engine.dispose()


# --- control characters ---------------------------------------------------------------------------

QUERIES = [
    ("/api/v1/organisations", "q"),
    ("/api/v1/organisations", "jurisdiction"),
    ("/api/v1/organisations", "platform"),
    ("/api/v1/accounts", "organisation"),
    ("/api/v1/accounts", "q"),
    ("/api/v1/timeline", "organisation"),
    ("/api/v1/metrics/post_volume", "entity"),
    ("/api/v1/metrics/post_volume", "period"),
    ("/api/v1/scorecard?level=organisation", "entity"),
    ("/api/v1/topics", "organisation"),
    ("/api/v1/events", "organisation"),
    ("/api/v1/leaderboards/post_volume", "params"),
    ("/api/v1/verify?url=fb.com/cfs.hk", "platform"),
    ("/api/v1/downloads", "jurisdiction"),
]


@pytest.mark.parametrize("character", ["%00", "%01", "%1F", "%7F"])
@pytest.mark.parametrize(("path", "name"), QUERIES)
def test_a_control_character_in_a_query_parameter_is_a_422_naming_it(
    api: TestClient, path: str, name: str, character: str
) -> None:
    joiner = "&" if "?" in path else "?"
    answer = api.get(f"{path}{joiner}{name}=a{character}b")
    assert answer.status_code == 422, answer.text[:300]
    (error,) = answer.json()["detail"]
    assert error["loc"] == ["query", name] and "control characters" in error["msg"]
    assert answer.headers["access-control-allow-origin"] == "*"  # an answer like any other


def test_the_reviewers_requests(api: TestClient) -> None:
    for path in (
        "/api/v1/organisations?q=%00",
        "/api/v1/organisations?jurisdiction=%00",
        "/api/v1/accounts?organisation=%00",
        "/api/v1/metrics/post_volume?entity=%00",
        "/api/v1/scorecard?level=organisation&entity=%00",
        "/api/v1/topics?organisation=%00",
    ):
        assert api.get(path).status_code == 422, path
        assert api.head(path).status_code == 422, path
    for path in ("/api/v1/organisations/hk/%00", "/api/v1/accounts/%00/posts", "/api/v1/metrics/%00"):
        answer = api.get(path)
        assert answer.status_code == 404 and "U+0000" in answer.json()["detail"], path
    page = api.get("/en/organisations/hk/%00")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "Page not found" in page.text


def test_whitespace_controls_are_allowed(api: TestClient) -> None:
    """Tab, line feed and carriage return are whitespace, which the search trims."""
    found = api.get("/api/v1/organisations", params={"q": "police\n"}).json()["data"]
    assert "hk-hkpf" in {o["code"] for o in found}
    assert api.get("/api/v1/organisations", params={"q": "pol\tice"}).status_code == 200


def test_the_portals_query_strings_stay_lenient(api: TestClient) -> None:
    """The pages drop what is not printable and fall back to their defaults (pages.render.clean)."""
    for path in ("/en/?q=po%00lice", "/en/?type=%00&platform=%00", "/en/timeline?organisation=%00"):
        assert api.get(path).status_code == 200, path


# --- full-width searches ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/organisations", "/api/v1/accounts"])
def test_a_full_width_search_finds_what_its_plain_form_finds(api: TestClient, path: str) -> None:
    plain = api.get(path, params={"q": "police", "limit": 500}).json()
    wide = api.get(path, params={"q": "ＰＯＬＩＣＥ", "limit": 500}).json()
    assert plain["count"] > 0 and wide == plain
    assert api.get(path, params={"q": "ｐｏｌｉｃｅ", "limit": 500}).json() == plain


def test_a_full_width_character_stored_in_a_name_is_still_found(api: TestClient) -> None:
    found = api.get("/api/v1/organisations", params={"q": "（食環署）"}).json()["data"]
    assert [o["code"] for o in found] == ["cfs"]


def test_the_portal_search_finds_full_width_letters(api: TestClient) -> None:
    page = api.get("/en/", params={"q": "ＰＯＬＩＣＥ"}).text
    assert "/en/organisations/hk/hk-hkpf" in page
