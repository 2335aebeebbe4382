"""Public API schemas: what leaves the system, separate from the tables (rows never go out raw)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from govsocial.store import tables as t
from govsocial.store.post_extra import public_extra
from govsocial.store.queries import PostView
from govsocial.store.sentiments import LabelCounts
from govsocial.store.times import utc

T = TypeVar("T")


#: Every moment the API gives carries its offset (``...Z`` for UTC), on SQLite as on PostgreSQL.
UtcDateTime = Annotated[dt.datetime, AfterValidator(utc)]
#: The zone of a metric answer's periods: the jurisdiction's calendar, not UTC, so that a reader can
#: tell that Hong Kong's September starts at 2026-08-31T16:00Z.
TIME_ZONE_HELP = (
    "IANA time zone of the jurisdiction, whose calendar days, weeks, months and years the periods "
    "are (e.g. Asia/Hong_Kong)."
)


class ListEnvelope(BaseModel, Generic[T]):
    """Every list response: one page of ``data`` and the total ``count`` of matches."""

    data: list[T]
    count: int = Field(description="Total number of matches, across all pages.")


class Names(BaseModel):
    """A name in the three interface scripts."""

    en: str | None
    zh_hant: str | None
    zh_hans: str | None


class OrganisationRef(BaseModel):
    """An organisation as it appears inside another object."""

    code: str
    org_type: t.OrgType
    name: Names


class OrganisationPublic(OrganisationRef):
    """An organisation in the registry."""

    jurisdiction: str
    parent: str | None = Field(description="Code of the parent organisation.")
    website: str | None
    source: str | None
    url: str = Field(description="This organisation in the API.")


class Evidence(BaseModel):
    """Why the registry says an account is official."""

    url: str | None
    note: str | None
    date: dt.date | None


class AccountPublic(BaseModel):
    """An account in the registry."""

    model_config = ConfigDict(use_enum_values=True)

    id: int
    jurisdiction: str
    platform: str
    kind: str = Field(description="Namespace of the handle: handle, id, custom, user, short, ...")
    handle: str
    url: str | None = Field(description="Canonical address of the account on its platform.")
    platform_id: str | None
    status: t.AccountStatus
    display_name: Names
    organisations: list[OrganisationRef]
    languages: list[str]
    tags: list[str]
    evidence: Evidence
    reviewed_on: dt.date | None
    first_seen_on: dt.date | None
    last_seen_on: dt.date | None
    archived_on: dt.date | None
    archived_reason: str | None


class AddressPublic(BaseModel):
    """An account address as govsocial understood it."""

    platform: str
    kind: str
    value: str
    canonical_url: str | None


class VerifyResult(BaseModel):
    """The answer to "is this account official?"."""

    status: str = Field(description="official, archived or unknown")
    query: str
    message: str
    address: AddressPublic
    account: AccountPublic | None


class PlatformPublic(BaseModel):
    """A platform in the catalogue."""

    key: str
    name: Names
    hosts: list[str]
    icon: str


class ErrorBody(BaseModel):
    """Every error response."""

    detail: str


class InvalidBody(BaseModel):
    """A 422: FastAPI's list of invalid parameters, or one message on parameters that do not combine."""

    detail: str | list[dict[str, Any]]


def names(en: str | None, zh_hant: str | None, zh_hans: str | None) -> Names:
    """Build ``Names``."""
    return Names(en=en, zh_hant=zh_hant, zh_hans=zh_hans)


def organisation_ref(o: t.Organisation) -> OrganisationRef:
    """An organisation inside another object."""
    return OrganisationRef(
        code=o.code, org_type=o.org_type, name=names(o.name_en, o.name_zh_hant, o.name_zh_hans)
    )


def organisation_public(o: t.Organisation, base: str) -> OrganisationPublic:
    """An organisation for the API; ``base`` is the API root."""
    return OrganisationPublic(
        code=o.code,
        org_type=o.org_type,
        name=names(o.name_en, o.name_zh_hant, o.name_zh_hans),
        jurisdiction=o.jurisdiction,
        parent=o.parent.code if o.parent else None,
        website=o.website,
        source=o.source,
        url=f"{base}/organisations/{o.jurisdiction}/{o.code}",
    )


def account_public(a: t.Account) -> AccountPublic:
    """An account for the API."""
    return AccountPublic(
        id=a.id,
        jurisdiction=a.jurisdiction,
        platform=a.platform,
        kind=a.kind,
        handle=a.handle,
        url=a.url,
        platform_id=a.platform_id,
        status=a.status,
        display_name=names(a.display_name_en, a.display_name_zh_hant, a.display_name_zh_hans),
        organisations=[organisation_ref(link.organisation) for link in a.organisations],
        languages=a.languages,
        tags=a.tags,
        evidence=Evidence(url=a.evidence_url, note=a.evidence_note, date=a.evidence_date),
        reviewed_on=a.reviewed_on,
        first_seen_on=a.first_seen_on,
        last_seen_on=a.last_seen_on,
        archived_on=a.archived_on,
        archived_reason=a.archived_reason,
    )


