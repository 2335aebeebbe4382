"""A store built as ``make demo-data`` builds it (one month of sample activity), for end-to-end tests.

A thin layer over ``tests.demo_store``: ``refresh`` reads the JSON report of ``metrics refresh``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.demo_store import KEY, cli, demo_store

__all__ = ["KEY", "cli", "refresh", "sample_store"]


def sample_store(folder: Path) -> str:
    """Migrate, load the registry and import a month of sample data; the database URL."""
    return demo_store(folder, months=1)


def refresh(url: str, *args: str) -> dict[str, Any]:
    """``govsocial metrics refresh --json ARGS``: the report it printed."""
    code, output = cli(url, "metrics", "refresh", "--json", *args)
    assert code == 0, output
    counts: dict[str, Any] = json.loads(output)
    return counts
