"""Ids and counts given to commands are checked before the store is asked: an id beyond the store's
32-bit ids was a traceback on PostgreSQL (``integer out of range``), and ``--limit -1`` one there too
while SQLite listed every run."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from govsocial.cli.main import app


@pytest.mark.parametrize(
    "command",
    [
        ["users", "revoke-token", "99999999999"],
        ["alerts", "rules", "remove", "99999999999"],
        ["collect", "quarantine", "--run", "99999999999"],
        ["topics", "--account", "99999999999"],
        ["collect", "runs", "--limit", "-1"],
        ["collect", "runs", "--limit", "0"],
    ],
)
def test_an_id_or_count_out_of_range_is_a_usage_error(command: list[str]) -> None:
    # No store is needed: the value is refused first (a store URL that cannot be reached proves it).
    env = {"GOVSOCIAL_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"}
    result = CliRunner().invoke(app, command, env=env)
    assert result.exit_code == 2, result.output
    said = " ".join(result.output.split())
    assert ("less than or equal to" in said or "greater than or equal to" in said) and "Traceback" not in said
