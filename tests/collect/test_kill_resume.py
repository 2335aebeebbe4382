"""A real process kill: ``govsocial collect --all`` is SIGKILLed mid-run and started again until it
finishes; the store must then hold exactly what an uninterrupted run stores.

The command runs as a subprocess (through ``tests.fakeplatform.cli_shim``, which only gives the
unchanged CLI the fake's base URL) against a fake Graph API served by this process. An uninterrupted
reference run first records the sequence of requests a collection makes. Kill points are positions
in that sequence, drawn from a seeded generator and sorted: life i of the collector is SIGKILLed
when it makes the request the reference made at position p_i, before the answer is sent. Accounts
are collected one at a time (``GOVSOCIAL_COLLECT_CONCURRENCY=1``), so a position always means the
same point of the run (every batch before it committed, none after) and the test is deterministic.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from govsocial.collect.privacy import Pseudonymiser
from govsocial.collect.targets import collectable
from govsocial.registry.load import load_registry
from govsocial.settings import PROJECT_ROOT
from govsocial.store import tables as t
from govsocial.store.db import make_engine, session_factory, upgrade
from tests.demo_store import copy_database
from tests.fakeplatform import Control, FakeGraph, build_pages, serve
from tests.fakeplatform.check import (
    expected_checkpoints,
    problems,
    row_count,
    stored_checkpoints,
    stored_comments,
    stored_posts,
)

TOKEN = "EAAKillResumeToken012345678"
KEY = "kill-resume-pseudonym-key"
SEED = 20251127
KILLS = 6
LIFE_TIMEOUT_S = 60


#: A request as the kill points name it: its path and its page cursor.
Key = tuple[str, str | None]


class Killer:
    """The fake server's request hook: SIGKILLs the current collector when it asks for ``key``."""

    def __init__(self, control: Control) -> None:
        self.control = control
        self.process: subprocess.Popen[str] | None = None
        self.key: Key | None = None
        control.on_request = self

    def arm(self, process: subprocess.Popen[str] | None, key: Key | None) -> None:
        """Kill ``process`` when it requests ``key`` (None: let it run)."""
        self.process, self.key = process, key

    def __call__(self, number: int) -> None:
        entry = self.control.log[number - 1]
        if self.process is not None and self.key == (entry.path, entry.params.get("after")):
            os.kill(self.process.pid, signal.SIGKILL)  # before the answer: the request dies with it
            self.key = None


@dataclass
class Site:
    """The fake platform and a store with the registry loaded, ready to copy per run."""

    fake: FakeGraph
    url: str
    template: Path
    killer: Killer
    #: The requests of the uninterrupted reference run, in order.
    sequence: list[Key] = field(default_factory=list)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    template = tmp_path / "template.db"
    engine = make_engine(f"sqlite:///{template}")
    upgrade(engine)
    load_registry(engine, PROJECT_ROOT / "data" / "registry", actor="test", only="hk")
    with session_factory(engine)() as session:
        handles = [x.handle for x in collectable(session, {"facebook"}, "hk")]
    engine.dispose()
    fake = FakeGraph(build_pages(handles), TOKEN)
    with serve(fake.app()) as url:
        yield Site(fake, url, template, Killer(fake.control))


def store(site: Site, name: str) -> str:
    """A fresh copy of the prepared store; its URL."""
    path = site.template.with_name(f"{name}.db")
    copy_database(site.template, path)
    return f"sqlite:///{path}"


