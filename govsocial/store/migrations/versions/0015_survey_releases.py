"""the citizen survey is released in batches of at least five new or changed responses

Until now a response was published the moment it was stored, so comparing the results before and
after one person answered gave away what that person sent. Now a sent version waits in
``survey_responses.pending`` and the answer columns are published only once ``released_at`` is set;
the store releases the waiting versions together once at least five wait, and records each release
with the figures it made public in ``survey_releases``, which the reports read (docs/survey.md,
"Released in batches").

The responses already stored were already published: they are marked released at the time of this
migration, and nothing waits. No release is recorded for them here (a migration does not compute the
survey's statistics): the first release check after upgrading records their figures, and the
reports of periods that ended before it show no survey figures.

Downgrading drops the releases and the two columns. A version still waiting replaces the row's
answers first, as the code before this revision stored a browser's latest answers: it is then
published at once, as everything was.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-29 10:00:00
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

#: The six ratings' columns, as of this revision.
RATINGS = (
    "explaining_policy",
    "public_participation",
    "responding_to_crises",
    "clarifying_misinformation",
    "building_image",
    "understanding_sentiment",
)

_responses = sa.table(
    "survey_responses",
    sa.column("id", sa.Integer()),
    sa.column("submitted_on", sa.Date()),
    sa.column("age_band", sa.String()),
    sa.column("district", sa.String()),
    *(sa.column(name, sa.Integer()) for name in RATINGS),
    sa.column("channels", sa.JSON()),
    sa.column("reactions", sa.JSON()),
    sa.column("expectation", sa.String()),
    sa.column("consideration", sa.String()),
    sa.column("pending", sa.JSON(none_as_null=True)),
    sa.column("released_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    with op.batch_alter_table("survey_responses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pending", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("released_at", sa.DateTime(timezone=True), nullable=True))
    # Everything stored so far was published the moment it was sent.
    op.get_bind().execute(sa.update(_responses).values(released_at=dt.datetime.now(dt.UTC)))

    op.create_table(
        "survey_releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("made_on", sa.Date(), nullable=False),
        sa.Column("respondents", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("ratings", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_releases")),
    )
    with op.batch_alter_table("survey_releases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_survey_releases_made_on"), ["made_on"], unique=False)


def downgrade() -> None:
    _apply_pending(op.get_bind())
    with op.batch_alter_table("survey_releases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_releases_made_on"))
    op.drop_table("survey_releases")
    with op.batch_alter_table("survey_responses", schema=None) as batch_op:
        batch_op.drop_column("released_at")
        batch_op.drop_column("pending")


def _apply_pending(connection: sa.Connection) -> None:
    """Write every waiting version into its row's answer columns (the browser's latest answers)."""
    r = _responses.c
    waiting = connection.execute(sa.select(r.id, r.pending).where(r.pending.is_not(None))).all()
    for row_id, version in waiting:
        if version:  # a JSON null written by hand is nothing waiting
            connection.execute(sa.update(_responses).where(r.id == row_id).values(**_columns(version)))


def _columns(version: dict[str, Any]) -> dict[str, Any]:
    """A waiting version (``store.survey`` as of this revision) as the answer columns' values."""
    ratings = version.get("ratings") or {}
    return {
        "submitted_on": dt.date.fromisoformat(version["submitted_on"]),
        "age_band": version.get("age_band"),
        "district": version.get("district"),
        **{name: ratings.get(name) for name in RATINGS},
        "channels": list(version.get("channels") or []),
        "reactions": dict(version.get("reactions") or {}),
        "expectation": version.get("expectation"),
        "consideration": version.get("consideration"),
    }
