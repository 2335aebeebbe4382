"""Migrating back a store that holds data: ``base`` removes every table, on SQLite (whose batch
migrations copy tables, which foreign keys would stop) and on PostgreSQL; a migration that fails
leaves the database as it was; foreign keys are enforced again afterwards; an unknown revision is
a clear error."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, inspect, select
from typer.testing import CliRunner

from govsocial.cli.main import app
from govsocial.registry.load import load_registry
from govsocial.settings import Settings
from govsocial.store import db
from govsocial.store import tables as t
from govsocial.store.db import MigrationError, session_factory


def _load(engine: Engine) -> None:
    """The bundled registry: jurisdictions, organisations and accounts that refer to them."""
    report = load_registry(engine, Settings.load(database_url="sqlite://").registry_dir, actor="tests")
    assert not report.problems


def test_downgrade_to_base_with_data_removes_every_table(engine: Engine) -> None:
    _load(engine)
    db.downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    assert db.current_revision(engine) is None
    db.upgrade(engine)
    _load(engine)
    with session_factory(engine)() as session:
        assert session.scalars(select(t.Account.id).limit(1)).first() is not None


def test_downgrade_through_a_batch_migration_keeps_the_rows(engine: Engine) -> None:
    """0003's downgrade copies ``jurisdictions`` (SQLite cannot drop a column in place): the rows,
    and the rows that refer to them, are all still there."""
    _load(engine)
    with session_factory(engine)() as session:
        before = (session.query(t.Jurisdiction).count(), session.query(t.Account).count())
    db.downgrade(engine, "0002")
    db.upgrade(engine)
    with session_factory(engine)() as session:
        assert (session.query(t.Jurisdiction).count(), session.query(t.Account).count()) == before


def test_foreign_keys_are_enforced_again_after_migrating(sqlite_engine: Engine) -> None:
    db.downgrade(sqlite_engine, "0009")
    db.upgrade(sqlite_engine)
    # The pool hands out the connection the migration used: its pragma is back on.
    for _ in range(2):
        with sqlite_engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_a_migration_that_would_break_references_changes_nothing(sqlite_engine: Engine) -> None:
    """With foreign keys off while migrating, the check after the migration stands in for them:
    a row pointing at nothing refuses the migration, and the whole of it is rolled back."""
    _load(sqlite_engine)
    with sqlite_engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.exec_driver_sql(
            "UPDATE accounts SET jurisdiction = 'zz' WHERE id = (SELECT min(id) FROM accounts)"
        )
        connection.commit()
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
    tables = set(inspect(sqlite_engine).get_table_names())
    with pytest.raises(MigrationError, match="accounts -> jurisdictions"):
        db.downgrade(sqlite_engine, "0002")
    assert db.current_revision(sqlite_engine) == db.head_revision(sqlite_engine)
    assert set(inspect(sqlite_engine).get_table_names()) == tables


def test_an_unknown_revision_is_one_line(sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(MigrationError, match=r"nosuch.*0001 to"):
        db.upgrade(sqlite_engine, "nosuch")
    monkeypatch.setenv("GOVSOCIAL_DATABASE_URL", str(sqlite_engine.url))
    runner = CliRunner()
    for command in (["db", "upgrade", "nosuch"], ["db", "downgrade", "nosuch"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2, result.output
        assert result.output.startswith("error: Can't locate revision identified by 'nosuch'")
        assert result.output.count("\n") == 1
