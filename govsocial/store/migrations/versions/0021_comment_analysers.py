"""which sentiment analysers labelled the comments on each account's posts

The opinion section of an account or organisation page names the analysers whose labels its
comments carry. It found them with a ``DISTINCT`` over every comment of the subject's posts, joined
to its sentiment, on every page view. ``comment_analysers`` keeps the answer per account instead
(account, analyser): each scoring run rewrites the rows of the accounts it covered
(``analyze.comment_sentiment``), and the page reads a few rows by key. Upgrading fills it from the
stored sentiments, so an upgraded store names the same analysers before its next refresh.

Downgrading drops the table: the sentiments themselves are kept.

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-29 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "comment_analysers",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("analyser", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_comment_analysers_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", "analyser", name=op.f("pk_comment_analysers")),
    )
    op.execute(
        "INSERT INTO comment_analysers (account_id, analyser) "
        "SELECT DISTINCT posts.account_id, comment_sentiments.analyser FROM comment_sentiments "
        "JOIN comments ON comments.id = comment_sentiments.comment_id "
        "JOIN posts ON posts.id = comments.post_id"
    )


def downgrade() -> None:
    op.drop_table("comment_analysers")
