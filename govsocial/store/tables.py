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
import hashlib
import json
from typing import Any, ClassVar, Final

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Enum,
    Float,
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
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[str]: JSON, list[Any]: JSON}


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


def _text(sqlite_declared: int) -> Text:
    """``TEXT`` for free text with no meaningful length (a post's URL and link, a raw time, a
    profile's name), which a ``VARCHAR(n)`` made PostgreSQL refuse beyond ``n`` characters, failing
    the whole page or file with it (migration 0018). SQLite enforces no length, and ``VARCHAR(n)``
    and ``TEXT`` have the same affinity there, so its columns keep the ``VARCHAR(n)`` they were made
    with rather than be copied (``posts`` is the largest table) to change a name: this says so, so
    that the models and the migrations agree on both stores (tests/store/test_migrations.py)."""
    return Text().with_variant(String(sqlite_declared), "sqlite")


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
    #: Hosts of the government's online services: a post linking to one "leads users to public
    #: services" (the OECD purpose indicator).
    eservice_domains: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
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
        # The accounts API's order (queries.list_accounts): a page is read in order, not sorted.
        Index("ix_accounts_listing", "jurisdiction", "platform", "key", "id"),
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


# --- Activity: what the collectors bring in (migration 0002) -------------------------------------


class CollectionRun(Base):
    """One run of collection or import: what was asked, what came back, what went wrong, and
    the gaps (periods or edges where data may be missing)."""

    __tablename__ = "collection_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # "collect" or "import"
    trigger: Mapped[str] = mapped_column(String(64))  # "cli", "scheduler", "demo"...
    scope: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16), default="running")  # running, ok, partial, failed
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    errors: Mapped[list[Any]] = mapped_column(JSON, default=list)
    gaps: Mapped[list[Any]] = mapped_column(JSON, default=list)
    #: The metrics refresh after the run, where one is recorded (admin imports; migration 0020):
    #: ``{"status": "pending" | "done" | "failed" | "skipped", "jurisdictions": {code: {...}}}``
    #: (``collect/runs.py``). None: not recorded.
    metrics_refresh: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class RawPayloadRow(Base):
    """A response or file section exactly as received, so mapping bugs can be fixed later
    without collecting again. Secrets are removed from ``location`` before it is written."""

    __tablename__ = "raw_payloads"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int | None] = mapped_column(
        ForeignKey("collection_runs.id", ondelete="SET NULL"), index=True
    )
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"), index=True)
    source: Mapped[str] = mapped_column(String(200))
    location: Mapped[str] = mapped_column(Text)
    fetched_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[int | None] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)


