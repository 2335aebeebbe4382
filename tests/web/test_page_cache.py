"""The page micro-cache (``web/response_cache.py``): hits, expiry, bounds, what it never stores, and
how it works with the ETags, 304s and HEAD of ``web/caching.py`` and with the real app."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import Message, Receive, Scope, Send

from govsocial.errors import ConfigurationError
from govsocial.settings import Settings
from govsocial.web.app import create_app
from govsocial.web.caching import ConditionalGet, etag
from govsocial.web.response_cache import STATUS_HEADER, ResponseCache


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Counting:
    """A small app whose answers say how many times it has rendered them."""

    def __init__(self) -> None:
        self.calls: dict[str, int] = {}

    def _count(self, request: Request) -> int:
        key = request.url.path
        self.calls[key] = self.calls.get(key, 0) + 1
        return self.calls[key]

    def app(self) -> Starlette:
        async def page(request: Request) -> Response:
            n = self._count(request)
            return PlainTextResponse(f"render {n} of {request.url.path}?{request.url.query}")

        async def status(request: Request) -> Response:
            n = self._count(request)
            return PlainTextResponse(f"error {n}", status_code=int(request.path_params["code"]))

        async def headers(request: Request) -> Response:
            n = self._count(request)
            kind = request.path_params["kind"]
            values = {
                "cookie": ("set-cookie", "a=1"),
                "nostore": ("cache-control", "no-store"),
                "private": ("cache-control", "private"),
                "vary": ("vary", "Accept-Language"),
            }
            name, value = values[kind]
            return PlainTextResponse(f"headers {n}", headers={name: value})

        async def stream(request: Request) -> Response:
            n = self._count(request)

            async def parts() -> AsyncIterator[bytes]:
                yield b"part one "
                yield f"of {n}".encode()

            return StreamingResponse(parts(), media_type="text/plain")

        async def redirect(request: Request) -> Response:
            self._count(request)
            return RedirectResponse("/page", status_code=307)

        async def big(request: Request) -> Response:
            n = self._count(request)
            return PlainTextResponse(f"{n}".ljust(5000, "x"))

        async def post(request: Request) -> Response:
            return PlainTextResponse(f"posted {self._count(request)}")

        return Starlette(
            routes=[
                Route("/page", page),
                Route("/page/{name}", page),
                Route("/status/{code:int}", status),
                Route("/headers/{kind}", headers),
                Route("/stream", stream),
                Route("/redirect", redirect),
                Route("/big/{n}", big),
                Route("/static/file", page),
                Route("/admin/page", page),
                Route("/form", post, methods=["GET", "POST"]),
            ]
        )


@pytest.fixture
def counting() -> Counting:
    return Counting()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def cached_client(
    counting: Counting, clock: Clock, max_bytes: int = 2**20, max_entry_bytes: int = 2**20
) -> TestClient:
    """The counting app behind the cache (10 s) behind the ETag middleware, as ``create_app`` orders them."""
    cache = ResponseCache(
        counting.app(), ttl=10, clock=clock, max_bytes=max_bytes, max_entry_bytes=max_entry_bytes
    )
    return TestClient(ConditionalGet(cache, cache_control=lambda path: "no-cache"))


@pytest.fixture
def client(counting: Counting, clock: Clock) -> Iterator[TestClient]:
    with cached_client(counting, clock) as test_client:
        yield test_client


def test_a_second_request_is_served_from_the_cache(client: TestClient, counting: Counting) -> None:
    first, second = client.get("/page"), client.get("/page")
    assert first.text == second.text == "render 1 of /page?"
    assert counting.calls["/page"] == 1
    assert first.headers[STATUS_HEADER] == "MISS" and second.headers[STATUS_HEADER] == "HIT"
    assert second.headers["content-type"] == first.headers["content-type"]
    assert second.headers["content-length"] == str(len(second.content))


def test_query_strings_and_paths_are_distinct_entries(client: TestClient, counting: Counting) -> None:
    answers = [client.get(url).text for url in ("/page?page=2", "/page?page=3", "/page?page=2", "/page/x")]
    assert answers == [
        "render 1 of /page?page=2",
        "render 2 of /page?page=3",
        "render 1 of /page?page=2",
        "render 1 of /page/x?",
    ]


def test_the_host_is_part_of_the_key(client: TestClient, counting: Counting) -> None:
    # Feeds build absolute links from the Host header: another host must not get this host's links.
    client.get("/page", headers={"host": "one.example"})
    client.get("/page", headers={"host": "two.example"})
    assert counting.calls["/page"] == 2


def test_an_entry_expires_after_the_ttl(client: TestClient, counting: Counting, clock: Clock) -> None:
    client.get("/page")
    clock.now += 9.9
    assert client.get("/page").text == "render 1 of /page?"
    clock.now += 0.2
    renewed = client.get("/page")
    assert renewed.text == "render 2 of /page?"
    assert renewed.headers[STATUS_HEADER] == "MISS"
    clock.now += 9.9
    assert client.get("/page").text == "render 2 of /page?"  # the lifetime counts from the new render


@pytest.mark.parametrize(
    "url",
    [
        "/status/404",
        "/status/500",
        "/status/201",
        "/redirect",
        "/stream",
        "/headers/cookie",
        "/headers/nostore",
        "/headers/private",
        "/headers/vary",
        "/static/file",
        "/admin/page",
    ],
)
def test_never_stored(client: TestClient, counting: Counting, url: str) -> None:
    client.get(url, follow_redirects=False)
    again = client.get(url, follow_redirects=False)
    assert counting.calls[url.split("?")[0]] == 2
    assert again.headers.get(STATUS_HEADER) != "HIT"


def test_post_is_never_cached_nor_served_from_the_cache(client: TestClient, counting: Counting) -> None:
    assert client.get("/form").text == "posted 1"
    assert client.post("/form").text == "posted 2"
    assert client.post("/form").text == "posted 3"
    assert client.get("/form").text == "posted 1"


@pytest.mark.parametrize(("name", "value"), [("authorization", "Bearer x"), ("cookie", "gs_admin=secret")])
def test_requests_with_credentials_bypass_the_cache(
    client: TestClient, counting: Counting, name: str, value: str
) -> None:
    client.get("/page")
    own = client.get("/page", headers={name: value})
    assert own.text == "render 2 of /page?"
    assert client.get("/page").text == "render 1 of /page?"  # what they were shown was not stored


def test_the_cache_is_bounded_by_bytes_least_recently_used_first(counting: Counting, clock: Clock) -> None:
    with cached_client(counting, clock, max_bytes=3 * 5400) as client:
        for n in (1, 2, 3):
            client.get(f"/big/{n}")
        client.get("/big/1")  # used again: now the most recent
        client.get("/big/4")  # over the bound: /big/2, the least recent, goes
        calls = dict(counting.calls)
        client.get("/big/1")
        client.get("/big/3")
        client.get("/big/2")
    assert calls == {"/big/1": 1, "/big/2": 1, "/big/3": 1, "/big/4": 1}
    assert counting.calls == {"/big/1": 1, "/big/2": 2, "/big/3": 1, "/big/4": 1}


def test_an_answer_larger_than_an_entry_may_be_is_not_stored(counting: Counting, clock: Clock) -> None:
    with cached_client(counting, clock, max_entry_bytes=1000) as client:
        client.get("/big/1")
        client.get("/big/1")
        client.get("/page")
        client.get("/page")
    assert counting.calls == {"/big/1": 2, "/page": 1}


def test_a_cached_answer_still_gives_its_etag_and_304(client: TestClient, counting: Counting) -> None:
    first = client.get("/page")
    tag = first.headers["etag"]
    assert tag == etag(first.content)
    hit = client.get("/page", headers={"If-None-Match": tag})
    assert hit.status_code == 304 and hit.content == b""
    assert hit.headers["etag"] == tag
    other = client.get("/page", headers={"If-None-Match": 'W/"0123456789abcdef0123456789abcdef"'})
    assert other.status_code == 200 and other.text == first.text
    assert counting.calls["/page"] == 1


def test_head_is_served_from_the_same_entry_without_a_body(client: TestClient, counting: Counting) -> None:
    get = client.get("/page")
    head = client.head("/page")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == get.headers["content-length"]
    assert head.headers["etag"] == get.headers["etag"]
    assert counting.calls["/page"] == 1


class Gate:
    """An app that renders only when the test opens the gate, counting its renders."""

    def __init__(self) -> None:
        self.open = asyncio.Event()
        self.renders = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.renders += 1
        n = self.renders
        await self.open.wait()
        await send(
            {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]}
        )
        await send({"type": "http.response.body", "body": f"render {n}".encode()})


async def _get(app: ResponseCache, path: str = "/page") -> tuple[str, str]:
    """A GET straight through the ASGI interface: the body and the cache's status header."""
    messages: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        messages.append(message)

    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "query_string": b"",
        "headers": [],
        "scheme": "http",
        "root_path": "",
    }
    await app(scope, receive, send)
    headers = dict(messages[0]["headers"])
    return messages[1]["body"].decode(), headers[STATUS_HEADER.encode()].decode()


