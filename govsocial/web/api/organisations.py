"""``/api/v1/organisations``: the organisations of the registry."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from govsocial.store import queries
from govsocial.store.tables import OrgType
from govsocial.web.activity import window
from govsocial.web.api import checks
from govsocial.web.api.paging import PagerDep, paged
from govsocial.web.deps import SessionDep, SettingsDep
from govsocial.web.schemas import ErrorBody, ListEnvelope, OrganisationPublic, organisation_public

router = APIRouter(prefix="/organisations", tags=["organisations"])
BASE = "/api/v1"
ACTIVITY = (
    "active: organisations with an official account that posted in the 30 days up to the newest"
    " collected post; dormant: with an official account that did not."
)


@router.get(
    "", summary="List organisations", responses=paged(checks.responses("No such jurisdiction or platform."))
)
def list_organisations(
    session: SessionDep,
    settings: SettingsDep,
    paging: PagerDep,
    jurisdiction: Annotated[
        str | None, Query(description="Jurisdiction code; the default one if omitted.")
    ] = None,
    org_type: Annotated[OrgType | None, Query(description="Only this type of organisation.")] = None,
    platform: Annotated[
        str | None, Query(description="Only organisations with an account on this platform.")
    ] = None,
    q: Annotated[
        str | None, Query(description="Search names (English or Chinese), codes and handles.")
    ] = None,
    activity: Annotated[queries.Activity | None, Query(description=ACTIVITY)] = None,
) -> ListEnvelope[OrganisationPublic]:
    """Organisations, by English name, one page at a time."""
    code = checks.jurisdiction(session, settings, jurisdiction)
    platform = checks.platform(session, platform)
    f = queries.OrganisationFilter(
        code, org_type, platform, q, activity=window(session, settings, code, activity)
    )
    page = queries.list_organisations(session, f, paging.limit, paging.offset)
    paging.link(page.count)
    return ListEnvelope(data=[organisation_public(o, BASE) for o in page.items], count=page.count)


@router.get("/{jurisdiction}/{code}", summary="One organisation", responses={404: {"model": ErrorBody}})
def get_organisation(
    session: SessionDep,
    jurisdiction: Annotated[str, Path(description="The jurisdiction's code.", examples=["hk"])],
    code: Annotated[str, Path(description="The organisation's code in that jurisdiction.", examples=["cfs"])],
) -> OrganisationPublic:
    """An organisation by jurisdiction and code."""
    return organisation_public(queries.get_organisation(session, jurisdiction, code), BASE)
