"""a jurisdiction's districts come from its registry folder, and releases count by district

The citizen survey asked Hong Kong's 18 districts, a list in the code, and only on Hong Kong's
portal. Now each jurisdiction's registry folder may hold ``districts.csv``, which ``registry load``
writes to ``districts`` (jurisdiction, code, names in the three name languages, the file's order);
the survey asks the configured jurisdiction's districts. Hong Kong's 18 are written here, with the
codes the survey has stored since it began and the names the portal showed, so an upgraded store
asks the same question before its next ``registry load``, which then finds them unchanged. The
table has no foreign key to ``jurisdictions`` for that reason: these rows come before Hong Kong is
loaded, and in a store of another jurisdiction they are never shown.

A release also records how many of the responses it published showed each district
(``survey_releases.districts``), which the reports give; releases made before have none (NULL).

Downgrading drops both; stored answers keep their district codes.

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30 12:00:00
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

#: Hong Kong's districts as the survey asked them until this revision: code, English, Traditional
#: and Simplified Chinese (as data/registry/hk/districts.csv and its load give them).
HONG_KONG = (
    ("central_western", "Central and Western", "中西區", "中西区"),
    ("wan_chai", "Wan Chai", "灣仔", "湾仔"),
    ("eastern", "Eastern", "東區", "东区"),
    ("southern", "Southern", "南區", "南区"),
    ("yau_tsim_mong", "Yau Tsim Mong", "油尖旺", "油尖旺"),
    ("sham_shui_po", "Sham Shui Po", "深水埗", "深水埗"),
    ("kowloon_city", "Kowloon City", "九龍城", "九龙城"),
    ("wong_tai_sin", "Wong Tai Sin", "黃大仙", "黄大仙"),
    ("kwun_tong", "Kwun Tong", "觀塘", "观塘"),
    ("kwai_tsing", "Kwai Tsing", "葵青", "葵青"),
    ("tsuen_wan", "Tsuen Wan", "荃灣", "荃湾"),
    ("tuen_mun", "Tuen Mun", "屯門", "屯门"),
    ("yuen_long", "Yuen Long", "元朗", "元朗"),
    ("north", "North", "北區", "北区"),
    ("tai_po", "Tai Po", "大埔", "大埔"),
    ("sha_tin", "Sha Tin", "沙田", "沙田"),
    ("sai_kung", "Sai Kung", "西貢", "西贡"),
    ("islands", "Islands", "離島", "离岛"),
)


def upgrade() -> None:
    districts = op.create_table(
        "districts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("jurisdiction", sa.String(length=32), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("name_zh_hant", sa.String(length=200), nullable=True),
        sa.Column("name_zh_hans", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_districts")),
        sa.UniqueConstraint("jurisdiction", "code", name=op.f("uq_districts_jurisdiction_code")),
    )
    now = dt.datetime.now(dt.UTC)
    op.bulk_insert(
        districts,
        [
            {
                "jurisdiction": "hk",
                "code": code,
                "position": position,
                "name_en": en,
                "name_zh_hant": hant,
                "name_zh_hans": hans,
                "created_at": now,
                "updated_at": now,
            }
            for position, (code, en, hant, hans) in enumerate(HONG_KONG)
        ],
    )
    with op.batch_alter_table("survey_releases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("districts", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("survey_releases", schema=None) as batch_op:
        batch_op.drop_column("districts")
    op.drop_table("districts")
