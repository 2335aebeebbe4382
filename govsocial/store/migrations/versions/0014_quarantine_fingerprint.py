"""one quarantined record per bad record, however often it is met

Until now the quarantine was a log per run: importing a file again (or meeting the same bad API
item again) added its bad records again. Now a record is known by ``quarantine.fingerprint`` (a
SHA-256 of its source, location, reason and stored content, unique), and meeting it again counts
it: ``times_seen``, ``last_run_id``, ``last_seen_at``; ``run_id`` and ``created_at`` stay those of
the first time (docs/collectors.md, "Bad input").

The rows already stored are given their fingerprint here, and the rows that repeat one record are
merged into the earliest (the lowest id: the first run that met it), which keeps the first run
and the earliest ``created_at``, and takes the count of rows merged, the last of their runs and the
latest of their times. Records whose content the retention period purged before this migration
can only be told apart by source, location and reason: those that agree on all three are merged.

Downgrading drops the four columns and keeps one row per record: how often and when it was met
again is then only in the runs' counts (``collection_runs.counts``, "quarantined").

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-28 18:00:00
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from typing import NamedTuple

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

#: Rows read, and ids deleted, per statement.
CHUNK = 1000

_quarantine = sa.table(
    "quarantine",
    sa.column("id", sa.Integer()),
    sa.column("run_id", sa.Integer()),
    sa.column("source", sa.String()),
    sa.column("location", sa.String()),
    sa.column("reason", sa.Text()),
    sa.column("content", sa.Text()),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("fingerprint", sa.String()),
    sa.column("times_seen", sa.Integer()),
    sa.column("last_run_id", sa.Integer()),
    sa.column("last_seen_at", sa.DateTime(timezone=True)),
)


def fingerprint_of(source: str, location: str, reason: str, content: str) -> str:
    """``QuarantinedRecord.fingerprint_of`` as of this revision (a migration does not follow the
    code as it changes; tests/store/test_quarantine_migration.py checks they still agree)."""
    text = json.dumps([source, location, reason, content], separators=(",", ":"))
    return hashlib.sha256(text.encode("ascii")).hexdigest()


class _Record:
    """The rows of one record, in the order they were stored. (Not a dataclass: Alembic loads a
    migration without registering its module, which ``dataclass`` needs.)"""

    def __init__(self) -> None:
        self.ids: list[int] = []
        self.runs: list[int | None] = []
        self.times: list[dt.datetime] = []

    def values(self, fingerprint: str) -> dict[str, object]:
        """The kept row's new values: the first row's, counting the others."""
        return {
            "b_id": self.ids[0],
            "b_fingerprint": fingerprint,
            "b_times_seen": len(self.ids),
            "b_last_run_id": self.runs[-1],
            "b_created_at": min(self.times),
            "b_last_seen_at": max(self.times),
        }


def upgrade() -> None:
    with op.batch_alter_table("quarantine", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fingerprint", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("times_seen", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("last_run_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True))

    _merge(op.get_bind())

    # The index is unique: it can only be made once every record is one row.
    with op.batch_alter_table("quarantine", schema=None) as batch_op:
        batch_op.alter_column("last_seen_at", existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_quarantine_last_run_id_collection_runs"),
            "collection_runs",
            ["last_run_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(batch_op.f("ix_quarantine_fingerprint"), ["fingerprint"], unique=True)
        batch_op.create_index(batch_op.f("ix_quarantine_last_run_id"), ["last_run_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("quarantine", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quarantine_last_run_id"))
        batch_op.drop_index(batch_op.f("ix_quarantine_fingerprint"))
        batch_op.drop_constraint(batch_op.f("fk_quarantine_last_run_id_collection_runs"), type_="foreignkey")
        batch_op.drop_column("last_seen_at")
        batch_op.drop_column("last_run_id")
        batch_op.drop_column("times_seen")
        batch_op.drop_column("fingerprint")


def _merge(connection: sa.Connection) -> None:
    """Fingerprint every stored row and merge the rows of one record into its first."""
    records: dict[str, _Record] = {}
    for row in _rows(connection):
        record = records.setdefault(
            fingerprint_of(row.source, row.location, row.reason, row.content), _Record()
        )
        record.ids.append(row.id)
        record.runs.append(row.run_id)
        record.times.append(row.created_at)
    if not records:
        return
    repeats = [i for record in records.values() for i in record.ids[1:]]
    for start in range(0, len(repeats), CHUNK):
        connection.execute(sa.delete(_quarantine).where(_quarantine.c.id.in_(repeats[start : start + CHUNK])))
    connection.execute(
        sa.update(_quarantine)
        .where(_quarantine.c.id == sa.bindparam("b_id"))
        .values(
            fingerprint=sa.bindparam("b_fingerprint"),
            times_seen=sa.bindparam("b_times_seen"),
            last_run_id=sa.bindparam("b_last_run_id"),
            created_at=sa.bindparam("b_created_at"),
            last_seen_at=sa.bindparam("b_last_seen_at"),
        ),
        [record.values(fingerprint) for fingerprint, record in records.items()],
    )


class _Stored(NamedTuple):
    """A stored row, as the merge reads it."""

    id: int
    run_id: int | None
    source: str
    location: str
    reason: str
    content: str
    created_at: dt.datetime


def _rows(connection: sa.Connection) -> Iterator[_Stored]:
    """Every stored row in id order, a chunk at a time (only the fingerprints are kept in memory,
    not the contents)."""
    q = _quarantine.c
    query = sa.select(q.id, q.run_id, q.source, q.location, q.reason, q.content, q.created_at)
    query = query.order_by(q.id).limit(CHUNK)
    last = 0
    while chunk := connection.execute(query.where(_quarantine.c.id > last)).all():
        yield from (_Stored(*row) for row in chunk)
        last = chunk[-1].id
