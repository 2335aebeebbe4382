"""Readers and writers at once: the portal served under load while collections and imports write.

Shared by ``tests/reliability/test_concurrency.py`` (a few seconds, in ``make test``) and
``bench/soak.py`` (minutes, ``make soak``):

* ``portal_process``: the portal as production runs it, ``uvicorn --factory govsocial.web.asgi:app``,
  in its own process on a loopback port, with the page cache off so that every request reads the
  store; its log is kept to look for "database is locked";
* ``Readers``: threads that request the home page, an account page and ``/api/v1/accounts`` over and
  over, counting answers by status and noting any 5xx, transport error or lock message;
* ``write_activity``: the writer: the registry's Facebook accounts collected from the fake Graph API
  (``tests.fakeplatform``) through the real runner, then invented sample activity imported from CSV,
  each a stream of small transactions, as ``govsocial collect`` and ``collect import`` write.
"""

from __future__ import annotations

import asyncio
import csv
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import Engine, select

from govsocial.collect.http import RetryPolicy
from govsocial.collect.importing import import_activity
from govsocial.collect.imports.base import ImportContext
from govsocial.collect.privacy import Pseudonymiser
from govsocial.collect.runner import Runner, RunOptions
from govsocial.collect.runs import RunSummary
from govsocial.collect.targets import collectable
from govsocial.errors import AddressError
from govsocial.plugins import importers
from govsocial.registry.catalogue import load_catalogue
from govsocial.registry.verify import find_account
from govsocial.settings import PROJECT_ROOT, Settings
from govsocial.store import tables as t
from govsocial.store.db import session_factory
from tests.fakeplatform import FakeGraph, build_pages, free_port, serve
from tests.fakeplatform.check import problems, row_count

TOKEN = "EAALoadTestToken0123456789"
KEY = "load-test-pseudonym-key"
LOCKED = "database is locked"
HONG_KONG = ZoneInfo("Asia/Hong_Kong")
ID_COLUMNS = {"posts": "post_id", "comments": "comment_id"}


@contextmanager
def portal_process(database_url: str, log: Path, workers: int = 1) -> Iterator[str]:
    """The portal over ``database_url`` in a uvicorn process; yields its root URL. Its output goes
    to ``log``."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVSOCIAL_")}
    env.update(
        GOVSOCIAL_DATABASE_URL=database_url,
        GOVSOCIAL_PAGE_CACHE_SECONDS="0",
        GOVSOCIAL_COMMENT_RETENTION_DAYS="0",
        GOVSOCIAL_PSEUDONYM_KEY=KEY,
    )
    command = [
        sys.executable, "-m", "uvicorn", "--factory", "govsocial.web.asgi:app", "--host", "127.0.0.1",
        "--port", str(port), "--workers", str(workers), "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            root = f"http://127.0.0.1:{port}"
            wait_until_up(root, process)
            yield root
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_until_up(root: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    """Poll the API until it answers; fail if the process dies or it never does."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the portal exited with {process.returncode} before answering")
        try:
            if httpx.get(f"{root}/api/v1/platforms", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError("the portal did not answer within a minute")


@dataclass
class ReadStats:
    """What the readers saw."""

    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


class Readers:
    """``threads`` clients requesting ``paths`` in turn until ``stop``; safe to read when stopped."""

    def __init__(self, root: str, paths: list[str], threads: int = 4) -> None:
        self.root, self.paths = root, paths
        self.stats = ReadStats()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._loop, args=(i,), daemon=True) for i in range(threads)]
        self._started = 0.0

    def __enter__(self) -> Readers:
        self._started = time.monotonic()
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)
        self.stats.seconds = time.monotonic() - self._started

    def _loop(self, offset: int) -> None:
        with httpx.Client(base_url=self.root, timeout=30) as client:
            i = offset
            while not self._stop.is_set():
                self._one(client, self.paths[i % len(self.paths)])
                i += 1

    def _one(self, client: httpx.Client, path: str) -> None:
        try:
            response = client.get(path)
        except httpx.HTTPError as exc:
            with self._lock:
                self.stats.failures.append(f"{path}: {type(exc).__name__}: {exc}")
            return
        problem = None
        if response.status_code >= 500:
            problem = f"{path}: HTTP {response.status_code}: {response.text[:200]}"
        elif LOCKED in response.text:
            problem = f"{path}: {LOCKED!r} in the page"
        with self._lock:
            self.stats.statuses[response.status_code] += 1
            if problem:
                self.stats.failures.append(problem)


def reader_paths(engine: Engine) -> list[str]:
    """The home page, an account page and the accounts API (English and Chinese)."""
    with session_factory(engine)() as session:
        account = session.scalars(select(t.Account.id).order_by(t.Account.id)).first()
    return ["/en/", f"/en/accounts/{account}", "/api/v1/accounts?limit=50", "/zh-hant/"]


