"""The scheduler's follow-up (the portal's metrics refresh) runs after a round that stored something
new or changed, and only then (collect/scheduler.py), on SQLite and PostgreSQL.

A round that finds every post, snapshot and profile as stored (every row a "noop" in its run
record) used to recompute every metric all the same, for the same numbers, every few minutes.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

import httpx
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from govsocial.collect import runner as runner_module
from govsocial.collect import targets as targets_module
from govsocial.collect.base import Target
from govsocial.collect.records import PostCounts, PostRecord
from govsocial.collect.runner import RunOptions
from govsocial.collect.runs import RunSummary
from govsocial.collect.scheduler import Scheduler
from govsocial.collect.storage import StoreCounts, stored_changes
from govsocial.registry.load import load_registry
from govsocial.settings import PROJECT_ROOT, Settings
from govsocial.store import tables as t
from tests.collect.harness import OfflineFacebook

TAKEN = dt.datetime(2026, 10, 30, 12, tzinfo=dt.UTC)
START = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


class SteadyConnector(OfflineFacebook):
    """The same profile and posts at every round (fixed times, so a round met again is all noops);
    ``likes`` is what the posts' counts say, changed by a test to make a round that updates."""

    taken = TAKEN
    followers = 100
    likes = 1

    def posts(self, target: Target) -> list[PostRecord]:
        taken = TAKEN + dt.timedelta(minutes=SteadyConnector.likes)  # new counts, a new snapshot
        return [
            PostRecord(
                platform="facebook",
                post_id=f"{target.handle}_{n}",
                account_ref=target.ref,
                created_at=TAKEN - dt.timedelta(days=n),
                text=f"post {n}",
                counts=PostCounts(taken_at=taken, likes=SteadyConnector.likes),
            )
            for n in range(2)
        ]


@pytest.fixture
def seen() -> list[RunSummary]:
    """The summaries the scheduler's ``after_round`` was called with."""
    return []


@pytest.fixture
def scheduler(
    engine: Engine, session: Session, monkeypatch: pytest.MonkeyPatch, seen: list[RunSummary]
) -> Scheduler:
    """A scheduler over the Hong Kong registry's Facebook accounts, collected by ``SteadyConnector``,
    its clock at ``START``; its ``after_round`` records the summaries it is called with in ``seen``."""
    load_registry(engine, PROJECT_ROOT / "data" / "registry", actor="test", only="hk")
    monkeypatch.setattr(runner_module, "connector_for", lambda platform: SteadyConnector)
    monkeypatch.setattr(targets_module, "connectors", lambda: {"facebook": SteadyConnector})
    monkeypatch.setattr(SteadyConnector, "likes", 1)
    settings = Settings.load(pseudonym_key="k", collect_interval_minutes=60)
    return Scheduler(
        engine,
        settings,
        RunOptions(transport=httpx.MockTransport(lambda r: httpx.Response(500))),
        clock=lambda: START,
        after_round=seen.append,
    )


def _round(scheduler: Scheduler, hours: int) -> RunSummary:
    """The round ``hours`` after ``START`` (every account due again after its hour)."""
    scheduler.clock = lambda: START + dt.timedelta(hours=hours)
    summary = asyncio.run(scheduler.tick())
    assert summary is not None and summary.status == "ok", summary and summary.as_dict()
    return summary


def test_a_round_that_stored_nothing_new_does_not_refresh_and_one_that_did_does(
    scheduler: Scheduler, seen: list[RunSummary], session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    first = _round(scheduler, 0)
    assert first.counts.counts["posts.insert"] > 0 and [s.run_id for s in seen] == [first.run_id]

    with caplog.at_level(logging.INFO, logger="govsocial.collect.scheduler"):
        again = _round(scheduler, 2)
    # Everything met again as stored: the run record says so, and the metrics are left alone.
    assert again.accounts == first.accounts
    recorded = session.get(t.CollectionRun, again.run_id)
    assert recorded is not None and recorded.counts and not stored_changes(recorded.counts)
    assert set(recorded.counts) >= {"posts.noop", "post_snapshots.noop", "profiles.noop"}
    assert [s.run_id for s in seen] == [first.run_id]
    assert f"scheduled run {again.run_id} stored nothing new" in caplog.text

    SteadyConnector.likes = 5  # the posts' counts changed: updated posts and new snapshots
    changed = _round(scheduler, 4)
    assert changed.counts.counts["post_snapshots.insert"] > 0
    assert [s.run_id for s in seen] == [first.run_id, changed.run_id]


def test_a_failing_refresh_after_a_round_that_stored_something_is_still_reported(
    scheduler: Scheduler, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(summary: RunSummary) -> None:
        raise RuntimeError("the metrics could not be computed")

    scheduler.after_round = broken
    with caplog.at_level(logging.WARNING, logger="govsocial.collect.scheduler"):
        summary = _round(scheduler, 0)  # the follow-up's failure is not the round's
    assert summary.counts.changed
    assert f"after scheduled run {summary.run_id}: the follow-up failed" in caplog.text
    assert "the metrics could not be computed" in caplog.text


@pytest.mark.parametrize(
    ("counts", "changed"),
    [
        ({}, False),
        ({"posts.noop": 4, "post_snapshots.noop": 4, "profiles.noop": 1}, False),
        ({"quarantined": 3, "comments.noop": 2}, False),
        ({"posts.noop": 3, "comments.insert": 1}, True),
        ({"posts.update": 1}, True),
        ({"profiles.insert": 1}, True),
        ({"posts.insert": 0, "posts.noop": 1}, False),
    ],
)
def test_a_run_changed_the_store_when_its_counts_say_a_row_was_inserted_or_updated(
    counts: dict[str, int], changed: bool
) -> None:
    assert stored_changes(counts) is changed
    tally = StoreCounts()
    tally.counts.update(counts)
    assert tally.changed is changed
