"""comment retention

Comment texts older than the retention period are purged (``govsocial privacy purge``): the row
keeps when that happened and whether the text asked a question, which the response metrics need.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("text_purged_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("is_question", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_column("is_question")
        batch_op.drop_column("text_purged_at")
