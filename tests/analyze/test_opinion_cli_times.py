"""``govsocial clarifications list`` says in which time zone it prints when a post came."""

from __future__ import annotations

from sqlalchemy import Engine
from typer.testing import CliRunner

from govsocial.cli.main import app
from tests.web.test_opinion_crises import _fill


def test_the_clarifications_table_says_its_times_are_utc(sqlite_engine: Engine, sqlite_url: str) -> None:
    _fill(sqlite_engine)  # a clarification posted at 10:00 in Hong Kong, 02:00 UTC
    result = CliRunner().invoke(app, ["clarifications", "list"], env={"GOVSOCIAL_DATABASE_URL": sqlite_url})
    assert result.exit_code == 0, result.output
    # A narrow terminal wraps the header and the time, so each part is looked for alone.
    assert "(UTC)" in result.output and "2026-05-01" in result.output and "02:00" in result.output
