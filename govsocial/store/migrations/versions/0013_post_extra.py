"""what a platform or an export says of a post beyond the common fields

``posts.extra`` keeps the details each connector and importer reads into ``PostRecord.extra`` (the
post's type and title, Facebook's total of reactions, Meta Business Suite's reach and clicks,
YouTube Studio's watch time, CrowdTangle's overperforming score...), as of the latest collection or
import: docs/collectors.md says per source what it holds. Posts stored before have none until they
are collected or imported again.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28 16:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("extra", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_column("extra")
