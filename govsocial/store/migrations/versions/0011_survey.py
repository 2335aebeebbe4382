"""the citizen survey: anonymous responses, submissions for rate limiting, the form-signing key

The citizen survey (docs/survey.md): one row per browser (the SHA-256 of its random token), the day
without the time, no free text; submissions per hashed client address for the rate limit; and the
random key that signs the form's start time.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27 15:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "survey_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("age_band", sa.String(length=16), nullable=True),
        sa.Column("district", sa.String(length=32), nullable=True),
        sa.Column("explaining_policy", sa.Integer(), nullable=True),
        sa.Column("public_participation", sa.Integer(), nullable=True),
        sa.Column("responding_to_crises", sa.Integer(), nullable=True),
        sa.Column("clarifying_misinformation", sa.Integer(), nullable=True),
        sa.Column("building_image", sa.Integer(), nullable=True),
        sa.Column("understanding_sentiment", sa.Integer(), nullable=True),
        sa.Column("channels", sa.JSON(), nullable=False),
        sa.Column("reactions", sa.JSON(), nullable=False),
        sa.Column("expectation", sa.String(length=32), nullable=True),
        sa.Column("consideration", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_responses")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_survey_responses_token_hash")),
    )
    with op.batch_alter_table("survey_responses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_survey_responses_submitted_on"), ["submitted_on"], unique=False)

    op.create_table(
        "survey_submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_submissions")),
    )
    with op.batch_alter_table("survey_submissions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_survey_submissions_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_survey_submissions_client"), ["client"], unique=False)

    op.create_table(
        "survey_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_keys")),
    )


def downgrade() -> None:
    op.drop_table("survey_keys")
    with op.batch_alter_table("survey_submissions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_submissions_client"))
        batch_op.drop_index(batch_op.f("ix_survey_submissions_at"))
    op.drop_table("survey_submissions")
    with op.batch_alter_table("survey_responses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_responses_submitted_on"))
    op.drop_table("survey_responses")