def collector(site: Site, database_url: str) -> subprocess.Popen[str]:
    """``govsocial collect --all --json`` against the fake, as a child process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GOVSOCIAL_", "FAKEPLATFORM_"))}
    env.update(
        GOVSOCIAL_DATABASE_URL=database_url,
        GOVSOCIAL_FACEBOOK_TOKEN=TOKEN,
        GOVSOCIAL_PSEUDONYM_KEY=KEY,
        GOVSOCIAL_COLLECT_CONCURRENCY="1",
        FAKEPLATFORM_BASE_URLS=json.dumps({"facebook": site.url + "/v23.0"}),
        FAKEPLATFORM_PLATFORMS="facebook",
    )
    command = [sys.executable, "-m", "tests.fakeplatform.cli_shim", "collect", "--all", "--json"]
    return subprocess.Popen(
        command, cwd=PROJECT_ROOT, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def life(site: Site, database_url: str, kill_at: Key | None) -> tuple[int, str]:
    """Run the collector once, killed when it requests ``kill_at``; (exit status, stdout)."""
    process = collector(site, database_url)
    site.killer.arm(process, kill_at)
    try:
        out, err = process.communicate(timeout=LIFE_TIMEOUT_S)
    finally:
        site.killer.arm(None, None)
    if process.returncode not in (0, -signal.SIGKILL):
        pytest.fail(f"the collector exited with {process.returncode}:\n{out}\n{err}")
    return process.returncode, out


def content(database_url: str) -> dict[str, object]:
    """What a run leaves that must not depend on kills: posts, comments, checkpoints."""
    engine = make_engine(database_url)
    try:
        return {
            "posts": stored_posts(engine),
            "comments": stored_comments(engine),
            "checkpoints": stored_checkpoints(engine),
        }
    finally:
        engine.dispose()


def assert_complete(site: Site, database_url: str, reference: dict[str, object]) -> None:
    """Every post and comment exactly once, checkpoints at their end state, as the reference run."""
    engine: Engine = make_engine(database_url)
    try:
        assert problems(engine, site.fake, Pseudonymiser(KEY)) == []
        assert stored_checkpoints(engine) == expected_checkpoints(site.fake)
        assert row_count(engine, t.Post) == len(site.fake.expected_posts())
        assert row_count(engine, t.Comment) == len(site.fake.expected_comments())
        assert posts_without_snapshot(engine) == 0
    finally:
        engine.dispose()
    assert content(database_url) == reference


def posts_without_snapshot(engine: Engine) -> int:
    """Posts that have no engagement snapshot (every stored post must have one)."""
    query = select(func.count()).select_from(t.Post).where(t.Post.id.not_in(select(t.PostSnapshot.post_id)))
    with session_factory(engine)() as session:
        return int(session.scalar(query) or 0)


def reference_run(site: Site) -> dict[str, object]:
    """An uninterrupted run's content (which must itself be complete); records its requests."""
    url = store(site, "reference")
    first = len(site.fake.control.log)
    status, out = life(site, url, None)
    assert status == 0 and json.loads(out)["status"] == "ok", out
    site.sequence = [(e.path, e.params.get("after")) for e in site.fake.control.log[first:]]
    return content(url)


def kill_and_restart(site: Site, database_url: str, positions: Sequence[int]) -> list[int]:
    """Kill a life at each position of the reference sequence in turn, then run to the end;
    returns the positions where a life was killed."""
    killed = []
    for position in positions:
        status, _ = life(site, database_url, site.sequence[position - 1])
        if status == 0:
            break  # it finished without making that request
        killed.append(position)
    status, out = life(site, database_url, None)
    assert status == 0 and json.loads(out)["status"] == "ok", out
    return killed


def test_a_kill_between_a_page_of_posts_and_its_comments_loses_nothing(site: Site) -> None:
    reference = reference_run(site)
    url = store(site, "killed")
    # Request 1 is the first account's profile, 2 its first page of posts (stored), 3 the first
    # post's comments: killed there, the page's posts are in the store and none of their comments.
    # A connector that commits the posts cursor before reading those comments loses them for good.
    assert kill_and_restart(site, url, [3]) == [3]
    assert_complete(site, url, reference)


def test_killed_at_random_points_and_restarted_until_done_the_store_is_as_after_one_run(site: Site) -> None:
    reference = reference_run(site)
    url = store(site, "killed")
    positions = sorted(random.Random(SEED).sample(range(2, len(site.sequence) + 1), KILLS))

    killed = kill_and_restart(site, url, positions)

    assert killed == positions
    assert_complete(site, url, reference)
