"""A database that cannot be connected to is one line naming it (its password hidden) and exit
status 2, from every kind of command, not a traceback of hundreds of lines (docs/cli.md)."""

from __future__ import annotations

import socket

import pytest
from typer.testing import CliRunner

from govsocial.cli.main import app


def _closed_port() -> int:
    """A loopback port nothing listens on: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    "command",
    [["db", "current"], ["db", "upgrade"], ["registry", "export"], ["serve", "--port", "8123"]],
    ids=["db current", "db upgrade", "a command reading the store", "serve"],
)
def test_a_database_that_refuses_connections_is_one_line(command: list[str]) -> None:
    url = f"postgresql+psycopg://gs:topsecret@127.0.0.1:{_closed_port()}/govsocial?password=alsosecret"
    result = CliRunner().invoke(app, command, env={"GOVSOCIAL_DATABASE_URL": url})
    assert result.exit_code == 2, result.output
    said = " ".join(result.output.split())  # however the console wrapped it
    assert said.startswith("error: cannot connect to the database postgresql+psycopg://gs:***@127.0.0.1:")
    assert "Connection refused" in said and "Traceback" not in said
    assert "topsecret" not in said and "alsosecret" not in said
