"""A store built as ``make demo-data`` builds it (one month of sample activity), for end-to-end tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from govsocial.cli.main import app

KEY = "test-only-pseudonym-key"


def cli(url: str, *args: str) -> tuple[int, str]:
    """Run ``govsocial ARGS`` on the store at ``url``; exit code and standard output."""
    env = {"GOVSOCIAL_DATABASE_URL": url, "GOVSOCIAL_PSEUDONYM_KEY": KEY}
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stdout if result.exit_code == 0 else result.output


def sample_store(folder: Path) -> str:
    """Migrate, load the registry and import a month of sample data; the database URL."""
    url = f"sqlite:///{folder / 'demo.db'}"
    sample = ("collect", "sample", "--months", "1", "--out", str(folder))
    for args in (("db", "upgrade"), ("registry", "load"), sample):
        code, output = cli(url, *args)
        assert code == 0, output
    for kind in ("followers", "posts", "comments"):
        csv = str(folder / f"{kind}.csv")
        code, output = cli(url, "collect", "import", csv, "--format", "generic", "--sample", "--no-metrics")
        assert code == 0, output
    return url


def refresh(url: str, *args: str) -> dict[str, Any]:
    """``govsocial metrics refresh --json ARGS``: the report it printed."""
    code, output = cli(url, "metrics", "refresh", "--json", *args)
    assert code == 0, output
    counts: dict[str, Any] = json.loads(output)
    return counts
