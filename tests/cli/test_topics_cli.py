"""``govsocial topics``: the table and the JSON object, over the store the topic tests seed."""

from __future__ import annotations

import json

from sqlalchemy import Engine
from typer.testing import CliRunner

from govsocial.analyze.topics import view as tv
from govsocial.cli.main import app
from govsocial.store.db import session_factory
from tests.analyze.test_topics import DELAY, seed


def test_topics_json_and_table(sqlite_engine: Engine, sqlite_url: str) -> None:
    tv.clear_cache()
    with session_factory(sqlite_engine)() as session:
        ids = seed(session)
    env = {"GOVSOCIAL_DATABASE_URL": sqlite_url}
    runner = CliRunner()
    args = ["topics", "--account", str(ids["account"]), "--at", "2026-09-16"]
    result = runner.invoke(app, [*args, "--json"], env=env)
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["period"]["label"] == "2026-W38"
    assert "延誤" in {x["term"] for x in body["rising"]}
    table = runner.invoke(app, args, env=env)
    assert table.exit_code == 0 and "延誤" in table.output and "rising" in table.output
    assert DELAY not in table.output
    missing = runner.invoke(app, ["topics", "--organisation", "nope"], env=env)
    assert missing.exit_code == 2 and "nope" in missing.output
    assert runner.invoke(app, ["topics", "--period", "day"], env=env).exit_code == 2
    assert runner.invoke(app, ["topics", "--at", "soon"], env=env).exit_code == 2
