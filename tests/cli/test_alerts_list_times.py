"""``govsocial alerts list`` says its times are UTC: cut to ``2026-11-29T07:00`` a time in UTC read
as a local one (15:00 in Hong Kong, where the officer reads it as 07:00)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from typer.testing import CliRunner

from govsocial.cli.main import app
from govsocial.store import alerts as store
from govsocial.store.db import make_engine, session_factory

FIRED = dt.datetime(2026, 11, 29, 7, 0, 4, tzinfo=dt.UTC)


def test_the_list_says_its_times_are_utc(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    env = {"GOVSOCIAL_DATABASE_URL": url, "COLUMNS": "250"}
    assert CliRunner().invoke(app, ["db", "upgrade"], env=env).exit_code == 0
    engine = make_engine(url)
    with session_factory(engine)() as session:
        rule = store.add_rule(session, "hk", "government", "hk", "account_missing", {}, None, "d@gov.test")
        [alert] = store.add_new(session, [store.Fired(rule.id, rule.kind, "1", "k", "Gone", {})], FIRED)
        alert.delivered_email_at = FIRED + dt.timedelta(minutes=1)
        session.commit()
    engine.dispose()
    result = CliRunner().invoke(app, ["alerts", "list"], env=env)
    assert result.exit_code == 0, result.output
    assert "2026-11-29 07:00 UTC" in result.output and "2026-11-29 07:01 UTC" in result.output
    assert "2026-11-29T07:00" not in result.output