class MetricPublic(BaseModel):
    """A metric's published definition: what it means, how it is computed, where it comes from."""

    name: str = Field(description="Stable identifier, used in the API, the CLI and the docs.")
    goal: str = Field(
        description="OECD goal (presence, popularity, penetration, perception, purpose) or "
        "the study's complaint made measurable (two_way, timeliness, attractiveness)."
    )
    title: str
    unit: str = Field(description="count, percent, per_mille, ratio, hours or score.")
    definition: str = Field(description="Plain-language definition.")
    formula: str
    source: str = Field(description="Where the definition is published.")
    inputs: list[str] = Field(description="Names of the numbers each value is made of.")
    levels: list[str] = Field(description="Levels the metric is computed at.")
    docs: str = Field(description="Where the portal explains the metric.")


class MetricValuePublic(BaseModel):
    """One number of the scorecard, with the inputs anyone can redo the arithmetic from."""

    metric: str
    level: str = Field(description="account, organisation, platform or government.")
    entity: str = Field(description="Account id, organisation code, platform key or jurisdiction code.")
    period_kind: str = Field(description="day, week, month or year.")
    period: str = Field(description="2026-10-01, 2026-W40, 2026-10 or 2026, in the jurisdiction's time zone.")
    value: float | None = Field(description="null where the value is undefined (e.g. a division by zero).")
    inputs: dict[str, Any]
    params: str = Field(description="Digest of the metric parameters the value was computed with.")
    computed_at: UtcDateTime


class MetricValuesPage(ListEnvelope[MetricValuePublic]):
    """A metric's definition and one page of its values."""

    metric: MetricPublic
    time_zone: str = Field(description=TIME_ZONE_HELP, examples=["Asia/Hong_Kong"])


class ScorecardEntry(BaseModel):
    """One metric of a scorecard: its definition and its value (null when not computed)."""

    metric: MetricPublic
    value: float | None
    inputs: dict[str, Any] | None
    computed_at: UtcDateTime | None


class ScorecardGoal(BaseModel):
    """The metrics of one goal."""

    goal: str
    metrics: list[ScorecardEntry]


class ScorecardPublic(BaseModel):
    """Every metric about one entity in one period, grouped by goal."""

    jurisdiction: str = Field(description="Code of the jurisdiction whose values these are.")
    level: str
    entity: str
    period_kind: str
    period: str | None = Field(description="The period shown: the latest with values unless one was asked.")
    time_zone: str = Field(description=TIME_ZONE_HELP, examples=["Asia/Hong_Kong"])
    params: str = Field(description="Digest of the metric parameters the values were computed with.")
    goals: list[ScorecardGoal]


class PostCounts(BaseModel):
    """A post's latest engagement counts, as the platform gave them (None: not given)."""

    taken_at: UtcDateTime
    likes: int | None
    comments: int | None
    shares: int | None
    views: int | None
    reactions: dict[str, int] = Field(description="Reactions by type, where the platform has types.")


class CommentSentimentCounts(BaseModel):
    """How the analyser labelled the citizen comments on a post (the page's replies never count)."""

    positive: int
    neutral: int
    negative: int
    scored: int = Field(description="Comments with a label.")


class PostPublic(BaseModel):
    """A post of an account, with its latest counts and the sentiment of its comments."""

    id: int
    account_id: int
    platform: str
    platform_post_id: str
    created_at: UtcDateTime
    format: str
    text: str | None
    url: str | None = Field(description="The post on its platform; only for published (official) accounts.")
    deleted: bool
    sample: bool = Field(description="Invented demo data, not real activity.")
    counts: PostCounts | None
    extra: dict[str, Any] | None = Field(
        description=(
            "What the source says beyond the fields above, as a JSON object, or null when it says "
            "nothing: e.g. the post's type and title, Facebook's total of reactions, a video's "
            "duration, an export's reach or watch time. Which keys each source gives is in "
            "docs/collectors.md; keys that could name a person other than the account are never given."
        ),
        examples=[{"media_type": "VIDEO", "media_product_type": "REELS"}],
    )
    comment_sentiment: CommentSentimentCounts


def post_public(view: PostView, labels: LabelCounts | None) -> PostPublic:
    """A post for the API: links to the original only for published accounts, as on the pages."""
    post, snapshot = view.post, view.counts
    official = view.account.status == t.AccountStatus.PUBLISHED
    counts = None
    if snapshot is not None:
        reactions = {str(k): int(v) for k, v in (snapshot.reactions or {}).items()}
        counts = PostCounts(
            taken_at=snapshot.taken_at,
            likes=snapshot.likes,
            comments=snapshot.comments,
            shares=snapshot.shares,
            views=snapshot.views,
            reactions=reactions,
        )
    labels = labels or LabelCounts()
    return PostPublic(
        id=post.id,
        account_id=post.account_id,
        platform=post.platform,
        platform_post_id=post.post_id,
        created_at=post.created_at,
        format=post.format,
        text=post.text,
        url=post.url if official else None,
        deleted=post.deleted_at is not None,
        sample=view.is_sample,
        counts=counts,
        extra=public_extra(post.extra),
        comment_sentiment=CommentSentimentCounts(
            positive=labels.positive, neutral=labels.neutral, negative=labels.negative, scored=labels.scored
        ),
    )
