"""Soak: minutes of portal load while collection and import write, on SQLite and PostgreSQL, then
the reliability properties with many more generated examples than ``make test`` uses.

    .venv/bin/python -m bench.soak [--minutes 3] [--months 6] [--posts-per-page 60] [--threads 4]
                                   [--examples 1000] [--no-postgres] [--no-docs]

For each backend, a fresh store gets the bundled registry; the portal runs in its own uvicorn
process (page cache off), ``--threads`` clients request the home page, an account page and
``/api/v1/accounts`` for the whole soak, and the writer of ``tests.reliability.load`` runs round
after round until ``--minutes`` have passed: the registry's Facebook accounts collected from the
fake Graph API (``--posts-per-page`` posts each, with their comments), then ``--months`` of sample
activity imported from CSV. The first round inserts; every later round must change nothing but
add run records (a re-run is idempotent under load too). After each round the store is checked
against what was served and imported: nothing lost, nothing twice.

Then ``pytest tests/reliability`` runs the fault, fuzzing and URL properties with
``GOVSOCIAL_FUZZ_EXAMPLES=--examples`` (SQLite only; the load above covers PostgreSQL).

PostgreSQL is started on loopback with ``scripts/test-postgres.sh`` (port ``GOVSOCIAL_TEST_PG_PORT``,
default 54329), unless ``--no-postgres``. Figures go to the console, to ``var/bench/soak-results.json``
and, between the soak markers, to ``docs/reliability.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text

from govsocial.registry.load import load_registry
from govsocial.settings import PROJECT_ROOT
from govsocial.store.db import make_engine, upgrade
from tests.reliability.load import (
    LOCKED,
    Readers,
    WriteResult,
    make_sample,
    portal_process,
    reader_paths,
    write_activity,
)

DOCS = PROJECT_ROOT / "docs" / "reliability.md"
RESULTS = PROJECT_ROOT / "var" / "bench" / "soak-results.json"
START, END = "<!-- soak:start -->", "<!-- soak:end -->"


@dataclass
class LoadResult:
    """One backend's soak."""

    backend: str
    minutes: float
    rounds: int
    requests: int
    per_second: float
    statuses: dict[str, int]
    failures: list[str]
    rows_written: int
    rows_lost: int
    lock_messages: int
    notes: list[str] = field(default_factory=list)


@dataclass
class Rounds:
    """The writer's rounds so far: rows written, rows lost, and what went wrong."""

    rounds: int = 0
    written: int = 0
    lost: int = 0
    notes: list[str] = field(default_factory=list)

    def add(self, result: WriteResult, backend: str) -> None:
        """Count one round; note losses, and posts or comments inserted again after the first."""
        self.rounds += 1
        counts = [run.counts.as_dict() for run in result.runs]
        inserted = sum(v for c in counts for k, v in c.items() if k.endswith(".insert"))
        # Each collection takes a new profile snapshot (followers now); posts and comments, and
        # everything imported, must come out as noop.
        again = sum(c.get(k, 0) for c in counts for k in ("posts.insert", "comments.insert"))
        self.written += inserted
        self.lost += len(result.lost)
        self.notes += [f"round {self.rounds}: {line}" for line in result.lost]
        if self.rounds > 1 and again:
            self.notes.append(f"round {self.rounds}: {again} posts or comments inserted again (should be 0)")
        print(
            f"  {backend} round {self.rounds}: {inserted} rows inserted in {result.seconds:.1f} s", flush=True
        )


@contextmanager
def postgres_server() -> Iterator[str]:
    """A throw-away PostgreSQL server on loopback (``scripts/test-postgres.sh``); its admin URL."""
    script = str(PROJECT_ROOT / "scripts" / "test-postgres.sh")
    url = subprocess.run([script, "start"], check=True, capture_output=True, text=True).stdout.strip()
    try:
        yield url
    finally:
        subprocess.run([script, "stop"], check=False)


def new_postgres_database(admin_url: str) -> str:
    """A fresh database on the server; its URL."""
    name = f"soak_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def soak(backend: str, url: str, folder: Path, args: argparse.Namespace) -> LoadResult:
    """Readers for ``args.minutes`` while the writer runs round after round."""
    engine = make_engine(url)
    upgrade(engine)
    load_registry(engine, PROJECT_ROOT / "data" / "registry", actor="soak", only="hk")
    sample = folder / "sample"
    make_sample(sample, args.months)
    log = folder / f"portal-{backend}.log"
    tally = Rounds()
    deadline = time.monotonic() + args.minutes * 60
    with portal_process(url, log) as root, Readers(root, reader_paths(engine), args.threads) as readers:
        while tally.rounds == 0 or time.monotonic() < deadline:
            tally.add(write_activity(engine, sample, args.posts_per_page), backend)
    engine.dispose()
    stats = readers.stats
    return LoadResult(
        backend=backend,
        minutes=round(stats.seconds / 60, 2),
        rounds=tally.rounds,
        requests=stats.requests,
        per_second=round(stats.per_second, 1),
        statuses={str(k): v for k, v in sorted(stats.statuses.items())},
        failures=stats.failures[:20],
        rows_written=tally.written,
        rows_lost=tally.lost,
        lock_messages=log.read_text().count(LOCKED),
        notes=tally.notes[:20],
    )


