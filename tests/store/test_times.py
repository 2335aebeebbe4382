"""Times come back from either store as the same aware UTC time, and the CLI prints them alike."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from govsocial.cli.main import app
from govsocial.errors import ConfigurationError
from govsocial.store import tables as t
from govsocial.store.db import make_engine, session_factory, shown_url, upgrade
from govsocial.store.times import utc

STARTED = dt.datetime(2026, 11, 28, 19, 37, 55, 329458, tzinfo=dt.UTC)


def test_utc_takes_naive_times_as_utc_and_converts_others() -> None:
    naive = dt.datetime(2026, 1, 1, 12)
    hong_kong = dt.datetime(2026, 1, 1, 20, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert utc(naive) == utc(hong_kong) == dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)
    assert utc(hong_kong).utcoffset() == dt.timedelta(0) and utc(None) is None


def test_postgresql_sessions_are_pinned_to_utc(database_url: str) -> None:
    """A server whose TimeZone is Hong Kong's would otherwise hand times back at +08:00."""
    engine = make_engine(database_url)
    if engine.dialect.name != "postgresql":
        engine.dispose()
        return
    with engine.connect() as connection:
        name = connection.scalar(text("SELECT current_database()"))
        connection.execute(text(f"ALTER DATABASE \"{name}\" SET timezone TO 'Asia/Hong_Kong'"))
        connection.commit()
    engine.dispose()
    engine = make_engine(database_url)  # new sessions: the database's setting, then ours
    with engine.connect() as connection:
        assert connection.scalar(text("SHOW timezone")) == "UTC"
        stamp = connection.scalar(text("SELECT TIMESTAMPTZ '2026-01-01 20:00:00+08'"))
        assert stamp.utcoffset() == dt.timedelta(0) and stamp.hour == 12
    engine.dispose()


def test_a_database_url_in_an_error_hides_its_password() -> None:
    assert shown_url("postgresql+psycopg://gov:s3cret@db:5432/govsocial") == (
        "postgresql+psycopg://gov:***@db:5432/govsocial"
    )
    with pytest.raises(ConfigurationError) as refused:
        make_engine("postgresql+nosuchdriver://gov:s3cret@db/govsocial")
    assert "s3cret" not in str(refused.value) and "gov:***@db" in str(refused.value)


def test_collect_runs_prints_the_same_times_from_either_store(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """SQLite printed "2026-11-28 19:37:55.329458", PostgreSQL "... +00:00": now ISO 8601 in UTC."""
    engine = make_engine(database_url)
    upgrade(engine)
    with session_factory(engine)() as session, session.begin():
        session.add(t.CollectionRun(kind="import", trigger="cli", scope="test", status="ok",
                                    started_at=STARTED, finished_at=STARTED + dt.timedelta(seconds=2),
                                    counts={}, errors=[], gaps=[]))  # fmt: skip
    engine.dispose()
    monkeypatch.setenv("GOVSOCIAL_DATABASE_URL", database_url)
    result = CliRunner().invoke(app, ["collect", "runs", "--json"])
    assert result.exit_code == 0, result.output
    run = json.loads(result.output)["data"][0]
    assert run["started_at"] == "2026-11-28T19:37:55.329458+00:00"
    assert run["finished_at"] == "2026-11-28T19:37:57.329458+00:00"
    table = CliRunner().invoke(app, ["collect", "runs"])
    assert "2026-11-28 19:37:55 UTC" in " ".join(table.output.split())
