"""Collection end to end: the real runner and Facebook connector against a fake Graph API on loopback.

The registry's Facebook accounts are collected from ``tests.fakeplatform.FakeGraph``, which serves
pages built from the recorded payloads and injects faults on demand. The fake knows every post and
comment it serves, so each test checks the store row by row against it: nothing lost, nothing
duplicated, nothing stored that should not be (tokens, commenter identities).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, select

from govsocial.collect.base import Target
from govsocial.collect.http import RetryPolicy
from govsocial.collect.privacy import Pseudonymiser
from govsocial.collect.runner import Runner, RunOptions
from govsocial.collect.runs import RunSummary
from govsocial.collect.targets import collectable
from govsocial.registry.load import load_registry
from govsocial.settings import PROJECT_ROOT, Settings
from govsocial.store import tables as t
from govsocial.store.db import session_factory, transaction
from tests.fakeplatform import (
    ExpiredToken,
    FakeGraph,
    Gone,
    HighUsage,
    RateLimited,
    ServerError,
    Slow,
    Truncated,
    build_pages,
    serve,
)
from tests.fakeplatform.check import (
    expected_checkpoints,
    problems,
    row_count,
    stored_checkpoints,
    stored_comments,
    stored_posts,
)
from tests.fakeplatform.x import FakeX, XError, XRateLimited, build_users
from tests.fakeplatform.youtube import FakeYouTube, YouTubeError, build_channels

#: Shaped like a Meta user token (``EAA...``) so that every rule meant to catch one would.
TOKEN = "EAAFakeTestToken0123456789"  # shorter than a real token on purpose
KEY = "end-to-end-pseudonym-key"
YOUTUBE_KEY = "AIzaFakeTestKey0123456789abcdefghijklm"
X_TOKEN = "AAAAFakeXBearerToken0123456789"
#: What the fake serves per account: 6 posts on 3 pages, 22 comments on 13 pages, 1 profile.
POSTS, COMMENTS, REQUESTS = 6, 22, 17
PSEUDONYMS = Pseudonymiser(KEY)
#: For tests whose point does not depend on the backend (the ``engine`` fixture on SQLite only).
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


class SleepRecorder:
    """Stands in for ``asyncio.sleep``: records each wait and yields once, never really waits."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        await asyncio.sleep(0)


@pytest.fixture
def registry(engine: Engine) -> Engine:
    """The store with the bundled Hong Kong registry loaded."""
    report = load_registry(engine, PROJECT_ROOT / "data" / "registry", actor="test", only="hk")
    assert not report.problems
    return engine


def platform_targets(engine: Engine, platform: str) -> list[Target]:
    """The registry's accounts on ``platform``."""
    with session_factory(engine)() as session:
        found = collectable(session, {platform}, "hk")
    assert len(found) >= 3
    return found


@pytest.fixture
def targets(registry: Engine) -> list[Target]:
    """The Facebook accounts of the bundled Hong Kong registry."""
    return platform_targets(registry, "facebook")


@pytest.fixture
def fake(targets: list[Target]) -> FakeGraph:
    """A fake Graph API serving pages for those accounts."""
    return FakeGraph(build_pages([x.handle for x in targets]), TOKEN)


@pytest.fixture
def url(fake: FakeGraph) -> Iterator[str]:
    """The fake, served on loopback."""
    with serve(fake.app()) as root:
        yield root


def collect(
    engine: Engine,
    url: str,
    targets: list[Target],
    sleep: SleepRecorder | None = None,
    timeout: float = 10.0,
    youtube_url: str | None = None,
    x_url: str | None = None,
) -> RunSummary:
    """One collection run of ``targets`` against the fakes, as ``govsocial collect`` runs it."""
    base_urls = {"facebook": url + "/v23.0"}
    if youtube_url:
        base_urls["youtube"] = youtube_url + "/youtube/v3"
    if x_url:
        base_urls["x"] = x_url + "/2"
    options = RunOptions(
        base_urls=base_urls,
        sleep=sleep or SleepRecorder(),
        policy=RetryPolicy(attempts=4, base_backoff=0),
        timeout=timeout,
        trigger="test",
    )
    settings = Settings.load(
        pseudonym_key=KEY, facebook_token=TOKEN, youtube_api_key=YOUTUBE_KEY, x_bearer_token=X_TOKEN
    )
    return asyncio.run(Runner(engine, settings, options).run(targets, scope="test"))


