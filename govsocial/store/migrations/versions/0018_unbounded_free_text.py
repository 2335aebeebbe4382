"""a post's URL, link and raw time and a profile's name are TEXT on PostgreSQL

SQLite enforces no ``VARCHAR(n)`` length; PostgreSQL does. A link longer than ``posts.link``'s 2,000
characters (a URL with its tracking query), a URL beyond 1,000, a raw time beyond 64 or a name beyond
300 was stored on SQLite and failed its whole batch on PostgreSQL (``value too long for type
character varying(2000)``): a page of a connector, whose account then stopped there on every run, or
up to 1,000 rows of an import, the good ones with it. These texts have no length that means
anything, so they become ``TEXT``; ids keep their columns, and a record whose id is longer is
quarantined instead (``collect.records``; docs/collectors.md, "Values longer than their columns").

On PostgreSQL ``varchar`` to ``text`` is binary-coercible: ``ALTER COLUMN ... TYPE TEXT`` changes the
catalogue only, without rewriting the table or its indexes (none is on these columns), so it takes a
moment however many posts there are (tests/store/test_long_text_migration.py checks that the tables
keep their files). On SQLite nothing changes: it keeps both as the same ``TEXT`` and enforces no
length, and copying ``posts`` to rename a type would take as long as the table is large; the models
say ``VARCHAR(n)`` there (``tables._text``).

Downgrading makes them ``VARCHAR(n)`` again on PostgreSQL, which checks every value. It refuses, and
changes nothing, while a column holds a longer value (stored since this revision): cutting a URL
would leave a link to somewhere else, so that is left to whoever downgrades, knowingly; the message
says which columns and how many rows. On SQLite it changes nothing.

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from govsocial.store.db import MigrationError

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

#: (table, column, its length before this revision).
COLUMNS = (
    ("posts", "url", 1000),
    ("posts", "link", 2000),
    ("posts", "created_at_raw", 64),
    ("profile_snapshots", "name", 300),
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite: VARCHAR(n) is TEXT already, and no length is enforced
    for table, column, length in COLUMNS:
        op.alter_column(
            table, column, type_=sa.Text(), existing_type=sa.String(length), existing_nullable=True
        )


def downgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "postgresql":
        return
    too_long = [
        f"{table}.{column}: {rows:,} row(s) longer than {length:,} characters"
        for table, column, length in COLUMNS
        if (rows := _longer(connection, table, column, length))
    ]
    if too_long:
        raise MigrationError(
            "cannot go back before 0018: VARCHAR columns would refuse values stored since ("
            f"{'; '.join(too_long)}). Nothing was changed. Shorten or clear those values first if "
            'losing their ends is acceptable (docs/collectors.md, "Values longer than their columns"), '
            "or stay at 0018"
        )
    for table, column, length in COLUMNS:
        op.alter_column(
            table, column, type_=sa.String(length), existing_type=sa.Text(), existing_nullable=True
        )


def _longer(connection: sa.Connection, table: str, column: str, length: int) -> int:
    """How many rows of ``table`` hold a ``column`` longer than ``length`` characters."""
    found = sa.table(table, sa.column(column, sa.Text()))
    query = sa.select(sa.func.count()).select_from(found).where(sa.func.length(found.c[column]) > length)
    return int(connection.execute(query).scalar_one())
