"""``/api/v1/accounts``: the accounts of the registry, each with its URL and evidence."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from govsocial.store import queries, sentiments
from govsocial.store.tables import AccountStatus, OrgType
from govsocial.web.activity import window
from govsocial.web.api import checks
from govsocial.web.api.paging import PagerDep, paged
from govsocial.web.deps import AccountId, SessionDep, SettingsDep, SinceQuery, UntilQuery
from govsocial.web.schemas import (
    AccountPublic,
    ErrorBody,
    ListEnvelope,
    PostPublic,
    account_public,
    post_public,
)

router = APIRouter(prefix="/accounts", tags=["accounts"])
ACTIVITY = (
    "active: official accounts that posted in the 30 days up to the newest collected post;"
    " dormant: official accounts that did not."
)


@router.get(
    "",
    summary="List accounts",
    responses=paged(checks.responses("No such jurisdiction, platform or organisation.")),
)
def list_accounts(
    session: SessionDep,
    settings: SettingsDep,
    paging: PagerDep,
    jurisdiction: Annotated[
        str | None, Query(description="Jurisdiction code; the default one if omitted.")
    ] = None,
    platform: Annotated[str | None, Query(description="Platform key, e.g. facebook.")] = None,
    org_type: Annotated[OrgType | None, Query(description="Owner's organisation type.")] = None,
    organisation: Annotated[str | None, Query(description="Owner's organisation code.")] = None,
    status: Annotated[AccountStatus | None, Query(description="published, under_review or archived.")] = None,
    q: Annotated[str | None, Query(description="Search handles, names and owners.")] = None,
    activity: Annotated[queries.Activity | None, Query(description=ACTIVITY)] = None,
) -> ListEnvelope[AccountPublic]:
    """Accounts, by platform and handle, one page at a time."""
    code = checks.jurisdiction(session, settings, jurisdiction)
    platform = checks.platform(session, platform)
    owner = checks.organisation(session, code, organisation)
    active = window(session, settings, code, activity)
    f = queries.AccountFilter(code, platform, org_type, owner, status, q, active)
    page = queries.list_accounts(session, f, paging.limit, paging.offset)
    paging.link(page.count)
    return ListEnvelope(data=[account_public(a) for a in page.items], count=page.count)


@router.get("/{account_id}", summary="One account", responses={404: {"model": ErrorBody}})
def get_account(session: SessionDep, account_id: AccountId) -> AccountPublic:
    """An account by id."""
    return account_public(queries.get_account(session, account_id))


@router.get(
    "/{account_id}/posts",
    summary="An account's posts",
    responses=paged(checks.responses("No such account.", "An invalid parameter, or `since` after `until`.")),
)
def list_posts(
    session: SessionDep,
    paging: PagerDep,
    account_id: AccountId,
    since: SinceQuery = None,
    until: UntilQuery = None,
) -> ListEnvelope[PostPublic]:
    """The account's posts, newest first, with their latest counts and how the citizen comments on
    each were labelled by the sentiment analyser; ``since`` and ``until`` (days of the account's
    jurisdiction's calendar, both included) narrow them to when they were posted."""
    created = checks.post_window(since, until)
    page = queries.account_posts(session, account_id, paging.limit, paging.offset, created)
    paging.link(page.count)
    labels = sentiments.by_post(session, [view.post.id for view in page.items])
    return ListEnvelope(data=[post_public(v, labels.get(v.post.id)) for v in page.items], count=page.count)