def counts(summary: RunSummary) -> dict[str, int]:
    """The run's non-zero counts."""
    return {k: v for k, v in summary.counts.as_dict().items() if v}


def run_record(engine: Engine, run_id: int) -> t.CollectionRun:
    """The stored run record."""
    with session_factory(engine)() as session:
        row = session.get(t.CollectionRun, run_id)
        assert row is not None
        return row


def assert_first_run_complete(engine: Engine, fake: FakeGraph, summary: RunSummary, n: int) -> None:
    """A first run of ``n`` accounts stored everything the fake served, once, and nothing else."""
    assert summary.status == "ok", summary.as_dict()
    assert counts(summary) == {
        "comments.insert": n * COMMENTS,
        "post_snapshots.insert": n * POSTS,
        "posts.insert": n * POSTS,
        "profiles.insert": n,
    }
    assert problems(engine, fake, PSEUDONYMS) == []
    assert stored_checkpoints(engine) == expected_checkpoints(fake)
    assert row_count(engine, t.Post) == n * POSTS and row_count(engine, t.Comment) == n * COMMENTS
    assert row_count(engine, t.PostSnapshot) == n * POSTS and row_count(engine, t.ProfileSnapshot) == n
    assert row_count(engine, t.QuarantinedRecord) == 0


def test_a_full_collection_stores_every_post_comment_and_snapshot(
    engine: Engine, targets: list[Target], fake: FakeGraph, url: str
) -> None:
    summary = collect(engine, url, targets)

    n = len(targets)
    assert_first_run_complete(engine, fake, summary, n)
    # Each page was asked for once: no retries, no page read twice, the token on every request.
    assert len(fake.control.log) == n * REQUESTS
    assert len({(e.path, e.params.get("after")) for e in fake.control.log}) == n * REQUESTS
    assert all(e.token_ok for e in fake.control.log)
    record = run_record(engine, summary.run_id)
    assert record.status == "ok" and record.finished_at is not None
    assert record.counts == summary.counts.as_dict()


@SQLITE_ONLY
def test_counts_and_page_replies_are_kept(
    engine: Engine, fake: FakeGraph, url: str, targets: list[Target]
) -> None:
    collect(engine, url, targets)
    newest = fake.pages[targets[0].handle].posts[0]
    with session_factory(engine)() as session:
        snapshot = session.execute(
            select(t.PostSnapshot).join(t.Post).where(t.Post.post_id == newest.post_id)
        ).scalar_one()
        order = t.ProfileSnapshot.account_id
        followers = list(session.scalars(select(t.ProfileSnapshot.followers).order_by(order)))
    assert followers == sorted(page.followers for page in fake.pages.values())
    assert snapshot.likes == newest.data["like"]["summary"]["total_count"]
    assert snapshot.comments == len(newest.comments)
    assert snapshot.reactions is not None
    assert snapshot.reactions["wow"] == newest.data["wow"]["summary"]["total_count"]
    replies = [c for c in stored_comments(engine).values() if c["is_page_reply"]]
    assert len(replies) == sum(e.is_page_reply for e in fake.expected_comments().values()) > 0
    assert all(c["parent_id"] for c in replies)


