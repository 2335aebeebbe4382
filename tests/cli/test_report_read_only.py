"""``govsocial report`` on a store it may only read, and the survey release it makes first.

A report is a read: it builds from a PostgreSQL hot-standby replica, a role or database set
``default_transaction_read_only``, or an SQLite file the user may only read. Whether a survey batch
is due is read without writing (``release_due`` asks ``due_release`` first), so nothing is written
when none is; one that is due but refused by the store is left waiting, a warning says so, and the
report shows the last release (docs/reports.md, docs/survey.md). A release the report does make is
dated in the configured jurisdiction's time zone, as the survey form dates it, whatever
``--jurisdiction`` says.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from typer.testing import CliRunner, Result

from govsocial.analyze import survey as analysis
from govsocial.cli import common
from govsocial.cli import report as report_cli
from govsocial.cli.main import app
from govsocial.registry.load import load_registry
from govsocial.settings import Settings
from govsocial.store import survey as store
from govsocial.store.db import make_engine, session_factory
from tests.demo_store import KEY

K = analysis.MIN_GROUP
#: The first release: noon in Hong Kong on 9 March 2026. The report runs a day later.
FIRST = dt.datetime(2026, 3, 9, 4, tzinfo=dt.UTC)
NOW = dt.datetime(2026, 3, 10, 4, tzinfo=dt.UTC)
PERIOD = "2026-03"
#: What the English report says of the first release's figures (K responses, released 9 March).
FIRST_RELEASE = (
    f"from the {K} responses of the survey's last release before the end of the period, on 2026-03-09"
)
#: Statements that write, or lock for writing: none may reach a store when no release is due.
WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b|\bFOR UPDATE\b|\bPG_ADVISORY")


@pytest.fixture
def store_url(engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A migrated store on each backend with the bundled registry (hk and us-doc), the report's
    clock at ``NOW``; the URL the command opens it by."""
    assert not load_registry(
        engine, Settings.load(database_url=database_url).registry_dir, actor="tests"
    ).problems
    monkeypatch.setattr(report_cli, "_now", lambda: NOW)
    return database_url


def _survey(url: str, released: int, waiting: int, recorded: bool = True) -> None:
    """``released`` responses rating 2 released on ``FIRST`` (with their release recorded, or, as an
    upgrade to migration 0015 leaves them, not), then ``waiting`` responses rating 8 sent since."""
    engine = make_engine(url)
    with session_factory(engine)() as session, session.begin():
        for i in range(released):
            store.save(
                session, f"released-{i}", store.Answers(ratings={"explaining_policy": 2}), FIRST.date()
            )
        if recorded:
            assert released < K or analysis.release_due(session, "hk", FIRST) is not None
        else:
            store.publish(session, store.waiting(session), FIRST)
        for i in range(waiting):
            store.save(session, f"waiting-{i}", store.Answers(ratings={"explaining_policy": 8}), NOW.date())
    engine.dispose()


def _make_read_only(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every connection the command opens to the store at ``url`` refuse writes.

    PostgreSQL: ``default_transaction_read_only`` set for the database, as on a read-only role (a hot
    standby refuses writes with the same SQLSTATE, 25006). SQLite: the file made read-only (what a user
    who may only read it has; its folder stays writable, or SQLite could not make the ``-shm`` file a
    reader of a WAL database needs) and opened read-only (``mode=ro``), because root, who may run the
    tests, writes a read-only file regardless."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        engine = make_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(
                text(f'ALTER DATABASE "{parsed.database}" SET default_transaction_read_only = on')
            )
        engine.dispose()
        return
    path = Path(str(parsed.database))
    path.chmod(0o444)

    def read_only_engine(database_url: str, **kwargs: Any) -> Engine:
        def connect() -> sqlite3.Connection:
            return sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)

        return make_engine(database_url, creator=connect, **kwargs)

    monkeypatch.setattr(common, "make_engine", read_only_engine)


@pytest.fixture
def statements() -> Iterator[list[str]]:
    """Every statement sent to any store while the test runs, upper-cased."""
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(statement.upper())

    event.listen(Engine, "before_cursor_execute", record)
    yield sent
    event.remove(Engine, "before_cursor_execute", record)


def _report(url: str, out: Path, *args: str) -> Result:
    """``govsocial report --government --period PERIOD --lang en --no-pdf ARGS`` on the store at ``url``."""
    env = {"GOVSOCIAL_DATABASE_URL": url, "GOVSOCIAL_PSEUDONYM_KEY": KEY}
    options = f"--government --period {PERIOD} --lang en --no-pdf".split()
    return CliRunner().invoke(app, ["report", *options, "--out", str(out), *args], env=env)


