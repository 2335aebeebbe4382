"""Facebook Pages connector: field mapping from recorded Graph payloads, paging and checkpoints,
PPCA-era comments without ids, page replies, and every Graph error body classified."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest

from govsocial.collect.base import Connector, Target
from govsocial.collect.errors import (
    AccessError,
    AuthError,
    CollectError,
    GoneError,
    PayloadError,
    RateLimitedError,
    TransientError,
)
from govsocial.collect.facebook import client as facebook_client
from govsocial.collect.facebook import errors, plugin, types
from govsocial.collect.facebook.client import FacebookConnector
from govsocial.collect.facebook.errors import CursorLimitError, RequestError
from govsocial.collect.http import HttpClient, RetryPolicy
from govsocial.collect.privacy import decoded
from govsocial.collect.records import Batch, PostFormat

PAYLOADS = Path(__file__).resolve().parents[1] / "fixtures" / "payloads"
FB = PAYLOADS / "facebook"
TOKEN = "EAAtest-token-value-0123456789abcdefXYZ"
PAGE_ID = "20531316728"
NOW = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
TARGET = Target(account_id=1, platform="facebook", kind="page", handle="facebook", platform_id=PAGE_ID)


def payload(name: str, folder: Path = FB) -> Any:
    return json.loads((folder / name).read_text(encoding="utf-8"))


def graph_error(name: str) -> httpx.Response:
    """A documented error from the hand-written table, as the API would answer it."""
    entry = payload("handmade_graph_errors.json")[name]
    if "text" in entry:
        return httpx.Response(entry["status"], text=entry["text"])
    return httpx.Response(entry["status"], json=entry["body"])


def file_error(name: str, status: int = 400, folder: Path = FB) -> httpx.Response:
    return httpx.Response(status, text=(folder / name).read_text(encoding="utf-8"))


Answer = httpx.Response | list[httpx.Response] | Any
Routes = Mapping[tuple[str, str | None], Answer]


class FakeGraph:
    """Answers by (path, ``after`` cursor); a list answers successive calls; a callable answers with
    what it returns for the request; anything else is JSON. Unrouted comment edges answer an empty
    page. Records every request."""

    def __init__(self, routes: Routes) -> None:
        self.routes = {
            key: list(value) if isinstance(value, list) else value for key, value in routes.items()
        }
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        key = (request.url.path, request.url.params.get("after"))
        if key not in self.routes and request.url.path.endswith(("/comments", "/replies")):
            return httpx.Response(200, json={"data": []})
        answer = self.routes[key]
        if isinstance(answer, list):
            answer = answer.pop(0) if len(answer) > 1 else answer[0]
        if callable(answer):
            answer = answer(request)
        return answer if isinstance(answer, httpx.Response) else httpx.Response(200, json=answer)

    def params(self, path: str) -> list[dict[str, str]]:
        return [dict(r.url.params) for r in self.requests if r.url.path == path]


def collect(
    routes: Routes,
    checkpoints: Mapping[str, dict[str, Any]] | None = None,
    target: Target = TARGET,
    make: Callable[[HttpClient], Connector] | None = None,
    cls: type[Connector] = FacebookConnector,
) -> tuple[list[Batch], list[float], FakeGraph]:
    """Run ``collect`` to the end against ``routes``; the batches, the waits, and the fake."""
    fake = FakeGraph(routes)
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    async def run() -> list[Batch]:
        async with httpx.AsyncClient(transport=httpx.MockTransport(fake)) as client:
            policy = RetryPolicy(attempts=3, base_backoff=0)
            http = HttpClient(client, cls.platform, cls.classify, cls.pause, policy, sleep=sleep)
            connector = make(http) if make else cls(http, TOKEN, base_url="https://graph.example")
            return [batch async for batch in connector.collect(target, checkpoints or {})]

    return asyncio.run(run()), waits, fake


def one_post(comments: int | None = 3, post_id: str = f"{PAGE_ID}_10158658756111729") -> dict[str, Any]:
    post = dict(payload("pyfacebook_v4_posts_with_reactions_by_type_p1.json")["data"][0], id=post_id)
    if comments is not None:
        post["comments"] = {"data": [], "summary": {"total_count": comments}}
    return {"data": [post]}


PROFILE = payload("pyfacebook_pages_single_fields_page.json")


def is_checkpoint_only(batch: Batch) -> bool:
    """A batch that only moves its edge's checkpoint: no payload, no records, no gap."""
    return (
        batch.checkpoint is not None
        and batch.raw is None
        and batch.profile is None
        and not (batch.posts or batch.comments or batch.bad)
        and batch.gap is None
    )


def listing(batches: list[Batch]) -> list[tuple[Batch, dict[str, Any]]]:
    """Each page of the posts listing with its checkpoint.

    A page is yielded as its posts batch (gap and raw, but no checkpoint), then its posts' comments,
    then a checkpoint-only ``posts`` batch; this pairs each posts batch with that checkpoint."""
    pages: list[tuple[Batch, dict[str, Any]]] = []
    page: Batch | None = None
    for batch in batches:
        if batch.edge != "posts":
            continue
        if is_checkpoint_only(batch):
            assert page is not None, "a posts checkpoint with no page before it"
            assert batch.checkpoint is not None
            pages.append((page, batch.checkpoint))
            page = None
        else:
            assert page is None, "a page of posts without its checkpoint"
            assert batch.checkpoint is None, "a page of posts carries its checkpoint before its comments"
            page = batch
    assert page is None, "the last page of posts has no checkpoint"
    return pages


def assert_page_checkpoint_after_its_comments(batches: list[Batch]) -> None:
    """Every comments batch of a page's posts comes after that page's posts and before its checkpoint."""
    page: tuple[int, set[str]] | None = None  # index of the open page's posts batch, its post ids
    done: set[str] = set()  # posts whose page's checkpoint has been yielded
    for index, batch in enumerate(batches):
        if batch.edge == "posts" and is_checkpoint_only(batch):
            assert page is not None
            done |= page[1]
            page = None
        elif batch.edge == "posts":
            assert batch.checkpoint is None and page is None
            page = (index, {post.post_id for post in batch.posts})
        elif batch.edge.startswith("comments:"):
            post_id = batch.edge.split(":", 1)[1]
            assert post_id not in done, f"comments of {post_id} after its page's checkpoint"
            if page is not None:
                assert post_id in page[1], f"comments of {post_id} inside another page"


# -- mapping -------------------------------------------------------------------------------------