def test_concurrent_misses_render_once_and_expiry_serves_stale_while_one_renders(clock: Clock) -> None:
    async def scenario() -> list[tuple[str, str]]:
        gate = Gate()
        cache = ResponseCache(gate, ttl=10, clock=clock)
        first = [asyncio.create_task(_get(cache)) for _ in range(3)]
        await asyncio.sleep(0)
        gate.open.set()
        answers = list(await asyncio.gather(*first))
        assert gate.renders == 1
        clock.now += 11
        gate.open.clear()
        renewing = asyncio.create_task(_get(cache))
        await asyncio.sleep(0)
        answers.append(await _get(cache))  # served while the renewal waits at the gate
        gate.open.set()
        answers.append(await renewing)
        answers.append(await _get(cache))
        return answers

    # A bound only so that a broken cache fails here instead of hanging (no timing is asserted).
    answers = asyncio.run(asyncio.wait_for(scenario(), timeout=60))
    assert answers == [
        ("render 1", "MISS"),
        ("render 1", "HIT"),
        ("render 1", "HIT"),
        ("render 1", "STALE"),
        ("render 2", "MISS"),
        ("render 2", "HIT"),
    ]


def test_the_app_caches_pages_and_api_answers_with_the_setting(registry_db: str, clock: Clock) -> None:
    app = create_app(Settings.load(database_url=registry_db, page_cache_seconds=30))
    with TestClient(app) as client:
        urls = ["/en/", "/api/v1/accounts?limit=2", "/en/organisations/hk/cfs"]
        first = {url: client.get(url) for url in urls}
        second = {url: client.get(url) for url in urls}
        missing = client.get("/en/organisations/hk/no-such-code")
        missing_again = client.get("/en/organisations/hk/no-such-code")
    for url in urls:
        assert first[url].status_code == 200, url
        assert first[url].headers[STATUS_HEADER] == "MISS" and second[url].headers[STATUS_HEADER] == "HIT"
        assert second[url].content == first[url].content
        assert second[url].headers["etag"] == first[url].headers["etag"]
        assert second[url].headers["content-security-policy"]  # outer middleware still applies
    assert second["/api/v1/accounts?limit=2"].headers["access-control-allow-origin"] == "*"
    assert missing.status_code == missing_again.status_code == 404
    assert STATUS_HEADER not in missing_again.headers or missing_again.headers[STATUS_HEADER] == "MISS"


def test_the_app_has_no_cache_with_zero_seconds(registry_db: str) -> None:
    app = create_app(Settings.load(database_url=registry_db, page_cache_seconds=0))
    with TestClient(app) as client:
        answers = [client.get("/en/") for _ in range(2)]
    assert all(STATUS_HEADER not in answer.headers for answer in answers)


def test_the_setting_defaults_to_ten_seconds_and_reads_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert Settings.model_fields["page_cache_seconds"].default == 10
    monkeypatch.setenv("GOVSOCIAL_PAGE_CACHE_SECONDS", "2.5")
    assert Settings.load().page_cache_seconds == 2.5
    with pytest.raises(ConfigurationError, match="page_cache_seconds"):
        Settings.load(page_cache_seconds=-1)
