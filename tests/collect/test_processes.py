"""Collection in several processes (``collect.processes``) and the store's write lock.

The processes are real ones (started with "spawn", as ``govsocial collect --processes`` starts
them) collecting from the fake Graph API on loopback, on SQLite and PostgreSQL; the store is then
checked row by row against what the fake served, as in ``test_end_to_end``.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, create_engine

from govsocial.collect import processes
from govsocial.collect.base import Target
from govsocial.collect.http import RetryPolicy
from govsocial.collect.records import Batch
from govsocial.collect.runner import RunOptions
from govsocial.collect.runs import RunSummary
from govsocial.errors import ConfigurationError
from govsocial.settings import PROJECT_ROOT, Settings
from govsocial.store import tables as t
from govsocial.store.db import make_engine
from govsocial.store.write_lock import lock_path, write_lock
from tests.collect import share_work
from tests.collect.test_end_to_end import (
    COMMENTS,
    KEY,
    PSEUDONYMS,
    REQUESTS,
    SQLITE_ONLY,
    TOKEN,
    assert_first_run_complete,
    collect,
    counts,
    fake,
    registry,
    run_record,
    targets,
    url,
)
from tests.fakeplatform import FakeGraph, Slow
from tests.fakeplatform.check import expected_checkpoints, problems, row_count, stored_checkpoints

# Fixtures shared with the end-to-end tests: the registry's Facebook accounts and the fake Graph
# API serving them on loopback.
__all__ = ["fake", "registry", "targets", "url"]


def collect_in(
    engine: Engine, url: str, targets: list[Target], count: int, complete: bool = True
) -> RunSummary:
    """One run of ``targets`` in ``count`` processes against the fake, as the CLI runs it; for a
    ``complete`` run, checks that the parent heard of every stored batch."""
    options = RunOptions(
        base_urls={"facebook": url + "/v23.0"}, policy=RetryPolicy(attempts=4, base_backoff=0), trigger="test"
    )
    settings = Settings.load(pseudonym_key=KEY, facebook_token=TOKEN)
    seen: list[str] = []
    summary = asyncio.run(
        processes.collect(
            engine, settings, targets, "test", count, options, lambda _t, b: seen.append(b.edge)
        )
    )
    if complete:  # the parent heard of every account's profile and of every edge stored
        assert seen.count("profile") == len(targets)
        assert set(seen) == {edge for _handle, edge in stored_checkpoints(engine)} | {"profile"}
    return summary


def test_accounts_are_dealt_out_in_turn() -> None:
    accounts = [Target(i, "facebook", "page", f"p{i}") for i in range(5)]

    assert [[x.account_id for x in part] for part in processes.shares(accounts, 2)] == [[0, 2, 4], [1, 3]]
    assert [len(part) for part in processes.shares(accounts, 8)] == [1, 1, 1, 1, 1]
    assert processes.shares(accounts[:1], 4) == [accounts[:1]]
    assert processes.shares([], 3) == []


def test_two_processes_store_what_one_stores(
    engine: Engine, targets: list[Target], fake: FakeGraph, url: str
) -> None:
    summary = collect_in(engine, url, targets, 2)

    n = len(targets)
    assert_first_run_complete(engine, fake, summary, n)
    assert len(fake.control.log) == n * REQUESTS  # each page asked for once
    # One run record, with every process's counts in it.
    assert row_count(engine, t.CollectionRun) == 1
    record = run_record(engine, summary.run_id)
    assert record.status == "ok" and record.finished_at is not None
    assert record.counts == summary.counts.as_dict()

    again = collect_in(engine, url, targets, 3, complete=False)  # the same again: all noop

    # Incremental, as in one process: the newest post listed again, its counts new snapshots.
    assert counts(again) == {"posts.noop": n, "post_snapshots.insert": n, "profiles.insert": n}
    assert problems(engine, fake, PSEUDONYMS) == []


@SQLITE_ONLY
def test_a_killed_process_costs_its_accounts_and_the_next_run_resumes(
    engine: Engine, targets: list[Target], fake: FakeGraph, url: str
) -> None:
    victim = targets[1].handle  # in the second share (accounts are dealt out in turn)
    share = [x.handle for x in processes.shares(targets, 2)[1]]
    calls: list[str | None] = []

    def kill_on_sixth_call(number: int) -> None:
        calls.append(fake.control.log[number - 1].account)
        if calls.count(victim) == 6:
            for child in multiprocessing.active_children():
                if child.name == "govsocial-collect-1" and child.pid is not None:
                    os.kill(child.pid, signal.SIGKILL)

    fake.control.on_request = kill_on_sixth_call

    summary = collect_in(engine, url, targets, 2, complete=False)

    assert summary.status == "partial" and summary.failed_accounts == len(share)
    assert sorted(e["account"] for e in summary.errors) == sorted(f"facebook {h}" for h in share)
    assert all(e["kind"] == "process" and "exit code -9" in e["message"] for e in summary.errors)
    others = [x.handle for x in targets if x.handle not in share]
    assert problems(engine, fake, PSEUDONYMS, others) == []
    assert run_record(engine, summary.run_id).status == "partial"

    fake.control.reset()
    collect(engine, url, targets)  # the next run, in one process, completes what was lost

    assert problems(engine, fake, PSEUDONYMS) == []
    assert stored_checkpoints(engine) == expected_checkpoints(fake)


def test_a_process_killed_while_reporting_leaves_the_others_able_to_report() -> None:
    # One process reports big batches without end and is killed after its third, so most likely
    # in the middle of writing one; the other reports a second later. With one queue shared by
    # the processes (as before), a kill there left the queue's lock taken: the other process
    # could neither report nor exit, and the parent waited for it forever.
    parts = [[Target(1, "facebook", "page", "flood")], [Target(2, "facebook", "page", "late")]]
    edges: dict[int, list[str]] = {1: [], 2: []}

    def progress(target: Target, batch: Batch) -> None:
        edges[target.account_id].append(batch.edge)
        if len(edges[1]) == 3 and target.account_id == 1:
            for child in multiprocessing.active_children():
                if child.name == "govsocial-collect-0" and child.pid is not None:
                    os.kill(child.pid, signal.SIGKILL)

    results: list[list[processes.ShareResult]] = []

    def run() -> None:
        settings, work = Settings.load(), share_work.by_handle
        results.append(processes._run_shares("sqlite://", settings, RunOptions(), 1, parts, progress, work))

    gather = threading.Thread(target=run, daemon=True)
    gather.start()
    gather.join(timeout=60)

    assert not gather.is_alive(), "the parent is still waiting for the processes"
    killed, finished = results[0]
    assert killed.failed_accounts == 1 and "exit code -9" in killed.errors[0]["message"]
    assert finished.counts == share_work.LATE_COUNTS and finished.errors == []
    assert edges[2] == ["posts"] and edges[1][:3] == [share_work.BIG_EDGE] * 3


@SQLITE_ONLY
def test_one_process_or_a_transport_object_stay_in_this_process(
    engine: Engine, targets: list[Target]
) -> None:
    settings = Settings.load(pseudonym_key=KEY, facebook_token=TOKEN)
    options = RunOptions(
        transport=httpx.MockTransport(lambda request: httpx.Response(500)), policy=RetryPolicy(attempts=1)
    )

    with pytest.raises(ConfigurationError, match="several processes"):
        asyncio.run(processes.collect(engine, settings, targets, "test", 2, options))
    summary = asyncio.run(processes.collect(engine, settings, targets[:1], "test", 2, options))

    assert summary.accounts == 1 and summary.failed_accounts == 1  # collected here, through the transport


# --- the write lock -----------------------------------------------------------------------------


def test_the_lock_is_a_file_beside_a_sqlite_file_and_nothing_elsewhere(tmp_path: Path) -> None:
    database = tmp_path / "store.db"

    assert lock_path(make_engine(f"sqlite:///{database}")) == f"{database}.write-lock"
    assert lock_path(make_engine("sqlite://")) is None
    assert lock_path(create_engine("postgresql+psycopg://u@127.0.0.1:1/x")) is None
    with write_lock(make_engine("sqlite://")):
        pass  # nothing to take


def _hold_then_mark(database: str, trying: str, marker: str) -> None:
    """In another process: say it is trying, take the lock, and leave a mark."""
    engine = make_engine(f"sqlite:///{database}")
    Path(trying).touch()
    with write_lock(engine):
        Path(marker).touch()


def test_another_process_waits_for_the_lock(tmp_path: Path) -> None:
    database, trying, marker = tmp_path / "store.db", tmp_path / "trying", tmp_path / "marked"
    engine = make_engine(f"sqlite:///{database}")
    context = multiprocessing.get_context("spawn")
    child = context.Process(target=_hold_then_mark, args=(str(database), str(trying), str(marker)))

    with write_lock(engine):
        child.start()
        deadline = time.monotonic() + 60
        while not trying.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.5)
        assert trying.exists() and not marker.exists()  # it waits while the lock is held here
    child.join(60)

    assert child.exitcode == 0 and marker.exists()


def test_threads_of_one_process_take_the_lock_in_turn(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    inside, most = [0], [0]

    def work() -> None:
        for _ in range(200):
            with write_lock(engine):
                inside[0] += 1
                most[0] = max(most[0], inside[0])
                time.sleep(0)
                inside[0] -= 1

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert most[0] == 1


def cli_command(engine: Engine, url: str) -> tuple[list[str], dict[str, str]]:
    """``govsocial collect --all --json --no-metrics`` against the fake (its root in the settings,
    so the collecting processes have it too), and its environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GOVSOCIAL_", "FAKEPLATFORM_"))}
    env.update(
        GOVSOCIAL_DATABASE_URL=engine.url.render_as_string(hide_password=False),
        GOVSOCIAL_FACEBOOK_TOKEN=TOKEN,
        GOVSOCIAL_PSEUDONYM_KEY=KEY,
        GOVSOCIAL_API_BASE_URLS=json.dumps({"facebook": url + "/v23.0"}),
        FAKEPLATFORM_PLATFORMS="facebook",
    )
    command = [
        sys.executable,
        "-m",
        "tests.fakeplatform.cli_shim",
        "collect",
        "--all",
        "--json",
        "--no-metrics",
    ]
    return command, env


