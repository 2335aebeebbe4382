"""Connectors and the runner against answers no rule foresaw: bodies that cannot be read (nested too
deeply, a broken gzip, bytes that are not UTF-8), an exception nobody expected, paging cursors that
go round in a circle, rate limits that say when to come back only through ``Retry-After``, and Graph
pages whose ``data`` is not a list.

Every platform is served from its recorded payloads through ``httpx.MockTransport``; waits are
recorded, never slept. A handler that pages for ever fails the test after a few dozen requests
instead of hanging it.
"""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
import email.utils
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any, ClassVar

import httpx
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from govsocial.collect import runner as runner_module
from govsocial.collect.base import Target
from govsocial.collect.errors import CollectError, PayloadError, RateLimitedError
from govsocial.collect.facebook import types as facebook_types
from govsocial.collect.facebook.client import FacebookConnector
from govsocial.collect.http import MAX_RETRY_AFTER_S, HttpClient, RetryPolicy, retry_after
from govsocial.collect.instagram.client import InstagramConnector
from govsocial.collect.paging import ListingPaging, SeenCursors
from govsocial.collect.records import Batch
from govsocial.collect.runner import Runner, RunOptions
from govsocial.collect.targets import collectable
from govsocial.collect.threads.client import ThreadsConnector
from govsocial.collect.x.client import XConnector
from govsocial.collect.youtube.client import YouTubeConnector
from govsocial.registry.load import load_registry
from govsocial.settings import PROJECT_ROOT, Settings
from govsocial.store import tables as t
from tests.collect import test_threads as th
from tests.collect import test_x as xt
from tests.collect import test_youtube as yt
from tests.collect.harness import ConnectorHarness, Handler
from tests.collect.test_facebook import PAGE_ID, PROFILE, TARGET, TOKEN, FakeGraph, Routes, one_post, payload
from tests.collect.test_instagram import IG, OWN, OWN_ID
from tests.collect.test_runner import FakeConnector

GRAPH = "https://graph.example"
NOW = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
POSTS = f"/{PAGE_ID}/posts"
#: One level more than any JSON reader here will follow.
DEEP = '{"data":' + "[" * 100_000 + "]" * 100_000 + "}"


