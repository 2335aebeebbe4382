"""Instagram connector: own-account and business-discovery reads from recorded Graph payloads,
paging and checkpoints, hidden like counts, nested replies, and the shared Graph error rules."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import httpx
import pytest

from govsocial.collect.base import Target
from govsocial.collect.errors import AccessError, AuthError, GoneError, PayloadError, RateLimitedError
from govsocial.collect.facebook.errors import RequestError
from govsocial.collect.http import HttpClient
from govsocial.collect.instagram import client as instagram_client
from govsocial.collect.instagram import plugin, types
from govsocial.collect.instagram.client import InstagramConnector
from govsocial.collect.records import Batch, PostFormat
from tests.collect.test_facebook import (
    PAYLOADS,
    TOKEN,
    FakeGraph,
    Routes,
    assert_page_checkpoint_after_its_comments,
    collect,
    file_error,
    graph_error,
    is_checkpoint_only,
    listing,
    payload,
)

IG = PAYLOADS / "instagram"
OWN_ID = "17841406338772941"  # the collecting account of the pyfacebook recordings
OTHER_ID = "17841407673135339"  # facebookfordevelopers, read through business discovery
NOW = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
OWN = Target(account_id=2, platform="instagram", kind="account", handle="owner_handle_1", platform_id=OWN_ID)
OTHER = Target(account_id=3, platform="instagram", kind="account", handle="facebookfordevelopers")


def ig(name: str) -> Any:
    return payload(name, IG)


def run(
    routes: Routes,
    target: Target = OWN,
    checkpoints: dict[str, dict[str, Any]] | None = None,
    own_ig_user_id: str | None = None,
) -> tuple[list[Batch], list[float], FakeGraph]:
    def make(http: HttpClient) -> InstagramConnector:
        return InstagramConnector(
            http, TOKEN, base_url="https://graph.example", own_ig_user_id=own_ig_user_id
        )

    return collect(routes, checkpoints, target=target, make=make, cls=InstagramConnector)


def fields_of(fake: FakeGraph, path: str) -> list[str]:
    return [p["fields"] for p in fake.params(path)]


# -- mapping -------------------------------------------------------------------------------------


def test_profile_fields() -> None:
    own = types.profile_record(ig("pyfacebook_v4_owner_user_info.json"), OWN_ID, NOW)
    assert (own.followers, own.following, own.posts_count) == (15, 16, 8)
    assert (own.name, own.platform_id) == ("Account Owner 1", OWN_ID)
    other = types.profile_record(ig("pyfacebook_users_user_fields.json"), OTHER_ID, NOW)
    assert (other.followers, other.following, other.posts_count, other.name) == (
        64363,
        None,
        427,
        "Facebook for Developers",
    )


def test_media_fields_counts_and_formats() -> None:
    first, second = ig("pyfacebook_users_medias_p1.json")["data"]
    post = types.post_record(second, OWN_ID, NOW)
    assert (post.post_id, post.url) == ("17896622936197745", "https://www.instagram.com/p/CSgdWACBeKr/")
    assert post.created_at == dt.datetime(2021, 8, 13, 8, 2, 40, tzinfo=dt.UTC)
    assert post.created_at_raw == "2021-08-13T08:02:40+0000"
    assert post.format is PostFormat.IMAGE and post.media == [second["media_url"]] and post.text is None
    assert post.counts is not None and (post.counts.likes, post.counts.comments) == (2, 6)
    zero = types.post_record(first, OWN_ID, NOW)
    assert zero.counts is not None and zero.counts.likes == 0  # own media: 0 is a real zero
    album = types.post_record(ig("pyfacebook_users_medias_p2.json")["data"][0], OWN_ID, NOW)
    children = ig("pyfacebook_users_medias_p2.json")["data"][0]["children"]["data"]
    assert album.format is PostFormat.IMAGE and album.text == "ALBUM"
    assert album.media == [children[0]["media_url"], children[1]["media_url"], children[2]["thumbnail_url"]]
    assert album.extra == {"media_type": "CAROUSEL_ALBUM"}


def test_hidden_like_count_is_unknown_and_reels_are_video() -> None:
    item = ig("handmade_discovery_media_hidden_likes.json")["business_discovery"]["media"]["data"][0]
    post = types.post_record(item, OTHER_ID, NOW)
    assert post.counts is not None and post.counts.likes is None and post.counts.comments == 42
    assert post.format is PostFormat.VIDEO and post.media == [item["thumbnail_url"]]
    assert post.extra == {"media_type": "VIDEO", "media_product_type": "REELS"}


def test_discovery_media_of_2019_map() -> None:
    items = ig("pyfacebook_v4_business_user_media.json")["business_discovery"]["media"]["data"]
    posts = [types.post_record(item, "facebook", NOW) for item in items]
    assert [p.format for p in posts] == [PostFormat.VIDEO] * 3 + [PostFormat.IMAGE] * 2
    assert posts[0].counts is not None and posts[0].counts.likes == 2053


def test_comments_with_nested_replies_and_own_replies() -> None:
    top, plain = ig("handmade_owner_media_comments.json")["data"]
    records = types.comment_records(top, "m1", OWN_ID, "owner_handle_1")
    question, answer, thanks = records
    assert question.parent_id is None and answer.parent_id == thanks.parent_id == question.comment_id
    assert [r.is_page_reply for r in records] == [False, True, False]
    assert (question.author_id, thanks.author_id) == ("900000000000001", "citizen_handle_1")
    assert question.likes == 2 and question.created_at == dt.datetime(2021, 8, 13, 9, tzinfo=dt.UTC)
    assert types.comment_records(plain, "m1", OWN_ID, "owner_handle_1")[0].author_id == "citizen_handle_2"


def test_own_comments_recognised_by_user_field_or_user_name() -> None:
    mine, theirs = ig("pyfacebook_v4_owner_replies.json")["data"]
    assert types.comment_record(mine, "m", OWN_ID, None).is_page_reply  # "user": {"id": own}
    assert not types.comment_record(theirs, "m", OWN_ID, "owner_handle_1").is_page_reply
    by_name = ig("pyfacebook_comments_comment_fields.json")
    assert types.comment_record(by_name, "m", None, "@Owner_Handle_1").is_page_reply
    assert types.comment_record(by_name, "m", None, None).likes == 1


def test_comments_with_only_id_text_and_time() -> None:
    record = types.comment_records(ig("pyfacebook_medias_comments_p1.json")["data"][0], "m", OWN_ID, "x")[0]
    assert (record.comment_id, record.text, record.author_id, record.likes) == (
        "17858154961981086",
        "Beautiful!",
        None,
        None,
    )


# -- own account ------------------------------------------------------------------------------------

OWN_ROUTES: Routes = {
    (f"/{OWN_ID}", None): ig("pyfacebook_v4_owner_user_info.json"),
    (f"/{OWN_ID}/media", None): ig("pyfacebook_users_medias_p1.json"),
    (f"/{OWN_ID}/media", "after"): ig("pyfacebook_users_medias_p2.json"),
    ("/17896622936197745/comments", None): ig("handmade_owner_media_comments.json"),
    ("/17896622936197745/comments", "after"): ig("pyfacebook_medias_comments_p2.json"),
    ("/17900000000000001/replies", "replies-after"): ig("pyfacebook_v4_owner_replies.json"),
    ("/17900000000000001/replies", "after"): ig("pyfacebook_comments_replies.json"),
}


def test_own_account_pages_media_and_comments_with_checkpoints() -> None:
    batches, _, fake = run(OWN_ROUTES)
    assert batches[0].profile is not None and batches[0].profile.followers == 15
    pages = listing(batches)
    assert [len(page.posts) for page, _ in pages] == [2, 2]
    assert pages[0][1] == {"after": "after", "since": None, "newest": "2021-08-13T08:25:28+00:00"}
    assert pages[1][1] == {"newest": "2021-08-13T08:25:28+00:00", "complete": True}
    # Only the media with comments are read (comments_count 0 costs no call).
    comment_paths = {r.url.path for r in fake.requests if r.url.path.endswith("/comments")}
    assert comment_paths == {"/17896622936197745/comments"}
    edge = [b for b in batches if b.edge == "comments:17896622936197745"]
    assert [b.checkpoint for b in edge] == [None, None, {"after": "after"}, {"complete": True}]
    comments = [c for b in edge for c in b.comments]
    assert len(comments) == 4 + 2 + 1 + 2  # page 1 (with nested replies), two pages of replies, page 2
    assert sum(c.is_page_reply for c in comments) == 2  # one by from.id, one by "user" and user name
    overflow = [c for c in comments if c.comment_id in ("18107567341036926", "17847314687296283")]
    assert {c.parent_id for c in overflow} == {"17900000000000001"}
    for batch in batches:
        if batch.edge == "posts" and is_checkpoint_only(batch):
            continue  # a page's checkpoint, stored after the page's comments, carries no payload
        assert batch.raw is not None and TOKEN not in batch.raw.location
    assert "replies{" in fields_of(fake, "/17896622936197745/comments")[0]


def test_a_page_checkpoint_is_yielded_only_after_its_media_comments() -> None:
    batches, _, _ = run(OWN_ROUTES)
    edges = [b.edge for b in batches]
    comments = ["comments:17896622936197745"] * 4  # page 1, two pages of nested replies, page 2
    # profile, page 1, its media's comments, its checkpoint, page 2 (no comments), its checkpoint.
    assert edges == ["profile", "posts", *comments, "posts", "posts", "posts"]
    assert batches[1].checkpoint is None and [p.post_id for p in batches[1].posts] == [
        "17895731045244887",
        "17896622936197745",
    ]
    assert batches[5].checkpoint == {"complete": True}  # the media's comments are done...
    assert is_checkpoint_only(batches[6]) and batches[6].checkpoint is not None  # ...then the page
    assert batches[6].checkpoint["after"] == "after"
    assert batches[7].checkpoint is None and is_checkpoint_only(batches[8])
    assert_page_checkpoint_after_its_comments(batches)
    # A run killed while reading those comments has stored no posts checkpoint: it re-reads page 1.
    assert not [b for b in batches[:6] if b.edge == "posts" and b.checkpoint is not None]


def test_own_account_resumes_media_and_comments() -> None:
    checkpoints: dict[str, dict[str, Any]] = {
        "posts": {"after": "after", "since": None, "newest": "2021-08-13T08:25:28+00:00"},
        "comments:17896622936197745": {"after": "after"},
    }
    batches, _, fake = run(OWN_ROUTES, checkpoints=checkpoints)
    assert [p.get("after") for p in fake.params(f"/{OWN_ID}/media")] == ["after"]
    # The half-read comments of a media on an earlier page are finished although it is not listed again.
    assert [p.get("after") for p in fake.params("/17896622936197745/comments")] == ["after"]
    assert batches[-1].edge == "comments:17896622936197745" and batches[-1].checkpoint == {"complete": True}


def test_incremental_run_stops_at_the_newest_media_seen() -> None:
    checkpoints = {"posts": {"newest": "2021-08-13T08:02:40+00:00", "complete": True}}
    batches, _, fake = run(OWN_ROUTES, checkpoints=checkpoints)
    pages = listing(batches)
    assert len(fake.params(f"/{OWN_ID}/media")) == 1  # page 1 reached the bound: no page 2
    assert len(pages) == 1 and [p.post_id for p in pages[0][0].posts] == ["17895731045244887"]
    assert pages[0][1] == {"newest": "2021-08-13T08:25:28+00:00", "complete": True}


# -- the refresh window ------------------------------------------------------------------------------

MEDIA_ID = "17896622936197745"  # 2021-08-13T08:02:40, with comments; the other of page 1 has none
DONE: dict[str, dict[str, Any]] = {
    "posts": {"newest": "2021-08-13T08:25:28+00:00", "complete": True},
    f"comments:{MEDIA_ID}": {"complete": True},
}


def run_at(monkeypatch: pytest.MonkeyPatch, now: dt.datetime, checkpoints: dict[str, dict[str, Any]],
           routes: Routes = OWN_ROUTES) -> tuple[list[Batch], FakeGraph]:  # fmt: skip
    monkeypatch.setattr(instagram_client, "_now", lambda: now)
    batches, _, fake = run(routes, checkpoints=checkpoints)
    return batches, fake


def test_media_in_the_refresh_window_are_read_again_with_their_comments(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = dt.datetime(2021, 8, 19, 12, tzinfo=dt.UTC)  # the window starts 2021-08-12T12:00
    batches, fake = run_at(monkeypatch, now, DONE)
    pages = listing(batches)
    # Both media of page 1 are in the window: listed again, with counts taken now (new snapshots).
    posts = [p for page, _ in pages for p in page.posts]
    assert [p.post_id for p in posts] == ["17895731045244887", MEDIA_ID]
    assert all(p.counts is not None and p.counts.taken_at == now for p in posts)
    # Page 2 starts with media older than the window: paging stops there, and they are dropped.
    assert [p.get("after") for p in fake.params(f"/{OWN_ID}/media")] == [None, "after"]
    assert [len(page.posts) for page, _ in pages] == [2, 0]
    assert pages[0][1] == {"after": "after", "since": "2021-08-12T12:00:00+00:00",
                           "newest": "2021-08-13T08:25:28+00:00"}  # fmt: skip
    assert pages[1][1] == {"newest": "2021-08-13T08:25:28+00:00", "complete": True}
    # The complete comment listing of the media in the window is read again from the start, once.
    assert [p.get("after") for p in fake.params(f"/{MEDIA_ID}/comments")] == [None, "after"]
    assert len(fake.requests) == 1 + 2 + 2 + 2  # profile, media pages, comment pages, reply pages
    assert len([c for b in batches if b.edge == f"comments:{MEDIA_ID}" for c in b.comments]) == 9
    assert [b.checkpoint for b in batches if b.edge == f"comments:{MEDIA_ID}"][-1] == {"complete": True}
    assert_page_checkpoint_after_its_comments(batches)


def test_media_older_than_the_window_are_not_read_again(monkeypatch: pytest.MonkeyPatch) -> None:
    now = dt.datetime(2021, 8, 20, 8, 10, tzinfo=dt.UTC)  # the window starts 2021-08-13T08:10
    # The window takes in only the newer media of page 1; the one with comments is older: it stops
    # the paging and is not listed, and its complete comment listing is not read again.
    batches, fake = run_at(monkeypatch, now, DONE)
    assert [p.post_id for page, _ in listing(batches) for p in page.posts] == ["17895731045244887"]
    assert len(fake.params(f"/{OWN_ID}/media")) == 1 and not fake.params(f"/{MEDIA_ID}/comments")
    # A week later nothing is in the window: one page, nothing listed again, no comment request.
    batches, fake = run_at(monkeypatch, dt.datetime(2021, 8, 30, tzinfo=dt.UTC), DONE)
    assert [len(page.posts) for page, _ in listing(batches)] == [0]
    assert [r.url.path for r in fake.requests] == [f"/{OWN_ID}", f"/{OWN_ID}/media"]


def test_a_media_listing_resumed_mid_way_keeps_its_since(monkeypatch: pytest.MonkeyPatch) -> None:
    checkpoints = {"posts": {"after": "after", "since": "2021-07-01T00:00:00+00:00",
                             "newest": "2021-08-13T08:25:28+00:00"}}  # fmt: skip
    batches, fake = run_at(monkeypatch, dt.datetime(2021, 8, 19, 12, tzinfo=dt.UTC), checkpoints)
    assert [p.get("after") for p in fake.params(f"/{OWN_ID}/media")] == ["after"]
    # The album of 2021-07-26 is after the listing's own since, although before the window.
    assert [p.post_id for page, _ in listing(batches) for p in page.posts] == ["17896129349106152"]
    assert listing(batches)[-1][1] == {"newest": "2021-08-13T08:25:28+00:00", "complete": True}


# -- the first run bounded by ``first_run_days`` ------------------------------------------------------


def run_bounded(
    monkeypatch: pytest.MonkeyPatch,
    now: dt.datetime,
    checkpoints: dict[str, dict[str, Any]],
    first_run_days: int | None,
) -> tuple[list[Batch], FakeGraph]:
    """``run_at`` with the connector's ``first_run_days`` set as the runner sets it."""
    monkeypatch.setattr(instagram_client, "_now", lambda: now)

    def make(http: HttpClient) -> InstagramConnector:
        connector = InstagramConnector(http, TOKEN, base_url="https://graph.example")
        connector.first_run_days = first_run_days
        return connector

    batches, _, fake = collect(OWN_ROUTES, checkpoints, target=OWN, make=make, cls=InstagramConnector)
    return batches, fake


