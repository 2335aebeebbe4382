"""an opinion event's id is never given to another event on SQLite

``GET /api/v1/opinion/events`` publishes each event's id. A refresh deletes an event it no longer
detects, and SQLite gives a new row the largest id in the table plus one, so deleting the newest
event let the next one detected take its id: a user who kept the id would find another account's
event under it. ``AUTOINCREMENT`` makes SQLite never reuse an id (PostgreSQL's sequences never did);
the table is rebuilt with it, rows and ids unchanged, as migration 0016 did for alert rules and
tokens.

Downgrading rebuilds it without it.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-29 01:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    _rebuild(autoincrement=True)


def downgrade() -> None:
    _rebuild(autoincrement=False)


def _rebuild(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return  # PostgreSQL's sequences never give an id again
    with op.batch_alter_table(
        "opinion_events", recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
    ):
        pass
