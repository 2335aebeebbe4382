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

#: Shaped like a Meta user token (``EAA...``) so that every rule meant to catch one would.
TOKEN = "EAAFakeTestToken0123456789abcdefGHIJ"
KEY = "end-to-end-pseudonym-key"
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
def targets(engine: Engine) -> list[Target]:
    """The Facebook accounts of the bundled Hong Kong registry, loaded into the store."""
    report = load_registry(engine, PROJECT_ROOT / "data" / "registry", actor="test", only="hk")
    assert not report.problems
    with session_factory(engine)() as session:
        found = collectable(session, {"facebook"}, "hk")
    assert len(found) >= 3
    return found


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
    engine: Engine, url: str, targets: list[Target], sleep: SleepRecorder | None = None, timeout: float = 10.0
) -> RunSummary:
    """One collection run of ``targets`` against the fake, as ``govsocial collect`` runs it."""
    options = RunOptions(
        base_urls={"facebook": url + "/v23.0"},
        sleep=sleep or SleepRecorder(),
        policy=RetryPolicy(attempts=4, base_backoff=0),
        timeout=timeout,
        trigger="test",
    )
    settings = Settings.load(pseudonym_key=KEY, facebook_token=TOKEN)
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


def test_a_full_collection_stores_every_post_comment_and_snapshot(
    engine: Engine, targets: list[Target], fake: FakeGraph, url: str
) -> None:
    summary = collect(engine, url, targets)

    n = len(targets)
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
        "429 with reset": 1, "503 twice": 2, "502 bare": 1, "truncated": 1, "slow": 1
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
