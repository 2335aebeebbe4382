"""what became of the metrics refresh that follows a run

``collection_runs.metrics_refresh`` says whether the metrics of the jurisdictions a run stored rows
under are being recomputed after it (``pending``), were (``done``, with the refresh's one-line
summary per jurisdiction), could not be (``failed``, with the error in one line), or need not be
(``skipped``: the run changed no row). The admin area's imports fill it (docs/admin.md); runs
stored before, and runs whose refresh nobody records, have none.

Downgrading drops the column: the runs and what they stored are kept.

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-29 07:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("collection_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("metrics_refresh", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("collection_runs", schema=None) as batch_op:
        batch_op.drop_column("metrics_refresh")