def test_a_bounded_first_run_stops_at_the_first_older_media(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    now = dt.datetime(2021, 8, 20, 8, 10, tzinfo=dt.UTC)  # 7 days: since 2021-08-13T08:10
    with caplog.at_level("INFO", logger="govsocial.collect.base"):
        batches, fake = run_bounded(monkeypatch, now, {}, 7)
    # Page 1's newer media is inside the bound; the next one is older: paging stops, it is dropped.
    assert [p.get("after") for p in fake.params(f"/{OWN_ID}/media")] == [None]
    pages = listing(batches)
    assert [p.post_id for page, _ in pages for p in page.posts] == ["17895731045244887"]
    assert pages[-1][1] == {"newest": "2021-08-13T08:25:28+00:00", "complete": True}
    assert not fake.params(f"/{MEDIA_ID}/comments")  # the older media's comments are not read
    assert not [b.gap for b in batches if b.gap]
    [said] = [r.getMessage() for r in caplog.records]
    assert said.startswith("instagram owner_handle_1: first run stopped") and "2021-08-13T08:10:00" in said
    # The next run is incremental as without the setting.
    checkpoints = {"posts": pages[-1][1]}
    later = now + dt.timedelta(days=1)
    _, bounded = run_bounded(monkeypatch, later, checkpoints, 7)
    _, unbounded = run_bounded(monkeypatch, later, checkpoints, None)
    assert [str(r.url) for r in bounded.requests] == [str(r.url) for r in unbounded.requests]
    assert len(bounded.params(f"/{OWN_ID}/media")) == 1


def test_a_bounded_first_run_reads_the_comments_of_the_media_it_lists(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = dt.datetime(2021, 8, 20, 8, 10, tzinfo=dt.UTC)  # 8 days: since 2021-08-12T08:10
    batches, fake = run_bounded(monkeypatch, now, {}, 8)
    # Both media of page 1 are inside; page 2's are older than the bound: dropped, and paging stops.
    assert [p.get("after") for p in fake.params(f"/{OWN_ID}/media")] == [None, "after"]
    assert [p.post_id for page, _ in listing(batches) for p in page.posts] == ["17895731045244887", MEDIA_ID]
    assert [p.get("after") for p in fake.params(f"/{MEDIA_ID}/comments")] == [None, "after"]


def test_a_bounded_first_run_that_finds_no_media_keeps_its_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    # The account last posted on 2021-08-13: a first run a month later bounded to 5 days finds nothing.
    batches, fake = run_bounded(monkeypatch, dt.datetime(2021, 9, 13, tzinfo=dt.UTC), {}, 5)
    assert len(fake.params(f"/{OWN_ID}/media")) == 1
    checkpoints = {"posts": listing(batches)[-1][1]}
    assert checkpoints["posts"] == {"newest": None, "complete": True, "since": "2021-09-08T00:00:00+00:00"}
    # The next run stops at the same place, instead of paging through the whole listing.
    batches, fake = run_bounded(monkeypatch, dt.datetime(2021, 9, 14, tzinfo=dt.UTC), checkpoints, None)
    assert len(fake.params(f"/{OWN_ID}/media")) == 1 and not [p for b in batches for p in b.posts]


def test_a_gone_media_comment_edge_is_a_gap() -> None:
    routes = {**OWN_ROUTES, ("/17896622936197745/comments", None): graph_error("100_33_does_not_exist")}
    batches, _, _ = run(routes)
    gone = [b for b in batches if b.edge == "comments:17896622936197745"]
    assert len(gone) == 1 and gone[0].gap is not None and gone[0].checkpoint == {"complete": True}
    assert batches[-1].edge == "posts"  # and the run went on to page 2


# -- business discovery ---------------------------------------------------------------------------


def test_business_discovery_reads_profile_and_media_but_no_comments() -> None:
    routes: Routes = {
        (f"/{OWN_ID}", None): [
            httpx.Response(200, json=ig("pyfacebook_discovery_user_fields.json")),
            httpx.Response(200, json=ig("pyfacebook_discovery_medias_p1.json")),
            httpx.Response(200, json=ig("handmade_discovery_media_hidden_likes.json")),
        ],
    }
    batches, _, fake = run(routes, target=OTHER, own_ig_user_id=OWN_ID)
    profile = batches[0].profile
    assert profile is not None and (profile.followers, profile.posts_count) == (64976, 436)
    assert (profile.platform_id, profile.account_ref) == (OTHER_ID, "facebookfordevelopers")
    pages = listing(batches)
    assert [len(page.posts) for page, _ in pages] == [2, 1]
    assert pages[0][1] == {"after": "after", "since": None, "newest": "2021-08-17T19:00:42+00:00"}
    assert pages[1][1] == {"newest": "2024-09-01T02:00:00+00:00", "complete": True}
    hidden = pages[1][0].posts[0]
    assert hidden.counts is not None and hidden.counts.likes is None
    first, second, third = fields_of(fake, f"/{OWN_ID}")
    assert first.startswith("business_discovery.username(facebookfordevelopers){id,username")
    assert "media.limit(50){id,caption" in second and ".after(" not in second
    assert "media.limit(50).after(after){" in third
    assert not any(r.url.path.endswith("/comments") for r in fake.requests)


def test_business_discovery_with_a_platform_id_other_than_ours() -> None:
    target = Target(account_id=3, platform="instagram", kind="account", handle="facebookfordevelopers",
                    platform_id=OTHER_ID)  # fmt: skip
    routes: Routes = {
        (f"/{OWN_ID}", None): [
            httpx.Response(200, json=ig("pyfacebook_discovery_user_fields.json")),
            httpx.Response(200, json=ig("handmade_discovery_media_hidden_likes.json")),
        ],
    }
    batches, _, fake = run(routes, target=target, own_ig_user_id=OWN_ID)
    assert batches[0].profile is not None and batches[0].profile.account_ref == OTHER_ID
    assert all(r.url.path == f"/{OWN_ID}" for r in fake.requests)


def test_business_discovery_needs_our_own_ig_user_id() -> None:
    with pytest.raises(AccessError, match="own_ig_user_id"):
        run({}, target=OTHER)


def test_a_handle_that_is_not_a_user_name_is_refused() -> None:
    target = Target(account_id=4, platform="instagram", kind="account", handle="x){id}")
    with pytest.raises(RequestError):
        run({}, target=target, own_ig_user_id=OWN_ID)


def test_a_response_without_business_discovery_is_a_payload_error() -> None:
    with pytest.raises(PayloadError):
        run({(f"/{OWN_ID}", None): {"id": OWN_ID}}, target=OTHER, own_ig_user_id=OWN_ID)


# -- errors -----------------------------------------------------------------------------------------


def test_instagram_errors_use_the_graph_rules() -> None:
    throttled = InstagramConnector.classify(graph_error("80002_instagram_buc"))
    assert isinstance(throttled, RateLimitedError) and str(throttled).startswith("instagram: ")
    alias = httpx.Response(
        400, text=(IG / "issue_error_803_alias_not_found.json").read_text(encoding="utf-8")
    )
    assert isinstance(InstagramConnector.classify(alias), GoneError)
    assert InstagramConnector.classify(httpx.Response(200, json={})) is None


def test_an_expired_token_stops_the_account() -> None:
    expired = httpx.Response(
        400, text=(PAYLOADS / "facebook" / "issue_error_190_463_session_expired.json").read_text()
    )
    with pytest.raises(AuthError):
        run({(f"/{OWN_ID}", None): expired})


NOT_FOUND = "handmade_error_110_2207013_discovery_user_not_found.json"


def test_a_user_name_no_professional_account_has_is_gone_not_a_request_error() -> None:
    # Business discovery answers 110/2207013 "Invalid user id" for a user name that is unknown,
    # renamed, personal or age-restricted: the registry needs a look, as for an account that is gone.
    error = InstagramConnector.classify(file_error(NOT_FOUND, folder=IG))
    assert isinstance(error, GoneError) and not isinstance(error, RequestError)
    assert str(error).startswith("instagram: ")
    assert "Graph error 110/2207013: Invalid user id" in str(error) and "registry" in str(error)


def test_business_discovery_of_an_unknown_user_stops_the_account_as_gone_without_retrying() -> None:
    target = Target(account_id=5, platform="instagram", kind="account", handle="hkgov_no_such_account")
    asked: list[httpx.Request] = []

    def not_found(request: httpx.Request) -> httpx.Response:
        asked.append(request)
        return file_error(NOT_FOUND, folder=IG)

    with pytest.raises(GoneError, match="110/2207013"):
        run({(f"/{OWN_ID}", None): not_found}, target=target, own_ig_user_id=OWN_ID)
    assert len(asked) == 1  # not retried: asking again gets the same answer
    assert "business_discovery.username(hkgov_no_such_account)" in asked[0].url.params["fields"]


def test_an_unknown_user_met_mid_listing_ends_the_media_listing_with_a_gap() -> None:
    # Renamed or turned personal between two pages: what was read is kept, the listing ends.
    routes: Routes = {
        (f"/{OWN_ID}", None): [
            httpx.Response(200, json=ig("pyfacebook_discovery_user_fields.json")),
            file_error(NOT_FOUND, folder=IG),
        ],
    }
    checkpoint = {"after": "after", "since": None, "newest": "2021-08-17T19:00:42+00:00"}
    batches, waits, fake = run(routes, target=OTHER, checkpoints={"posts": checkpoint}, own_ig_user_id=OWN_ID)
    [gap] = [b.gap for b in batches if b.gap]
    assert gap.startswith("media listing stopped early: ") and "110/2207013" in gap
    assert batches[-1].checkpoint is not None and batches[-1].checkpoint["complete"]
    assert waits == [] and len(fake.requests) == 2  # not retried


def test_a_wrong_own_id_is_gone() -> None:
    alias = httpx.Response(
        404, text=(IG / "issue_error_803_alias_not_found.json").read_text(encoding="utf-8")
    )
    with pytest.raises(GoneError, match="803"):
        run({(f"/{OWN_ID}", None): alias})


def test_throttling_waits_using_the_usage_header() -> None:
    throttled = graph_error("80002_instagram_buc")
    buc = {OWN_ID: [{"type": "instagram", "call_count": 100, "estimated_time_to_regain_access": 1}]}
    throttled.headers["X-Business-Use-Case-Usage"] = json.dumps(buc)
    routes = {
        **OWN_ROUTES,
        (f"/{OWN_ID}", None): [throttled, httpx.Response(200, json=ig("pyfacebook_v4_owner_user_info.json"))],
    }
    batches, waits, _ = run(routes)
    assert batches[0].profile is not None and waits and 55 <= waits[0] <= 60


def test_unreadable_media_and_comments_are_quarantined() -> None:
    page = ig("pyfacebook_users_medias_p2.json")
    page["data"].append({"id": "no-time"})
    comments = ig("pyfacebook_medias_comments_p2.json")
    comments["data"].append({"id": "bad", "timestamp": "soon"})
    routes = {
        **OWN_ROUTES,
        (f"/{OWN_ID}/media", "after"): page,
        ("/17896622936197745/comments", "after"): comments,
    }
    batches, _, _ = run(routes)
    bad = [b for batch in batches for b in batch.bad]
    assert [b.source for b in bad] == ["instagram:/{ig-media-id}/comments", "instagram:/{ig-user-id}/media"]
    assert len([p for b in batches for p in b.posts]) == 4


def test_a_truncated_body_is_a_payload_error_after_retries() -> None:
    text = (IG / "pyfacebook_users_medias_p1.json").read_text(encoding="utf-8")
    routes = {**OWN_ROUTES, (f"/{OWN_ID}/media", None): httpx.Response(200, text=text[:200])}
    with pytest.raises(PayloadError):
        run(routes)


def test_plugin_registers_the_connector() -> None:
    assert plugin.govsocial_connectors() == [InstagramConnector]
    assert (InstagramConnector.platform, InstagramConnector.credential_setting) == (
        "instagram",
        "instagram_token",
    )
    assert InstagramConnector.default_base_url == "https://graph.facebook.com/v23.0"
