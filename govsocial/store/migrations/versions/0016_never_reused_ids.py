"""alert rules and API tokens never reuse an id on SQLite

SQLite gives a new row the largest id in the table plus one, so after the newest alert rule is
removed the next rule gets its id: the audit log's ``alert_rule:N`` then names two rules, and a page
loaded before the removal can act on the new rule by the old one's id. API tokens are never deleted
today (a token not shown in time is retired, not removed), but a token's id is the same kind of
reference, in the audit log and on the revoke buttons. ``AUTOINCREMENT`` makes SQLite never reuse
an id (PostgreSQL's sequences never did): both tables are rebuilt with it, rows and ids unchanged.

Downgrading rebuilds them without it.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-29 12:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

#: The tables whose ids other rows, the audit log and pages refer to, and that lose rows.
TABLES = ("alert_rules", "api_tokens")


def upgrade() -> None:
    _rebuild(autoincrement=True)


def downgrade() -> None:
    _rebuild(autoincrement=False)


def _rebuild(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return  # PostgreSQL's sequences never give an id again
    for table in TABLES:
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
        ):
            pass