def fuzz(examples: int) -> tuple[int, list[str]]:
    """``pytest tests/reliability`` on SQLite with ``examples`` per property; exit status and figures."""
    env = {**os.environ, "GOVSOCIAL_FUZZ_EXAMPLES": str(examples), "GOVSOCIAL_ALLOW_NO_POSTGRES": "1"}
    env.pop("GOVSOCIAL_TEST_POSTGRES_URL", None)
    command = [sys.executable, "-m", "pytest", "tests/reliability", "-q", "-p", "no:cacheprovider",
               "--deselect", "tests/reliability/test_concurrency.py"]  # fmt: skip
    done = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
    out = done.stdout
    figures = out.split("reliability figures", 1)[1].splitlines()[1:] if "reliability figures" in out else []
    figures = [line for line in figures if line and not line.startswith(("=", "SKIPPED", "FAILED"))]
    summary = [line for line in out.splitlines() if re.search(r"\d+ (passed|failed)", line)]
    return done.returncode, [line for line in figures if line not in summary] + summary[-1:]


def markdown(
    results: list[LoadResult], fuzz_status: int, figures: list[str], args: argparse.Namespace
) -> str:
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"Last soak: {when}, `python -m bench.soak --minutes {args.minutes} --months {args.months} "
        f"--posts-per-page {args.posts_per_page} --threads {args.threads} --examples {args.examples}`, "
        f"on {os.cpu_count()} CPU cores ({platform.machine()}, Python {platform.python_version()}).",
        "",
        "| backend | minutes | writer rounds | requests | requests/s | non-200 answers | failures "
        '| "database is locked" | rows written | rows lost |',
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        non_200 = sum(v for k, v in r.statuses.items() if k != "200")
        lines.append(
            f"| {r.backend} | {r.minutes} | {r.rounds} | {r.requests:,} | {r.per_second} | {non_200} "
            f"| {len(r.failures)} | {r.lock_messages} | {r.rows_written:,} | {r.rows_lost} |"
        )
    for r in results:
        lines += [f"- {r.backend}: {note}" for note in r.failures + r.notes]
    lines += ["", f"Properties with {args.examples} examples each (exit status {fuzz_status}):", ""]
    lines += ["    " + line for line in figures]
    return "\n".join(lines)


def write_docs(block: str) -> None:
    page = DOCS.read_text(encoding="utf-8")
    if START not in page or END not in page:
        raise SystemExit(f"{DOCS}: the markers {START} and {END} are missing")
    before, rest = page.split(START, 1)
    after = rest.split(END, 1)[1]
    DOCS.write_text(f"{before}{START}\n{block}\n{END}{after}", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    """Run the soak; print, save and (unless ``--no-docs``) publish the figures."""
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--minutes", type=float, default=3.0, help="load time per backend (at least one round)"
    )
    parser.add_argument("--months", type=int, default=6, help="months of sample activity imported per round")
    parser.add_argument("--posts-per-page", type=int, default=60, help="posts per fake Facebook account")
    parser.add_argument("--threads", type=int, default=4, help="reader threads")
    parser.add_argument("--examples", type=int, default=1000, help="Hypothesis examples per property")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--no-docs", action="store_true", help="do not update docs/reliability.md")
    args = parser.parse_args(argv)
    results: list[LoadResult] = []
    with tempfile.TemporaryDirectory(prefix="govsocial-soak-") as scratch:
        folder = Path(scratch)
        print("soak: SQLite", flush=True)
        results.append(soak("sqlite", f"sqlite:///{folder / 'soak.db'}", folder, args))
        if not args.no_postgres:
            print("soak: PostgreSQL", flush=True)
            with postgres_server() as admin_url:
                results.append(soak("postgresql", new_postgres_database(admin_url), folder, args))
    print(f"soak: properties with {args.examples} examples each", flush=True)
    status, figures = fuzz(args.examples)
    block = markdown(results, status, figures, args)
    print(block)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"load": [asdict(r) for r in results], "properties": figures}, indent=1))
    if not args.no_docs:
        write_docs(block)
    failed = status != 0 or any(r.failures or r.rows_lost or r.lock_messages or r.notes for r in results)
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
