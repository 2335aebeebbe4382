"""How the app answers errors (web/errors.py): unhandled exceptions, wrong methods, unknown paths.

An unhandled exception must still get the security headers and, under the API, CORS: Starlette's
own ``ServerErrorMiddleware`` answers outside every middleware the app adds, so these tests make
routes fail (a dependency override, and routes added to a test app) and read the headers.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping

import pytest
from fastapi import FastAPI
from fastapi.responses import StreamingResponse
from fastapi.testclient import TestClient

from govsocial.settings import Settings
from govsocial.web import pages
from govsocial.web.app import SECURITY_HEADERS, create_app
from govsocial.web.deps import get_session
from govsocial.web.errors import SERVER_ERROR

SECRET = "secret-table-name-in-the-exception"
ORIGIN = {"Origin": "https://example.org"}


def _boom() -> None:
    raise RuntimeError(SECRET)


def _stream() -> StreamingResponse:
    def chunks() -> Iterator[bytes]:
        yield b"first chunk"
        raise RuntimeError(SECRET)

    return StreamingResponse(chunks(), media_type="text/plain")


def _number(number: int) -> dict[str, int]:
    return {"number": number}


def _app(registry_db: str, **settings: str) -> FastAPI:
    app = create_app(Settings.load(database_url=registry_db, **settings))
    # Routes of the test app alone: a path outside the portal's and one under the API.
    app.add_api_route("/probe/boom", _boom)
    app.add_api_route("/api/v1/probe/stream", _stream)
    app.add_api_route("/probe/number/{number}", _number)
    app.add_api_route("/api/v1/probe/number/{number}", _number)
    return app


@pytest.fixture
def failing(registry_db: str) -> Iterator[TestClient]:
    """The app with every read session failing: each page and API answer meets an exception."""
    app = _app(registry_db)
    app.dependency_overrides[get_session] = _boom
    with TestClient(app) as client:
        yield client


@pytest.fixture
def web(registry_db: str) -> Iterator[TestClient]:
    with TestClient(_app(registry_db), follow_redirects=False) as client:
        yield client


def _has_security_headers(headers: Mapping[str, str]) -> bool:
    return all(headers.get(name) == value for name, value in SECURITY_HEADERS.items())


# --- 500 ------------------------------------------------------------------------------------------


def test_an_api_error_is_json_with_security_headers_and_cors(failing: TestClient) -> None:
    answer = failing.get("/api/v1/accounts", headers=ORIGIN)
    assert answer.status_code == 500
    assert answer.headers["content-type"] == "application/json"
    assert answer.json() == {"detail": SERVER_ERROR}
    assert _has_security_headers(answer.headers)
    assert answer.headers["access-control-allow-origin"] == "*"
    # Nothing may keep an error: not a shared cache, nor a browser for an admin page.
    assert "etag" not in answer.headers and answer.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    ("path", "lang", "heading"),
    [("/en/", "en", "Something went wrong"), ("/zh-hant/verify", "zh-Hant-HK", "系統出現錯誤")],
)
def test_a_page_error_is_the_translated_error_page(
    failing: TestClient, path: str, lang: str, heading: str
) -> None:
    answer = failing.get(path)
    assert answer.status_code == 500
    assert answer.headers["content-type"].startswith("text/html")
    assert f'<html lang="{lang}">' in answer.text and f"<h1>{heading}</h1>" in answer.text
    assert _has_security_headers(answer.headers)
    assert "access-control-allow-origin" not in answer.headers  # pages are not for other sites' scripts
    assert answer.headers["cache-control"] == "no-store"


def test_no_internal_text_leaves_and_the_traceback_is_logged(
    failing: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="govsocial.web.errors"):
        bodies = [failing.get(path).text for path in ("/api/v1/metrics/post_volume", "/en/", "/probe/boom")]
    assert not any(SECRET in body or "Traceback" in body or "RuntimeError" in body for body in bodies)
    logged = [r for r in caplog.records if r.exc_info is not None]
    assert len(logged) == 3 and "GET /probe/boom" in logged[-1].getMessage()
    assert SECRET in str(logged[-1].exc_info[1])  # type: ignore[index]


def test_head_gets_the_500_headers_without_a_body(failing: TestClient) -> None:
    answer = failing.head("/en/")
    assert answer.status_code == 500 and answer.content == b"" and _has_security_headers(answer.headers)


def test_a_route_raising_outside_the_portal_gets_the_page_in_the_default_language(web: TestClient) -> None:
    answer = web.get("/probe/boom")
    assert answer.status_code == 500 and '<html lang="zh-Hant-HK">' in answer.text
    assert _has_security_headers(answer.headers)


def test_a_broken_error_page_still_answers_500_with_headers(
    failing: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object) -> None:
        raise RuntimeError("the template is broken too")

    monkeypatch.setattr(pages, "error_page", broken)
    answer = failing.get("/en/")
    assert answer.status_code == 500 and answer.text == SERVER_ERROR
    assert answer.headers["content-type"].startswith("text/plain") and _has_security_headers(answer.headers)


def test_an_error_after_the_answer_started_goes_to_the_server(web: TestClient) -> None:
    # The status is sent already: the connection is cut (the test client re-raises), nothing is faked.
    with pytest.raises(RuntimeError, match=SECRET):
        web.get("/api/v1/probe/stream")


# --- 405 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "lang", "heading"),
    [("/en/", "en", "Not available this way"), ("/zh-hant/verify", "zh-Hant-HK", "不接受這類請求")],
)
def test_a_page_answers_another_method_with_the_html_error_page(
    web: TestClient, path: str, lang: str, heading: str
) -> None:
    answer = web.post(path)
    assert answer.status_code == 405 and answer.headers["allow"] == "GET, HEAD"
    assert answer.headers["content-type"].startswith("text/html")
    assert f'<html lang="{lang}">' in answer.text and f"<h1>{heading}</h1>" in answer.text
    assert _has_security_headers(answer.headers)


def test_allow_names_every_method_of_the_path(web: TestClient) -> None:
    assert web.put("/en/survey").headers["allow"] == "GET, HEAD, POST"
    assert web.post("/static/portal.css").headers["allow"] == "GET, HEAD"
    assert web.delete("/favicon.ico").headers["allow"] == "GET, HEAD"


def test_api_405_allows_head_which_works(web: TestClient) -> None:
    answer = web.post("/api/v1/accounts", headers=ORIGIN)
    assert answer.status_code == 405 and answer.headers["allow"] == "GET, HEAD"
    assert answer.json() == {"detail": "POST is not allowed here; this address answers GET, HEAD"}
    assert answer.headers["access-control-allow-origin"] == "*"
    assert web.head("/api/v1/accounts").status_code == 200


@pytest.mark.parametrize("path", ["/en/no-such-page", "/anything", "/zh-hans/accounts/1/nope"])
def test_another_method_where_there_is_no_page_is_a_404(web: TestClient, path: str) -> None:
    answer = web.post(path)
    assert answer.status_code == 404 and "allow" not in answer.headers
    assert answer.headers["content-type"].startswith("text/html")


# --- 404 and the files at the root ---------------------------------------------------------------


@pytest.mark.parametrize("path", ["/anything", "/wp-login.php", "/static", "/anything/deeper", "/anything/"])
def test_an_unknown_path_is_a_404_page_at_once(web: TestClient, path: str) -> None:
    answer = web.get(path)
    assert answer.status_code == 404, answer.headers.get("location")
    assert answer.headers["content-type"].startswith("text/html")
    assert '<html lang="zh-Hant-HK">' in answer.text and "<h1>找不到網頁</h1>" in answer.text


def test_the_404_page_is_in_the_configured_language(registry_db: str) -> None:
    with TestClient(_app(registry_db, default_locale="en")) as client:
        answer = client.get("/favicon.png")
    assert answer.status_code == 404 and "<h1>Page not found</h1>" in answer.text


@pytest.mark.parametrize("path", ["/api", "/api/", "/api/v2/accounts", "/api/v1/nope"])
def test_an_unknown_api_path_is_a_json_404(web: TestClient, path: str) -> None:
    answer = web.get(path)
    assert answer.status_code == 404 and answer.headers["content-type"] == "application/json"
    assert set(answer.json()) == {"detail"}


def test_a_language_or_the_admin_area_without_its_slash_still_redirects(web: TestClient) -> None:
    assert web.get("/en").headers["location"] == "/en/"
    assert web.get("/zh-hant?q=police").headers["location"] == "/zh-hant/?q=police"
    answer = web.get("/admin")
    assert answer.status_code == 307 and answer.headers["location"] == "/admin/"


def test_favicon_is_a_small_ico_made_here(web: TestClient) -> None:
    answer = web.get("/favicon.ico")
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/x-icon"
    assert answer.headers["cache-control"] == "public, max-age=86400"
    body = answer.content
    assert body[:4] == b"\x00\x00\x01\x00" and body[22:30] == b"\x89PNG\r\n\x1a\n" and len(body) < 2048
    svg = web.get("/favicon.svg")
    assert svg.headers["content-type"] == "image/svg+xml" and svg.text.startswith("<svg ")
    assert "http" not in svg.text.replace("http://www.w3.org/2000/svg", "")  # nothing from elsewhere


def test_pages_link_the_icon(web: TestClient) -> None:
    html = web.get("/en/verify").text
    assert '<link rel="icon" href="/favicon.ico" sizes="32x32">' in html
    assert '<link rel="icon" href="/favicon.svg" type="image/svg+xml">' in html


def test_robots_txt_allows_everything_and_names_nothing_outside(web: TestClient) -> None:
    answer = web.get("/robots.txt")
    assert answer.status_code == 200 and answer.headers["content-type"] == "text/plain; charset=utf-8"
    lines = [line for line in answer.text.splitlines() if line and not line.startswith("#")]
    assert lines == ["User-agent: *", "Allow: /"]


# --- validation -----------------------------------------------------------------------------------


def test_an_invalid_parameter_is_a_page_outside_the_api_and_fastapis_list_inside(web: TestClient) -> None:
    page = web.get("/probe/number/abc")
    assert page.status_code == 422 and page.headers["content-type"].startswith("text/html")
    assert "<h1>請求無效</h1>" in page.text
    api = web.get("/api/v1/probe/number/abc")
    assert api.status_code == 422 and api.json()["detail"][0]["loc"] == ["path", "number"]


def test_admin_errors_stay_in_the_admin_area(web: TestClient) -> None:
    page = web.get("/admin/no-such-page")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-store"
    api = web.get("/admin/api/no-such-endpoint")
    assert api.status_code == 404 and set(api.json()) == {"detail"}
