"""The schema is built by Alembic on SQLite and PostgreSQL, and matches the ORM tables."""

from __future__ import annotations

import datetime as dt

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect
from sqlalchemy.orm import Session

from govsocial.store import alerts, db, users
from govsocial.store import tables as t
from govsocial.store.tables import Base

NOW = dt.datetime(2026, 11, 29, 12, tzinfo=dt.UTC)


def test_upgrade_creates_every_table(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert db.current_revision(engine) is not None


def test_migrations_match_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == [], f"tables.py and the migrations disagree; write a migration: {diff}"


def test_downgrade_to_base_removes_tables_and_upgrade_is_repeatable(engine: Engine) -> None:
    db.downgrade(engine, "base")
    assert not set(Base.metadata.tables) & set(inspect(engine).get_table_names())
    db.upgrade(engine)
    db.upgrade(engine)  # a second upgrade is a no-op
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())


def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_engine: Engine) -> None:
    with sqlite_engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 10000


def test_a_removed_alert_rule_or_token_never_gives_its_id_to_a_new_one(engine: Engine) -> None:
    """SQLite gives a new row the largest id plus one unless the table is AUTOINCREMENT (0016): the
    audit log's ``alert_rule:N`` and a page's buttons would then name another rule or token."""
    with db.transaction(db.session_factory(engine)) as session:
        keep, removed = _rule(session).id, _rule(session).id
        assert alerts.remove_rule(session, removed)
        owner = users.create_user(session, "owner", "editor", "a long enough password", NOW)
        token, _value = users.create_token(session, owner, "gone", NOW)
        token_id = token.id
        session.delete(token)  # as a user's deletion would cascade to it
    with db.transaction(db.session_factory(engine)) as session:
        assert keep < removed < _rule(session).id
        again, _value = users.create_token(session, _owner(session), "next", NOW)
        assert again.id > token_id


def _rule(session: Session) -> t.AlertRule:
    return alerts.add_rule(session, "hk", "government", "hk", "negative_spike", {}, None, "a@example.org")


def _owner(session: Session) -> t.User:
    user = users.get_user(session, "owner")
    assert user is not None
    return user
