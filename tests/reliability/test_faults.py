"""Every kind of platform fault, injected into a Facebook collection through the real runner and store.

The registry's Facebook accounts are collected from the loopback fake Graph API
(``tests.fakeplatform.FakeGraph``), which knows every post and comment it serves. Two situations:

* a fault that passes (a 429, 5xx, a timeout, a cut or garbled body, served once or twice): the run
  must end ``ok`` with exactly what a run without faults stores;
* a fault that persists on one account (every answer from its 6th request on): that account stops
  with an error that names what was being fetched and carries no token, the other accounts complete,
  what the broken account stored before stays with its checkpoints, and a rerun once the platform
  answers again completes it, with nothing stored twice.

A listing item that cannot be read is quarantined with the page's location, and the rest of the page
is kept. ``tests.reliability.tally`` counts the faults injected and survived for docs/reliability.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, select
from starlette.responses import Response

from govsocial.collect.base import Target
from govsocial.collect.privacy import Pseudonymiser
from govsocial.collect.runs import RunSummary
from govsocial.store import tables as t
from govsocial.store.db import session_factory
from tests.collect.test_end_to_end import KEY, TOKEN, SleepRecorder, collect, fake, registry, targets, url
from tests.fakeplatform import (
    ExpiredToken,
    FakeGraph,
    Fault,
    HighUsage,
    RateLimited,
    Rule,
    ServerError,
    Slow,
    Truncated,
)
from tests.fakeplatform.check import (
    expected_checkpoints,
    problems,
    row_count,
    stored_checkpoints,
    stored_posts,
)
from tests.reliability.tally import TALLY

# The end-to-end tests' fixtures, which pytest finds by name: the registry loaded, its Facebook
# accounts and the fake Graph API serving them on loopback.
__all__ = ["fake", "registry", "targets", "url"]

PSEUDONYMS = Pseudonymiser(KEY)
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
#: The client's timeout in these tests, and how long a slow answer takes: well past it, still short.
#: A normal answer must never reach the timeout on a busy machine: with 0.3 s one did (once in a
#: full run), was retried, and moved the call a fault is set on to another request.
TIMEOUT_S, SLOW_S = 1.5, 4.0


@dataclass(frozen=True)
class NotJson(Fault):
    """Status 200 with an HTML page instead of JSON (a captive portal or a proxy's error page)."""

    def respond(self, normal: Response) -> Response:
        return Response(
            "<html><body>Service temporarily unavailable</body></html>", 200, media_type="application/json"
        )


@dataclass(frozen=True)
class Garbled(Fault):
    """Status 200 with the normal body made invalid JSON part-way (a key's colon replaced)."""

    def respond(self, normal: Response) -> Response:
        return Response(bytes(normal.body).replace(b'":', b'"=', 3), 200, media_type="application/json")


@dataclass(frozen=True)
class NotAnObject(Fault):
    """Status 200 with valid JSON of the wrong shape: a list where Graph always sends an object."""

    def respond(self, normal: Response) -> Response:
        return Response("[]", 200, media_type="application/json")


@dataclass(frozen=True)
class BadItems(Fault):
    """The normal listing with its first item's time unreadable and a bare string added after it."""

    def respond(self, normal: Response) -> Response:
        body = json.loads(bytes(normal.body))
        body["data"][0]["created_time"] = "yesterday-ish"
        body["data"].insert(1, "not an object")
        return Response(json.dumps(body), 200, media_type="application/json")


def run(engine: Engine, url: str, targets: list[Target]) -> RunSummary:
    """One collection with the short client timeout."""
    return collect(engine, url, targets, SleepRecorder(), timeout=TIMEOUT_S)


def count_faults(rules: list[Rule], survived: bool) -> None:
    """Add the faults these rules injected to the tally (and to "survived" when the store is whole)."""
    fired = sum(rule.fired for rule in rules)
    TALLY.add("faults injected", fired)
    if survived:
        TALLY.add("faults survived (store complete, nothing twice)", fired)


def quarantined(engine: Engine) -> list[t.QuarantinedRecord]:
    with session_factory(engine)() as session:
        return list(session.scalars(select(t.QuarantinedRecord).order_by(t.QuarantinedRecord.id)))


def assert_complete(engine: Engine, fake: FakeGraph) -> None:
    """Every post and comment once, with the checkpoints a complete collection leaves."""
    assert problems(engine, fake, PSEUDONYMS) == []
    assert stored_checkpoints(engine) == expected_checkpoints(fake)
    assert row_count(engine, t.Post) == len(fake.expected_posts())
    assert row_count(engine, t.Comment) == len(fake.expected_comments())


def test_passing_faults_of_every_kind_leave_the_store_as_a_clean_run(
    engine: Engine, targets: list[Target], fake: FakeGraph, url: str
) -> None:
    h = [x.handle for x in targets]
    add = fake.control.add
    rules = [
        add(RateLimited(regain_minutes=1), account=h[0], path="/posts", calls=[2]),
        add(HighUsage(96), account=h[0], calls=[3]),
        add(NotJson(), account=h[0], path="/comments", calls=[1]),
        add(ServerError(500), account=h[1], calls=[1]),
        add(Garbled(), account=h[1], path="/posts", calls=[2]),
        add(ServerError(502, bare=True), account=h[1], path="/comments", calls=[2]),
        add(ServerError(503), account=h[2], calls=[3, 4]),
        add(Truncated(), account=h[2], path="/comments", calls=[3]),
        add(Slow(SLOW_S), account=h[2], path="/comments", calls=[5]),
    ]

    summary = run(engine, url, targets)

    assert summary.status == "ok", summary.as_dict()
    assert [rule.fired for rule in rules] == [1, 1, 1, 1, 1, 1, 2, 1, 1]
    assert_complete(engine, fake)
    assert quarantined(engine) == []
    count_faults(rules, survived=True)


#: Faults that persist, each with text its error message must contain (besides the URL's path).
PERSISTENT: dict[str, tuple[Fault, str]] = {
    "truncated JSON": (Truncated(), "not valid JSON"),
    "HTML instead of JSON": (NotJson(), "not valid JSON"),
    "garbled JSON": (Garbled(), "not valid JSON"),
    "a list instead of an object": (NotAnObject(), "not an object"),
    "503 every time": (ServerError(503), "Graph error 2"),
    "bare 502 every time": (ServerError(502, bare=True), "HTTP 502"),
    "timeouts": (Slow(SLOW_S), "timed out"),
    "token expired mid-run": (ExpiredToken(), "expired"),
}


@SQLITE_ONLY
@pytest.mark.parametrize("kind", list(PERSISTENT))
def test_a_persistent_fault_stops_one_account_keeps_its_pages_and_a_rerun_completes_it(
    engine: Engine, targets: list[Target], fake: FakeGraph, url: str, kind: str
) -> None:
    fault, words = PERSISTENT[kind]
    broken = targets[1].handle
    page = fake.pages[broken]
    # Its 6th request, after its profile, its first page of posts and the 3 comment pages of post 1,
    # asks for the first comments of post 2.
    rule = fake.control.add(fault, account=broken, from_call=6)

    summary = run(engine, url, targets)

    assert summary.status == "partial" and summary.failed_accounts == 1, summary.as_dict()
    [error] = summary.errors
    assert error["account"] == f"facebook {broken}"
    assert words in error["message"] and f"/{page.posts[1].post_id}/comments" in error["message"], error
    assert TOKEN not in json.dumps(summary.as_dict())
    others = [x.handle for x in targets if x.handle != broken]
    assert problems(engine, fake, PSEUDONYMS, others) == []
    # What the broken account stored before the fault stays, with the checkpoint of post 1's comments;
    # its posts cursor is not saved past a page whose comments are unfinished.
    assert {p for p, v in stored_posts(engine).items() if v["handle"] == broken} == {
        p.post_id for p in page.posts[:2]
    }
    checkpoints = stored_checkpoints(engine)
    assert checkpoints[(broken, f"comments:{page.posts[0].post_id}")] == {"complete": True}
    assert (broken, f"comments:{page.posts[1].post_id}") not in checkpoints
    assert (broken, "posts") not in checkpoints
    fired = rule.fired
    fake.control.reset()  # the platform answers again (a new token, the outage over)

    again = run(engine, url, [x for x in targets if x.handle == broken])

    assert again.status == "ok", again.as_dict()
    assert_complete(engine, fake)
    assert quarantined(engine) == []
    TALLY.add("faults injected", fired)
    TALLY.add("faults survived (store complete, nothing twice)", fired)
    TALLY.add("persistent fault kinds recovered by a rerun")


@SQLITE_ONLY
def test_unreadable_items_are_quarantined_with_their_page_and_the_rest_is_kept(
    engine: Engine, targets: list[Target], fake: FakeGraph, url: str
) -> None:
    handle = targets[0].handle
    page = fake.pages[handle]
    rules = [fake.control.add(BadItems(), account=handle, path="/posts", calls=[1])]

    summary = run(engine, url, targets)

    assert summary.status == "partial" and summary.failed_accounts == 0, summary.as_dict()
    bad = quarantined(engine)
    assert [(b.source, b.reason.split(":")[0]) for b in bad] == [
        ("facebook:/{page}/posts", "ValueError"),
        ("facebook:/{page}/posts", "TypeError"),
    ]
    assert all(b.location.startswith(url) and "/posts" in b.location and TOKEN not in b.location for b in bad)
    assert page.posts[0].post_id in bad[0].content and bad[1].content == '"not an object"'
    # Only the unreadable post (and so its comments) is missing; everything else is stored once.
    lost = {f"post {page.posts[0].post_id} missing"} | {
        f"comment {c.comment_id} missing" for c in page.posts[0].expected
    }
    assert set(problems(engine, fake, PSEUDONYMS)) == lost
    count_faults(rules, survived=False)
    TALLY.add("unreadable items quarantined", len(bad))
