"""Ids in request paths are one percent-encoded path segment (collect/http.py ``path_segment``), and
a raw payload's source named after its URL holds no id (``source_of_url``).

The Instagram connector wrote ids into its paths as they were: an IG user id, a media id or a
comment id such as ``12/../me`` (from the registry, the settings or the API's answers) made a request
to another endpoint, ``/me``. The Threads connector had been fixed alone; the shared helper now
serves Instagram, Threads, Facebook and X, and also encodes an id of dots (``..``), which httpx
resolved against the path before it (``/v23.0/..`` is ``/``), out of the API's version.

Without a source, a raw payload was named after its URL's path, ids and all, of any length, for a
column of 200 characters; it is now the path with its ids written ``{id}``, within the column.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from govsocial.collect.base import Connector, Target
from govsocial.collect.errors import CollectError, PayloadError
from govsocial.collect.facebook.client import FacebookConnector
from govsocial.collect.http import SOURCE_MAX, HttpClient, RetryPolicy, path_segment, source_of_url
from govsocial.collect.instagram.client import InstagramConnector
from govsocial.collect.x.client import XConnector
from tests.collect.test_threads import Harness, reply
from tests.collect.test_threads_long_ids import _post

GRAPH = "https://graph.example/v23.0"
ODD = "12/../me"
ENCODED = "12%2F..%2Fme"
TIME = "2026-05-01T09:00:00+0000"
Handler = Callable[[httpx.Request], httpx.Response]


def requested(make: Callable[[HttpClient], Connector], target: Target, answer: Handler) -> list[str]:
    """The raw paths ``make``'s connector asked for while collecting ``target`` (to its end, or to
    the error that stopped it)."""
    paths: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        paths.append(request.url.raw_path.decode().split("?")[0])
        return answer(request)

    async def run() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
            policy = RetryPolicy(attempts=1, base_backoff=0)
            connector = make(HttpClient(client, "test", InstagramConnector.classify, policy=policy))
            try:
                async for _batch in connector.collect(target, {}):
                    pass
            except CollectError:
                pass

    asyncio.run(run())
    return paths


# --- Instagram -----------------------------------------------------------------------------------


def instagram(own_ig_user_id: str | None = None) -> Callable[[HttpClient], Connector]:
    def make(http: HttpClient) -> Connector:
        return InstagramConnector(http, "TOKEN", base_url=GRAPH, own_ig_user_id=own_ig_user_id)

    return make


def own_account(request: httpx.Request) -> httpx.Response:
    """An own account whose media and comment ids hold ``/`` and ``..``; one comment has more replies."""
    path = request.url.raw_path.decode().split("?")[0]
    media = {"id": "34/../me", "timestamp": TIME, "media_type": "IMAGE", "comments_count": 1}
    more = {"data": [], "paging": {"cursors": {"after": "R1"}, "next": f"{GRAPH}/next"}}
    comment = {"id": "56/../me", "text": "hello", "timestamp": TIME, "replies": more}
    answers: dict[str, Any] = {
        f"/v23.0/{ENCODED}": {"id": ODD, "username": "examplegov", "followers_count": 3},
        f"/v23.0/{ENCODED}/media": {"data": [media]},
        "/v23.0/34%2F..%2Fme/comments": {"data": [comment]},
        "/v23.0/56%2F..%2Fme/replies": {"data": []},
    }
    if path not in answers:
        return httpx.Response(404, json={"error": {"message": f"no route {path}", "code": 803}})
    return httpx.Response(200, json=answers[path])


def test_instagram_sends_each_id_as_one_path_segment() -> None:
    target = Target(account_id=1, platform="instagram", kind="account", handle="examplegov", platform_id=ODD)
    paths = requested(instagram(), target, own_account)
    # The account's id (the registry's), and the media and comment ids the API gave.
    assert paths == [
        f"/v23.0/{ENCODED}",
        f"/v23.0/{ENCODED}/media",
        "/v23.0/34%2F..%2Fme/comments",
        "/v23.0/56%2F..%2Fme/replies",
    ]


def test_business_discovery_sends_our_own_id_as_one_path_segment() -> None:
    target = Target(account_id=1, platform="instagram", kind="account", handle="otheraccount")
    paths = requested(instagram(own_ig_user_id=".."), target, lambda _request: httpx.Response(200, json={}))
    # Not /v23.0/.. (that is /, out of the API's version): the id, encoded.
    assert paths == ["/v23.0/%2E%2E"]


# --- The shared helper, and the other connectors -------------------------------------------------


@pytest.mark.parametrize(
    ("value", "segment"),
    [
        ("17841406338772941", "17841406338772941"),
        ("123_456", "123_456"),
        ("a.b-c~d", "a.b-c~d"),
        (ODD, ENCODED),
        ("a b?c#d%e&f=g", "a%20b%3Fc%23d%25e%26f%3Dg"),
        (".", "%2E"),
        ("..", "%2E%2E"),
        ("é", "%C3%A9"),
    ],
)
def test_a_path_segment_is_the_value_percent_encoded(value: str, segment: str) -> None:
    assert path_segment(value) == segment


def test_an_empty_id_names_no_node() -> None:
    with pytest.raises(PayloadError, match="empty id"):
        path_segment("")


def test_threads_sends_an_id_of_dots_as_one_path_segment() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.raw_path.decode().split("?")[0] == "/v1.0/me":
            return reply("handwritten_me.json")
        if request.url.path.endswith("/threads_insights"):
            return reply("handwritten_user_insights_followers.json")
        if request.url.path.endswith("/threads"):
            return httpx.Response(200, json={"data": [_post("..", 3)]})
        return httpx.Response(200, json={"data": []})

    harness = Harness(answer)
    harness.run(
        Target(account_id=1, platform="threads", kind="handle", handle="examplegov", platform_id=None)
    )
    insights = [r.url.raw_path.decode().split("?")[0] for r in harness.calls("insights")]
    assert "/v1.0/%2E%2E/insights" in insights


def test_facebook_sends_a_page_of_dots_as_one_path_segment() -> None:
    def make(http: HttpClient) -> Connector:
        return FacebookConnector(http, "TOKEN", base_url=GRAPH)

    target = Target(account_id=1, platform="facebook", kind="page", handle="..")
    paths = requested(make, target, lambda _request: httpx.Response(200, json={}))
    assert paths[0] == "/v23.0/%2E%2E"


def test_x_sends_the_user_id_it_was_given_as_one_path_segment() -> None:
    def make(http: HttpClient) -> Connector:
        return XConnector(http, "TOKEN", base_url="https://x.example/2")

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/2/users/by/username/"):
            return httpx.Response(
                200, json={"data": {"id": ODD, "username": "examplegov", "name": "Example"}}
            )
        return httpx.Response(200, json={"meta": {"result_count": 0}})

    target = Target(account_id=1, platform="x", kind="handle", handle="examplegov")
    paths = requested(make, target, answer)
    assert paths[:2] == ["/2/users/by/username/examplegov", f"/2/users/{ENCODED}/tweets"]


# --- Sources named after their URL ---------------------------------------------------------------


def test_a_source_named_after_its_url_holds_no_id_and_no_query() -> None:
    url = f"{GRAPH}/17841406338772941/media?access_token=SECRET&after=abc"
    assert source_of_url("instagram", url) == "instagram:/v23.0/{id}/media"
    assert source_of_url("youtube", "https://yt.example/youtube/v3/commentThreads") == (
        "youtube:/youtube/v3/commentThreads"
    )
    assert (
        source_of_url("threads", f"https://t.example/v1.0/{ENCODED}/insights")
        == "threads:/v1.0/{id}/insights"
    )
    long = source_of_url("test", "https://a.example/" + "/".join(["comments"] * 40))
    assert len(long) == SOURCE_MAX and long.startswith("test:/comments/comments/")


def test_a_payload_fetched_without_a_source_is_named_within_the_column() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"ok": True})

    async def fetch(url: str) -> str:
        async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
            http = HttpClient(client, "instagram", lambda _response: None)
            _data, raw = await http.get_json(url, {"access_token": "SECRET"})
            return raw.source

    long_id = "9" * 300
    assert asyncio.run(fetch(f"{GRAPH}/{long_id}/comments")) == "instagram:/v23.0/{id}/comments"
    assert asyncio.run(fetch(f"{GRAPH}/{ENCODED}/comments")) == "instagram:/v23.0/{id}/comments"
