"""accounts in listing order

The accounts API lists a jurisdiction's accounts by platform and key, a page at a time: with this
index SQLite and PostgreSQL read the page in order instead of sorting every account per request.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 13:45:00
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.create_index("ix_accounts_listing", ["jurisdiction", "platform", "key", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_index("ix_accounts_listing")