def test_profile_takes_followers_count_else_fan_count() -> None:
    assert types.profile_record(PROFILE, "facebook", NOW).followers == 214507731  # fan_count only
    info = payload("pyfacebook_v4_page_info.json")
    record = types.profile_record({**info, "followers_count": 5}, "facebook", NOW)
    assert (record.followers, record.name, record.platform_id) == (5, "Facebook", PAGE_ID)
    assert types.profile_record({"id": "1"}, "x", NOW).followers is None


def test_post_fields_and_reactions_by_type_from_the_recorded_page() -> None:
    first, second = payload("pyfacebook_v4_posts_with_reactions_by_type_p1.json")["data"][:2]
    post = types.post_record(first, "facebook", NOW)
    assert post.post_id == "20531316728_10158658756111729"
    assert post.created_at == dt.datetime(2019, 8, 9, 14, 1, 24, tzinfo=dt.UTC)
    assert post.created_at_raw == "2019-08-09T14:01:24+0000"
    assert post.url == "https://www.facebook.com/20531316728/posts/10158658756111729/"
    assert post.format is PostFormat.IMAGE and post.link is None and post.text is None
    assert post.media == [first["attachments"]["data"][0]["media"]["image"]["src"]]
    assert post.counts is not None
    assert post.counts.reactions == {
        "like": 7192,
        "love": 827,
        "haha": 61,
        "wow": 120,
        "sad": 13,
        "angry": 12,
    }
    assert (post.counts.likes, post.counts.comments, post.counts.shares) == (7192, 957, 562)
    assert post.counts.taken_at == NOW
    assert post.extra == {
        "status_type": "added_photos",
        "updated_time": "2019-08-13T06:04:44+0000",
        "reactions_total": 8225,
    }
    assert types.post_record(second, "facebook", NOW).text == second["message"]


def test_care_reaction_is_read_and_thankful_is_not_asked_for() -> None:
    first = payload("pyfacebook_v4_posts_with_reactions_by_type_p1.json")["data"][0]
    counts = types.post_counts({**first, "care": {"data": [], "summary": {"total_count": 4}}}, NOW)
    assert (
        counts.reactions is not None and counts.reactions["care"] == 4 and "thankful" not in counts.reactions
    )


def test_formats_from_attachments_status_type_and_legacy_type() -> None:
    posts = [
        types.post_record(p, "fb", NOW)
        for p in payload("pyfacebook_posts_feeds_default_fields_p1.json")["data"]
    ]
    assert [p.format for p in posts] == [
        PostFormat.IMAGE,
        PostFormat.LINK,
        PostFormat.IMAGE,
        PostFormat.IMAGE,
        PostFormat.VIDEO,
    ]
    shared = payload("pyfacebook_posts_feeds_default_fields_p1.json")["data"][1]["attachments"]["data"][0]
    assert posts[1].link == shared["unshimmed_url"]
    assert types.post_format_of({"attachments": {"data": [{"type": "live_video"}]}}) is PostFormat.LIVE
    assert types.post_format_of({"type": "status", "message": "x"}) is PostFormat.TEXT
    assert types.post_format_of({"status_type": "added_video"}) is PostFormat.VIDEO
    assert types.post_format_of({"message": "hello"}) is PostFormat.TEXT
    assert types.post_format_of({}) is PostFormat.OTHER


def test_album_media_come_from_subattachments_once() -> None:
    image = {"media": {"image": {"src": "https://img/1.jpg"}}}
    album = {
        "attachments": {
            "data": [
                {
                    "media_type": "album",
                    **image,
                    "subattachments": {"data": [image, {"media": {"image": {"src": "https://img/2.jpg"}}}]},
                }
            ]
        },
        "id": "1_2",
        "created_time": "2024-01-01T00:00:00+0000",
        "full_picture": "https://img/full.jpg",
    }
    assert types.post_record(album, "fb", NOW).media == ["https://img/1.jpg", "https://img/2.jpg"]
    bare = {"id": "1_3", "created_time": "2024-01-01T00:00:00+0000", "full_picture": "https://img/full.jpg"}
    assert types.post_record(bare, "fb", NOW).media == ["https://img/full.jpg"]


def test_absent_engagement_is_unknown_not_zero() -> None:
    post = types.post_record(payload("pyfacebook_posts_feed_fields_p1.json")["data"][0], "fb", NOW)
    assert post.counts is not None
    assert (post.counts.reactions, post.counts.likes, post.counts.comments, post.counts.shares) == (
        None,
        None,
        None,
        None,
    )
    assert post.created_at == dt.datetime(2021, 7, 4, 19, 50, 58, tzinfo=dt.UTC)


def test_epoch_times_from_date_format_u() -> None:
    assert types.parse_time(1625428258) == types.parse_time("2021-07-04T19:50:58+0000")
    assert types.parse_time("1625428258") == types.parse_time("2021-07-04T19:50:58+0000")


def test_comments_with_from_and_attachments() -> None:
    data = payload("pyfacebook_comments_by_parent_p1.json")["data"]
    first = types.comment_record(data[0], "2121008874780932_2498598377021978", "2121008874780932")
    assert first.comment_id == "2498598377021978_2498617433686739"
    assert (first.author_id, first.likes, first.replies, first.parent_id) == ("2711636948859886", 2, 0, None)
    assert first.text == "Good job!😏" and not first.is_page_reply
    assert first.created_at == dt.datetime(2019, 12, 16, 12, 9, 40, tzinfo=dt.UTC)


def test_page_token_stream_marks_page_replies_and_parents() -> None:
    data = payload("handmade_comments_stream_page_token.json")["data"]
    post_id = f"{PAGE_ID}_10158658756111729"
    question, reply, thanks, anonymous = (types.comment_record(c, post_id, PAGE_ID) for c in data)
    assert reply.is_page_reply and not question.is_page_reply and not thanks.is_page_reply
    assert reply.parent_id == thanks.parent_id == question.comment_id
    assert question.parent_id is None and question.replies == 2
    assert (question.author_id, reply.author_id) == ("1000000000000001", PAGE_ID)
    assert anonymous.author_id == "Citizen 2" and anonymous.likes is None  # no id given: the name


def test_ppca_comments_take_ids_and_parents_from_permalinks() -> None:
    data = payload("pyfacebook_comments_comments_p1.json")["data"]
    post_id = "19292868552_10158407654328553"
    records = [types.comment_record(c, post_id, "19292868552") for c in data]
    assert records[0].comment_id == "10158407654328553_10158407835073553" and records[0].parent_id is None
    reply = records[5]  # "...?comment_id=10158407903973553&reply_comment_id=10158409983033553"
    assert reply.comment_id == "10158407654328553_10158409983033553"
    assert reply.parent_id == "10158407654328553_10158407903973553" == records[1].comment_id
    assert all(r.author_id is None and not r.is_page_reply for r in records)  # no "from" under PPCA
    assert len({r.comment_id for r in records}) == len(records)


