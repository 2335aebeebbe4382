"""The runner: per-account errors, checkpoints and resume, run records, the scheduler.

A small in-test connector reads a fake paged API through ``httpx.MockTransport``; the platform
connectors have their own tests against recorded payloads.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Mapping
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from govsocial.collect import runner as runner_module
from govsocial.collect import targets as targets_module
from govsocial.collect.base import Connector, Target
from govsocial.collect.errors import AuthError, CollectError, TransientError
from govsocial.collect.http import RetryPolicy
from govsocial.collect.records import Batch, PostCounts, PostRecord, ProfileRecord
from govsocial.collect.runner import Runner, RunOptions
from govsocial.collect.scheduler import Scheduler
from govsocial.registry.load import load_registry
from govsocial.settings import PROJECT_ROOT, Settings
from govsocial.store import tables as t

PAGES = 3


class FakeConnector(Connector):
    """Pages of two posts; page n's cursor is str(n)."""

    platform = "facebook"
    default_base_url = "https://fake.example"
    credential_setting = None

    @staticmethod
    def classify(response: httpx.Response) -> CollectError | None:
        if response.status_code == 401:
            return AuthError("facebook: token expired (code 190)")
        return TransientError("5xx") if response.status_code >= 500 else None

    async def collect(
        self, target: Target, checkpoints: Mapping[str, dict[str, Any]]
    ) -> AsyncIterator[Batch]:
        now = dt.datetime.now(dt.UTC)
        yield Batch(
            edge="profile",
            profile=ProfileRecord(platform="facebook", account_ref=target.ref, taken_at=now, followers=100),
        )
        page = int(checkpoints.get("posts", {}).get("after", 0))
        while page < PAGES:
            data, raw = await self.http.get_json(f"{self.base_url}/{target.handle}/posts", {"after": page})
            posts = [
                PostRecord(
                    platform="facebook",
                    post_id=f"{target.handle}_{p}",
                    account_ref=target.ref,
                    created_at=now - dt.timedelta(days=p),
                    text=f"post {p}",
                    counts=PostCounts(taken_at=now, likes=p),
                )
                for p in data["ids"]
            ]
            page += 1
            yield Batch(edge="posts", raw=raw, posts=posts, checkpoint={"after": page})


def api(fail_for: str | None = None, crash_on_page: int | None = None) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        handle = request.url.path.split("/")[1]
        page = int(request.url.params["after"])
        if handle == fail_for:
            return httpx.Response(401, json={"error": {"code": 190}})
        if page == crash_on_page:
            raise KeyboardInterrupt  # the process dies mid-run
        return httpx.Response(200, json={"ids": [page * 2, page * 2 + 1]})

    return httpx.MockTransport(handler)


@pytest.fixture
def loaded(engine: Engine, session: Session, monkeypatch: pytest.MonkeyPatch) -> Session:
    load_registry(engine, PROJECT_ROOT / "data" / "registry", actor="test", only="hk")
    monkeypatch.setattr(runner_module, "connector_for", lambda platform: FakeConnector)
    return session


def _targets(session: Session) -> list[Target]:
    from govsocial.collect.targets import collectable

    return collectable(session, {"facebook"}, "hk")


def _runner(engine: Engine, transport: httpx.MockTransport) -> Runner:
    async def no_sleep(_: float) -> None:
        return None

    options = RunOptions(transport=transport, policy=RetryPolicy(attempts=2, base_backoff=0), sleep=no_sleep)
    return Runner(engine, Settings.load(pseudonym_key="k"), options)


def test_collects_every_account_and_records_the_run(engine: Engine, loaded: Session) -> None:
    targets = _targets(loaded)
    summary = asyncio.run(_runner(engine, api()).run(targets, "all"))
    assert summary.status == "ok", summary.as_dict()
    assert summary.counts.counts["posts.insert"] == len(targets) * PAGES * 2
    run = loaded.get(t.CollectionRun, summary.run_id)
    assert run is not None and run.status == "ok" and run.finished_at is not None


def test_an_expired_token_stops_one_account_and_the_others_go_on(engine: Engine, loaded: Session) -> None:
    targets = _targets(loaded)
    broken = targets[0].handle
    summary = asyncio.run(_runner(engine, api(fail_for=broken)).run(targets, "all"))
    assert summary.status == "partial"
    assert [e["kind"] for e in summary.errors] == ["auth"]
    assert broken in summary.errors[0]["account"] and "expired" in summary.errors[0]["message"]
    assert "credential" not in summary.errors[0]  # this fake connector needs none
    assert summary.counts.counts["posts.insert"] == (len(targets) - 1) * PAGES * 2


