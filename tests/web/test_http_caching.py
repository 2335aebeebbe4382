"""HTTP caching and CORS: ETags, 304 Not Modified, Cache-Control, HEAD, and read-only CORS on the API."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from govsocial.web.app import API_CACHE_CONTROL, PAGE_CACHE_CONTROL
from govsocial.web.caching import ConditionalGet, etag, matches

API = "/api/v1/accounts?limit=3"
PAGE = "/en/"


@pytest.mark.parametrize(("url", "policy"), [(API, API_CACHE_CONTROL), (PAGE, PAGE_CACHE_CONTROL)])
def test_get_carries_a_weak_etag_of_its_body_and_cache_control(
    client: TestClient, url: str, policy: str
) -> None:
    first, again = client.get(url), client.get(url)
    assert first.status_code == 200
    assert first.headers["etag"] == etag(first.content) == again.headers["etag"]
    assert first.headers["etag"].startswith('W/"')
    assert first.headers["cache-control"] == policy


def test_api_and_pages_cache_differently() -> None:
    assert "public" in API_CACHE_CONTROL and "max-age=" in API_CACHE_CONTROL
    assert PAGE_CACHE_CONTROL == "no-cache"


def test_other_content_other_etag(client: TestClient) -> None:
    one = client.get("/api/v1/accounts", params={"limit": 1}).headers["etag"]
    two = client.get("/api/v1/accounts", params={"limit": 2}).headers["etag"]
    assert one != two


@pytest.mark.parametrize("url", [API, PAGE, "/api/v1/openapi.json"])
def test_if_none_match_gives_304_without_a_body(client: TestClient, url: str) -> None:
    first = client.get(url)
    tag = first.headers["etag"]
    cached = client.get(url, headers={"If-None-Match": tag})
    assert cached.status_code == 304
    assert cached.content == b""
    assert cached.headers["etag"] == tag
    assert cached.headers["cache-control"] == first.headers["cache-control"]
    assert "content-type" not in cached.headers
    assert cached.headers.get("content-length", "0") == "0"


@pytest.mark.parametrize(
    ("header", "status"),
    [
        ('W/"0123456789abcdef0123456789abcdef"', 200),  # another version
        ("{tag}", 304),
        ('"0123", {tag}', 304),  # one of a list
        ("{bare}", 304),  # the same tag written strong: If-None-Match compares weakly
        ("*", 304),
    ],
)
def test_if_none_match_forms(client: TestClient, header: str, status: int) -> None:
    tag = client.get(API).headers["etag"]
    value = header.format(tag=tag, bare=tag.removeprefix("W/"))
    response = client.get(API, headers={"If-None-Match": value})
    assert response.status_code == status
    assert (response.content == b"") == (status == 304)


def test_api_304_keeps_cors_and_security_headers(client: TestClient) -> None:
    tag = client.get(API).headers["etag"]
    cached = client.get(API, headers={"If-None-Match": tag, "Origin": "https://example.org"})
    assert cached.status_code == 304
    assert cached.headers["access-control-allow-origin"] == "*"
    assert cached.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("url", [API, PAGE, "/api/v1/organisations/hk/cfs"])
def test_head_answers_like_get_without_a_body(client: TestClient, url: str) -> None:
    get, head = client.get(url), client.head(url)
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["etag"] == get.headers["etag"]
    assert head.headers["content-length"] == str(len(get.content))
    assert head.headers["content-type"] == get.headers["content-type"]


def test_errors_are_not_tagged_or_cached(client: TestClient) -> None:
    missing = client.get("/api/v1/organisations/hk/nope")
    assert missing.status_code == 404
    assert "etag" not in missing.headers and "cache-control" not in missing.headers
    assert client.head("/api/v1/organisations/hk/nope").status_code == 404


def test_static_files_keep_their_own_validators(client: TestClient) -> None:
    css = client.get("/static/portal.css")
    assert css.status_code == 200 and "last-modified" in css.headers
    assert css.headers["etag"] != etag(css.content)  # StaticFiles' tag, from the file's size and time
    assert client.get("/static/portal.css", headers={"If-None-Match": css.headers["etag"]}).status_code == 304


def test_cors_preflight_allows_reading_only(client: TestClient) -> None:
    asked = {"Origin": "https://example.org", "Access-Control-Request-Method": "GET"}
    ok = client.options(API, headers={**asked, "Access-Control-Request-Headers": "If-None-Match"})
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == "*"
    assert set(ok.headers["access-control-allow-methods"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    assert "if-none-match" in ok.headers["access-control-allow-headers"].lower()
    assert "access-control-allow-credentials" not in ok.headers
    for method in ("POST", "DELETE", "PUT"):
        refused = client.options(API, headers={**asked, "Access-Control-Request-Method": method})
        assert refused.status_code == 400 and "method" in refused.text.lower(), method


def test_cors_simple_request_lets_scripts_read_the_etag(client: TestClient) -> None:
    response = client.get(API, headers={"Origin": "https://example.org"})
    assert response.headers["access-control-allow-origin"] == "*"
    assert "etag" in response.headers["access-control-expose-headers"].lower()
    assert "access-control-allow-credentials" not in response.headers


def test_api_writes_are_still_refused(client: TestClient) -> None:
    assert client.post("/api/v1/accounts", headers={"Origin": "https://example.org"}).status_code == 405


def test_pages_get_no_cors(client: TestClient) -> None:
    page = client.get(PAGE, headers={"Origin": "https://example.org"})
    assert "access-control-allow-origin" not in page.headers
    preflight = client.options(
        PAGE, headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"}
    )
    assert "access-control-allow-origin" not in preflight.headers


@pytest.mark.parametrize(
    ("header", "tag", "expected"),
    [
        ('W/"a"', 'W/"a"', True),
        ('"a"', 'W/"a"', True),
        ('W/"b", W/"a"', 'W/"a"', True),
        ('W/"b"', 'W/"a"', False),
        ("*", 'W/"a"', True),
        ("", 'W/"a"', False),
    ],
)
def test_matches(header: str, tag: str, expected: bool) -> None:
    assert matches(header, tag) is expected


def _tiny_app() -> ConditionalGet:
    async def chunks() -> AsyncIterator[bytes]:
        for part in (b"one,", b"two,", b"three"):
            yield part

    async def stream(_: Request) -> Response:
        return StreamingResponse(chunks(), media_type="text/plain")

    async def fixed(_: Request) -> Response:
        return PlainTextResponse("fixed", headers={"Cache-Control": "private, max-age=5"})

    async def secret(_: Request) -> Response:
        return PlainTextResponse("secret", headers={"Cache-Control": "no-store"})

    routes = [
        Route("/stream", stream, methods=["GET"]),
        Route("/fixed", fixed, methods=["GET"]),
        Route("/secret", secret, methods=["GET"]),
    ]
    return ConditionalGet(Starlette(routes=routes), cache_control=lambda path: "public, max-age=60")


def test_streamed_responses_pass_through_untagged() -> None:
    with TestClient(_tiny_app()) as tiny:
        streamed = tiny.get("/stream")
        assert streamed.text == "one,two,three" and "etag" not in streamed.headers
        head = tiny.head("/stream")
        assert head.status_code == 200 and head.content == b""


def test_a_routes_own_cache_control_wins_and_no_store_is_not_tagged() -> None:
    with TestClient(_tiny_app()) as tiny:
        fixed = tiny.get("/fixed")
        assert fixed.headers["cache-control"] == "private, max-age=5" and "etag" in fixed.headers
        secret = tiny.get("/secret")
        assert "etag" not in secret.headers and secret.headers["cache-control"] == "no-store"