def test_every_injected_fault_is_survived_without_loss_or_duplicates(
    engine: Engine, targets: list[Target], fake: FakeGraph, url: str
) -> None:
    h = [x.handle for x in targets]
    post = fake.pages[h[2]].posts[0].post_id
    control = fake.control
    rules = {
        "429 with reset": control.add(RateLimited(regain_minutes=2), account=h[0], path="/posts", calls=[2]),
        "503 twice": control.add(ServerError(503), account=h[1], calls=[1, 2]),
        "502 bare": control.add(ServerError(502, bare=True), account=h[1], path="/comments", calls=[2]),
        "truncated": control.add(Truncated(), path=f"/{post}/comments", calls=[2]),
        "slow": control.add(Slow(1.5), account=h[0], path="/comments", calls=[4]),
    }
    sleep = SleepRecorder()

    summary = collect(engine, url, targets, sleep, timeout=0.75)

    n = len(targets)
    assert summary.status == "ok", summary.as_dict()
    assert {name: rule.fired for name, rule in rules.items()} == {
        "429 with reset": 1,
        "503 twice": 2,
        "502 bare": 1,
        "truncated": 1,
        "slow": 1,
    }
    # Nothing lost, nothing stored twice: the same rows as a run without faults.
    assert counts(summary) == {
        "comments.insert": n * COMMENTS,
        "post_snapshots.insert": n * POSTS,
        "posts.insert": n * POSTS,
        "profiles.insert": n,
    }
    assert problems(engine, fake, PSEUDONYMS) == []
    assert stored_checkpoints(engine) == expected_checkpoints(fake)
    # Each faulty answer was asked for again (retried), the good ones once.
    assert len(control.log) == n * REQUESTS + 6
    asked = Counter((e.path, e.params.get("after")) for e in control.log)
    faults = Counter((e.path, e.params.get("after")) for e in control.log if e.fault)
    assert {key: asked[key] for key in faults} == {key: n + 1 for key, n in faults.items()}
    assert sum(asked.values()) - sum(faults.values()) == len(asked)
    # The rate limit was waited out until its reset (2 minutes from the 429), not retried at once.
    assert any(110 <= w <= 120 for w in sleep.waits), sleep.waits


@SQLITE_ONLY
def test_a_usage_header_at_95_percent_slows_requests_down(
    engine: Engine, targets: list[Target], fake: FakeGraph, url: str
) -> None:
    rule = fake.control.add(HighUsage(95), account=targets[0].handle, calls=[3])
    sleep = SleepRecorder()

    summary = collect(engine, url, targets, sleep)

    assert summary.status == "ok" and rule.fired == 1
    assert len(fake.control.log) == len(targets) * REQUESTS  # a warning, not an error: nothing retried
    assert problems(engine, fake, PSEUDONYMS) == []
    assert any(50 <= w <= 60 for w in sleep.waits), sleep.waits  # the next request waited a minute


def test_an_expired_token_stops_that_account_and_the_others_complete(
    engine: Engine, targets: list[Target], fake: FakeGraph, url: str
) -> None:
    broken = targets[1].handle
    # Call 6 of that account: after its profile, its first posts page and 3 comment pages of post 1.
    fake.control.add(ExpiredToken(), account=broken, from_call=6)

    summary = collect(engine, url, targets)

    assert summary.status == "partial" and summary.failed_accounts == 1
    assert [(e["account"], e["kind"]) for e in summary.errors] == [(f"facebook {broken}", "auth")]
    assert "190/463" in summary.errors[0]["message"] and "expired" in summary.errors[0]["message"]
    # Where the operator renews it, by name only: the CLI's advice quotes it.
    assert summary.errors[0]["credential"] == (
        "setting facebook_token, environment variable GOVSOCIAL_FACEBOOK_TOKEN"
    )
    record = run_record(engine, summary.run_id)
    assert record.status == "partial" and record.errors == summary.errors
    assert TOKEN not in str(record.errors)
    others = [x.handle for x in targets if x.handle != broken]
    assert problems(engine, fake, PSEUDONYMS, others) == []
    # What the broken account stored before the token expired is kept, with its checkpoints.
    page = fake.pages[broken]
    assert {p for p, v in stored_posts(engine).items() if v["handle"] == broken} == {
        p.post_id for p in page.posts[:2]
    }
    checkpoints = stored_checkpoints(engine)
    assert checkpoints[(broken, f"comments:{page.posts[0].post_id}")] == {"complete": True}
    assert (broken, f"comments:{page.posts[1].post_id}") not in checkpoints