def test_comments_on_a_photo_use_the_photo_id_like_graph_does() -> None:
    data = payload("pyfacebook_v4_comments_with_summary_p1.json")["data"][0]
    without_id = {k: v for k, v in data.items() if k != "id"}
    assert types.comment_ids(without_id, "20531316728_10158658756111729")[0] == data["id"]


def test_comments_without_any_id_get_stable_derived_ids() -> None:
    data = payload("handmade_comments_ppca_no_id.json")["data"]
    first = [types.comment_record(c, "1_2", None).comment_id for c in data]
    again = [types.comment_record(c, "1_2", None).comment_id for c in data]
    other_post = types.comment_record(data[0], "1_3", None).comment_id
    assert first == again and len(set(first)) == 2 and other_post != first[0]
    assert all(cid.startswith("derived:") for cid in first)


# -- collecting: paging, checkpoints, resuming ------------------------------------------------------


def test_collect_pages_posts_with_checkpoints_and_raw_payloads() -> None:
    p1 = payload("pyfacebook_v4_posts_with_reactions_by_type_p1.json")
    p2 = payload("pyfacebook_posts_feed_fields_p2.json")
    batches, _, fake = collect(
        {
            (f"/{PAGE_ID}", None): PROFILE,
            (f"/{PAGE_ID}/posts", None): p1,
            (f"/{PAGE_ID}/posts", "after"): p2,
        }
    )
    assert batches[0].edge == "profile" and batches[0].profile is not None
    assert batches[0].profile.followers == 214507731 and batches[0].raw is not None
    pages = listing(batches)
    assert [len(page.posts) for page, _ in pages] == [5, 5]
    assert pages[0][1] == {"after": "after", "since": None, "newest": "2019-08-09T14:01:24+00:00"}
    assert pages[1][1] == {"newest": "2021-07-04T19:50:58+00:00", "complete": True}
    for batch in batches:
        if batch.edge == "posts" and is_checkpoint_only(batch):
            continue  # a page's checkpoint, stored after the page's comments, carries no payload
        assert (
            batch.raw is not None
            and TOKEN not in batch.raw.location
            and "access_token=***" in batch.raw.location
        )
    first_params = fake.params(f"/{PAGE_ID}/posts")[0]
    assert "reactions.type(CARE).limit(0).summary(total_count).as(care)" in first_params["fields"]
    assert "comments.filter(stream).limit(0).summary(true)" in first_params["fields"]
    assert "since" not in first_params and first_params["access_token"] == TOKEN
    # Comments were read for each post (all 10 have comments, or an unknown count), after its page.
    comment_edges = [b.edge for b in batches if b.edge.startswith("comments:")]
    assert len(comment_edges) == 10 and batches[2].edge == f"comments:{p1['data'][0]['id']}"
    # A page of comments carries what its body decodes to, for the writer's scrubbed copy.
    kept = [b.raw for b in batches if b.edge.startswith("comments:") and b.raw is not None]
    assert kept and all(decoded(raw) == (True, json.loads(raw.body)) for raw in kept)


def test_a_page_checkpoint_is_yielded_only_after_its_posts_comments() -> None:
    p1 = payload("pyfacebook_v4_posts_with_reactions_by_type_p1.json")
    p2 = payload("pyfacebook_posts_feed_fields_p2.json")
    batches, _, _ = collect(
        {
            (f"/{PAGE_ID}", None): PROFILE,
            (f"/{PAGE_ID}/posts", None): p1,
            (f"/{PAGE_ID}/posts", "after"): p2,
        }
    )
    edges = [b.edge for b in batches]
    first_ids = [f"comments:{post['id']}" for post in p1["data"]]
    second_ids = [f"comments:{post['id']}" for post in p2["data"]]
    # profile, page 1, its comments, its checkpoint, page 2, its comments, its checkpoint.
    assert edges == ["profile", "posts", *first_ids, "posts", "posts", *second_ids, "posts"]
    assert batches[1].checkpoint is None and batches[1].posts
    assert batches[len(first_ids) + 3].checkpoint is None and batches[len(first_ids) + 3].posts
    for index in (len(first_ids) + 2, len(batches) - 1):
        assert is_checkpoint_only(batches[index])
    assert_page_checkpoint_after_its_comments(batches)
    # A run killed before a page's checkpoint has stored no posts checkpoint past that page: it
    # re-reads the page and its comments instead of losing them.
    killed = batches[: len(first_ids) + 2]  # up to the last comments batch of page 1
    assert not [b.checkpoint for b in killed if b.edge == "posts" and b.checkpoint is not None]


def test_time_based_paging_follows_until_and_paging_token_without_the_url() -> None:
    batches, _, fake = collect(
        {
            (f"/{PAGE_ID}", None): PROFILE,
            (f"/{PAGE_ID}/posts", None): [
                httpx.Response(200, json=payload("pyfacebook_posts_feed_fields_p1.json")),
                httpx.Response(200, json=payload("pyfacebook_posts_feed_fields_p2.json")),
            ],
        }
    )
    checkpoints = [checkpoint for _, checkpoint in listing(batches)]
    assert checkpoints[0] == {
        "since": None,
        "newest": "2021-07-04T19:50:58+00:00",
        "until": "1624385168",
        "paging_token": "__paging_token",
    }
    second = fake.params(f"/{PAGE_ID}/posts")[1]
    assert second["until"] == "1624385168" and second["__paging_token"] == "__paging_token"
    assert second["access_token"] == TOKEN and len(checkpoints) == 2 and checkpoints[1]["complete"]


def test_resume_from_a_time_paging_checkpoint() -> None:
    state = {
        "since": None,
        "newest": "2021-07-04T19:50:58+00:00",
        "until": "1624385168",
        "paging_token": "tok",
    }
    _, _, fake = collect(
        {
            (f"/{PAGE_ID}", None): PROFILE,
            (f"/{PAGE_ID}/posts", None): payload("pyfacebook_posts_feed_fields_p2.json"),
        },
        {"posts": state},
    )
    params = fake.params(f"/{PAGE_ID}/posts")[0]
    assert (params["until"], params["__paging_token"]) == ("1624385168", "tok")


