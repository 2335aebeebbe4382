"""Migration 0014 on a store that holds a quarantine kept as a log per run (SQLite and PostgreSQL).

Upgrading gives every row its fingerprint, the one the storage path computes, and merges the rows
that repeat one record into the earliest (its first run and time kept, the count, the last run and
the latest time taken from the others), so that the unique index can be made; what the collectors
quarantine next is counted on those rows. Downgrading drops the new columns and keeps one row per
record; upgrading again works.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, insert, inspect, select, text

from govsocial.collect.privacy import Pseudonymiser
from govsocial.collect.records import BadRecord, Batch
from govsocial.collect.storage import BatchWriter, StoreCounts, store_batch
from govsocial.store import db
from govsocial.store import tables as t
from govsocial.store.db import session_factory
from govsocial.store.retention import PURGED

MIGRATION = Path(db.__file__).parent / "migrations" / "versions" / "0014_quarantine_fingerprint.py"
NEW_COLUMNS = {"fingerprint", "times_seen", "last_run_id", "last_seen_at"}
T0 = dt.datetime(2026, 1, 1, 8, 0, tzinfo=dt.UTC)


def _migration() -> ModuleType:
    spec = importlib.util.spec_from_file_location("migration_0014", MIGRATION)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _columns(engine: Engine) -> set[str]:
    return {column["name"] for column in inspect(engine).get_columns("quarantine")}


def _runs(engine: Engine, count: int) -> list[int]:
    with engine.begin() as connection:
        return [
            int(
                connection.execute(
                    insert(t.CollectionRun.__table__).values(
                        kind="import", trigger="cli", scope="x", status="partial", started_at=T0,
                        counts={}, errors=[], gaps=[],
                    ).returning(t.CollectionRun.__table__.c.id)
                ).scalar_one()
            )
            for _ in range(count)
        ]  # fmt: skip


def _log(engine: Engine, rows: list[tuple[int | None, str, str, dt.datetime]]) -> None:
    """Quarantine rows as the code before 0014 wrote them: ``(run, location, content, time)``."""
    with engine.begin() as connection:
        for run, location, content, when in rows:
            connection.execute(
                text(
                    "INSERT INTO quarantine (run_id, source, location, reason, content, created_at) "
                    "VALUES (:run, 'import:generic', :location, 'bad date', :content, :at)"
                ),
                {"run": run, "location": location, "content": content, "at": when},
            )


def _stored(engine: Engine) -> list[tuple[object, ...]]:
    q = t.QuarantinedRecord
    with session_factory(engine)() as session:
        rows = session.execute(
            select(
                q.id,
                q.location,
                q.content,
                q.run_id,
                q.last_run_id,
                q.times_seen,
                q.created_at,
                q.last_seen_at,
            ).order_by(q.id)
        ).all()
    return [(*row[:6], _utc(row[6]), _utc(row[7])) for row in rows]


def _utc(when: dt.datetime) -> dt.datetime:
    """SQLite gives back naive times (UTC), PostgreSQL aware ones."""
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def test_upgrade_merges_the_log_into_one_row_per_record_and_downgrade_keeps_them(engine: Engine) -> None:
    db.downgrade(engine, "0013")
    assert not _columns(engine) & NEW_COLUMNS
    r1, r2, r3 = _runs(engine, 3)
    hour = dt.timedelta(hours=1)
    _log(
        engine,
        [
            (r1, "a.csv, line 3", "row 3", T0),
            (r1, "a.csv, line 4", "row 4", T0),
            (r2, "a.csv, line 3", "row 3", T0 + hour),  # the file imported again
            (r2, "a.csv, line 4", "row 4", T0 + hour),
            (r3, "a.csv, line 3", "row 3", T0 + 2 * hour),  # and again
            (r3, "a.csv, line 4", "row 4 changed", T0 + 2 * hour),  # another record at the same place
            (r1, "old.csv, line 2", PURGED, T0 - hour),  # purged by retention: told apart by place only
            (r2, "old.csv, line 2", PURGED, T0),
        ],
    )

    db.upgrade(engine)

    assert _columns(engine) >= NEW_COLUMNS
    assert _stored(engine) == [
        (1, "a.csv, line 3", "row 3", r1, r3, 3, T0, T0 + 2 * hour),
        (2, "a.csv, line 4", "row 4", r1, r2, 2, T0, T0 + hour),
        (6, "a.csv, line 4", "row 4 changed", r3, r3, 1, T0 + 2 * hour, T0 + 2 * hour),
        (7, "old.csv, line 2", PURGED, r1, r2, 2, T0 - hour, T0),
    ]
    with session_factory(engine)() as session:
        for record in session.scalars(select(t.QuarantinedRecord)):
            assert record.fingerprint == t.QuarantinedRecord.fingerprint_of(
                record.source, record.location, record.reason, record.content
            )
    indexes = {i["name"]: i for i in inspect(engine).get_indexes("quarantine")}
    assert indexes["ix_quarantine_fingerprint"]["unique"]

    # What is quarantined next is counted on the merged row.
    writer = BatchWriter(None, "import:generic", lambda _p, _r: None, Pseudonymiser("k"))
    bad = BadRecord(source="import:generic", location="a.csv, line 3", reason="bad date", content="row 3")
    store_batch(engine, session_factory(engine), writer, Batch(edge="posts", bad=[bad]), StoreCounts())
    assert [row[5] for row in _stored(engine)] == [4, 2, 1, 2]

    db.downgrade(engine, "0013")
    assert not _columns(engine) & NEW_COLUMNS
    with engine.connect() as connection:
        assert connection.execute(text("SELECT id FROM quarantine ORDER BY id")).scalars().all() == [
            1,
            2,
            6,
            7,
        ]
    db.upgrade(engine)
    assert [row[5] for row in _stored(engine)] == [1, 1, 1, 1]  # the counts went with the downgrade


def test_upgrade_of_an_empty_quarantine(engine: Engine) -> None:
    db.downgrade(engine, "0013")
    db.upgrade(engine)
    assert _columns(engine) >= NEW_COLUMNS


@pytest.fixture(scope="module")
def migration() -> ModuleType:
    return _migration()


@given(st.text(), st.text(), st.text(), st.text())
def test_the_migration_fingerprints_as_the_storage_path_does(
    migration: ModuleType, source: str, location: str, reason: str, content: str
) -> None:
    """The migration keeps its own copy of the function (a migration does not follow the code):
    they must agree, or records stored before 0014 would be added again when met again."""
    assert migration.fingerprint_of(source, location, reason, content) == t.QuarantinedRecord.fingerprint_of(
        source, location, reason, content
    )