def test_after_the_token_is_renewed_the_stopped_account_completes(
    engine: Engine, targets: list[Target], fake: FakeGraph, url: str
) -> None:
    broken = targets[1].handle
    fake.control.add(ExpiredToken(), account=broken, from_call=6)
    collect(engine, url, targets)
    fake.control.reset()  # a new token

    summary = collect(engine, url, [x for x in targets if x.handle == broken])

    assert summary.status == "ok", summary.as_dict()
    assert problems(engine, fake, PSEUDONYMS) == []
    assert stored_checkpoints(engine) == expected_checkpoints(fake)


@SQLITE_ONLY
def test_a_post_deleted_between_comment_pages_is_recorded_as_a_gap(
    engine: Engine, targets: list[Target], fake: FakeGraph, url: str
) -> None:
    handle = targets[0].handle
    post = fake.pages[handle].posts[3]  # 5 comments on 3 pages
    # The first page of its comments is read, then the post is deleted.
    fake.control.add(Gone(), path=f"/{post.post_id}/comments", from_call=2)

    summary = collect(engine, url, targets)

    assert summary.status == "partial" and not summary.errors
    assert [(g["account"], g["edge"]) for g in summary.gaps] == [
        (f"facebook {handle}", f"comments:{post.post_id}")
    ]
    assert "does not exist" in summary.gaps[0]["reason"]
    assert run_record(engine, summary.run_id).gaps == summary.gaps
    assert stored_checkpoints(engine)[(handle, f"comments:{post.post_id}")] == {"complete": True}
    kept = {c for c, v in stored_comments(engine).items() if v["post_id"] == post.post_id}
    assert kept == {e.comment_id for e in post.expected[:2]}
    missing = [f"comment {e.comment_id} missing" for e in post.expected[2:]]
    assert sorted(problems(engine, fake, PSEUDONYMS)) == sorted(missing)


@SQLITE_ONLY
def test_a_post_deleted_under_the_posts_cursor_is_recorded_as_a_gap(
    engine: Engine, targets: list[Target], fake: FakeGraph, url: str
) -> None:
    handle = targets[0].handle
    fake.control.add(Gone(), account=handle, path="/posts", calls=[2])

    summary = collect(engine, url, targets)

    assert summary.status == "partial" and not summary.errors
    assert [(g["account"], g["edge"]) for g in summary.gaps] == [(f"facebook {handle}", "posts")]
    state = stored_checkpoints(engine)[(handle, "posts")]
    assert state["complete"] is True
    others = [x.handle for x in targets if x.handle != handle]
    assert problems(engine, fake, PSEUDONYMS, others) == []


def test_collecting_again_is_idempotent(
    engine: Engine, targets: list[Target], fake: FakeGraph, url: str
) -> None:
    n = len(targets)
    collect(engine, url, targets)
    before = (stored_posts(engine), stored_comments(engine), stored_checkpoints(engine))

    again = collect(engine, url, targets)

    # Incremental: only posts from the newest one on are listed again; their counts are new snapshots.
    assert again.status == "ok"
    assert counts(again) == {"posts.noop": n, "post_snapshots.insert": n, "profiles.insert": n}
    assert (stored_posts(engine), stored_comments(engine), stored_checkpoints(engine)) == before

    with transaction(session_factory(engine)) as session:  # forget every checkpoint: read it all again
        session.execute(delete(t.Checkpoint))
    full = collect(engine, url, targets)

    assert full.status == "ok"
    assert counts(full) == {
        "comments.noop": n * COMMENTS,
        "posts.noop": n * POSTS,
        "post_snapshots.insert": n * POSTS,
        "profiles.insert": n,
    }
    assert (stored_posts(engine), stored_comments(engine), stored_checkpoints(engine)) == before
    assert row_count(engine, t.Post) == n * POSTS and row_count(engine, t.Comment) == n * COMMENTS
    assert row_count(engine, t.PostSnapshot) == n * POSTS * 2 + n