def test_resume_mid_listing_keeps_the_listings_since_and_newest() -> None:
    state = {"after": "after", "since": "2019-01-01T00:00:00+00:00", "newest": "2022-01-01T00:00:00+00:00"}
    batches, _, fake = collect(
        {
            (f"/{PAGE_ID}", None): PROFILE,
            (f"/{PAGE_ID}/posts", "after"): payload("pyfacebook_posts_feed_fields_p2.json"),
        },
        {"posts": state},
    )
    params = fake.params(f"/{PAGE_ID}/posts")
    assert len(params) == 1 and params[0]["after"] == "after"
    assert params[0]["since"] == str(int(dt.datetime(2019, 1, 1, tzinfo=dt.UTC).timestamp()))
    assert [checkpoint for _, checkpoint in listing(batches)] == [
        {"newest": "2022-01-01T00:00:00+00:00", "complete": True}
    ]


def test_incremental_run_starts_from_the_newest_post_seen() -> None:
    state = {"newest": "2021-07-04T19:50:58+00:00", "complete": True}
    batches, _, fake = collect(
        {
            (f"/{PAGE_ID}", None): PROFILE,
            (f"/{PAGE_ID}/posts", None): {"data": []},
        },
        {"posts": state},
    )
    params = fake.params(f"/{PAGE_ID}/posts")[0]
    assert params["since"] == "1625428258" and "after" not in params
    assert [checkpoint for _, checkpoint in listing(batches)] == [state]
    assert batches[-1].checkpoint == state


# -- the refresh window: recent posts and their comments are read again on every run ----------------

RECENT, MIDDLE, OLD = f"{PAGE_ID}_30", f"{PAGE_ID}_20", f"{PAGE_ID}_10"
#: When each post was published; the runs below are on 2025-01-10, 01-11 and 01-20 (7-day window).
PUBLISHED = {
    RECENT: dt.datetime(2025, 1, 9, tzinfo=dt.UTC),
    MIDDLE: dt.datetime(2025, 1, 5, tzinfo=dt.UTC),
    OLD: dt.datetime(2024, 12, 1, tzinfo=dt.UTC),
}


def post_at(post_id: str, comments: int) -> dict[str, Any]:
    """A recorded post with another id, publication time and comment count."""
    created = PUBLISHED[post_id].strftime("%Y-%m-%dT%H:%M:%S+0000")
    return dict(one_post(comments, post_id)["data"][0], created_time=created)


def posts_since(request: httpx.Request) -> httpx.Response:
    """The Page's posts, newest first, filtered by ``since`` as Graph does."""
    since = int(request.url.params.get("since") or 0)
    posts = [post_at(pid, 2) for pid in (RECENT, MIDDLE, OLD) if PUBLISHED[pid].timestamp() >= since]
    return httpx.Response(200, json={"data": posts})


def comment(comment_id: str, day: int) -> dict[str, Any]:
    return {"id": comment_id, "message": f"comment {comment_id}", "from": {"id": f"user-{comment_id}"},
            "created_time": f"2025-01-{day:02d}T12:00:00+0000"}  # fmt: skip


def run_at(
    monkeypatch: pytest.MonkeyPatch,
    now: dt.datetime,
    routes: Routes,
    checkpoints: Mapping[str, dict[str, Any]],
) -> tuple[list[Batch], FakeGraph, dict[str, dict[str, Any]]]:
    """One run at ``now``; its batches, the fake, and the checkpoints after it."""
    monkeypatch.setattr(facebook_client, "_now", lambda: now)
    batches, _, fake = collect(routes, checkpoints)
    after = {**checkpoints, **{b.edge: b.checkpoint for b in batches if b.checkpoint is not None}}
    return batches, fake, after


def comment_paths(fake: FakeGraph) -> list[str]:
    return [r.url.path for r in fake.requests if r.url.path.endswith("/comments")]


