"""``/api/v1/topics``: what commenters talked about in one period, and the terms that rose since the last.

Counts are of citizen comments mentioning each term (never the comments themselves, never who
wrote them); the rising terms are ranked by a weighted log-odds z-score (docs/topics.md). The
portal's topic section and ``govsocial topics`` read the same :func:`govsocial.analyze.topics.view.topics`.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field

from govsocial.analyze.topics import view as tv
from govsocial.web.api import checks
from govsocial.web.deps import DAY_ONLY, DIGITS_ONLY, AccountQuery, SessionDep, SettingsDep
from govsocial.web.schemas import UtcDateTime

router = APIRouter(tags=["topics"])

RESPONSES: dict[int | str, dict[str, Any]] = checks.responses(
    "No such account, organisation or jurisdiction.",
    "An invalid parameter, or both account and organisation.",
)


class TopicPeriodKind(enum.StrEnum):
    """The periods the topics compare (the analysis' ``PeriodKind``, under a name of its own in the
    OpenAPI document, where the metrics' period kinds are another enum)."""

    WEEK = "week"
    MONTH = "month"


class SubjectPublic(BaseModel):
    """Whose comments were analysed."""

    level: Literal["jurisdiction", "organisation", "account"]
    jurisdiction: str
    entity: str = Field(description="Jurisdiction code, organisation code or account id.")


class PeriodPublic(BaseModel):
    """A calendar week or month in the jurisdiction's time zone."""

    kind: Literal["week", "month"]
    label: str = Field(description="e.g. 2026-W14 or 2026-04, as the metrics label periods.")
    start: UtcDateTime
    end: UtcDateTime = Field(description="Excluded: the next period's first moment.")


class TopicPostPublic(BaseModel):
    """A government post whose comments mention a rising term (its fields named as in the posts API)."""

    id: int = Field(description="The post's id, as in /api/v1/accounts/{account_id}/posts.")
    account_id: int
    platform: str
    platform_post_id: str = Field(description="The post's id on its platform.")
    created_at: UtcDateTime
    excerpt: str
    url: str | None = Field(description="The post on its platform; only for official accounts.")
    comments: int = Field(description="Comments on this post in the period that mention the term.")


class RisingTermPublic(BaseModel):
    """A term mentioned clearly more often than in the previous period."""

    term: str = Field(description="The term as most commenters wrote it.")
    key: str = Field(description="The counted form: Simplified characters, lower case.")
    phrase: bool = Field(description="Two words written together.")
    comments_now: int
    comments_before: int
    share_now: float = Field(description="Share of the period's comments that mention the term.")
    share_before: float
    log_odds: float = Field(description="Weighted log-odds ratio, now against before.")
    z: float = Field(description="The log-odds ratio over its standard error.")
    posts: list[TopicPostPublic] = Field(description="Up to three posts whose comments mention it most.")


class TopTermPublic(BaseModel):
    """One of the period's most mentioned words and phrases."""

    term: str
    key: str
    phrase: bool
    comments_now: int
    share_now: float
    comments_before: int


class TopicsPublic(BaseModel):
    """The topic view of one subject and period; ``period`` is null when it has no comments at all."""

    subject: SubjectPublic
    period: PeriodPublic | None
    previous: PeriodPublic | None
    comments_now: int
    comments_before: int
    comments_window: int = Field(description="Comments in the periods that form the prior.")
    window_start: UtcDateTime | None = Field(
        description="Start of the oldest period of that window (null when there are no comments)."
    )
    rising: list[RisingTermPublic]
    top: list[TopTermPublic]
    sample: bool = Field(description="Whether the comments are invented demo data.")
    method: str = Field(description="Where the statistic is explained: a file of the documentation.")


def _period(p: tv.Period) -> PeriodPublic:
    return PeriodPublic(kind=p.kind.value, label=p.label, start=p.start, end=p.end)


def topics_public(subject: tv.Subject, view: tv.TopicView | None) -> TopicsPublic:
    """The view as the API gives it (an empty one when the subject has no comments)."""
    who = SubjectPublic(level=subject.level, jurisdiction=subject.jurisdiction, entity=subject.entity)
    if view is None:
        return TopicsPublic(
            subject=who, period=None, previous=None, comments_now=0, comments_before=0, comments_window=0,
            window_start=None, rising=[], top=[], sample=False, method=METHOD,
        )  # fmt: skip
    return TopicsPublic(
        subject=who,
        period=_period(view.period),
        previous=_period(view.previous),
        comments_now=view.comments_now,
        comments_before=view.comments_before,
        comments_window=view.comments_window,
        window_start=view.window_start,
        rising=[_rising(term) for term in view.rising],
        top=[_top(term) for term in view.top],
        sample=view.sample,
        method=METHOD,
    )


def _rising(r: tv.RisingTerm) -> RisingTermPublic:
    return RisingTermPublic(
        term=r.term,
        key=r.key,
        phrase=r.phrase,
        comments_now=r.now,
        comments_before=r.before,
        share_now=r.share_now,
        share_before=r.share_before,
        log_odds=r.delta,
        z=r.z,
        posts=[_post(p) for p in r.posts],
    )


def _post(p: tv.PostRef) -> TopicPostPublic:
    return TopicPostPublic(
        id=p.id,
        account_id=p.account_id,
        platform=p.platform,
        platform_post_id=p.post_id,
        created_at=p.created_at,
        excerpt=p.excerpt,
        url=p.url,
        comments=p.comments,
    )


def _top(x: tv.TopTerm) -> TopTermPublic:
    return TopTermPublic(
        term=x.term,
        key=x.key,
        phrase=x.phrase,
        comments_now=x.now,
        share_now=x.share_now,
        comments_before=x.before,
    )


#: The documentation of the method (the portal serves docs at "How we measure"; this names the file).
METHOD = "docs/topics.md: weighted log-odds with an informative Dirichlet prior (Monroe et al. 2008)"


@router.get("/topics", summary="What commenters talk about", responses=RESPONSES)
def get_topics(
    session: SessionDep,
    settings: SettingsDep,
    account: AccountQuery = None,
    organisation: Annotated[
        str | None, Query(description="One organisation (its accounts together), by code.")
    ] = None,
    jurisdiction: Annotated[
        str | None, Query(description="Jurisdiction code; the default one if omitted.")
    ] = None,
    period: Annotated[TopicPeriodKind, Query(description="week or month.")] = TopicPeriodKind.WEEK,
    at: Annotated[
        dt.date | None,
        Query(description="A day in the period (YYYY-MM-DD); the latest period with comments if omitted."),
        DAY_ONLY,
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="Rising and top terms to give."), DIGITS_ONLY] = 10,
) -> TopicsPublic:
    """Rising terms (with the posts that drew them) and the most mentioned terms of one period."""
    code = checks.jurisdiction(session, settings, jurisdiction)
    # Checked here too, so that an unknown one is named like everywhere else in the API.
    checks.account(session, code, account)
    checks.organisation(session, code, organisation)
    try:
        subject = tv.resolve_subject(session, code, account, organisation)
        view = tv.topics(session, subject, tv.PeriodKind(str(period)), at, limit)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    return topics_public(subject, view)
