"""``/api/v1/events`` and ``/api/v1/clarifications``: comment spikes and clarifications of misinformation.

Events are read from ``opinion_events`` (written by each metrics refresh); clarifications are
found on demand from the posts and the registry's marks (see docs/crises.md).
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from govsocial.analyze import spikes
from govsocial.analyze.clarifications import Clarification, account_filter, list_clarifications
from govsocial.store import queries
from govsocial.store.events import EventFilter, EventRow, list_events
from govsocial.web.api import checks
from govsocial.web.api.paging import PagerDep, paged
from govsocial.web.deps import AccountQuery, SessionDep, SettingsDep, SinceQuery
from govsocial.web.schemas import ListEnvelope, UtcDateTime

router = APIRouter(tags=["opinion"])

JurisdictionQuery = Annotated[str | None, Query(description="Jurisdiction code; the default one if omitted.")]
OrganisationQuery = Annotated[
    str | None, Query(description="Only the accounts of this organisation (its code).")
]
RESPONSES = checks.responses("No such jurisdiction, account or organisation.")


class EventKind(enum.StrEnum):
    """What spiked: the comment volume or the negative share (``analyze.spikes.KINDS``)."""

    COMMENT_VOLUME = spikes.VOLUME
    NEGATIVE_SHARE = spikes.NEGATIVE_SHARE


class EventPublic(BaseModel):
    """A spike of an account's comment volume or negative share in one period."""

    id: int = Field(
        description="The event's own id: stable while the event is detected, never given to another event."
    )
    jurisdiction: str = Field(description="Code of the account's jurisdiction.")
    account_id: int
    platform: str
    handle: str
    organisations: list[str] = Field(description="Codes of the account's owners.")
    kind: str = Field(description="comment_volume or negative_share.")
    period_kind: str
    period: str = Field(description="The period's label, as in the metrics: 2026-W14 for a week.")
    value: float = Field(description="Comments in the period, or the negative share (0 to 1).")
    baseline: float = Field(description="The median of the account's previous periods.")
    spread: float = Field(description="1.4826 × MAD of those periods, with a floor.")
    score: float = Field(description="(value − baseline) / spread.")
    details: dict[str, Any] = Field(
        description="comments; for negative_share also scored and negative; the baseline periods."
    )
    detected_at: UtcDateTime = Field(description="When the event was first detected.")


class ClarificationPublic(BaseModel):
    """A post that clarifies misinformation, with its reach and time to clarification."""

    id: int = Field(description="The post's id, as in /api/v1/accounts/{account_id}/posts.")
    post_id: int = Field(
        deprecated=True,
        description="Deprecated: the same number as id. Elsewhere post_id would read as the platform's "
        "id of the post (platform_post_id in the posts API); use id.",
    )
    account_id: int
    platform: str
    handle: str
    posted_at: UtcDateTime
    excerpt: str
    url: str | None = Field(description="The post's address; only for published accounts.")
    reasons: list[str] = Field(description="Keywords found, and 'registry mark' when the registry marks it.")
    interactions: int | None
    usual_interactions: float | None = Field(
        description="Median of the account's posts in the 90 days before."
    )
    reach: float | None = Field(description="interactions / usual_interactions.")
    views: int | None
    usual_views: float | None
    views_reach: float | None
    usual_posts: int
    rumour_first_seen_at: UtcDateTime | None
    rumour_url: str | None
    note: str | None
    time_to_clarification_hours: float | None
    sample: bool = Field(description="True for invented demo data.")


def event_public(e: EventRow) -> EventPublic:
    """A stored event for the API."""
    return EventPublic(
        id=e.id, jurisdiction=e.jurisdiction, account_id=e.account_id, platform=e.platform, handle=e.handle,
        organisations=list(e.organisations), kind=e.kind, period_kind=e.period_kind, period=e.period,
        value=e.value, baseline=e.baseline, spread=e.spread, score=e.score, details=e.details,
        detected_at=e.detected_at,
    )  # fmt: skip


def clarification_public(c: Clarification) -> ClarificationPublic:
    """A clarification for the API."""
    delay = c.time_to_clarification
    return ClarificationPublic(
        id=c.post_id, post_id=c.post_id, account_id=c.account_id, platform=c.platform, handle=c.handle,
        posted_at=c.posted_at, excerpt=c.excerpt, url=c.url, reasons=list(c.reasons),
        interactions=c.interactions, usual_interactions=c.usual_interactions, reach=c.reach, views=c.views,
        usual_views=c.usual_views, views_reach=c.views_reach, usual_posts=c.usual_posts,
        rumour_first_seen_at=c.rumour_first_seen_at, rumour_url=c.rumour_url, note=c.note,
        time_to_clarification_hours=None if delay is None else round(delay.total_seconds() / 3600, 2),
        sample=c.sample,
    )  # fmt: skip


@router.get("/events", summary="List opinion events", responses=paged(RESPONSES))
def get_events(
    session: SessionDep,
    settings: SettingsDep,
    paging: PagerDep,
    jurisdiction: JurisdictionQuery = None,
    account: AccountQuery = None,
    organisation: OrganisationQuery = None,
    kind: Annotated[EventKind | None, Query(description="comment_volume or negative_share.")] = None,
    since: SinceQuery = None,
) -> ListEnvelope[EventPublic]:
    """Spikes of comment volume or negative share, the latest period first."""
    code = checks.jurisdiction(session, settings, jurisdiction)
    owner = checks.organisation(session, code, organisation)
    account = checks.account(session, code, account)
    f = EventFilter(code, None if account is None else [account], owner,
                    kind and str(kind), None, since)  # fmt: skip
    rows = list_events(session, f)
    page = rows[paging.offset : paging.offset + paging.limit]
    paging.link(len(rows))
    return ListEnvelope(data=[event_public(e) for e in page], count=len(rows))


@router.get("/clarifications", summary="List clarifications of misinformation", responses=paged(RESPONSES))
def get_clarifications(
    session: SessionDep,
    settings: SettingsDep,
    paging: PagerDep,
    jurisdiction: JurisdictionQuery = None,
    account: AccountQuery = None,
    organisation: OrganisationQuery = None,
    since: SinceQuery = None,
) -> ListEnvelope[ClarificationPublic]:
    """Posts that clarify misinformation, newest first, with reach and time to clarification."""
    code = checks.jurisdiction(session, settings, jurisdiction)
    owner = checks.organisation(session, code, organisation)
    chosen = account_filter(session, code, checks.account(session, code, account), owner)
    # The day as the jurisdiction's calendar has it, as for the timeline's and posts' ``since``.
    zone = queries.jurisdiction_zone(session, code)
    start = dt.datetime.combine(since, dt.time(), zone).astimezone(dt.UTC) if since else None
    rows = list_clarifications(session, code, chosen, start)
    page = rows[paging.offset : paging.offset + paging.limit]
    paging.link(len(rows))
    return ListEnvelope(data=[clarification_public(c) for c in page], count=len(rows))