def limited(handler: Handler, most: int = 60) -> Handler:
    """``handler``, failing the test once asked more than ``most`` times: a listing paging for ever."""
    calls = 0

    def answer(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls > most:
            raise AssertionError(f"more than {most} requests: paging for ever ({request.url.path})")
        return handler(request)

    return answer


def graph_page(body: Mapping[str, Any], after: str | None) -> dict[str, Any]:
    """A recorded Graph listing page whose ``paging`` leads to ``after`` (None: the last page)."""
    page = copy.deepcopy(dict(body))
    page.pop("paging", None)
    if after:
        page["paging"] = {"cursors": {"after": after}, "next": f"{GRAPH}/next?after={after}"}
    return page


def post_page(number: int, after: str | None) -> dict[str, Any]:
    """The recorded posts page, as post ``number`` without comments, leading to ``after``."""
    return graph_page(one_post(comments=0, post_id=f"{PAGE_ID}_{number}"), after)


def facebook(routes: Routes, most: int = 60) -> tuple[ConnectorHarness, FakeGraph]:
    fake = FakeGraph(routes)
    return ConnectorHarness(limited(fake, most), FacebookConnector, TOKEN, GRAPH, NOW), fake


def instagram(routes: Routes) -> tuple[ConnectorHarness, FakeGraph]:
    fake = FakeGraph(routes)
    return ConnectorHarness(limited(fake), InstagramConnector, TOKEN, GRAPH, NOW), fake


def gaps(batches: list[Batch]) -> list[str]:
    return [batch.gap for batch in batches if batch.gap]


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


# -- bodies that cannot be read -------------------------------------------------------------------


def http_client(answer: Callable[[], httpx.Response]) -> tuple[HttpClient, list[httpx.Request]]:
    """The Facebook rules over a transport answering every request with a new ``answer()``."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answer()

    async def sleep(_: float) -> None:
        return None

    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    cls = FacebookConnector
    return HttpClient(client, cls.platform, cls.classify, cls.pause, RetryPolicy(3, 0), sleep), seen


def broken_gzip() -> httpx.Response:
    return httpx.Response(200, headers={"Content-Encoding": "gzip"}, stream=httpx.ByteStream(b"not gzip"))


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (lambda: httpx.Response(200, text=DEEP), "nested too deeply"),
        (broken_gzip, "cannot be decoded"),
        (lambda: httpx.Response(200, content=b'{"data": ["\xff\xfe"]}'), "not UTF-8"),
        (lambda: httpx.Response(400, text='{"error":' + "[" * 100_000 + "]" * 100_000 + "}"), "too deeply"),
    ],
    ids=["nested 100,000 deep", "broken gzip", "not UTF-8", "error body nested 100,000 deep"],
)
def test_an_unreadable_body_is_a_payload_error_retried_like_truncated_json(
    answer: Callable[[], httpx.Response], words: str
) -> None:
    http, seen = http_client(answer)
    with pytest.raises(PayloadError, match=words) as caught:
        run(http.get_json(f"{GRAPH}/{PAGE_ID}", {"access_token": TOKEN}))
    assert len(seen) == 3  # retried, as a truncated body is
    assert f"/{PAGE_ID}" in str(caught.value) and TOKEN not in str(caught.value)


# -- the runner: one account's failure is that account's ----------------------------------------


@pytest.fixture
def facebook_targets(engine: Engine, session: Session) -> list[Target]:
    load_registry(engine, PROJECT_ROOT / "data" / "registry", actor="test", only="hk")
    return collectable(session, {"facebook"}, "hk")[:3]


def graph_transport(bad_ref: str, bad: Callable[[httpx.Request], httpx.Response]) -> httpx.MockTransport:
    """Each Page's recorded profile and one post; every request for ``bad_ref`` is answered by ``bad``."""

    def handler(request: httpx.Request) -> httpx.Response:
        ref = request.url.path.split("/")[1]
        if ref == bad_ref:
            return bad(request)
        if request.url.path.endswith("/posts"):
            return httpx.Response(200, json=one_post(comments=0, post_id=f"{ref}_1"))
        return httpx.Response(200, json=PROFILE)

    return httpx.MockTransport(handler)


def graph_runner(engine: Engine, transport: httpx.MockTransport) -> Runner:
    async def no_sleep(_: float) -> None:
        return None

    options = RunOptions(
        base_urls={"facebook": GRAPH},
        transport=transport,
        policy=RetryPolicy(attempts=2, base_backoff=0),
        sleep=no_sleep,
    )
    return Runner(engine, Settings.load(pseudonym_key="k", facebook_token=TOKEN), options)


def stored(engine: Engine, table: type[t.Base]) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def finished(engine: Engine, run_id: int) -> t.CollectionRun:
    with Session(engine) as session:
        record = session.get(t.CollectionRun, run_id)
        assert record is not None and record.finished_at is not None, "the run was left running"
        return record


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        (lambda _: httpx.Response(200, text=DEEP), "nested too deeply"),
        (lambda _: broken_gzip(), "cannot be decoded"),
    ],
    ids=["nested 100,000 deep", "broken gzip"],
)
def test_an_unreadable_body_stops_one_account_and_the_others_are_stored(
    engine: Engine,
    facebook_targets: list[Target],
    bad: Callable[[httpx.Request], httpx.Response],
    words: str,
) -> None:
    broken = facebook_targets[0]
    summary = run(graph_runner(engine, graph_transport(broken.ref, bad)).run(facebook_targets, "hk"))

    assert summary.status == "partial" and summary.failed_accounts == 1, summary.as_dict()
    [error] = summary.errors
    assert error["account"] == f"facebook {broken.handle}" and error["kind"] == "PayloadError"
    assert words in error["message"] and TOKEN not in error["message"]
    assert stored(engine, t.Post) == 2 and stored(engine, t.ProfileSnapshot) == 2
    assert finished(engine, summary.run_id).status == "partial"