def test_each_run_reads_posts_in_the_refresh_window_again_and_their_new_comments(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first_routes: Routes = {(f"/{PAGE_ID}", None): PROFILE, (f"/{PAGE_ID}/posts", None): posts_since}
    for pid in PUBLISHED:
        first_routes[(f"/{pid}/comments", None)] = {"data": [comment(f"{pid}-1", 9)]}
    first_at = dt.datetime(2025, 1, 10, tzinfo=dt.UTC)
    _, fake, checkpoints = run_at(monkeypatch, first_at, first_routes, {})
    assert "since" not in fake.params(f"/{PAGE_ID}/posts")[0]  # the first collection reads it all
    assert len(comment_paths(fake)) == 3
    assert checkpoints["posts"] == {"newest": "2025-01-09T00:00:00+00:00", "complete": True}
    assert all(checkpoints[f"comments:{pid}"] == {"complete": True} for pid in PUBLISHED)

    # A day later a citizen comments on the recent post (two pages now) and the Page replies.
    second_at = dt.datetime(2025, 1, 11, tzinfo=dt.UTC)
    routes: Routes = {
        **first_routes,
        (f"/{RECENT}/comments", None): {
            "data": [comment(f"{RECENT}-1", 9)],
            "paging": {"cursors": {"after": "c2"}, "next": "https://x"},
        },
        (f"/{RECENT}/comments", "c2"): {"data": [comment(f"{RECENT}-2", 10), comment(f"{RECENT}-3", 10)]},
    }
    batches, fake, checkpoints = run_at(monkeypatch, second_at, routes, checkpoints)
    # Listed from the window's start (2025-01-04), before the newest post seen: both recent posts.
    since = fake.params(f"/{PAGE_ID}/posts")[0]["since"]
    assert since == str(int(dt.datetime(2025, 1, 4, tzinfo=dt.UTC).timestamp()))
    pages = listing(batches)
    assert [[p.post_id for p in page.posts] for page, _ in pages] == [[RECENT, MIDDLE]]
    assert all(p.counts is not None and p.counts.taken_at == second_at for p in pages[0][0].posts)
    # Their complete comment listings are read again from the start; the old post costs nothing.
    assert comment_paths(fake) == [f"/{RECENT}/comments", f"/{RECENT}/comments", f"/{MIDDLE}/comments"]
    assert [p.get("after") for p in fake.params(f"/{RECENT}/comments")] == [None, "c2"]
    assert len(fake.requests) == 1 + 1 + 3  # profile, posts, comment pages
    assert {c.comment_id for b in batches for c in b.comments} == {
        f"{RECENT}-1", f"{RECENT}-2", f"{RECENT}-3", f"{MIDDLE}-1"
    }  # fmt: skip
    assert_page_checkpoint_after_its_comments(batches)
    assert pages[0][1] == checkpoints["posts"] == {"newest": "2025-01-09T00:00:00+00:00", "complete": True}
    assert checkpoints[f"comments:{RECENT}"] == {"complete": True}

    # Once the newest post is older than the window, a run lists from it and reads no comments again.
    late_at = dt.datetime(2025, 1, 20, tzinfo=dt.UTC)
    batches, fake, _ = run_at(monkeypatch, late_at, routes, checkpoints)
    assert fake.params(f"/{PAGE_ID}/posts")[0]["since"] == str(int(PUBLISHED[RECENT].timestamp()))
    assert [p.post_id for page, _ in listing(batches) for p in page.posts] == [RECENT]  # since is inclusive
    assert comment_paths(fake) == [] and len(fake.requests) == 2


def test_a_post_older_than_the_window_is_not_read_again(monkeypatch: pytest.MonkeyPatch) -> None:
    checkpoints: dict[str, dict[str, Any]] = {
        "posts": {"newest": "2025-01-09T00:00:00+00:00", "complete": True},
        **{f"comments:{pid}": {"complete": True} for pid in PUBLISHED},
    }
    routes: Routes = {(f"/{PAGE_ID}", None): PROFILE, (f"/{PAGE_ID}/posts", None): posts_since}
    batches, fake, _ = run_at(monkeypatch, dt.datetime(2025, 1, 11, tzinfo=dt.UTC), routes, checkpoints)
    listed = [p.post_id for page, _ in listing(batches) for p in page.posts]
    assert listed == [RECENT, MIDDLE] and OLD not in str([r.url for r in fake.requests])
    assert f"/{OLD}/comments" not in comment_paths(fake)


def test_a_refresh_window_of_zero_days_reads_only_new_posts(monkeypatch: pytest.MonkeyPatch) -> None:
    checkpoints = {
        "posts": {"newest": "2025-01-05T00:00:00+00:00", "complete": True},
        f"comments:{MIDDLE}": {"complete": True},
    }
    routes: Routes = {(f"/{PAGE_ID}", None): PROFILE, (f"/{PAGE_ID}/posts", None): posts_since}
    monkeypatch.setattr(facebook_client, "_now", lambda: dt.datetime(2025, 1, 10, tzinfo=dt.UTC))

    def make(http: HttpClient) -> Connector:
        connector = FacebookConnector(http, TOKEN, base_url="https://graph.example")
        connector.refresh_days = 0
        return connector

    batches, _, fake = collect(routes, checkpoints, make=make)
    assert fake.params(f"/{PAGE_ID}/posts")[0]["since"] == str(int(PUBLISHED[MIDDLE].timestamp()))
    assert [p.post_id for page, _ in listing(batches) for p in page.posts] == [RECENT, MIDDLE]
    assert comment_paths(fake) == [f"/{RECENT}/comments"]  # new; the middle one's is complete


def test_a_listing_resumed_mid_way_keeps_its_since_whatever_the_window(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    state = {"after": "after", "since": "2021-12-30T00:00:00+00:00", "newest": "2022-01-01T00:00:00+00:00"}
    monkeypatch.setattr(facebook_client, "_now", lambda: dt.datetime(2022, 1, 2, tzinfo=dt.UTC))
    batches, _, fake = collect(
        {
            (f"/{PAGE_ID}", None): PROFILE,
            (f"/{PAGE_ID}/posts", "after"): payload("pyfacebook_posts_feed_fields_p2.json"),
        },
        {"posts": state},
    )
    [params] = fake.params(f"/{PAGE_ID}/posts")
    assert params["after"] == "after"
    assert params["since"] == str(int(dt.datetime(2021, 12, 30, tzinfo=dt.UTC).timestamp()))
    assert [checkpoint for _, checkpoint in listing(batches)] == [
        {"newest": "2022-01-01T00:00:00+00:00", "complete": True}
    ]


def test_a_refresh_cut_short_resumes_from_its_cursor(monkeypatch: pytest.MonkeyPatch) -> None:
    checkpoints: dict[str, dict[str, Any]] = {
        "posts": {"newest": "2025-01-09T00:00:00+00:00", "complete": True},
        f"comments:{RECENT}": {"after": "c2"},  # a refresh of its complete listing was killed mid-way
        f"comments:{MIDDLE}": {"complete": True},
    }
    routes: Routes = {
        (f"/{PAGE_ID}", None): PROFILE,
        (f"/{PAGE_ID}/posts", None): posts_since,
        (f"/{RECENT}/comments", "c2"): {"data": [comment(f"{RECENT}-2", 10)]},
    }
    batches, fake, checkpoints = run_at(
        monkeypatch, dt.datetime(2025, 1, 11, tzinfo=dt.UTC), routes, checkpoints
    )
    assert [p.get("after") for p in fake.params(f"/{RECENT}/comments")] == ["c2"]  # not from the start
    assert [p.get("after") for p in fake.params(f"/{MIDDLE}/comments")] == [None]
    assert checkpoints[f"comments:{RECENT}"] == checkpoints[f"comments:{MIDDLE}"] == {"complete": True}
    assert_page_checkpoint_after_its_comments(batches)


# -- the first run bounded by ``first_run_days`` ------------------------------------------------------


def run_bounded(
    monkeypatch: pytest.MonkeyPatch,
    now: dt.datetime,
    routes: Routes,
    checkpoints: Mapping[str, dict[str, Any]],
    first_run_days: int | None,
) -> tuple[list[Batch], FakeGraph, dict[str, dict[str, Any]]]:
    """``run_at`` with the connector's ``first_run_days`` set as the runner sets it."""
    monkeypatch.setattr(facebook_client, "_now", lambda: now)

    def make(http: HttpClient) -> Connector:
        connector = FacebookConnector(http, TOKEN, base_url="https://graph.example")
        connector.first_run_days = first_run_days
        return connector

    batches, _, fake = collect(routes, checkpoints, make=make)
    after = {**checkpoints, **{b.edge: b.checkpoint for b in batches if b.checkpoint is not None}}
    return batches, fake, after


def test_a_bounded_first_run_asks_graph_only_for_the_posts_since_the_bound(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    routes: Routes = {(f"/{PAGE_ID}", None): PROFILE, (f"/{PAGE_ID}/posts", None): posts_since}
    for pid in PUBLISHED:
        routes[(f"/{pid}/comments", None)] = {"data": [comment(f"{pid}-1", 9)]}
    first_at = dt.datetime(2025, 1, 10, tzinfo=dt.UTC)  # 30 days: since 2024-12-11, OLD is before
    with caplog.at_level("INFO", logger="govsocial.collect.base"):
        batches, fake, checkpoints = run_bounded(monkeypatch, first_at, routes, {}, 30)
    bound = dt.datetime(2024, 12, 11, tzinfo=dt.UTC)
    assert fake.params(f"/{PAGE_ID}/posts")[0]["since"] == str(int(bound.timestamp()))
    assert [p.post_id for page, _ in listing(batches) for p in page.posts] == [RECENT, MIDDLE]
    assert comment_paths(fake) == [f"/{RECENT}/comments", f"/{MIDDLE}/comments"]  # the listed posts'
    assert checkpoints["posts"] == {"newest": "2025-01-09T00:00:00+00:00", "complete": True}
    assert not [b.gap for b in batches if b.gap]  # the operator's bound is not missing data
    [said] = [r.getMessage() for r in caplog.records]
    assert said.startswith("facebook facebook: first run") and "2024-12-11T00:00:00+00:00" in said

    # The second run is incremental as without the setting: the same requests, from the window.
    second_at = dt.datetime(2025, 1, 11, tzinfo=dt.UTC)
    _, bounded, _ = run_bounded(monkeypatch, second_at, routes, checkpoints, 30)
    _, unbounded, _ = run_bounded(monkeypatch, second_at, routes, checkpoints, None)
    assert [str(r.url) for r in bounded.requests] == [str(r.url) for r in unbounded.requests]
    since = bounded.params(f"/{PAGE_ID}/posts")[0]["since"]
    assert since == str(int(dt.datetime(2025, 1, 4, tzinfo=dt.UTC).timestamp()))


def test_a_bounded_first_run_that_finds_no_post_keeps_its_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    routes: Routes = {(f"/{PAGE_ID}", None): PROFILE, (f"/{PAGE_ID}/posts", None): posts_since}
    # The Page last posted on 2025-01-09: a first run on 2025-03-01 bounded to 30 days finds nothing.
    _, _, checkpoints = run_bounded(monkeypatch, dt.datetime(2025, 3, 1, tzinfo=dt.UTC), routes, {}, 30)
    assert checkpoints["posts"] == {"newest": None, "complete": True, "since": "2025-01-30T00:00:00+00:00"}
    # The next run lists from that bound, not the whole listing (the setting may even be unset by then).
    batches, fake, _ = run_bounded(
        monkeypatch, dt.datetime(2025, 3, 2, tzinfo=dt.UTC), routes, checkpoints, None
    )
    bound = dt.datetime(2025, 1, 30, tzinfo=dt.UTC)
    assert fake.params(f"/{PAGE_ID}/posts")[0]["since"] == str(int(bound.timestamp()))
    assert not [p for b in batches for p in b.posts]


def test_a_bounded_first_run_cut_short_resumes_with_its_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    state = {"after": "after", "since": "2021-12-01T00:00:00+00:00", "newest": "2022-01-01T00:00:00+00:00"}
    routes: Routes = {
        (f"/{PAGE_ID}", None): PROFILE,
        (f"/{PAGE_ID}/posts", "after"): payload("pyfacebook_posts_feed_fields_p2.json"),
    }
    # Resumed later, with another bound in the settings: the listing keeps the one it started with.
    _, fake, _ = run_bounded(monkeypatch, dt.datetime(2022, 1, 2, tzinfo=dt.UTC), routes, {"posts": state}, 3)
    [params] = fake.params(f"/{PAGE_ID}/posts")
    assert params["after"] == "after"
    assert params["since"] == str(int(dt.datetime(2021, 12, 1, tzinfo=dt.UTC).timestamp()))


def test_published_posts_edge_can_be_chosen() -> None:
    class PublishedPosts(FacebookConnector):
        posts_edge = "published_posts"

    _, _, fake = collect(
        {
            (f"/{PAGE_ID}", None): PROFILE,
            (f"/{PAGE_ID}/published_posts", None): {"data": []},
        },
        cls=PublishedPosts,
    )
    assert fake.params(f"/{PAGE_ID}/published_posts")


def test_ppca_comments_page_with_checkpoints() -> None:
    post_id = f"{PAGE_ID}_10158658756111729"
    batches, _, fake = collect(
        {
            (f"/{PAGE_ID}", None): PROFILE,
            (f"/{PAGE_ID}/posts", None): one_post(18, post_id),
            (f"/{post_id}/comments", None): payload("pyfacebook_comments_comments_p1.json"),
            (f"/{post_id}/comments", "after"): payload("pyfacebook_comments_comments_p2.json"),
        }
    )
    comments = [b for b in batches if b.edge == f"comments:{post_id}"]
    assert [len(b.comments) for b in comments] == [10, 5]
    assert [b.checkpoint for b in comments] == [{"after": "after"}, {"complete": True}]
    params = fake.params(f"/{post_id}/comments")[0]
    assert params["filter"] == "stream" and "parent{id}" in params["fields"] and "from" in params["fields"]
    assert comments[0].comments[0].text is not None and comments[0].comments[0].post_id == post_id


def test_page_replies_are_marked_in_a_run() -> None:
    post_id = f"{PAGE_ID}_10158658756111729"
    batches, _, _ = collect(
        {
            (f"/{PAGE_ID}", None): PROFILE,
            (f"/{PAGE_ID}/posts", None): one_post(4, post_id),
            (f"/{post_id}/comments", None): payload("handmade_comments_stream_page_token.json"),
        }
    )
    comments = [c for b in batches for c in b.comments]
    assert [c.is_page_reply for c in comments] == [False, True, False, False]
    edge = [b for b in batches if b.edge == f"comments:{post_id}"]
    assert edge[-1].checkpoint == {"complete": True}  # cursors but no "next": the last page


def test_posts_without_comments_cost_no_comment_call() -> None:
    batches, _, fake = collect({(f"/{PAGE_ID}", None): PROFILE, (f"/{PAGE_ID}/posts", None): one_post(0)})
    assert not any(r.url.path.endswith("/comments") for r in fake.requests)
    assert [b.edge for b in batches] == ["profile", "posts", "posts"]  # the page, then its checkpoint
    assert [len(page.posts) for page, _ in listing(batches)] == [1]


def test_resume_comments_from_checkpoint_and_finish_unfinished_edges() -> None:
    done, half = f"{PAGE_ID}_1", "19292868552_10158407654328553"
    checkpoints: dict[str, dict[str, Any]] = {
        "posts": {"newest": "2021-07-04T19:50:58+00:00", "complete": True},
        f"comments:{done}": {"complete": True},
        f"comments:{half}": {"after": "after"},
    }
    batches, _, fake = collect(
        {
            (f"/{PAGE_ID}", None): PROFILE,
            (f"/{PAGE_ID}/posts", None): one_post(3, done),
            (f"/{half}/comments", "after"): payload("pyfacebook_comments_comments_p2.json"),
        },
        checkpoints,
    )
    assert not fake.params(f"/{done}/comments")  # complete: not read again
    assert [p["after"] for p in fake.params(f"/{half}/comments")] == ["after"]
    assert batches[-1].edge == f"comments:{half}" and batches[-1].checkpoint == {"complete": True}
    assert len(batches[-1].comments) == 5


def test_a_gone_comment_edge_is_a_gap_and_the_run_goes_on() -> None:
    first, second = one_post(2, f"{PAGE_ID}_1")["data"][0], one_post(2, f"{PAGE_ID}_2")["data"][0]
    batches, _, _ = collect(
        {
            (f"/{PAGE_ID}", None): PROFILE,
            (f"/{PAGE_ID}/posts", None): {"data": [first, second]},
            (f"/{PAGE_ID}_1/comments", None): graph_error("100_33_does_not_exist"),
            (f"/{PAGE_ID}_2/comments", None): payload("handmade_comments_stream_page_token.json"),
        }
    )
    gone = next(b for b in batches if b.edge == f"comments:{PAGE_ID}_1")
    assert gone.gap is not None and "does not exist" in gone.gap and gone.checkpoint == {"complete": True}
    assert len(next(b for b in batches if b.edge == f"comments:{PAGE_ID}_2").comments) == 4


def test_after_cursor_limit_stops_paging_with_a_gap() -> None:
    post_id = f"{PAGE_ID}_1"
    batches, _, _ = collect(
        {
            (f"/{PAGE_ID}", None): PROFILE,
            (f"/{PAGE_ID}/posts", None): one_post(18, post_id),
            (f"/{post_id}/comments", None): payload("pyfacebook_comments_comments_p1.json"),
            (f"/{post_id}/comments", "after"): graph_error("100_after_cursor_limit"),
        }
    )
    last = [b for b in batches if b.edge == f"comments:{post_id}"][-1]
    assert last.gap is not None and "After Cursor" in last.gap and last.checkpoint == {"complete": True}
    # The posts listing's checkpoint still follows the cut-short comments.
    assert is_checkpoint_only(batches[-1]) and batches[-1].edge == "posts"


def test_a_post_listing_that_breaks_between_pages_is_a_gap() -> None:
    batches, _, _ = collect(
        {
            (f"/{PAGE_ID}", None): PROFILE,
            (f"/{PAGE_ID}/posts", None): {
                **one_post(0),
                "paging": {"cursors": {"after": "c1"}, "next": "https://x"},
            },
            (f"/{PAGE_ID}/posts", "c1"): graph_error("100_33_does_not_exist"),
        }
    )
    pages = listing(batches)
    assert len(pages) == 2 and pages[0][0].gap is None
    broken, checkpoint = pages[-1]
    assert broken.gap is not None and "does not exist" in broken.gap and not broken.posts
    assert checkpoint == {"newest": "2019-08-09T14:01:24+00:00", "complete": True}


def test_an_unreadable_post_is_quarantined_and_the_rest_kept() -> None:
    page = one_post(0)
    page["data"] += [{"id": "broken", "created_time": "yesterday"}, {"id": "null", "created_time": None}, "?"]
    batches, _, _ = collect({(f"/{PAGE_ID}", None): PROFILE, (f"/{PAGE_ID}/posts", None): page})
    posts = batches[1]
    assert len(posts.posts) == 1 and len(posts.bad) == 3
    assert posts.bad[0].source == "facebook:/{page}/posts" and '"broken"' in posts.bad[0].content
    assert posts.bad[0].location.startswith("https://graph.example/") and TOKEN not in posts.bad[0].location


# -- errors -----------------------------------------------------------------------------------------

DOCUMENTED: list[tuple[str, type[CollectError]]] = [
    ("1_unknown", TransientError),
    ("2_service", TransientError),
    ("4_app_request_limit", RateLimitedError),
    ("17_user_request_limit", RateLimitedError),
    ("32_page_request_limit", RateLimitedError),
    ("613_custom_rate_limit", RateLimitedError),
    ("80001_page_buc", RateLimitedError),
    ("80002_instagram_buc", RateLimitedError),
    ("190_460_password_changed", AuthError),
    ("190_467_invalid_token", AuthError),
    ("190_492_invalid_session", AuthError),
    ("102_session", AuthError),
    ("10_permission", AccessError),
    ("200_permission", AccessError),
    ("100_after_cursor_limit", CursorLimitError),
    ("100_33_does_not_exist", GoneError),
    ("803_alias", GoneError),
    ("100_nonexisting_field", RequestError),
    ("2500_syntax", RequestError),
    ("500_no_graph_body", TransientError),
]


@pytest.mark.parametrize(("name", "expected"), DOCUMENTED)
def test_documented_errors_are_classified(name: str, expected: type[CollectError]) -> None:
    error = FacebookConnector.classify(graph_error(name))
    assert type(error) is expected
    assert str(error).startswith("facebook: ")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("issue_error_190_463_session_expired.json", AuthError),
        ("pyfacebook_error_100_ppca.json", AccessError),
        ("pyfacebook_error_100_missing_permission.json", AccessError),
    ],
)
def test_recorded_errors_are_classified(name: str, expected: type[CollectError]) -> None:
    assert type(FacebookConnector.classify(file_error(name))) is expected


def guide_error(name: str) -> httpx.Response:
    """A code from the error guide's table that the first hand-written table lacks."""
    entry = payload("handmade_graph_errors_guide.json")[name]
    return httpx.Response(entry["status"], json=entry["body"])


def test_code_3_is_a_missing_capability_not_a_malformed_request() -> None:
    # Graph's error guide: code 3 "API Method" is a "capability or permissions issue".
    error = FacebookConnector.classify(guide_error("3_capability"))
    assert type(error) is AccessError and "Graph error 3: (#3)" in str(error)


def test_code_368_policy_block_waits_and_retries() -> None:
    # Graph's error guide: 368 "Temporarily blocked for policies violations", "wait and retry".
    error = FacebookConnector.classify(guide_error("368_policy_block"))
    assert type(error) is RateLimitedError
    batches, waits, fake = collect(
        {
            (f"/{PAGE_ID}", None): [guide_error("368_policy_block"), httpx.Response(200, json=PROFILE)],
            (f"/{PAGE_ID}/posts", None): {"data": []},
        }
    )
    assert batches[0].profile is not None and len(fake.params(f"/{PAGE_ID}")) == 2 and len(waits) == 1


def test_a_lasting_policy_block_leaves_the_account_for_a_later_run() -> None:
    with pytest.raises(RateLimitedError, match="Graph error 368"):
        collect({(f"/{PAGE_ID}", None): guide_error("368_policy_block")})


def test_successes_and_odd_statuses() -> None:
    assert (
        FacebookConnector.classify(httpx.Response(200, text='{"data": [')) is None
    )  # decoding is HttpClient's
    assert isinstance(FacebookConnector.classify(httpx.Response(429, text="")), RateLimitedError)
    assert isinstance(FacebookConnector.classify(httpx.Response(401, text="")), AuthError)
    assert isinstance(FacebookConnector.classify(httpx.Response(404, text="not found")), PayloadError)
    unknown_transient = {"error": {"message": "Please retry", "code": 9999, "is_transient": True}}
    assert isinstance(
        FacebookConnector.classify(httpx.Response(400, json=unknown_transient)), RateLimitedError
    )


def test_a_token_echoed_in_an_error_message_is_scrubbed() -> None:
    body = {"error": {"message": f"Malformed access token {TOKEN}", "type": "OAuthException", "code": 190}}
    error = FacebookConnector.classify(httpx.Response(400, json=body))
    assert isinstance(error, AuthError) and TOKEN not in str(error) and "***" in str(error)


def test_an_expired_token_stops_the_account() -> None:
    with pytest.raises(AuthError) as caught:
        collect({(f"/{PAGE_ID}", None): file_error("issue_error_190_463_session_expired.json")})
    assert (
        "190/463" in str(caught.value)
        and f"/{PAGE_ID}" in str(caught.value)
        and TOKEN not in str(caught.value)
    )


def test_missing_ppca_is_an_access_error_out_of_collect() -> None:
    with pytest.raises(AccessError):
        collect({(f"/{PAGE_ID}", None): file_error("pyfacebook_error_100_ppca.json")})


def test_no_token_fails_before_any_request() -> None:
    # No routes: a request would fail with KeyError in the fake, not with AuthError.
    with pytest.raises(AuthError, match="facebook_token"):
        collect({}, make=lambda http: FacebookConnector(http, None, base_url="https://graph.example"))


def test_throttle_with_buc_header_waits_then_retries() -> None:
    buc = {
        PAGE_ID: [
            {
                "type": "pages",
                "call_count": 100,
                "total_cputime": 20,
                "total_time": 20,
                "estimated_time_to_regain_access": 2,
            }
        ]
    }
    throttled = graph_error("80001_page_buc")
    throttled.headers["X-Business-Use-Case-Usage"] = json.dumps(buc)
    batches, waits, _ = collect(
        {
            (f"/{PAGE_ID}", None): [throttled, httpx.Response(200, json=PROFILE)],
            (f"/{PAGE_ID}/posts", None): {"data": []},
        }
    )
    assert batches[0].profile is not None
    # The header's "2 minutes" both pauses the client and dates the retry: about 120 s either way.
    assert waits and all(110 <= w <= 120 for w in waits[:2])


def test_a_throttle_longer_than_the_policy_allows_is_raised() -> None:
    buc = {PAGE_ID: [{"type": "pages", "call_count": 100, "estimated_time_to_regain_access": 60}]}
    throttled = graph_error("4_app_request_limit")
    throttled.headers["X-Business-Use-Case-Usage"] = json.dumps(buc)
    with pytest.raises(RateLimitedError) as caught:
        collect({(f"/{PAGE_ID}", None): throttled})
    assert caught.value.retry_at is not None
    assert caught.value.retry_at - dt.datetime.now(dt.UTC) > dt.timedelta(minutes=59)


def test_transient_errors_are_retried() -> None:
    batches, waits, fake = collect(
        {
            (f"/{PAGE_ID}", None): [
                graph_error("2_service"),
                graph_error("500_no_graph_body"),
                httpx.Response(200, json=PROFILE),
            ],
            (f"/{PAGE_ID}/posts", None): {"data": []},
        }
    )
    assert batches[0].profile is not None and len(fake.params(f"/{PAGE_ID}")) == 3 and len(waits) == 2


def test_a_truncated_body_is_a_payload_error_after_retries() -> None:
    text = (FB / "pyfacebook_v4_posts_with_reactions_by_type_p1.json").read_text(encoding="utf-8")
    with pytest.raises(PayloadError, match="not valid JSON"):
        collect(
            {
                (f"/{PAGE_ID}", None): PROFILE,
                (f"/{PAGE_ID}/posts", None): httpx.Response(200, text=text[: len(text) // 2]),
            }
        )


def test_usage_headers_pause() -> None:
    recorded = (FB / "issue_header_x_page_usage.txt").read_text(encoding="utf-8").split(":", 1)[1].strip()
    assert (
        errors.pause(httpx.Response(200, headers={"X-Page-Usage": recorded})) is None
    )  # 85 %, single quotes
    hot = recorded.replace("85", "95")
    assert errors.pause(httpx.Response(200, headers={"X-Page-Usage": hot})) == errors.USAGE_PAUSE_S
    app = json.dumps({"call_count": 28, "total_time": 91, "total_cputime": 25})
    assert errors.pause(httpx.Response(200, headers={"X-App-Usage": app})) == errors.USAGE_PAUSE_S
    buc = {
        "1": [
            {
                "type": "pages",
                "call_count": 97,
                "total_cputime": 23,
                "total_time": 23,
                "estimated_time_to_regain_access": 0,
            }
        ]
    }
    assert errors.pause(httpx.Response(200, headers={"X-Business-Use-Case-Usage": json.dumps(buc)})) == 60.0
    buc["1"][0]["estimated_time_to_regain_access"] = 5
    assert errors.pause(httpx.Response(200, headers={"X-Business-Use-Case-Usage": json.dumps(buc)})) == 300.0
    assert errors.pause(httpx.Response(200, headers={"X-App-Usage": "garbage"})) is None
    assert errors.pause(httpx.Response(200)) is None


def test_a_hot_usage_header_slows_the_next_request() -> None:
    hot = httpx.Response(200, json=PROFILE, headers={"X-App-Usage": json.dumps({"call_count": 96})})
    _, waits, _ = collect({(f"/{PAGE_ID}", None): hot, (f"/{PAGE_ID}/posts", None): {"data": []}})
    assert waits and 55 <= waits[0] <= 60


def test_plugin_registers_the_connector() -> None:
    assert plugin.govsocial_connectors() == [FacebookConnector]
    assert (
        FacebookConnector.platform == "facebook" and FacebookConnector.credential_setting == "facebook_token"
    )
    assert FacebookConnector.default_base_url == "https://graph.facebook.com/v23.0"