def test_the_cli_collects_in_processes(registry: Engine, fake: FakeGraph, url: str) -> None:
    command, env = cli_command(registry, url)

    done = subprocess.run(
        [*command, "--processes", "2"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120
    )

    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    n = len(fake.pages)
    assert summary["status"] == "ok" and summary["accounts"] == n
    assert summary["counts"]["comments.insert"] == n * COMMENTS
    assert problems(registry, fake, PSEUDONYMS) == []
    assert TOKEN not in done.stdout + done.stderr
    refused = subprocess.run(
        [*command, "--processes", "0"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert refused.returncode == 2 and "--processes" in refused.stderr


@SQLITE_ONLY
def test_when_the_command_is_killed_its_processes_stop(registry: Engine, fake: FakeGraph, url: str) -> None:
    command, env = cli_command(registry, url)
    # Slow answers, one account at a time per process: a whole run would take seconds.
    fake.control.add(Slow(0.25), from_call=1)
    parent = subprocess.Popen(
        [*command, "--processes", "2"], cwd=PROJECT_ROOT, env={**env, "GOVSOCIAL_COLLECT_CONCURRENCY": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip

    def kill_the_parent(number: int) -> None:
        if number == 10:
            os.kill(parent.pid, signal.SIGKILL)

    fake.control.on_request = kill_the_parent
    parent.communicate(timeout=120)
    # The processes end soon after it (as if killed with it): the requests stop coming.
    quiet_since, seen = time.monotonic(), len(fake.control.log)
    deadline = time.monotonic() + 60
    while time.monotonic() - quiet_since < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
        if len(fake.control.log) != seen:
            quiet_since, seen = time.monotonic(), len(fake.control.log)

    assert parent.returncode == -signal.SIGKILL
    assert 10 <= seen < len(fake.pages) * REQUESTS // 2, seen
    fake.control.reset()
    done = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr  # the next run (one process) completes what was left
    assert problems(registry, fake, PSEUDONYMS) == []
    assert stored_checkpoints(registry) == expected_checkpoints(fake)
