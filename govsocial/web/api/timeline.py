"""``/api/v1/timeline``: the government timeline, the posts of every published account, newest first."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from govsocial.store import queries, sentiments
from govsocial.web.api import checks
from govsocial.web.api.paging import PagerDep, paged
from govsocial.web.deps import SessionDep, SettingsDep, SinceQuery, UntilQuery
from govsocial.web.schemas import ListEnvelope, PostPublic, post_public

router = APIRouter(prefix="/timeline", tags=["posts"])


@router.get(
    "",
    summary="The government timeline",
    responses=paged(
        checks.responses(
            "No such jurisdiction, platform or organisation.",
            "An invalid parameter, or `since` after `until`.",
        )
    ),
)
def list_timeline(
    session: SessionDep,
    settings: SettingsDep,
    paging: PagerDep,
    jurisdiction: Annotated[
        str | None, Query(description="Jurisdiction code; the default one if omitted.")
    ] = None,
    platform: Annotated[str | None, Query(description="Platform key, e.g. facebook.")] = None,
    organisation: Annotated[
        str | None, Query(description="Code of the organisation whose accounts to include.")
    ] = None,
    since: SinceQuery = None,
    until: UntilQuery = None,
) -> ListEnvelope[PostPublic]:
    """Posts (not deleted) of the published accounts, newest first across platforms, with their
    latest counts and the sentiment labels of their comments; never posts of accounts under review
    or archived. The same posts as the ``/{lang}/timeline`` page; ``since`` and ``until`` (days of
    the jurisdiction's calendar, both included) narrow them to when they were posted."""
    code = checks.jurisdiction(session, settings, jurisdiction)
    owner = checks.organisation(session, code, organisation)
    window = checks.post_window(since, until)
    f = queries.TimelineFilter(code, checks.platform(session, platform), owner, window)
    page = queries.timeline(session, f, paging.limit, paging.offset)
    paging.link(page.count)
    labels = sentiments.by_post(session, [view.post.id for view in page.items])
    return ListEnvelope(data=[post_public(v, labels.get(v.post.id)) for v in page.items], count=page.count)