def _html(out: Path, jurisdiction: str = "hk") -> str:
    """The report's HTML, its character references (``&#39;``) read."""
    return html.unescape((out / f"government-{jurisdiction}-{PERIOD}-en.html").read_text(encoding="utf-8"))


def _latest(url: str) -> tuple[int, dt.date | None]:
    """How many releases the store at ``url`` has recorded, and the day of the last."""
    engine = make_engine(url)
    with session_factory(engine)() as session:
        releases = session.scalars(text("SELECT made_on FROM survey_releases ORDER BY id")).all()
    engine.dispose()
    return len(releases), dt.date.fromisoformat(str(releases[-1])) if releases else None


def test_a_batch_due_on_a_read_only_store_waits_and_the_report_says_so(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _survey(store_url, released=K, waiting=K + 2)
    _make_read_only(store_url, monkeypatch)

    result = _report(store_url, tmp_path)

    assert result.exit_code == 0, result.output
    assert result.stderr == (
        f"warning: the store is read-only: {K + 2} survey responses waiting for release were not "
        "released; the report shows the last release (2026-03-09)\n"
    )
    written = _html(tmp_path)
    assert FIRST_RELEASE in written
    assert 'Explaining policy</td><td class="num">2.00</td>' in written  # the first release's mean
    assert _latest(store_url) == (1, FIRST.date())


def test_nothing_due_on_a_read_only_store_writes_nothing_and_warns_of_nothing(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, statements: list[str]
) -> None:
    _survey(store_url, released=K, waiting=K - 1)
    _make_read_only(store_url, monkeypatch)
    statements.clear()

    result = _report(store_url, tmp_path)

    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert FIRST_RELEASE in _html(tmp_path)
    assert statements and not [s for s in statements if WRITES.search(s)]


def test_a_read_only_store_upgraded_to_releases_gets_no_record_and_the_report_says_so(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Responses published before migration 0015 and no release recorded: the first check would
    record their figures, which a read-only store refuses."""
    _survey(store_url, released=K, waiting=0, recorded=False)
    _make_read_only(store_url, monkeypatch)

    result = _report(store_url, tmp_path)

    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("warning: the store is read-only: the figures of the survey responses")
    assert result.stderr.endswith("were not recorded as a release, and the report has no survey figures\n")
    assert "No survey figures had been released by the end of the period" in _html(tmp_path)
    assert _latest(store_url) == (0, None)


def test_a_writable_store_releases_the_batch_due_before_the_report(store_url: str, tmp_path: Path) -> None:
    _survey(store_url, released=K, waiting=K)

    result = _report(store_url, tmp_path)

    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert f"from the {2 * K} responses of the survey's last release" in _html(tmp_path)
    assert _latest(store_url) == (2, NOW.date())


def test_another_database_error_still_fails_the_report(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a refusal to write is passed over: a locked store is an error, as before."""
    _survey(store_url, released=K, waiting=K)
    locked = sqlite3.OperationalError("database is locked")

    def busy(*_args: object) -> None:
        raise OperationalError("UPDATE survey_releases", {}, locked)

    monkeypatch.setattr(report_cli, "release_due", busy)

    result = _report(store_url, tmp_path)

    assert result.exit_code != 0 and result.exception is not None
    assert "database is locked" in str(result.exception)
    assert not list(tmp_path.glob("*.html"))


def test_a_release_made_for_another_jurisdictions_report_is_dated_as_the_survey_dates_it(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The survey is the deployment's (one form, its days in the configured jurisdiction's zone): a
    release the report of ``us-doc`` makes is dated in Hong Kong, where 20:00 UTC on 10 March is
    already the 11th, not in New York, where it is the 10th."""
    _survey(store_url, released=0, waiting=K)
    monkeypatch.setattr(report_cli, "_now", lambda: dt.datetime(2026, 3, 10, 20, tzinfo=dt.UTC))

    result = _report(store_url, tmp_path, "--jurisdiction", "us-doc")

    assert result.exit_code == 0, result.output
    assert _latest(store_url) == (1, dt.date(2026, 3, 11))
    assert f"{K} responses of the survey's last release before the end of the period, on 2026-03-11" in (
        _html(tmp_path, "us-doc")
    )
