"""RSS/Atom connector: item mapping, conditional GET, incremental windows, HTTP errors and waits.

Feeds come from ``tests/fixtures/payloads/rss_atom/``: feedparser's own test feeds (BSD) and two
hand-written feeds in the shapes of a government press-release RSS feed and a YouTube Atom feed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import feedparser  # type: ignore[import-untyped]
import httpx
import pytest

from govsocial.collect.base import Target
from govsocial.collect.errors import (
    AccessError,
    CollectError,
    GoneError,
    PayloadError,
    RateLimitedError,
    TransientError,
)
from govsocial.collect.http import HttpClient, RetryPolicy
from govsocial.collect.records import Batch, PostFormat
from govsocial.collect.rss import errors, plugin, types
from govsocial.collect.rss.client import RssConnector, body_text
from govsocial.errors import NotAnAccountError
from govsocial.registry.addresses import PlatformCatalogue

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "payloads" / "rss_atom"
FEED_URL = "https://www.info.example.gov.hk/gia/rss/general_en.xml"
TARGET = Target(account_id=7, platform="rss", kind="feed", handle=FEED_URL, url=FEED_URL)
Reply = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


def feed_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def xml(body: bytes, status: int = 200, **headers: str) -> httpx.Response:
    """A feed response; header names are written with ``_`` for ``-``."""
    extra = {name.replace("_", "-"): value for name, value in headers.items()}
    return httpx.Response(status, content=body, headers={"content-type": "application/rss+xml", **extra})


class Fake:
    """A connector whose HTTP client answers from a script, recording requests and waits."""

    def __init__(self, replies: list[Reply], base_url: str | None = None) -> None:
        self.replies = replies
        self.requests: list[httpx.Request] = []
        self.waits: list[float] = []

        def handler(request: httpx.Request) -> httpx.Response:
            self.requests.append(request)
            reply = self.replies.pop(0)
            if isinstance(reply, Exception):
                raise reply
            return reply(request) if callable(reply) else reply

        async def sleep(seconds: float) -> None:
            self.waits.append(seconds)

        client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
        http = HttpClient(
            client,
            "rss",
            RssConnector.classify,
            RssConnector.pause,
            RetryPolicy(attempts=3, base_backoff=0),
            sleep=sleep,
        )
        self.connector = RssConnector(http, None, base_url)

    def run(
        self, checkpoints: dict[str, dict[str, Any]] | None = None, target: Target = TARGET
    ) -> list[Batch]:
        async def collect() -> list[Batch]:
            return [batch async for batch in self.connector.collect(target, checkpoints or {})]

        return asyncio.run(collect())


def posts_of(batches: list[Batch]) -> Batch:
    [posts] = [batch for batch in batches if batch.edge == "posts"]
    return posts


# --- the platform in the catalogue ------------------------------------------------------------


def test_a_feed_url_is_an_rss_address_when_the_platform_is_named() -> None:
    catalogue = PlatformCatalogue.default()
    address = catalogue.parse("https://www.info.gov.hk/gia/rss/general_en.xml", platform="rss")
    assert (address.platform, address.kind) == ("rss", "feed")
    assert address.canonical_url == "https://www.info.gov.hk/gia/rss/general_en.xml"
    # Scheme and host case, the default port and a fragment do not make another feed.
    same = catalogue.parse("HTTP://WWW.INFO.GOV.HK:80/gia/rss/general_en.xml#top", platform="RSS feed")
    assert same.identity == address.identity
    assert catalogue.address("rss", "feed", address.value).identity == address.identity
    assert catalogue.resolve_name("RSS/Atom 資訊提供").key == "rss"


@pytest.mark.parametrize(
    "text", ["newsgovhk", "www.info.gov.hk/x.xml", "ftp://a.example/f", "https://u@a.example/f"]
)
def test_a_feed_address_must_be_a_full_http_url(text: str) -> None:
    with pytest.raises(NotAnAccountError):
        PlatformCatalogue.default().parse(text, platform="rss")


def test_a_feed_url_alone_is_not_taken_for_an_account() -> None:
    with pytest.raises(ValueError, match="not the host of a platform"):
        PlatformCatalogue.default().parse("https://www.info.gov.hk/gia/rss/general_en.xml")


def test_the_plugin_registers_the_connector() -> None:
    assert plugin.govsocial_connectors() == [RssConnector]
    assert RssConnector.platform == "rss" and RssConnector.credential_setting is None


# --- item mapping -----------------------------------------------------------------------------


def test_every_field_of_an_rss_item_is_mapped() -> None:
    fake = Fake([xml(feed_bytes("govhk_style_press_releases.rss.xml"), etag='"v1"')])
    batches = fake.run()
    profile = batches[0].profile
    assert profile is not None and profile.name == "Press Releases - Example Government Information Service"
    assert profile.followers is None and profile.account_ref == FEED_URL
    batch = posts_of(batches)
    first, chinese, no_guid = batch.posts
    assert first.platform == "rss" and first.post_id == "P2025010700123" and first.account_ref == FEED_URL
    assert first.created_at == dt.datetime(2025, 1, 7, 10, 30, tzinfo=dt.UTC)
    assert first.created_at_raw == "Tue, 07 Jan 2025 18:30:00 +0800"
    assert first.format is PostFormat.LINK
    assert first.url == "https://www.info.example.gov.hk/gia/general/202501/07/P2025010700123.htm"
    assert first.text == (
        "Government launches public consultation on harbourfront cycling\n\n"
        "The Government today (January 7) launched a two-month public consultation on a continuous "
        "cycle track along the harbourfront.\n"
        "Members of the public can send views by March 7 & attend forums."
    )
    assert first.counts is not None and first.counts.comments == 12
    assert first.counts.views is None and first.counts.likes is None and first.counts.reactions is None
    assert first.extra == {
        "categories": ["Transport", "Consultation"],
        "comments_url": "https://www.info.example.gov.hk/gia/general/202501/07/P2025010700123.htm#comments",
    }
    assert chinese.text == "環境局局長出席海洋保育論壇\n\n環境局局長今日（一月七日）出席海洋保育論壇並致辭。"
    assert chinese.created_at == dt.datetime(2025, 1, 7, 12, 5, tzinfo=dt.UTC)
    assert chinese.media == [
        "https://www.info.example.gov.hk/gia/general/202501/07/images/P2025010700456_photo1.jpg"
    ]
    assert chinese.counts is None  # no engagement in the feed: unknown, not zero
    # No guid: the link is the id; a description that repeats the title is not repeated.
    assert (
        no_guid.post_id
        == no_guid.url
        == "https://www.info.example.gov.hk/gia/general/202501/06/P2025010600321.htm"
    )
    assert no_guid.text == "Temperature falls to 9 degrees at the Observatory"
    [bad] = batch.bad
    assert bad.location == f"{FEED_URL}, item 3" and "no readable published/updated time" in bad.reason
    assert "P2025010700789" in bad.content
    assert batch.raw is not None and batch.raw.status == 200 and "<rss" in batch.raw.body


def test_every_field_of_an_atom_entry_is_mapped() -> None:
    fake = Fake([xml(feed_bytes("youtube_style_channel_feed.atom.xml"))])
    batch = posts_of(fake.run())
    video, release = batch.posts
    assert video.post_id == "yt:video:abcDEF12345"
    assert video.created_at == dt.datetime(2025, 1, 7, 9, 30, tzinfo=dt.UTC)
    assert video.extra == {"updated_at": "2025-01-07T11:02:03+00:00"}
    assert video.counts is not None and video.counts.views == 4321 and video.counts.comments is None
    assert video.media == ["https://www.youtube.com/v/abcDEF12345?version=3"]
    # Only <updated>: that is the time; an HTML title loses its tags, a text summary is kept as is.
    assert release.created_at == dt.datetime(2025, 1, 6, 15, 0, tzinfo=dt.UTC)
    assert release.created_at_raw == "2025-01-06T23:00:00+08:00"
    assert release.text == "Road closure tonight\n\nLane 2 of the bridge is closed from 11 pm; use lane 1."
    assert release.counts is not None and release.counts.comments == 3
    [bad] = batch.bad
    assert "no guid/id and no link" in bad.reason and bad.location.endswith("item 3")


def parsed(name: str) -> Any:
    return feedparser.parse(feed_bytes(name))


def test_feedparser_fixtures_published_and_updated_times_are_utc() -> None:
    for name in ("feedparser_entry_published_parsed.xml", "feedparser_entry_updated_parsed.xml"):
        [entry] = parsed(name).entries
        assert types.entry_time(entry) == (
            dt.datetime(2003, 12, 31, 10, 14, 55, tzinfo=dt.UTC),
            "2003-12-31T10:14:55Z",
        )


def test_feedparser_fixtures_guid_and_comments() -> None:
    [entry] = parsed("feedparser_item_guid.xml").entries
    assert types.entry_id(entry) == "http://guid.example.com/"
    [entry] = parsed("feedparser_item_comments.xml").entries
    assert types.entry_extra(entry) == {"comments_url": "http://example.com/"}
    with pytest.raises(types.BadItem, match="no guid/id and no link"):
        types.entry_post(entry, "ref", dt.datetime.now(dt.UTC))


def test_a_feed_without_items_gives_an_empty_posts_batch() -> None:
    batch = posts_of(Fake([xml(feed_bytes("feedparser_channel_pubDate.xml"))]).run())
    assert batch.posts == [] and batch.bad == [] and batch.gap is None
    assert batch.checkpoint is not None and batch.checkpoint["newest"] is None


def test_strip_html_keeps_text_and_line_breaks() -> None:
    assert (
        types.strip_html("<p>a &amp; <b>b</b></p><ul><li>c</li><li>d</li></ul>x<br/>y") == "a & b\nc\nd\nx\ny"
    )
    assert types.strip_html("plain") == "plain"


# --- conditional GET and incremental windows --------------------------------------------------


def rss(*items: tuple[str, str]) -> bytes:
    body = "".join(
        f"<item><title>{title}</title><guid>{guid}</guid>"
        f"<pubDate>Tue, 07 Jan 2025 10:00:00 GMT</pubDate></item>"
        for guid, title in items
    )
    return f'<rss version="2.0"><channel><title>Feed</title>{body}</channel></rss>'.encode()


def test_validators_are_kept_and_sent_and_304_means_nothing_new() -> None:
    fake = Fake(
        [
            xml(rss(("a", "A"), ("b", "B")), etag='W/"abc"', last_modified="Tue, 07 Jan 2025 10:00:00 GMT"),
            xml(b"", status=304),
        ]
    )
    first = fake.run()
    assert "if-none-match" not in fake.requests[0].headers
    checkpoint = posts_of(first).checkpoint
    assert checkpoint == {
        "etag": 'W/"abc"',
        "last_modified": "Tue, 07 Jan 2025 10:00:00 GMT",
        "newest": "2025-01-07T10:00:00+00:00",
        "seen": ["a", "b"],
        "complete": True,
    }
    second = fake.run({"posts": checkpoint, "profile": first[0].checkpoint or {}})
    assert fake.requests[1].headers["if-none-match"] == 'W/"abc"'
    assert fake.requests[1].headers["if-modified-since"] == "Tue, 07 Jan 2025 10:00:00 GMT"
    assert [b.edge for b in second] == ["profile", "posts"]
    assert second[0].profile is not None and second[0].profile.name == "Feed"
    assert second[1].posts == [] and second[1].checkpoint is None and second[1].raw is None


def test_only_items_not_seen_before_are_yielded() -> None:
    fake = Fake([xml(rss(("c", "C"), ("b", "B"), ("a", "A")))])
    batch = posts_of(fake.run({"posts": {"seen": ["b", "a"], "newest": "2025-01-08T00:00:00+00:00"}}))
    assert [post.post_id for post in batch.posts] == ["c"]
    assert batch.checkpoint is not None and batch.checkpoint["seen"] == ["c", "b", "a"]
    assert batch.checkpoint["newest"] == "2025-01-08T00:00:00+00:00"  # never goes back
    assert batch.gap is None


def test_a_window_that_moved_past_every_seen_item_is_a_gap() -> None:
    batch = posts_of(Fake([xml(rss(("e", "E"), ("d", "D")))]).run({"posts": {"seen": ["b", "a"]}}))
    assert [post.post_id for post in batch.posts] == ["e", "d"]
    assert batch.gap is not None and "may have been missed" in batch.gap
    assert batch.checkpoint is not None and batch.checkpoint["seen"] == ["e", "d", "b", "a"]


def test_a_relative_link_is_resolved_against_the_feed_but_the_id_is_kept() -> None:
    item = b"<item><link>/gia/p1.htm</link><pubDate>Tue, 07 Jan 2025 10:00:00 GMT</pubDate></item>"
    body = b'<rss version="2.0"><channel>' + item + b"</channel></rss>"
    [post] = posts_of(Fake([xml(body)]).run()).posts
    assert post.post_id == "/gia/p1.htm" and post.url == "https://www.info.example.gov.hk/gia/p1.htm"


def test_base_url_replaces_scheme_and_host() -> None:
    fake = Fake([xml(rss(("a", "A")))], base_url="http://127.0.0.1:8080/proxy")
    fake.run()
    assert str(fake.requests[0].url) == "http://127.0.0.1:8080/proxy/gia/rss/general_en.xml"


def test_redirects_are_followed_and_the_final_url_recorded() -> None:
    moved = "https://www.info.example.gov.hk/new/general_en.xml"
    fake = Fake([httpx.Response(301, headers={"location": moved}), xml(rss(("a", "A")))])
    batch = posts_of(fake.run())
    assert batch.raw is not None and batch.raw.location == moved and len(batch.posts) == 1


def test_a_big5_feed_is_read_in_its_declared_encoding() -> None:
    body = (
        '<?xml version="1.0" encoding="big5"?><rss version="2.0"><channel><title>新聞公報</title>'
        "<item><guid>1</guid><title>政府公布施政報告</title>"
        "<pubDate>Tue, 07 Jan 2025 10:00:00 +0800</pubDate>"
        "</item></channel></rss>"
    ).encode("big5")
    response = httpx.Response(200, content=body, headers={"content-type": "application/xml"})
    batches = Fake([response]).run()
    assert batches[0].profile is not None and batches[0].profile.name == "新聞公報"
    batch = posts_of(batches)
    assert batch.posts[0].text == "政府公布施政報告"
    assert batch.raw is not None and "政府公布施政報告" in batch.raw.body
    assert body_text(httpx.Response(200, content=b"<rss/>")) == "<rss/>"


def test_a_feed_cut_short_after_some_items_keeps_them_and_refetches_whole_next_time() -> None:
    body = feed_bytes("govhk_style_press_releases.rss.xml")
    cut = body[: body.index(b"<guid", body.index(b"P2025010700456.htm"))]
    batch = posts_of(Fake([xml(cut, etag='"v2"')]).run())
    assert [post.post_id for post in batch.posts] == ["P2025010700123"]
    assert batch.gap is not None and "not well-formed" in batch.gap
    assert batch.checkpoint is not None and batch.checkpoint["etag"] is None


# --- errors, retries and waits ----------------------------------------------------------------


def test_a_truncated_feed_without_items_is_a_payload_error_after_retries() -> None:
    cut = feed_bytes("govhk_style_press_releases.rss.xml")[:300]
    fake = Fake([xml(cut), xml(cut), xml(cut)])
    with pytest.raises(PayloadError, match="not well-formed"):
        fake.run()
    assert len(fake.requests) == 3 and fake.waits == [0, 0]


@pytest.mark.parametrize(
    "body",
    [b"<html><head><title>Login</title></head><body></body></html>", b"", b'{"error": "x"}', b"/etc/passwd"],
)
def test_a_body_that_is_no_feed_is_a_payload_error(body: bytes) -> None:
    # "/etc/passwd" checks that feedparser never reads a body as a file name or URL.
    fake = Fake([xml(body)] * 3)
    with pytest.raises(PayloadError, match="not an RSS or Atom document"):
        fake.run()


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (404, GoneError),
        (410, GoneError),
        (401, AccessError),
        (403, AccessError),
        (451, AccessError),
        (400, AccessError),
    ],
)
def test_refusals_are_classified_and_not_retried(status: int, expected: type[CollectError]) -> None:
    fake = Fake([httpx.Response(status)])
    with pytest.raises(expected, match=f"HTTP {status}"):
        fake.run()
    assert len(fake.requests) == 1


def test_server_errors_and_timeouts_are_retried_then_raised() -> None:
    fake = Fake([httpx.Response(500), httpx.ReadTimeout("slow"), httpx.Response(502)])
    with pytest.raises(TransientError, match="HTTP 502"):
        fake.run()
    assert len(fake.requests) == 3 and fake.connector.http.retries == 2


def test_a_transient_fault_then_success() -> None:
    fake = Fake([httpx.ConnectError("refused"), xml(rss(("a", "A")))])
    assert len(posts_of(fake.run()).posts) == 1


def test_429_retry_after_seconds_is_waited_out() -> None:
    fake = Fake([httpx.Response(429, headers={"retry-after": "120"}), xml(rss(("a", "A")))])
    assert len(posts_of(fake.run()).posts) == 1
    [wait] = fake.waits
    assert 118 < wait <= 120


def test_503_retry_after_http_date_is_waited_out() -> None:
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=300)
    stamp = time.strftime("%a, %d %b %Y %H:%M:%S GMT", later.timetuple())
    fake = Fake([httpx.Response(503, headers={"retry-after": stamp}), xml(rss(("a", "A")))])
    fake.run()
    [wait] = fake.waits
    assert 290 < wait <= 300


def test_a_rate_limit_longer_than_the_policy_allows_is_raised() -> None:
    fake = Fake([httpx.Response(429, headers={"retry-after": "86400"})])
    with pytest.raises(RateLimitedError) as caught:
        fake.run()
    assert caught.value.retry_at is not None and fake.waits == []


def test_a_redirect_without_location_is_a_payload_error() -> None:
    assert isinstance(
        errors.classify(httpx.Response(302, request=httpx.Request("GET", FEED_URL))), PayloadError
    )


def test_retry_after_forms() -> None:
    now = dt.datetime(2025, 1, 7, tzinfo=dt.UTC)
    assert errors.retry_at(httpx.Response(429, headers={"retry-after": "60"}), now) == now + dt.timedelta(
        minutes=1
    )
    stamp = httpx.Response(429, headers={"retry-after": "Tue, 07 Jan 2025 00:05:00 GMT"})
    assert errors.retry_at(stamp, now) == now + dt.timedelta(minutes=5)
    assert errors.retry_at(httpx.Response(429, headers={"retry-after": "soon"}), now) is None
    assert errors.retry_at(httpx.Response(429), now) is None


def test_retry_after_that_is_not_a_plain_delay_does_not_raise() -> None:
    # "²" is a digit to str.isdigit but not to int(); a delay of 10**5000 s overflows a date.
    now = dt.datetime(2025, 1, 7, tzinfo=dt.UTC)
    superscript = httpx.Response(429, headers=[(b"retry-after", "²".encode("latin-1"))])
    assert errors.retry_at(superscript, now) is None
    far = errors.retry_at(httpx.Response(503, headers={"retry-after": "9" * 5000}), now)
    assert far is not None and now < far <= now + dt.timedelta(days=1)
