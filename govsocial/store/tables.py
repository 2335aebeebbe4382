"""The tables of the store, as SQLAlchemy 2 typed ORM classes.

The registry tables (jurisdictions, organisations, platforms, accounts and their addresses,
unconfirmed organisation facts, and the change log) are here from the first migration. Activity
tables (posts, comments, reactions, follower snapshots, collection runs) come with the collectors
and hang off ``accounts.id``; nothing here has to change for them.

Every schema change is an Alembic migration in ``store/migrations/versions``; a test checks that
the migrations and these classes agree.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Named constraints make Alembic migrations portable between SQLite (batch mode) and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with the naming convention and a JSON type for dicts and lists."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[str]: JSON}


class OrgType(enum.StrEnum):
    """What kind of public body an organisation is."""

    GOVERNMENT = "government"
    BUREAU = "bureau"
    DEPARTMENT = "department"
    OFFICE = "office"
    OFFICIAL_POST = "official_post"
    STATUTORY_BODY = "statutory_body"
    OTHER = "other"


class AccountStatus(enum.StrEnum):
    """Where an account stands in the registry.

    Only ``published`` accounts verify as official. ``archived`` accounts stay listed, so a
    recycled handle never inherits the trust of the account that used it before.
    """

    PUBLISHED = "published"
    UNDER_REVIEW = "under_review"
    ARCHIVED = "archived"


def _enum(cls: type[enum.StrEnum], name: str) -> Enum:
    # Store the value ("under_review"), not the member name, and keep it a plain string column.
    return Enum(cls, name=name, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e])


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Timestamps:
    """``created_at`` / ``updated_at`` columns, in UTC."""

    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, onupdate=_now)


class Jurisdiction(Timestamps, Base):
    """A government whose accounts the registry lists (Hong Kong by default)."""

    __tablename__ = "jurisdictions"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_en: Mapped[str] = mapped_column(String(200))
    name_zh_hant: Mapped[str | None] = mapped_column(String(200))
    name_zh_hans: Mapped[str | None] = mapped_column(String(200))
    default_locale: Mapped[str] = mapped_column(String(16), default="en")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    population: Mapped[int | None] = mapped_column(Integer)
    population_year: Mapped[int | None] = mapped_column(Integer)
    population_source: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)


class Organisation(Timestamps, Base):
    """A bureau, department, office, official post or statutory body."""

    __tablename__ = "organisations"
    __table_args__ = (UniqueConstraint("jurisdiction", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    org_type: Mapped[OrgType] = mapped_column(_enum(OrgType, "org_type"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    name_en: Mapped[str] = mapped_column(String(300))
    name_zh_hant: Mapped[str | None] = mapped_column(String(300))
    name_zh_hans: Mapped[str | None] = mapped_column(String(300))
    website: Mapped[str | None] = mapped_column(String(500))
    source: Mapped[str | None] = mapped_column(Text)

    parent: Mapped[Organisation | None] = relationship(remote_side="Organisation.id")
    accounts: Mapped[list[AccountOrganisation]] = relationship(back_populates="organisation")


class Platform(Timestamps, Base):
    """A social media platform and the rules that turn its URLs into accounts.

    ``definition`` holds the whole catalogue entry (``registry.platforms.Platform``), so the
    catalogue can be edited at run time without a migration.
    """

    __tablename__ = "platforms"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_en: Mapped[str] = mapped_column(String(100))
    name_zh_hant: Mapped[str | None] = mapped_column(String(100))
    name_zh_hans: Mapped[str | None] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, default=0)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)


class Account(Timestamps, Base):
    """An official account on one platform, with the evidence that it is official."""

    __tablename__ = "accounts"
    __table_args__ = (
        UniqueConstraint("platform", "kind", "key"),
        Index("ix_accounts_jurisdiction_status", "jurisdiction", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"))
    platform: Mapped[str] = mapped_column(ForeignKey("platforms.key"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    handle: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(200))
    platform_id: Mapped[str | None] = mapped_column(String(100))
    url: Mapped[str | None] = mapped_column(String(500))
    display_name_en: Mapped[str | None] = mapped_column(String(300))
    display_name_zh_hant: Mapped[str | None] = mapped_column(String(300))
    display_name_zh_hans: Mapped[str | None] = mapped_column(String(300))
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[AccountStatus] = mapped_column(_enum(AccountStatus, "account_status"))
    evidence_url: Mapped[str | None] = mapped_column(String(1000))
    evidence_note: Mapped[str | None] = mapped_column(Text)
    evidence_date: Mapped[dt.date | None] = mapped_column(Date)
    reviewed_on: Mapped[dt.date | None] = mapped_column(Date)
    first_seen_on: Mapped[dt.date | None] = mapped_column(Date)
    last_seen_on: Mapped[dt.date | None] = mapped_column(Date)
    archived_on: Mapped[dt.date | None] = mapped_column(Date)
    archived_reason: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)

    organisations: Mapped[list[AccountOrganisation]] = relationship(
        back_populates="account", cascade="all, delete-orphan", order_by="AccountOrganisation.position"
    )
    addresses: Mapped[list[AccountAddressRow]] = relationship(
        back_populates="account", cascade="all, delete-orphan"
    )


class AccountOrganisation(Base):
    """Which organisations own an account (one or more; the first is the main owner)."""

    __tablename__ = "account_organisations"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)

    account: Mapped[Account] = relationship(back_populates="organisations")
    organisation: Mapped[Organisation] = relationship(back_populates="accounts")


class AccountAddressRow(Base):
    """Every address that leads to an account: its handle, its platform id, its aliases.

    Verification looks an address up here, so ``/c/name``, ``/@name`` and ``/channel/UC...``
    spellings of one YouTube channel all find it, and no two accounts can claim one address.
    """

    __tablename__ = "account_addresses"
    __table_args__ = (UniqueConstraint("platform", "kind", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(200))
    value: Mapped[str] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(500))

    account: Mapped[Account] = relationship(back_populates="addresses")


class OrganisationFact(Timestamps, Base):
    """An account a source says exists, without an address we could confirm.

    Kept as a fact about the organisation (shown on its page), never published or verified as
    an account until someone finds and evidences its address.
    """

    __tablename__ = "organisation_facts"
    __table_args__ = (UniqueConstraint("organisation_id", "platform", "claimed_handle", "source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    platform: Mapped[str] = mapped_column(ForeignKey("platforms.key"))
    claimed_handle: Mapped[str] = mapped_column(String(200), default="")
    historical: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    source_date: Mapped[str | None] = mapped_column(String(200))

    organisation: Mapped[Organisation] = relationship()


class Change(Base):
    """The change log: one row for every insert, update and archive of registry data."""

    __tablename__ = "changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, server_default=func.now())
    actor: Mapped[str] = mapped_column(String(200))
    entity: Mapped[str] = mapped_column(String(32))
    entity_key: Mapped[str] = mapped_column(String(300), index=True)
    action: Mapped[str] = mapped_column(String(16))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