# --- the writer ----------------------------------------------------------------------------------


@dataclass
class WriteResult:
    """What the writer did, and what the store must hold afterwards."""

    runs: list[RunSummary] = field(default_factory=list)
    seconds: float = 0.0
    lost: list[str] = field(default_factory=list)


def collect_facebook(engine: Engine, fake_url: str, settings: Settings) -> RunSummary:
    """Every registry Facebook account from the fake Graph API, through the runner."""
    with session_factory(engine)() as session:
        targets = collectable(session, {"facebook"}, "hk")
    options = RunOptions(
        base_urls={"facebook": fake_url + "/v23.0"},
        policy=RetryPolicy(attempts=4, base_backoff=0),
        timeout=30,
        trigger="test",
    )
    return asyncio.run(Runner(engine, settings, options).run(targets, scope="load"))


def make_sample(folder: Path, months: int) -> None:
    """Invented activity of every registry account as CSV (``govsocial collect sample``), made
    before the load starts: generating it is not the writing under test."""
    command = [str(Path(sys.executable).with_name("govsocial")), "collect", "sample", "--out", str(folder),
               "--months", str(months), "--json"]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True, cwd=PROJECT_ROOT)


def import_sample(engine: Engine, folder: Path) -> tuple[list[RunSummary], dict[str, int]]:
    """The sample files of ``make_sample`` imported; the runs, and how many distinct posts and
    comments the files hold."""
    resolve = registry_resolver(engine)
    importer = importers()["generic"]()
    context = ImportContext(timezone=HONG_KONG)
    runs = [
        import_activity(engine, folder / f"{kind}.csv", importer, context, resolve, KEY)
        for kind in ("followers", "posts", "comments")
    ]
    return runs, {kind: distinct_ids(folder / f"{kind}.csv", column) for kind, column in ID_COLUMNS.items()}


def sample_ids(folder: Path) -> set[str]:
    """The post and comment ids of the sample files."""
    found: set[str] = set()
    for kind, column in ID_COLUMNS.items():
        with (folder / f"{kind}.csv").open(encoding="utf-8-sig", newline="") as handle:
            found |= {row[column] for row in csv.DictReader(handle)}
    return found


def distinct_ids(path: Path, column: str) -> int:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return len({(row["platform"], row[column]) for row in csv.DictReader(handle)})


def write_activity(engine: Engine, folder: Path, posts_per_page: int) -> WriteResult:
    """The writer's whole job: collect, then import the sample in ``folder``; what it lost is in
    ``lost`` (must be empty)."""
    result = WriteResult()
    started = time.monotonic()
    with session_factory(engine)() as session:
        handles = [x.handle for x in collectable(session, {"facebook"}, "hk")]
    fake = FakeGraph(build_pages(handles, posts_per_page), TOKEN)
    settings = Settings.load(pseudonym_key=KEY, facebook_token=TOKEN)
    with serve(fake.app()) as fake_url:
        result.runs.append(collect_facebook(engine, fake_url, settings))
    # The sample's invented posts of the same accounts (imported by an earlier round) are not the
    # fake's: they are counted below, not reported as rows nobody served.
    imported = sample_ids(folder)
    result.lost = [
        line for line in problems(engine, fake, Pseudonymiser(KEY))
        if not (line.endswith(" not served") and line.split()[1] in imported)
    ]  # fmt: skip
    runs, expected = import_sample(engine, folder)
    result.runs += runs
    result.seconds = time.monotonic() - started
    result.lost += [f"run {r.run_id}: {r.status} {r.errors}" for r in result.runs if r.status != "ok"]
    stored = {kind: row_count(engine, model) for kind, model in (("posts", t.Post), ("comments", t.Comment))}
    want = {"posts": len(fake.expected_posts()) + expected["posts"],
            "comments": len(fake.expected_comments()) + expected["comments"]}  # fmt: skip
    if stored != want:
        result.lost.append(f"stored {stored}, expected {want}")
    return result


def registry_resolver(engine: Engine) -> Callable[[str, str], int | None]:
    """Account ids by the addresses the files give, as ``govsocial collect import`` resolves them."""
    with session_factory(engine)() as session:
        catalogue = load_catalogue(session)
    cache: dict[tuple[str, str], int | None] = {}

    def resolve(platform: str, ref: str) -> int | None:
        if (platform, ref) not in cache:
            with session_factory(engine)() as session:
                try:
                    account = find_account(session, catalogue.parse(ref, platform=platform))
                except AddressError:
                    account = None
                cache[(platform, ref)] = account.id if account else None
        return cache[(platform, ref)]

    return resolve