def test_an_unexpected_exception_is_that_accounts_error_without_secrets_and_the_run_ends(
    engine: Engine, facebook_targets: list[Target], monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = facebook_targets[1]
    original = facebook_types.profile_record

    def profile_record(data: Mapping[str, Any], ref: str, taken_at: dt.datetime) -> Any:
        if ref == broken.ref:  # a mapping bug, whose message quotes the token and a signed URL
            raise KeyError(f"{TOKEN} at {GRAPH}/x?access_token={TOKEN}&appsecret_proof=abc123")
        return original(data, ref, taken_at)

    monkeypatch.setattr(facebook_types, "profile_record", profile_record)
    transport = graph_transport("nobody", lambda _: httpx.Response(500))
    summary = run(graph_runner(engine, transport).run(facebook_targets, "hk"))

    assert summary.status == "partial" and summary.failed_accounts == 1, summary.as_dict()
    [error] = summary.errors
    assert error["account"] == f"facebook {broken.handle}" and error["kind"] == "unexpected"
    message = error["message"]
    assert message.startswith("KeyError: ") and "govsocial/collect/facebook/client.py:" in message
    assert TOKEN not in message and "abc123" not in message and "access_token=***" in message
    assert stored(engine, t.Post) == 2  # the other accounts went on
    assert finished(engine, summary.run_id).errors == summary.errors


class BuggyConnector(FakeConnector):
    """The runner tests' fake connector, broken for one handle after its first page."""

    broken: ClassVar[str] = ""

    async def collect(
        self, target: Target, checkpoints: Mapping[str, dict[str, Any]]
    ) -> AsyncIterator[Batch]:
        async for batch in super().collect(target, checkpoints):
            yield batch
            if target.handle == self.broken and batch.edge == "posts":
                raise ZeroDivisionError("division by zero")


def test_an_unexpected_exception_keeps_what_the_account_stored_before_it(
    engine: Engine, facebook_targets: list[Target], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(BuggyConnector, "broken", facebook_targets[0].handle)
    monkeypatch.setattr(runner_module, "connector_for", lambda _: BuggyConnector)

    def pages(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["after"])
        return httpx.Response(200, json={"ids": [page * 2, page * 2 + 1]})

    summary = run(graph_runner(engine, httpx.MockTransport(pages)).run(facebook_targets, "hk"))

    [error] = summary.errors
    assert error["kind"] == "unexpected" and error["message"].startswith(
        "ZeroDivisionError: division by zero"
    )
    assert summary.failed_accounts == 1
    assert stored(engine, t.Post) == 2 + 2 * 3 * 2  # its first page, and all of the others'


def test_a_run_whose_collection_breaks_outside_any_account_is_finished(
    engine: Engine, facebook_targets: list[Target], monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(self: Runner, targets: list[Target], summary: Any) -> None:
        raise OSError("too many open files")

    monkeypatch.setattr(Runner, "collect", broken)
    transport = httpx.MockTransport(lambda _: httpx.Response(500))  # never asked
    summary = run(graph_runner(engine, transport).run(facebook_targets, "hk"))

    assert summary.status == "failed" and summary.errors[0]["kind"] == "unexpected"
    assert "OSError: too many open files" in summary.errors[0]["message"]
    assert finished(engine, summary.run_id).status == "failed"


def test_a_rate_limit_longer_than_the_policy_waits_is_a_gap_not_an_error(
    engine: Engine, facebook_targets: list[Target]
) -> None:
    throttled = facebook_targets[2]

    def later(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/posts"):  # an hour: beyond the 15 minutes a run waits
            return httpx.Response(429, headers={"Retry-After": "3600"}, text="Too Many Requests")
        return httpx.Response(200, json=PROFILE)

    summary = run(graph_runner(engine, graph_transport(throttled.ref, later)).run(facebook_targets, "hk"))

    assert summary.failed_accounts == 0 and summary.errors == [], summary.as_dict()
    [gap] = summary.gaps
    assert gap["account"] == f"facebook {throttled.handle}" and "HTTP 429" in gap["reason"]
    until = dt.datetime.fromisoformat(gap["until"])
    assert dt.timedelta(minutes=59) < until - dt.datetime.now(dt.UTC) <= dt.timedelta(hours=1)
    assert stored(engine, t.ProfileSnapshot) == 3 and stored(engine, t.Post) == 2
    assert finished(engine, summary.run_id).gaps == summary.gaps


# -- paging cursors that go round in a circle -----------------------------------------------------


def test_cursors_seen_before_in_one_listing_are_repeats() -> None:
    seen = SeenCursors("resumed")
    assert [seen.repeats(c) for c in ("A", "B", "A", "resumed")] == [False, False, True, True]
    graph = SeenCursors({"until": "1", "__paging_token": "p"})
    assert graph.repeats({"__paging_token": "p", "until": "1"})
    assert not graph.repeats({"until": "2", "__paging_token": "p"})


class _Position:
    def __init__(self, after: str | None) -> None:
        self.after = after


def test_a_refused_stored_cursor_restarts_its_listing_from_the_top_once() -> None:
    paging = ListingPaging("post listing", "STALE", term="paging token")
    assert paging.seen.repeats("STALE")  # the cursor it resumed from
    position, refused = _Position("STALE"), CollectError("HTTP 400")
    gap = paging.restart(position, refused)
    assert gap == "post listing: the paging token was refused (HTTP 400); read again from the first page"
    assert position.after is None and not paging.seen.repeats("STALE")  # from the top, nothing seen
    position.after = "B"  # refused again further on: reading again would go round for ever
    with pytest.raises(CollectError) as again:
        paging.restart(position, refused)
    assert again.value is refused


def test_a_refusal_with_no_stored_cursor_is_raised() -> None:
    refused = CollectError("HTTP 400")
    with pytest.raises(CollectError) as raised:
        ListingPaging("uploads listing", None).restart(_Position(None), refused)
    assert raised.value is refused


def test_facebook_posts_whose_cursors_cycle_stop_with_a_gap_and_keep_every_post() -> None:
    routes = {
        (f"/{PAGE_ID}", None): PROFILE,
        (POSTS, None): post_page(1, "A"),
        (POSTS, "A"): post_page(2, "B"),
        (POSTS, "B"): post_page(3, "A"),  # back to A: reading on would never end
    }
    harness, fake = facebook(routes)
    batches = harness.run(TARGET)

    assert len(fake.params(POSTS)) == 3
    assert [p.post_id for b in batches for p in b.posts] == [f"{PAGE_ID}_{n}" for n in (1, 2, 3)]
    [gap] = gaps(batches)
    assert gap.startswith("post listing gave a paging cursor it had already given")
    assert batches[-1].edge == "posts" and batches[-1].checkpoint is not None
    assert batches[-1].checkpoint["complete"] is True  # the next run does not walk into the circle


def test_facebook_posts_resumed_from_a_cursor_stop_when_they_come_back_to_it() -> None:
    routes = {
        (f"/{PAGE_ID}", None): PROFILE,
        (POSTS, "B"): post_page(2, "C"),
        (POSTS, "C"): post_page(3, "B"),
    }
    harness, fake = facebook(routes)
    batches = harness.run(TARGET, {"posts": {"after": "B", "since": None, "newest": None}})
    assert len(fake.params(POSTS)) == 2 and len(gaps(batches)) == 1


def test_facebook_comments_whose_cursors_cycle_stop_with_a_gap() -> None:
    comments = f"/{PAGE_ID}_1/comments"
    recorded = payload("pyfacebook_comments_comments_p1.json")
    routes = {
        (f"/{PAGE_ID}", None): PROFILE,
        (POSTS, None): one_post(comments=25, post_id=f"{PAGE_ID}_1"),
        (comments, None): graph_page(recorded, "A"),
        (comments, "A"): graph_page(recorded, "B"),
        (comments, "B"): graph_page(recorded, "A"),
    }
    harness, fake = facebook(routes)
    batches = harness.run(TARGET)

    assert len(fake.params(comments)) == 3
    [last] = [b for b in batches if b.edge == f"comments:{PAGE_ID}_1" and b.checkpoint == {"complete": True}]
    assert last.gap is not None and last.gap.startswith(f"comments of {PAGE_ID}_1 gave a paging cursor")
    assert sum(len(b.comments) for b in batches) == 3 * len(recorded["data"])


def test_instagram_media_whose_cursors_cycle_stop_with_a_gap() -> None:
    first, second = (
        payload("pyfacebook_users_medias_p1.json", IG),
        payload("pyfacebook_users_medias_p2.json", IG),
    )
    media = f"/{OWN_ID}/media"
    routes = {
        (f"/{OWN_ID}", None): payload("pyfacebook_v4_owner_user_info.json", IG),
        (media, None): graph_page(first, "A"),
        (media, "A"): graph_page(second, "B"),
        (media, "B"): graph_page(first, "A"),
    }
    harness, fake = instagram(routes)
    batches = harness.run(OWN)

    assert len(fake.params(media)) == 3
    assert [g for g in gaps(batches) if g.startswith("media listing gave a paging cursor")]
    assert batches[-1].checkpoint is not None and batches[-1].checkpoint["complete"] is True


def test_instagram_comments_whose_cursors_cycle_stop_with_a_gap() -> None:
    with_comments = "17896622936197745"  # the recorded media with 6 comments
    comments = f"/{with_comments}/comments"
    recorded = payload("pyfacebook_medias_comments_p1.json", IG)
    routes = {
        (f"/{OWN_ID}", None): payload("pyfacebook_v4_owner_user_info.json", IG),
        (f"/{OWN_ID}/media", None): graph_page(payload("pyfacebook_users_medias_p1.json", IG), None),
        (comments, None): graph_page(recorded, "A"),
        (comments, "A"): graph_page(recorded, "B"),
        (comments, "B"): graph_page(recorded, "A"),
    }
    harness, fake = instagram(routes)
    batches = harness.run(OWN)

    assert len(fake.params(comments)) == 3
    [last] = [
        b for b in batches if b.edge == f"comments:{with_comments}" and b.checkpoint == {"complete": True}
    ]
    assert last.gap is not None and last.gap.startswith(f"comments of {with_comments} gave a paging cursor")


def x_timeline(next_token: str | None) -> httpx.Response:
    """The recorded timeline page, its posts without replies (no search), leading to ``next_token``."""
    body = xt.load("pytwitter_timeline_timeline_tweets.json")
    body["meta"]["next_token"] = next_token
    for tweet in body["data"]:
        tweet.setdefault("public_metrics", {})["reply_count"] = 0
    return httpx.Response(200, json=body)


def test_x_posts_whose_next_token_never_changes_stop_with_a_gap() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/users/by/username/TwitterDev"):
            return xt.reply("pytwitter_user_user_resp.json")
        return x_timeline("SAME")  # every page says the same next_token

    harness = xt.Harness(limited(handler))
    batches = harness.run(xt.target())

    assert len(harness.calls(f"/users/{xt.ACCOUNT}/tweets")) == 2
    assert batches[-1].gap is not None and batches[-1].gap.startswith("post listing gave a paging cursor")
    assert batches[-1].checkpoint is not None and batches[-1].checkpoint["complete"] is True


def test_x_replies_whose_next_tokens_cycle_stop_with_a_gap() -> None:
    following = {None: "A", "A": "B", "B": "A"}

    def handler(request: httpx.Request) -> httpx.Response:
        body = xt.load("handwritten_search_conversation.json")
        body["meta"]["next_token"] = following[request.url.params.get("next_token")]
        return httpx.Response(200, json=body)

    harness = xt.Harness(limited(handler))
    batches = harness.replies(xt.post())

    assert len(harness.calls("/tweets/search/recent")) == 3
    assert batches[-1].gap is not None and "gave a paging cursor" in batches[-1].gap
    assert batches[-1].checkpoint is not None and batches[-1].checkpoint["complete"] is True


def youtube(override: Mapping[str, Callable[[httpx.Request], httpx.Response]]) -> yt.Harness:
    """The recorded channel of the YouTube tests, with some methods answered by ``override``."""

    def handler(request: httpx.Request) -> httpx.Response:
        answer = override.get(yt.method_of(request))
        return answer(request) if answer else yt.channel_handler(request)

    return yt.Harness(limited(handler, 120))


def token_chain(name: str, chain: Mapping[str | None, str]) -> Callable[[httpx.Request], httpx.Response]:
    """The recorded page ``name`` whose ``nextPageToken`` follows ``chain`` from the request's token."""

    def answer(request: httpx.Request) -> httpx.Response:
        body = yt.load(name)
        body["nextPageToken"] = chain[request.url.params.get("pageToken")]
        return httpx.Response(200, json=body)

    return answer


def test_youtube_uploads_whose_page_tokens_cycle_stop_with_a_gap() -> None:
    pages = {None: 1, "CAoQAA": 2, "CBQQAA": 1}

    def playlist(request: httpx.Request) -> httpx.Response:
        number = pages[request.url.params.get("pageToken")]
        body = yt.load(f"pyyoutube_playlist_items_playlist_items_paged_{number}.json")
        body["nextPageToken"] = "CAoQAA" if number == 1 else "CBQQAA"  # page 2 leads back to page 1
        return httpx.Response(200, json=body)

    harness = youtube({"playlistItems": playlist})
    batches = harness.run(yt.target())

    assert len(harness.calls("playlistItems")) == 3
    assert [g for g in gaps(batches) if g.startswith("uploads listing gave a paging cursor")]
    assert batches[-1].checkpoint is not None and batches[-1].checkpoint["complete"] is True


def test_youtube_comment_threads_whose_page_tokens_cycle_stop_with_a_gap() -> None:
    name = "pyyoutube_comment_threads_comment_threads_by_video_paged_1.json"
    harness = youtube({"commentThreads": token_chain(name, {None: "A", "A": "B", "B": "A"})})
    batches = harness.run(yt.target())

    assert len(harness.calls("commentThreads")) == 3
    edge = f"comments:{yt.WITH_COMMENTS}"
    [last] = [b for b in batches if b.edge == edge and b.checkpoint and b.checkpoint.get("complete")]
    assert last.gap is not None and last.gap.startswith(f"comment threads of {yt.WITH_COMMENTS} gave")


def test_youtube_replies_whose_page_tokens_cycle_stop_with_a_gap_and_are_paged_again() -> None:
    name = "pyyoutube_comments_comments_by_parent_paged_1.json"
    harness = youtube({"comments": token_chain(name, {None: "A", "A": "B", "B": "A"})})
    batches = harness.run(yt.target())

    assert len(harness.calls("comments")) == 3
    assert [g for g in gaps(batches) if g.startswith(f"replies of {yt.THREAD_WITH_REPLIES} gave")]
    edge = f"comments:{yt.WITH_COMMENTS}"
    [last] = [b for b in batches if b.edge == edge and b.checkpoint and b.checkpoint.get("complete")]
    assert yt.THREAD_WITH_REPLIES not in (last.checkpoint or {}).get("paged", {})  # read again next run


def threads_page(name: str, after: str) -> httpx.Response:
    """The hand-written Threads page ``name`` with a ``next`` page at ``after``."""
    body = th.load(name)
    body["paging"] = {"cursors": {"after": after}, "next": f"{th.BASE}/next?after={after}"}
    return httpx.Response(200, json=body)


def test_threads_posts_whose_cursors_cycle_stop_with_a_gap() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith(f"/{th.USER}/threads"):
            if request.url.params.get("after") == "QVFIUafter1":
                return threads_page("handwritten_threads_p2.json", "QVFIUafter2")
            return threads_page("handwritten_threads_p1.json", "QVFIUafter1")  # also for after2
        return th.account_handler(request)

    harness = th.Harness(limited(handler))
    batches = harness.run(th.target())

    assert len(harness.calls(f"/{th.USER}/threads")) == 3
    assert batches[-1].gap is not None and batches[-1].gap.startswith("post listing gave a paging cursor")
    assert batches[-1].checkpoint is not None and batches[-1].checkpoint["complete"] is True


def test_threads_conversation_whose_cursors_cycle_stops_with_a_gap() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/conversation"):
            if request.url.params.get("after") == "QVFIUcafter1":
                return threads_page("handwritten_conversation_p2.json", "QVFIUcafter2")
            return threads_page("handwritten_conversation.json", "QVFIUcafter1")  # also for cafter2
        return th.account_handler(request)

    harness = th.Harness(limited(handler))
    batches = harness.run(th.target())

    assert len(harness.calls("/conversation")) == 3
    edge = f"comments:{th.WITH_REPLIES}"
    [last] = [b for b in batches if b.edge == edge and b.checkpoint == {"complete": True}]
    assert last.gap is not None and last.gap.startswith(f"replies of {th.WITH_REPLIES} gave a paging cursor")


# -- rate limits: Retry-After ---------------------------------------------------------------------


def test_retry_after_reads_seconds_and_http_dates_and_ignores_the_rest() -> None:
    def at(value: str) -> dt.datetime | None:
        return retry_after(httpx.Response(429, headers={"Retry-After": value}), NOW)

    assert at("120") == NOW + dt.timedelta(seconds=120)
    assert at(email.utils.format_datetime(NOW + dt.timedelta(minutes=5), usegmt=True)) == NOW + dt.timedelta(
        minutes=5
    )
    assert at("soon") is None and at("-5") is None
    superscript = httpx.Response(429, headers=[(b"Retry-After", "²".encode())])  # a digit to isdigit()
    assert retry_after(superscript, NOW) is None
    assert retry_after(httpx.Response(429), NOW) is None
    assert at("9" * 5000) == NOW + dt.timedelta(seconds=MAX_RETRY_AFTER_S)  # no overflow, no int() limit


def rate_limited(platform: str, retry: str) -> httpx.Response:
    """A 429 with only ``Retry-After`` to say when: no Graph body, no usage or x-rate-limit headers."""
    headers = {"Retry-After": retry}
    if platform == "x":  # the recorded problem JSON of a 429, without its x-rate-limit-reset
        return httpx.Response(429, text=xt.reply("issue_v2_429_too_many_requests.json").text, headers=headers)
    return httpx.Response(429, text="Too Many Requests", headers=headers)


CLASSIFIERS: dict[str, Callable[[httpx.Response], CollectError | None]] = {
    "facebook": FacebookConnector.classify,
    "instagram": InstagramConnector.classify,
    "threads": ThreadsConnector.classify,
    "x": XConnector.classify,
    "youtube": YouTubeConnector.classify,
}


@pytest.mark.parametrize("platform", list(CLASSIFIERS))
@pytest.mark.parametrize("form", ["seconds", "HTTP date"])
def test_a_429_with_retry_after_is_retried_when_it_says(platform: str, form: str) -> None:
    now = dt.datetime.now(dt.UTC)
    when = now + dt.timedelta(seconds=120)
    retry = "120" if form == "seconds" else email.utils.format_datetime(when, usegmt=True)
    error = CLASSIFIERS[platform](rate_limited(platform, retry))
    assert isinstance(error, RateLimitedError) and error.retry_at is not None
    assert abs((error.retry_at - when).total_seconds()) < 5


def test_facebook_waits_out_a_bare_429_for_its_retry_after() -> None:
    routes = {
        (f"/{PAGE_ID}", None): [rate_limited("facebook", "120"), httpx.Response(200, json=PROFILE)],
        (POSTS, None): {"data": []},
    }
    harness, _ = facebook(routes)
    batches = harness.run(TARGET)
    assert batches[0].profile is not None
    assert len(harness.waits) == 1 and 110 <= harness.waits[0] <= 120


def test_x_waits_out_a_429_without_its_reset_header_for_its_retry_after() -> None:
    answers = [rate_limited("x", "300"), xt.reply("pytwitter_user_user_resp.json")]
    harness = xt.Harness(lambda _: answers.pop(0))
    [profile] = harness.run(xt.target(), limit=1)
    assert profile.profile is not None
    assert len(harness.waits) == 1 and 290 <= harness.waits[0] <= 300


# -- a Graph page whose data is not a list ---------------------------------------------------------


def test_a_facebook_posts_page_whose_data_is_an_object_is_malformed_not_empty() -> None:
    harness, _ = facebook({(f"/{PAGE_ID}", None): PROFILE, (POSTS, None): {"data": {"id": "1"}}})
    with pytest.raises(PayloadError, match=r"/posts\?.*'data' is dict, not a list") as caught:
        harness.run(TARGET)
    assert TOKEN not in str(caught.value)


def test_a_facebook_comments_page_whose_data_is_an_object_is_malformed_not_empty() -> None:
    routes = {
        (f"/{PAGE_ID}", None): PROFILE,
        (POSTS, None): one_post(comments=2, post_id=f"{PAGE_ID}_1"),
        (f"/{PAGE_ID}_1/comments", None): {"data": {"message": "hi"}},
    }
    harness, _ = facebook(routes)
    with pytest.raises(PayloadError, match=r"/comments\?.*'data' is dict"):
        harness.run(TARGET)


def test_an_instagram_media_page_whose_data_is_an_object_is_malformed_not_empty() -> None:
    routes = {
        (f"/{OWN_ID}", None): payload("pyfacebook_v4_owner_user_info.json", IG),
        (f"/{OWN_ID}/media", None): {"data": {"id": "1"}},
    }
    harness, _ = instagram(routes)
    with pytest.raises(PayloadError, match=r"^instagram: .*/media\?.*'data' is dict"):
        harness.run(OWN)


def test_a_threads_posts_page_whose_data_is_an_object_is_malformed_not_empty() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith(f"/{th.USER}/threads"):
            return httpx.Response(200, json={"data": {"id": "1"}})
        return th.account_handler(request)

    with pytest.raises(PayloadError, match=r"^threads: .*/threads\?.*'data' is dict"):
        th.Harness(handler).run(th.target())


def test_an_x_timeline_page_whose_data_is_an_object_is_malformed_not_bad_records() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/users/by/username/TwitterDev"):
            return xt.reply("pytwitter_user_user_resp.json")
        return httpx.Response(200, json={"data": {"id": "1", "text": "hi"}, "meta": {}})

    with pytest.raises(PayloadError, match=r"^x: .*/tweets\?.*'data' is dict"):
        xt.Harness(handler).run(xt.target())


def test_a_youtube_playlist_page_whose_items_are_an_object_is_malformed() -> None:
    harness = youtube({"playlistItems": lambda _: httpx.Response(200, json={"items": {"id": "x"}})})
    with pytest.raises(PayloadError, match=r"^youtube: .*/playlistItems\?.*'items' is dict"):
        harness.run(yt.target())