class ProfileSnapshot(Base):
    """An account's follower count at one moment: platforms give only the current count, so
    history exists only because we keep these."""

    __tablename__ = "profile_snapshots"
    __table_args__ = (UniqueConstraint("account_id", "taken_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    taken_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    followers: Mapped[int | None] = mapped_column(Integer)
    following: Mapped[int | None] = mapped_column(Integer)
    posts_count: Mapped[int | None] = mapped_column(Integer)
    name: Mapped[str | None] = mapped_column(_text(300))
    source: Mapped[str] = mapped_column(String(64))
    raw_id: Mapped[int | None] = mapped_column(ForeignKey("raw_payloads.id", ondelete="SET NULL"))


class Post(Base):
    """A post of an official account (text redacted of personal data)."""

    __tablename__ = "posts"
    __table_args__ = (
        UniqueConstraint("platform", "post_id"),
        Index("ix_posts_account_created", "account_id", "created_at"),
        # The government timeline reads every account's posts newest first, a page at a time.
        Index("ix_posts_created", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(32))
    post_id: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    created_at_raw: Mapped[str | None] = mapped_column(_text(64))
    format: Mapped[str] = mapped_column(String(16))
    text: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(_text(1000))
    link: Mapped[str | None] = mapped_column(_text(2000))
    media: Mapped[list[str]] = mapped_column(JSON, default=list)
    followers_at_posting: Mapped[int | None] = mapped_column(Integer)
    #: What the source says beyond the fields above (``PostRecord.extra``: type, title, reach, watch
    #: time...), as of the latest collection or import; string values redacted like ``text``.
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(64))  # "api:facebook", "import:crowdtangle", "sample"...
    first_seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    content_hash: Mapped[str] = mapped_column(String(32))
    raw_id: Mapped[int | None] = mapped_column(ForeignKey("raw_payloads.id", ondelete="SET NULL"))


#: The key of ``PostSnapshot.reactions`` for all reactions given without their types (Meta
#: Business Suite's "Reactions"): read as the post's reactions where no type is given.
REACTIONS_TOTAL: Final = "total"


class PostSnapshot(Base):
    """A post's engagement counts at one moment, so engagement over a post's age can be measured.
    ``None`` is "not given by the source", never 0."""

    __tablename__ = "post_snapshots"
    __table_args__ = (UniqueConstraint("post_id", "taken_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    taken_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    #: Per reaction type (like, love, ...); or ``{REACTIONS_TOTAL: n}``, all types together.
    reactions: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    likes: Mapped[int | None] = mapped_column(Integer)
    comments: Mapped[int | None] = mapped_column(Integer)
    shares: Mapped[int | None] = mapped_column(Integer)
    views: Mapped[int | None] = mapped_column(Integer)
    quotes: Mapped[int | None] = mapped_column(Integer)
    replies: Mapped[int | None] = mapped_column(Integer)
    clicks: Mapped[int | None] = mapped_column(Integer)


class Comment(Base):
    """A comment or reply. The author is a keyed pseudonym (HMAC); their platform identity and
    name are never stored. Text is redacted of HKID numbers, phone numbers and emails."""

    __tablename__ = "comments"
    __table_args__ = (
        UniqueConstraint("platform", "comment_id"),
        Index("ix_comments_post_created", "post_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(32))
    comment_id: Mapped[str] = mapped_column(String(200))
    parent_comment_id: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    author: Mapped[str | None] = mapped_column(String(64))
    is_page_reply: Mapped[bool] = mapped_column(default=False)
    text: Mapped[str | None] = mapped_column(Text)
    likes: Mapped[int | None] = mapped_column(Integer)
    replies: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(64))
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    content_hash: Mapped[str] = mapped_column(String(32))
    #: When the retention period purged ``text`` (None while it is kept); ``is_question`` is what
    #: the text said (read from it just before), so the response metrics stay as they were.
    text_purged_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    is_question: Mapped[bool | None] = mapped_column()


class CommentSentiment(Base):
    """A comment's sentiment by one analyser: its label and score, and the ``content_hash`` of the
    text it scored. A comment whose text has changed since (``comments.content_hash`` differs), or
    that a different analyser scored, is scored again by the next refresh."""

    __tablename__ = "comment_sentiments"

    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"), primary_key=True)
    analyser: Mapped[str] = mapped_column(String(100))
    content_hash: Mapped[str] = mapped_column(String(32))
    label: Mapped[str] = mapped_column(String(8))
    score: Mapped[float] = mapped_column(Float)
    scored_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class CommentAnalyser(Base):
    """An analyser whose labels the comments on an account's posts carry, as of the last scoring run
    (``analyze.comment_sentiment`` rewrites an account's rows at the end of each run that covers it;
    migration 0021): the opinion section names them without reading every comment."""

    __tablename__ = "comment_analysers"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    analyser: Mapped[str] = mapped_column(String(100), primary_key=True)


class Checkpoint(Base):
    """Where collection of one account's edge stands, written in the same transaction as the
    rows it covers: a run killed at any point resumes from here without loss or duplicates."""

    __tablename__ = "checkpoints"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    edge: Mapped[str] = mapped_column(String(250), primary_key=True)
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, onupdate=_now)


class QuarantinedRecord(Base):
    """A record that could not be read, kept with where it came from and why, never dropped.

    One row per bad record, however often it is met: a record is known by its ``fingerprint``
    (``fingerprint_of`` its source, location, reason and stored content), so importing the same
    file again, or meeting the same bad API item again, counts it (``times_seen``, ``last_run_id``,
    ``last_seen_at``) instead of adding it twice. ``run_id`` and ``created_at`` are the first time.
    """

    __tablename__ = "quarantine"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The run that first met the record.
    run_id: Mapped[int | None] = mapped_column(
        ForeignKey("collection_runs.id", ondelete="SET NULL"), index=True
    )
    source: Mapped[str] = mapped_column(String(200))
    location: Mapped[str] = mapped_column(String(500))
    reason: Mapped[str] = mapped_column(Text)
    content: Mapped[str] = mapped_column(Text)
    #: First seen; the retention period counts from here, so meeting a record again and again
    #: cannot keep its content for ever.
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    #: ``fingerprint_of`` the record as first stored; it stays when retention purges ``content``,
    #: so a purged record read again is still recognised. None only for a row written by other
    #: means than the collectors' storage path (never matched: NULLs are distinct in the index).
    fingerprint: Mapped[str | None] = mapped_column(String(64), index=True, unique=True)
    #: How many times a run met the record (the first included).
    times_seen: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    #: The run that met it last, and when.
    last_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("collection_runs.id", ondelete="SET NULL"), index=True
    )
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)

    @staticmethod
    def fingerprint_of(source: str, location: str, reason: str, content: str) -> str:
        """SHA-256 (hex) of what identifies a bad record: where it was read (source and location,
        so the same bad text on another line is another record to fix), why it was refused (a
        record refused for a new reason is news, not a repeat), and its content as stored
        (scrubbed: no identity goes into the hash that the row does not already hold). Encoded
        as a JSON array (ASCII), so no two different tuples give the same text. Migration 0014
        computed the stored rows' fingerprints with a copy of this function: changing it needs a
        migration that computes them again, or records already quarantined are added twice."""
        text = json.dumps([source, location, reason, content], separators=(",", ":"))
        return hashlib.sha256(text.encode("ascii")).hexdigest()


class CollectionSchedule(Base):
    """Per-account collection interval and the next due time, for the scheduler in ``serve``."""

    __tablename__ = "collection_schedules"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    interval_minutes: Mapped[int] = mapped_column(Integer)
    next_due_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    enabled: Mapped[bool] = mapped_column(default=True)
    last_status: Mapped[str | None] = mapped_column(String(16))
    last_error: Mapped[str | None] = mapped_column(Text)


class MetricValue(Base):
    """One number of the scorecard: a metric about an entity of one jurisdiction (account id,
    organisation key, platform or jurisdiction code) in a calendar period, with the inputs it was
    computed from and the digest of the parameters that shaped it. Recomputed after each
    collection run; pages read these."""

    __tablename__ = "metric_values"
    __table_args__ = (
        # Organisation codes and platform keys repeat between governments: the jurisdiction is part
        # of every key.
        UniqueConstraint(
            "jurisdiction",
            "metric",
            "level",
            "entity",
            "period_kind",
            "period",
            "params",
            name="uq_metric_values_key",  # the generated name is longer than PostgreSQL allows
        ),
        Index("ix_metric_values_entity", "jurisdiction", "level", "entity", "period_kind", "period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(32))
    metric: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(16))
    entity: Mapped[str] = mapped_column(String(200))
    period_kind: Mapped[str] = mapped_column(String(8))
    period: Mapped[str] = mapped_column(String(16))
    value: Mapped[float | None] = mapped_column(Float)
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    params: Mapped[str] = mapped_column(String(16))
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class OpinionEvent(Base):
    """Something unusual in an account's comments that a person should look at: a spike of comment
    volume or of the negative share in one period against the account's recent baseline (median and
    MAD). Detected by every metrics refresh; the alerts deliver them."""

    __tablename__ = "opinion_events"
    __table_args__ = (
        UniqueConstraint("account_id", "kind", "period_kind", "period", name="uq_opinion_events_key"),
        Index("ix_opinion_events_detected", "jurisdiction", "detected_at"),
        # The API publishes the id: SQLite must never give a deleted event's id to a new one (0017).
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(32))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    period_kind: Mapped[str] = mapped_column(String(8))
    period: Mapped[str] = mapped_column(String(16))
    value: Mapped[float] = mapped_column(Float)
    baseline: Mapped[float] = mapped_column(Float)
    spread: Mapped[float] = mapped_column(Float)
    score: Mapped[float] = mapped_column(Float)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    detected_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class ClarificationMark(Timestamps, Base):
    """A reviewer's word that a post clarifies misinformation (``clarifications.csv`` of a registry
    folder), with when and where the rumour first appeared where that is known.

    The post is named by its URL, not by a key: the registry is loaded before anything is
    collected, and the post is found when clarifications are listed.
    """

    __tablename__ = "clarification_marks"
    __table_args__ = (UniqueConstraint("jurisdiction", "post_url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code", ondelete="CASCADE"))
    post_url: Mapped[str] = mapped_column(String(1000))
    rumour_first_seen_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    rumour_url: Mapped[str | None] = mapped_column(String(1000))
    note: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(1000))


class District(Timestamps, Base):
    """One of a jurisdiction's districts (``districts.csv`` of its registry folder, migration 0019),
    which the citizen survey asks about: ``survey_responses.district`` holds its ``code``.

    ``jurisdiction`` is no foreign key: migration 0019 writes Hong Kong's 18 districts, the list the
    survey asked before there was a file, into stores where no jurisdiction is loaded yet, so that
    an upgraded portal asks the same question before its next ``registry load``.
    """

    __tablename__ = "districts"
    __table_args__ = (UniqueConstraint("jurisdiction", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(32))
    code: Mapped[str] = mapped_column(String(32))
    #: The row's place in the file: the form lists the districts in the file's order.
    position: Mapped[int] = mapped_column(Integer)
    name_en: Mapped[str] = mapped_column(String(200))
    name_zh_hant: Mapped[str | None] = mapped_column(String(200))
    name_zh_hans: Mapped[str | None] = mapped_column(String(200))


# --- The admin area: staff, their sign-ins and tokens, and the audit log (migration 0009) --------


class User(Base):
    """A member of staff who may use the admin area, with a role: viewer, editor or admin.

    Users are disabled, never deleted, so the audit log always names who did what.
    """

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    #: An argon2id hash in PHC form (``$argon2id$v=19$m=...``); never the password.
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    disabled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class ApiToken(Base):
    """A bearer token of the admin API: only its SHA-256 is kept; the token is shown once."""

    __tablename__ = "api_tokens"
    #: SQLite must never give a removed row's id to a new one (migration 0016).
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The token's first characters, so a list can tell tokens apart without holding them.
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class AdminSession(Base):
    """A sign-in to the admin area, kept server-side so it can be ended: the cookie holds a random
    value and ``id`` its SHA-256, so a copy of the table lets nobody sign in."""

    __tablename__ = "admin_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    #: The synchronizer token every form of this session carries.
    csrf_token: Mapped[str] = mapped_column(String(64))


class LoginFailure(Base):
    """A failed admin sign-in, counted per username and per client for rate limiting (in the store,
    so every worker counts the same); deleted once it is older than the window."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    #: SHA-256 of the username typed and of the client's address: they are only compared (a password
    #: typed into the username field by mistake is not kept in clear).
    username_hash: Mapped[str] = mapped_column(String(64), index=True)
    client: Mapped[str] = mapped_column(String(64), index=True)


class AuditEntry(Base):
    """One change made through the admin area or its API: who, what, on what, before and after.

    ``ip`` is the client's network, not its address (IPv4 /24, IPv6 /48): enough to tell an office
    from elsewhere, not to single out a device.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(300))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ip: Mapped[str | None] = mapped_column(String(64))


# --- Alerts: rules and the alerts they fired (migration 0010) ----------------------------------------


class AlertRule(Base):
    """What a person wants to be told about, for an account, an organisation or a whole government:
    a kind (``negative_spike``, ``overperforming_post``, ``unanswered_comments``...), its
    parameters, and where to send what fires (a webhook URL, an email address, or both)."""

    __tablename__ = "alert_rules"
    #: SQLite must never give a removed row's id to a new one (migration 0016).
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(32))
    #: ``account``, ``organisation`` or ``government``; ``entity`` is the account id, the
    #: organisation code or the jurisdiction code.
    level: Mapped[str] = mapped_column(String(16))
    entity: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    webhook_url: Mapped[str | None] = mapped_column(String(1000))
    email: Mapped[str | None] = mapped_column(String(300))
    enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class Alert(Base):
    """One event a rule fired on, stored once: ``event_key`` names the event (for example
    ``comment_volume:account:12:week:2026-W38``) and is unique per rule, so the same event is never
    stored, or sent, twice. Delivery times stay empty until a channel has taken it."""

    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("rule_id", "event_key", name="uq_alerts_rule_event"),
        Index("ix_alerts_fired", "fired_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("alert_rules.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(200))
    event_key: Mapped[str] = mapped_column(String(300))
    title: Mapped[str] = mapped_column(String(500))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    fired_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    delivered_webhook_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    delivered_email_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    #: When the email was held back by ``alert_email_max_per_hour`` (migration 0012): a held alert
    #: goes out in the next digest email of its recipient, never alone.
    email_held_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class AlertEmail(Base):
    """One email sent to an alert recipient, a single alert or a digest (migration 0012): what the
    hourly cap per recipient counts."""

    __tablename__ = "alert_emails"
    __table_args__ = (Index("ix_alert_emails_recipient_sent", "recipient", "sent_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(300))
    sent_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    alerts: Mapped[int] = mapped_column(Integer)
    digest: Mapped[bool] = mapped_column(default=False)


class TokenCheck(Base):
    """What a platform said of its token when last asked (migration 0012): validity and expiry times,
    never the token itself. One row per platform, replaced by each check."""

    __tablename__ = "token_checks"

    platform: Mapped[str] = mapped_column(String(32), primary_key=True)
    checked_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    is_valid: Mapped[bool] = mapped_column()
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    data_access_expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    #: Since when the token has been found invalid (kept across checks: it names the event once).
    invalid_since: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    error: Mapped[str | None] = mapped_column(Text)


# --- The citizen survey (docs/survey.md) -----------------------------------------------------------


class SurveyResponse(Base):
    """One browser's answers to the citizen survey: anonymous by design.

    Nothing here names a person: the browser's random token is kept only as its SHA-256 (to let the
    same browser replace its answers), the day is kept without the time, and the only background
    asked is an optional age band and district. There is no free text. The six ratings are 0-10, or
    null for "don't know"; the choices are the codes listed in ``govsocial.store.survey``.

    The answer columns are what is **published**, and only once ``released_at`` is set: answers are
    released in batches of at least five new or changed responses (``SurveyRelease``), so that
    comparing the results before and after one person answers tells nothing of that person. Until
    then a submitted version waits in ``pending``; a browser's new answers wait there too, leaving
    its published ones as they were (docs/survey.md, "Released in batches").
    """

    __tablename__ = "survey_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    submitted_on: Mapped[dt.date] = mapped_column(Date, index=True)
    age_band: Mapped[str | None] = mapped_column(String(16))
    district: Mapped[str | None] = mapped_column(String(32))
    explaining_policy: Mapped[int | None] = mapped_column(Integer)
    public_participation: Mapped[int | None] = mapped_column(Integer)
    responding_to_crises: Mapped[int | None] = mapped_column(Integer)
    clarifying_misinformation: Mapped[int | None] = mapped_column(Integer)
    building_image: Mapped[int | None] = mapped_column(Integer)
    understanding_sentiment: Mapped[int | None] = mapped_column(Integer)
    #: Where the person learns about government news (up to three codes, as the study asked).
    channels: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: How often they react to government posts: ``{"emoji": "often", "share": "rarely", ...}``.
    reactions: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    #: Their main expectation when contacting the government, and their main consideration before
    #: interacting (one code each, as the study asked; null when not answered).
    expectation: Mapped[str | None] = mapped_column(String(32))
    consideration: Mapped[str | None] = mapped_column(String(32))
    #: The version sent and not yet released: ``{"submitted_on", "age_band", "district", "ratings",
    #: "channels", "reactions", "expectation", "consideration"}`` (``store.survey.save``). SQL NULL
    #: (not JSON null) when nothing waits, so that the store can find the rows that wait.
    pending: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    #: When the answer columns were last released; NULL: never, so the row is not published.
    released_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class SurveyRelease(Base):
    """One release of the survey's answers: a batch of at least five new or changed responses made
    public at once, and the figures everyone could then read.

    Immutable: the reports read the release made last before their period ended, so a report built
    again later gives the figures it gave the first time. ``made_on`` is the day in the
    jurisdiction's time zone, as a response's day is and as reports cut their periods.
    """

    __tablename__ = "survey_releases"

    id: Mapped[int] = mapped_column(primary_key=True)
    made_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    made_on: Mapped[dt.date] = mapped_column(Date, index=True)
    #: Responses published after this release (all released rows).
    respondents: Mapped[int] = mapped_column(Integer)
    #: Responses this release published: new ones, and new versions of earlier ones.
    changed: Mapped[int] = mapped_column(Integer)
    #: The six ratings' estimates for everyone: ``{rating: {"mean", "low", "high", "n"}}``.
    ratings: Mapped[dict[str, dict[str, float | int | None]]] = mapped_column(JSON)
    #: Released responses by their published district: ``{code: count}``, ``"*"`` for a district
    #: left out, ``""`` for none given (migration 0019; None for the releases made before it).
    districts: Mapped[dict[str, int] | None] = mapped_column(JSON)


class SurveySubmission(Base):
    """A survey submission from a client, for rate limiting: the SHA-256 of its address and the time,
    deleted once older than the window (like ``LoginFailure``)."""

    __tablename__ = "survey_submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    client: Mapped[str] = mapped_column(String(64), index=True)


class SurveyKey(Base):
    """The random key that signs the survey form's start time, made on first use and shared by every
    worker through the store, so no setting is needed and a restart does not void open forms."""

    __tablename__ = "survey_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
