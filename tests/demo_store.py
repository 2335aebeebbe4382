"""The demo store for end-to-end tests: built through the CLI exactly as ``make demo-data`` builds it.

``demo_store(folder, months=1)`` migrates a SQLite database in ``folder``, loads the bundled registry,
writes ``months`` months of sample activity and imports it; with ``refresh=True`` it also refreshes
the metrics of one period kind (scoring comment sentiment on the way), which the scorecard, sentiment,
topics and crises sections read.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from govsocial.cli.main import app
from govsocial.store import tables as t
from govsocial.store.db import make_engine, session_factory

KEY = "test-only-pseudonym-key"
KINDS = ("followers", "posts", "comments")


def cli(url: str, *args: str) -> tuple[int, str]:
    """Run ``govsocial ARGS`` on the store at ``url``; exit code and standard output."""
    env = {"GOVSOCIAL_DATABASE_URL": url, "GOVSOCIAL_PSEUDONYM_KEY": KEY}
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stdout if result.exit_code == 0 else result.output


def run(url: str, *args: str) -> str:
    """``cli`` that fails the test, with the command's output, when the command fails."""
    code, output = cli(url, *args)
    assert code == 0, (args, output)
    return output


def demo_store(
    folder: Path,
    months: int = 1,
    *,
    url: str | None = None,
    refresh: bool = False,
    period_kind: str = "month",
    kinds: tuple[str, ...] = KINDS,
) -> str:
    """Migrate, load the registry, import ``months`` of sample ``kinds``; the database URL.

    The database is ``url`` (any backend) or a new SQLite file in ``folder``; the sample files go to
    ``folder/sample``.
    """
    url = url or f"sqlite:///{folder / 'demo.db'}"
    sample = folder / "sample"
    run(url, "db", "upgrade")
    run(url, "registry", "load")
    run(url, "collect", "sample", "--months", str(months), "--out", str(sample))
    for kind in kinds:
        csv = str(sample / f"{kind}.csv")
        run(url, "collect", "import", csv, "--format", "generic", "--sample", "--no-metrics")
    if refresh:
        run(url, "metrics", "refresh", "--period-kind", period_kind)
    return url


def copy_database(source: Path, target: Path) -> None:
    """Copy a SQLite database with SQLite's online backup: a plain file copy of a database in WAL mode
    misses what is still in its write-ahead log (``make_engine`` checkpoints every 10,000 pages)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    dst.close()
    src.close()


def account_id(url: str, platform: str = "facebook", handle: str = "cfs.hk") -> int:
    """The id of a registry account in the store at ``url``; by default the Centre for Food Safety's
    Facebook account, which has activity (with reaction types) in the demo."""
    engine = make_engine(url)
    with session_factory(engine)() as session:
        found = session.scalars(
            select(t.Account.id).where(t.Account.platform == platform, t.Account.handle == handle)
        ).one()
    engine.dispose()
    return found