@SQLITE_ONLY
def test_stored_payloads_keep_no_commenter_identities(
    engine: Engine, targets: list[Target], fake: FakeGraph, url: str
) -> None:
    collect(engine, url, targets)

    with session_factory(engine)() as session:
        raws = session.scalars(select(t.RawPayloadRow)).all()
        authors = set(session.scalars(select(t.Comment.author)).all())
        texts = " ".join(c or "" for c in session.scalars(select(t.Comment.text)).all())
    comment_raws = [r for r in raws if "comments" in r.source]
    assert len(comment_raws) == len(targets) * (REQUESTS - 4)
    identities = fake.citizen_identities()
    assert identities
    leaks = {i for i in identities for r in comment_raws if i in r.body}
    assert leaks == set()
    assert all(a is None or len(a) == 32 for a in authors) and not authors & identities
    # Personal data in a comment is redacted in the row and in the raw payload.
    assert "[PHONE]" in texts and "[EMAIL]" in texts
    assert not any("9123 4567" in r.body or "citizen1@example.com" in r.body for r in raws)


@SQLITE_ONLY
def test_stored_payloads_and_records_keep_no_token(
    engine: Engine, targets: list[Target], fake: FakeGraph, url: str, tmp_path: Path
) -> None:
    fake.control.add(ExpiredToken(), account=targets[0].handle, calls=[3])
    collect(engine, url, targets)

    with session_factory(engine)() as session:
        raws = session.scalars(select(t.RawPayloadRow)).all()
        records = session.scalars(select(t.CollectionRun)).all()
    assert raws and all(TOKEN not in r.location for r in raws)
    assert all(TOKEN not in str([r.errors, r.gaps, r.counts]) for r in records)
    leaking = sorted({r.source for r in raws if TOKEN in r.body})
    assert leaking == [], f"the token is stored in raw payloads of {leaking} (Graph's paging.next URLs)"
    engine.dispose()
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("govsocial.db*"))
    assert TOKEN.encode() not in stored


# --- YouTube ------------------------------------------------------------------------------------


@pytest.fixture
def channels(registry: Engine) -> list[Target]:
    """The YouTube channels of the bundled Hong Kong registry (custom URLs and channel ids)."""
    return platform_targets(registry, "youtube")


@pytest.fixture
def youtube(channels: list[Target]) -> FakeYouTube:
    """A fake YouTube Data API serving those channels."""
    return FakeYouTube(build_channels([x.handle for x in channels]), YOUTUBE_KEY)


@pytest.fixture
def youtube_url(youtube: FakeYouTube) -> Iterator[str]:
    """The fake YouTube, served on loopback."""
    with serve(youtube.app()) as root:
        yield root


def youtube_problems(engine: Engine, youtube: FakeYouTube, handles: set[str] | None = None) -> list[str]:
    """Differences between the store's YouTube rows and a complete collection (of ``handles``)."""
    chosen = set(youtube.channels) if handles is None else handles
    want_posts = {v: video for v, (c, video) in youtube.videos.items() if c.handle in chosen}
    posts = {
        p: v for p, v in stored_posts(engine).items() if v["platform"] == "youtube" and v["handle"] in chosen
    }
    found = [f"video {v} missing" for v in want_posts.keys() - posts.keys()]
    found += [f"video {v} not served" for v in posts.keys() - want_posts.keys()]
    want = {e.comment_id: e for video in want_posts.values() for e in video.expected}
    got = {c: v for c, v in stored_comments(engine).items() if v["post_id"] in want_posts}
    found += [f"comment {c} missing" for c in want.keys() - got.keys()]
    found += [f"comment {c} not served" for c in got.keys() - want.keys()]
    for comment_id, e in want.items():
        author = PSEUDONYMS("youtube", e.author_id)
        expect = {
            "post_id": e.post_id,
            "parent_id": e.parent_id,
            "author": author,
            "is_page_reply": e.is_page_reply,
            "text": e.text,
        }
        stored = got.get(comment_id)
        if stored is not None and {k: stored[k] for k in expect} != expect:
            found.append(f"comment {comment_id}: stored {stored}, expected {expect}")
    return found


