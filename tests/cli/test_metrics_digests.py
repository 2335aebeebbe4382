"""``govsocial metrics digests`` and ``metrics forget``: the values stored under each parameter
digest, and deleting those of parameters a deployment no longer uses, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import Engine, func, insert, select
from typer.testing import CliRunner

from govsocial.analyze.metrics.params import MetricParams
from govsocial.cli.main import app
from govsocial.store import metric_queries as mq
from govsocial.store import tables as t
from govsocial.store.db import session_factory

runner = CliRunner()
DEFAULTS = MetricParams().digest()
OLD = "0123456789ab"
EARLY = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
LATE = dt.datetime(2026, 11, 1, 9, 30, tzinfo=dt.UTC)


def _value(jurisdiction: str, params: str, kind: str, period: str, at: dt.datetime) -> dict[str, object]:
    return {"jurisdiction": jurisdiction, "metric": "post_volume", "level": "government",
            "entity": jurisdiction, "period_kind": kind, "period": period, "value": 1.0,
            "inputs": {"posts": 1}, "params": params, "computed_at": at}  # fmt: skip


@pytest.fixture
def stored(engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """Values of two jurisdictions: hk under the defaults (month and year) and under an old digest
    (computed later), sg under the old digest only."""
    monkeypatch.setenv("GOVSOCIAL_DATABASE_URL", database_url)
    monkeypatch.delenv("GOVSOCIAL_METRIC_PARAMS", raising=False)
    rows = [
        _value("hk", DEFAULTS, "year", "2026", EARLY),
        _value("hk", DEFAULTS, "month", "2026-09", EARLY),
        _value("hk", DEFAULTS, "month", "2026-10", EARLY),
        _value("hk", OLD, "week", "2026-W40", LATE),
        _value("sg", OLD, "month", "2026-10", EARLY),
    ]
    with engine.begin() as connection:
        connection.execute(insert(t.MetricValue), rows)
    return engine


def _count(engine: Engine, jurisdiction: str, params: str) -> int:
    query = select(func.count()).where(
        t.MetricValue.jurisdiction == jurisdiction, t.MetricValue.params == params
    )
    with engine.connect() as connection:
        return int(connection.scalar(query) or 0)


def test_stored_digests_counts_each_jurisdictions_digests_newest_first(stored: Engine) -> None:
    with session_factory(stored)() as session:
        found = mq.stored_digests(session)
        only_sg = mq.stored_digests(session, "sg")
    assert [(d.jurisdiction, d.params, d.values, d.period_kinds) for d in found] == [
        ("hk", OLD, 1, ("week",)),  # computed last, so first
        ("hk", DEFAULTS, 3, ("month", "year")),  # kinds in their own order, not the alphabet's
        ("sg", OLD, 1, ("month",)),
    ]
    assert found[0].last_computed == LATE
    assert [(d.jurisdiction, d.values) for d in only_sg] == [("sg", 1)]


def test_digests_command_marks_the_configured_digest(stored: Engine) -> None:
    result = runner.invoke(app, ["metrics", "digests", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["jurisdiction"], r["params"], r["values"], r["configured"]) for r in rows] == [
        ("hk", OLD, 1, False),
        ("hk", DEFAULTS, 3, True),
        ("sg", OLD, 1, False),
    ]
    assert rows[1]["note"] == "configured (the defaults)" and rows[1]["period_kinds"] == ["month", "year"]
    assert rows[0]["last_computed"] == "2026-11-01T09:30:00+00:00"


def test_forget_deletes_one_jurisdictions_old_digest_only_and_is_idempotent(stored: Engine) -> None:
    result = runner.invoke(app, ["metrics", "forget", OLD, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"jurisdiction": "hk", "params": OLD, "deleted": 1}
    assert _count(stored, "hk", OLD) == 0
    assert _count(stored, "sg", OLD) == 1  # another jurisdiction's values under that digest stay
    assert _count(stored, "hk", DEFAULTS) == 3
    again = runner.invoke(app, ["metrics", "forget", OLD])
    assert again.exit_code == 0 and "no values of hk are stored under params" in again.output
    result = runner.invoke(app, ["metrics", "forget", OLD, "--jurisdiction", "sg"])
    assert result.exit_code == 0 and "1 values of sg under params" in result.output
    assert _count(stored, "sg", OLD) == 0


def test_forget_refuses_the_configured_digest(stored: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    result = runner.invoke(app, ["metrics", "forget", DEFAULTS])
    words = " ".join(result.output.replace("│", " ").split())  # the error box's borders out
    assert result.exit_code == 2 and "is the digest of the configured parameters" in words
    assert _count(stored, "hk", DEFAULTS) == 3
    # Once the setting names other parameters, the defaults' values may go.
    monkeypatch.setenv("GOVSOCIAL_METRIC_PARAMS", '{"active_days": 60}')
    result = runner.invoke(app, ["metrics", "forget", DEFAULTS])
    assert result.exit_code == 0, result.output
    assert _count(stored, "hk", DEFAULTS) == 0


def test_forget_refuses_what_is_no_digest_and_reads_either_case(stored: Engine) -> None:
    """A mistyped digest is an error (exit 2), not "nothing stored" (exit 0); the configured
    digest in upper case is still the configured digest, and an old one in upper case is found."""
    result = runner.invoke(app, ["metrics", "forget", OLD + "x"])
    words = " ".join(result.output.replace("│", " ").split())
    assert result.exit_code == 2 and "is not a parameter digest" in words
    result = runner.invoke(app, ["metrics", "forget", DEFAULTS.upper()])
    assert result.exit_code == 2 and _count(stored, "hk", DEFAULTS) == 3
    result = runner.invoke(app, ["metrics", "forget", OLD.upper(), "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["deleted"] == 1
