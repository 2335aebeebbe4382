"""Threads ids of any length never reach ``raw_payloads.source``, on SQLite and PostgreSQL
(collect/threads/client.py ``source_of``).

The connector named a payload's source after its request path, numeric ids written ``{id}`` and any
other part kept as it was: a post id that is not all digits went into the source whole, so a
190-character one made ``threads:/<id>/conversation``, longer than the column (``String(200)``), and
PostgreSQL refused the batch (SQLite stores any length). Ids are the platform's strings; the source
is now the endpoint alone, and the payload's location (its URL) names the post in full.
"""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import Engine, select

from govsocial.collect.base import Target
from govsocial.collect.records import ID_CHARS
from govsocial.collect.threads.client import source_of
from govsocial.store import tables as t
from govsocial.store.db import session_factory
from tests.collect.test_threads import Harness, load, reply
from tests.collect.test_unstorable_text import account_id, store_all

#: A post id within ``posts.post_id`` (200) but not numeric: its replies are read and stored.
LONG = "threads-" + "p" * 182
#: A post id longer than any column: its insights are read, the post itself is quarantined.
HUGE = "q" * 300
SOURCES = {
    "threads:/me",
    "threads:/{id}/threads_insights",
    "threads:/{id}/threads",
    "threads:/{id}/insights",
    "threads:/{id}/conversation",
}


def _post(post_id: str, day: int) -> dict[str, Any]:
    return {
        "id": post_id,
        "media_product_type": "THREADS",
        "media_type": "TEXT_POST",
        "permalink": f"https://www.threads.net/@examplegov/post/{day}",
        "username": "examplegov",
        "text": f"post of day {day}",
        "timestamp": f"2026-05-0{day}T09:00:00+0000",
        "is_quote_post": False,
    }


def handler(request: httpx.Request) -> httpx.Response:
    """The token owner with two posts of long ids, each with replies (one of them read)."""
    path = request.url.path
    if path.endswith("/me"):
        return reply("handwritten_me.json")
    if path.endswith("/threads_insights"):
        return reply("handwritten_user_insights_followers.json")
    if path.endswith("/threads"):
        return httpx.Response(200, json={"data": [_post(LONG, 3), _post(HUGE, 2)]})
    if path.endswith("/insights"):
        return httpx.Response(200, json=load("handwritten_media_insights.json"))
    if path.endswith(f"/{LONG}/conversation"):
        answer = {
            "id": "18100000000000001",
            "text": "Thanks",
            "timestamp": "2026-05-03T10:00:00+0000",
            "is_reply": True,
            "root_post": {"id": LONG},
            "replied_to": {"id": LONG},
        }
        return httpx.Response(200, json={"data": [answer]})
    raise AssertionError(f"unexpected request {request.url}")


def test_a_source_is_its_endpoint_whatever_the_id() -> None:
    assert source_of("me") == "threads:/me"
    for node in ("17841400000000001", LONG, HUGE, "a/b?c"):
        assert source_of("conversation", node) == "threads:/{id}/conversation"


def test_long_non_numeric_ids_are_stored_with_bounded_sources(engine: Engine) -> None:
    harness = Harness(handler)
    batches = harness.run(
        Target(account_id=1, platform="threads", kind="handle", handle="examplegov", platform_id=None)
    )
    raws = [b.raw for b in batches if b.raw is not None]
    # Which post each payload is of is in its location, in full; the request names it as it is.
    assert [r.url.path.rsplit("/", 2)[-2] for r in harness.calls("/insights")] == [LONG, HUGE]
    assert any(f"/{HUGE}/insights" in raw.location for raw in raws)
    assert [r.url.path.rsplit("/", 2)[-2] for r in harness.calls("/conversation")] == [LONG]

    account = account_id(engine)
    counts = store_all(engine, batches, account, "api:threads")
    # HUGE is too long for a post's id: quarantined; the rest stored, on both stores.
    assert len(HUGE) > ID_CHARS and counts["quarantined"] == 1
    assert counts["posts.insert"] == 1 and counts["comments.insert"] == 1
    with session_factory(engine)() as session:
        stored = session.execute(select(t.RawPayloadRow.source, t.RawPayloadRow.location)).all()
        posts = session.scalars(select(t.Post.post_id)).all()
    assert {raw.source for raw in raws} == {source for source, _location in stored} == SOURCES
    assert all(len(source) <= 64 for source, _location in stored)
    assert any(f"/{LONG}/conversation" in location for _source, location in stored)
    assert posts == [LONG]


def test_an_id_is_one_path_segment_of_the_request() -> None:
    odd = "12/../me"

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/me") and "%2F" not in request.url.raw_path.decode():
            return reply("handwritten_me.json")
        if request.url.path.endswith("/threads_insights"):
            return reply("handwritten_user_insights_followers.json")
        if request.url.path.endswith("/threads"):
            return httpx.Response(200, json={"data": [_post(odd, 3)]})
        if request.url.path.endswith(("/insights", "/conversation")):
            return httpx.Response(200, json={"data": []})
        raise AssertionError(f"unexpected request {request.url}")

    harness = Harness(answer)
    harness.run(
        Target(account_id=1, platform="threads", kind="handle", handle="examplegov", platform_id=None)
    )
    (insights,) = harness.calls("/insights")
    assert insights.url.raw_path.decode().startswith("/v1.0/12%2F..%2Fme/insights")