def test_youtube_and_facebook_are_collected_in_one_run(
    engine: Engine,
    targets: list[Target],
    channels: list[Target],
    fake: FakeGraph,
    url: str,
    youtube: FakeYouTube,
    youtube_url: str,
) -> None:
    summary = collect(engine, url, targets + channels, youtube_url=youtube_url)

    assert summary.status == "ok", summary.as_dict()
    videos, comments = len(youtube.expected_posts()), len(youtube.expected_comments())
    assert counts(summary) == {
        "comments.insert": len(targets) * COMMENTS + comments,
        "post_snapshots.insert": len(targets) * POSTS + videos,
        "posts.insert": len(targets) * POSTS + videos,
        "profiles.insert": len(targets) + len(channels),
    }
    assert youtube_problems(engine, youtube) == []
    assert problems(engine, fake, PSEUDONYMS) == []
    # Threads with more replies than the five embedded were paged through comments.list.
    assert youtube.control.calls_to("/youtube/v3/comments/")
    assert all(e.token_ok for e in youtube.control.log)


def test_youtube_faults_are_survived_and_a_spent_quota_is_a_gap(
    engine: Engine, channels: list[Target], youtube: FakeYouTube, youtube_url: str, url: str
) -> None:
    control = youtube.control
    first, quota = channels[0].handle, channels[1].handle
    video = youtube.channels[first].videos[0]
    thread_with_many = next(t for t, replies in video.replies.items() if len(replies) > 5)
    rules = [
        control.add(YouTubeError(503), account=first, path="/commentThreads/", calls=[1]),
        control.add(
            YouTubeError(403, "handwritten_error_rate_limit_exceeded.json"),
            account=first,
            path="/playlistItems/",
            calls=[2],
        ),
        control.add(Truncated(), path=f"/comments/{thread_with_many}", calls=[2]),
        control.add(ServerError(502, bare=True), account=channels[2].handle, calls=[1]),
    ]
    control.add(YouTubeError(403, "handwritten_error_quota_exceeded.json"), account=quota, from_call=4)

    summary = collect(engine, url, channels, youtube_url=youtube_url)

    assert [r.fired for r in rules] == [1, 1, 1, 1]
    assert summary.status == "partial" and not summary.errors
    gaps = [g for g in summary.gaps if g["account"] == f"youtube {quota}"]
    assert len(gaps) == 1 and "quota" in gaps[0]["reason"].lower() and gaps[0]["until"]
    others = {x.handle for x in channels} - {quota}
    assert youtube_problems(engine, youtube, others) == []
    assert TOKEN not in str(summary.as_dict()) and YOUTUBE_KEY not in str(summary.as_dict())


@SQLITE_ONLY
def test_youtube_collecting_again_adds_only_snapshots(
    engine: Engine, channels: list[Target], youtube: FakeYouTube, youtube_url: str, url: str
) -> None:
    collect(engine, url, channels, youtube_url=youtube_url)
    before = (stored_posts(engine), stored_comments(engine))

    again = collect(engine, url, channels, youtube_url=youtube_url)

    assert again.status == "ok"
    assert set(counts(again)) <= {"posts.noop", "comments.noop", "post_snapshots.insert", "profiles.insert"}
    assert (stored_posts(engine), stored_comments(engine)) == before
    with session_factory(engine)() as session:
        raws = session.scalars(select(t.RawPayloadRow)).all()
    identities = youtube.viewer_identities()
    assert identities and not {i for i in identities for r in raws if i in r.body}
    assert not [r for r in raws if YOUTUBE_KEY in r.body or YOUTUBE_KEY in r.location]