def test_a_killed_run_resumes_from_its_checkpoint_without_loss_or_duplicates(
    engine: Engine, loaded: Session
) -> None:
    target = _targets(loaded)[:1]
    with pytest.raises(KeyboardInterrupt):
        asyncio.run(_runner(engine, api(crash_on_page=2)).run(target, "one"))
    stored = loaded.scalar(select(func.count()).select_from(t.Post))
    assert stored == 4  # pages 0 and 1 were committed with their checkpoint
    summary = asyncio.run(_runner(engine, api()).run(target, "one"))
    assert summary.counts.counts["posts.insert"] == 2  # only page 2 was fetched again
    loaded.expire_all()
    assert loaded.scalar(select(func.count()).select_from(t.Post)) == PAGES * 2


def test_scheduler_collects_what_is_due_and_moves_it_on(
    engine: Engine, loaded: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(targets_module, "connectors", lambda: {"facebook": FakeConnector})
    now = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    scheduler = Scheduler(
        engine,
        Settings.load(pseudonym_key="k", collect_interval_minutes=60),
        _runner(engine, api()).options,
        clock=lambda: now,
    )
    first = asyncio.run(scheduler.tick())
    assert first is not None and first.accounts == len(_targets(loaded))
    assert asyncio.run(scheduler.tick()) is None  # nothing due until the interval has passed
    scheduler.clock = lambda: now + dt.timedelta(minutes=61)
    assert asyncio.run(scheduler.tick()) is not None


def test_the_scheduler_leaves_out_the_platforms_the_settings_skip(
    engine: Engine, loaded: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A deployment without a credential for a platform (an X API plan, say) leaves it out, rather
    than failing every round; schedules made before it was left out stay, unused."""
    monkeypatch.setattr(
        targets_module, "connectors", lambda: {"facebook": FakeConnector, "youtube": FakeConnector}
    )
    now = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)

    def scheduler(**settings: Any) -> Scheduler:
        every = Settings.load(pseudonym_key="k", **settings)
        return Scheduler(engine, every, _runner(engine, api()).options, clock=lambda: now)

    facebook = {x.account_id for x in _targets(loaded)}
    youtube = {a.id for a in loaded.scalars(select(t.Account).where(t.Account.platform == "youtube"))}
    assert facebook and youtube
    skipping = scheduler(collect_skip_platforms=["youtube"])
    assert skipping.ensure_schedules() == len(facebook)
    assert {target.account_id for target in skipping.due()} == facebook
    everything = scheduler()
    assert everything.ensure_schedules() == len(youtube)  # the YouTube accounts' schedules, made now
    assert {target.account_id for target in everything.due()} == facebook | youtube
    assert {target.account_id for target in skipping.due()} == facebook


@pytest.mark.parametrize("first_run_days", [None, 30])
def test_connectors_take_their_windows_from_the_settings(engine: Engine, first_run_days: int | None) -> None:
    settings = Settings.load(
        pseudonym_key="k",
        youtube_api_key="key",
        collect_refresh_days=3,
        collect_first_run_days=first_run_days,
    )
    runner = Runner(engine, settings)

    async def made() -> Connector:
        async with httpx.AsyncClient() as client:
            return runner._connector(client, "youtube")

    connector = asyncio.run(made())
    now = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    assert (connector.refresh_days, connector.first_run_days) == (3, first_run_days)
    assert connector.refresh_since(now) == now - dt.timedelta(days=3)
    bound = None if first_run_days is None else now - dt.timedelta(days=first_run_days)
    assert connector.first_run_since(now) == bound


def test_a_platform_error_quoting_the_key_never_shows_it(engine: Engine, session: Session) -> None:
    """YouTube's error body may quote the request, ``key=`` included: the message goes to the run
    record, stderr, ``--json`` and alerts, so the runner takes the credential out of every message."""
    load_registry(engine, PROJECT_ROOT / "data" / "registry", actor="test", only="hk")
    key = "FAKE-YOUTUBE-KEY-0123456789"

    def handler(request: httpx.Request) -> httpx.Response:
        echoed = f"API key {request.url.params.get('key')} not valid ({request.url})"
        body = {"error": {"code": 400, "message": echoed, "errors": [{"reason": "badRequest"}]}}
        return httpx.Response(400, json=body)

    async def no_sleep(_: float) -> None:
        return None

    options = RunOptions(
        transport=httpx.MockTransport(handler), policy=RetryPolicy(attempts=1), sleep=no_sleep
    )
    runner = Runner(engine, Settings.load(pseudonym_key="k", youtube_api_key=key), options)
    from govsocial.collect.targets import collectable

    summary = asyncio.run(runner.run(collectable(session, {"youtube"}, "hk")[:1], "one"))
    assert summary.errors and "not valid" in summary.errors[0]["message"]
    assert key not in repr(summary.as_dict())
    run = session.get(t.CollectionRun, summary.run_id)
    assert run is not None and key not in repr(run.errors)
