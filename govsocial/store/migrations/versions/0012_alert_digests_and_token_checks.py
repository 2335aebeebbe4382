"""alert email digests and the checked expiry of platform tokens

Alerts (docs/alerts.md): ``alerts.email_held_at`` marks an alert whose email the hourly cap per
recipient held back for the next digest; ``alert_emails`` counts the emails sent to each recipient;
``token_checks`` keeps what the platform said of its token (validity, expiry times), never the token.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-27 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email_held_at", sa.DateTime(timezone=True), nullable=True))

    op.create_table(
        "alert_emails",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=300), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("alerts", sa.Integer(), nullable=False),
        sa.Column("digest", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_emails")),
    )
    with op.batch_alter_table("alert_emails", schema=None) as batch_op:
        batch_op.create_index("ix_alert_emails_recipient_sent", ["recipient", "sent_at"], unique=False)

    op.create_table(
        "token_checks",
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("is_valid", sa.Boolean(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("data_access_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("invalid_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("platform", name=op.f("pk_token_checks")),
    )


def downgrade() -> None:
    op.drop_table("token_checks")
    with op.batch_alter_table("alert_emails", schema=None) as batch_op:
        batch_op.drop_index("ix_alert_emails_recipient_sent")
    op.drop_table("alert_emails")
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_column("email_held_at")