# --- X ------------------------------------------------------------------------------------------


@pytest.fixture
def x_accounts(engine: Engine) -> list[Target]:
    """Three X accounts of the bundled US Department of Commerce registry (Hong Kong's has none)."""
    report = load_registry(engine, PROJECT_ROOT / "data" / "registry", actor="test", only="us-doc")
    assert not report.problems
    with session_factory(engine)() as session:
        return collectable(session, {"x"}, "us-doc")[:3]


@pytest.fixture
def x_fake(x_accounts: list[Target]) -> FakeX:
    """A fake X API serving those accounts."""
    return FakeX(build_users([x.handle for x in x_accounts]), X_TOKEN)


@pytest.fixture
def x_url(x_fake: FakeX) -> Iterator[str]:
    """The fake X, served on loopback."""
    with serve(x_fake.app()) as root:
        yield root


def x_problems(engine: Engine, x_fake: FakeX) -> list[str]:
    """Differences between the store's X rows and a complete collection."""
    posts = {p for p, v in stored_posts(engine).items() if v["platform"] == "x"}
    found = [f"post {p} missing" for p in x_fake.expected_posts().keys() - posts]
    found += [f"post {p} not served" for p in posts - x_fake.expected_posts().keys()]
    want = x_fake.expected_comments()
    got = {c: v for c, v in stored_comments(engine).items() if v["post_id"] in x_fake.expected_posts()}
    found += [f"reply {c} missing" for c in want.keys() - got.keys()]
    found += [f"reply {c} not served" for c in got.keys() - want.keys()]
    for reply_id, e in want.items():
        expect = {
            "post_id": e.post_id,
            "parent_id": e.parent_id,
            "author": PSEUDONYMS("x", e.author_id),
            "is_page_reply": e.is_page_reply,
            "text": e.text,
        }
        stored = got.get(reply_id)
        if stored is not None and {k: stored[k] for k in expect} != expect:
            found.append(f"reply {reply_id}: stored {stored}, expected {expect}")
    return found


@SQLITE_ONLY
def test_x_collection_survives_faults_keeps_no_identities_and_is_idempotent(
    engine: Engine, x_accounts: list[Target], x_fake: FakeX, x_url: str, url: str
) -> None:
    control = x_fake.control
    first = x_fake.users[x_accounts[0].handle]
    rules = [
        control.add(XRateLimited(reset_s=90), account=first.username, path="/tweets", calls=[2]),
        control.add(XError(503), account=x_accounts[1].handle, path="/search/recent", calls=[1]),
        control.add(Truncated(), account=x_accounts[2].handle, path="/search/recent", calls=[2]),
    ]
    sleep = SleepRecorder()

    summary = collect(engine, url, x_accounts, sleep, x_url=x_url)

    assert summary.status == "ok", summary.as_dict()
    assert [r.fired for r in rules] == [1, 1, 1]
    assert counts(summary) == {
        "comments.insert": len(x_fake.expected_comments()),
        "post_snapshots.insert": len(x_fake.expected_posts()),
        "posts.insert": len(x_fake.expected_posts()),
        "profiles.insert": len(x_accounts),
    }
    assert x_problems(engine, x_fake) == []
    assert any(80 <= w <= 92 for w in sleep.waits), sleep.waits  # waited for x-rate-limit-reset
    assert all(e.token_ok for e in control.log)
    with session_factory(engine)() as session:
        raws = session.scalars(select(t.RawPayloadRow)).all()
    assert not {i for i in x_fake.citizen_ids() for r in raws if i in r.body}
    assert not [r for r in raws if X_TOKEN in r.body + r.location]

    again = collect(engine, url, x_accounts, x_url=x_url)

    assert again.status == "ok"
    assert set(counts(again)) <= {"posts.noop", "comments.noop", "post_snapshots.insert", "profiles.insert"}
    assert x_problems(engine, x_fake) == []
