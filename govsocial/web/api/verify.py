"""``/api/v1/verify``: is this account official, in this jurisdiction?

Only the jurisdiction asked (the configured one by default, as everywhere in the API) makes an
account official: an account of another government answers ``unknown``, with that government
named in ``other_jurisdiction``. The answer adds fields to ``VerifyResult``, never removes any."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import Field

from govsocial.errors import UnknownPlatformError
from govsocial.registry.addresses import PlatformCatalogue
from govsocial.registry.verify import verify as verify_address
from govsocial.web.api import checks
from govsocial.web.deps import CatalogueDep, SessionDep, SettingsDep
from govsocial.web.schemas import AddressPublic, ErrorBody, VerifyResult, account_public

router = APIRouter(tags=["verify"])


class JurisdictionVerifyResult(VerifyResult):
    """``VerifyResult`` with the jurisdiction that answered, and the one that holds the account if
    that is another."""

    jurisdiction: str = Field(description="The jurisdiction whose registry answered.")
    other_jurisdiction: str | None = Field(
        default=None,
        description="When the address is an account of another jurisdiction (status is then unknown "
        "and account null): that jurisdiction's code.",
    )
    other_status: str | None = Field(
        default=None,
        description="What the account is in other_jurisdiction: official, archived or unknown.",
    )


@router.get(
    "/verify",
    summary="Verify an account address",
    responses={
        400: {"model": ErrorBody, "description": "Not an address of a known platform."},
        404: {"model": ErrorBody, "description": "No such platform or jurisdiction."},
    },
)
def verify(
    session: SessionDep,
    settings: SettingsDep,
    catalogue: CatalogueDep,
    url: Annotated[
        str, Query(min_length=1, max_length=2000, description="Any spelling of an account address.")
    ],
    platform: Annotated[
        str | None, Query(description="Platform, needed for a bare handle such as @name.")
    ] = None,
    jurisdiction: Annotated[
        str | None, Query(description="Jurisdiction code; the default one if omitted.")
    ] = None,
) -> JurisdictionVerifyResult:
    """``official`` only for a published account of the jurisdiction's registry; ``archived``; else
    ``unknown``, naming the other jurisdiction whose account the address is, if any."""
    code = checks.jurisdiction(session, settings, jurisdiction)
    known_platform(catalogue, platform)
    verdict = verify_address(session, catalogue, url, platform, jurisdiction=code)
    a = verdict.address
    return JurisdictionVerifyResult(
        status=verdict.status.value,
        query=url,
        message=verdict.message,
        address=AddressPublic(platform=a.platform, kind=a.kind, value=a.value, canonical_url=a.canonical_url),
        account=account_public(verdict.account) if verdict.account else None,
        jurisdiction=code,
        other_jurisdiction=verdict.other_jurisdiction,
        other_status=verdict.other_status.value if verdict.other_status else None,
    )


def known_platform(catalogue: PlatformCatalogue, given: str | None) -> None:
    """A 404 for a ``platform`` that names no platform (a key, a name or an alias), as everywhere in the
    API; a platform whose host differs from the address's stays a 400, the address's fault."""
    if given is None:
        return
    try:
        catalogue.resolve_name(given)
    except UnknownPlatformError:
        raise checks.not_found(
            "platform", f"no platform {given!r}; the list is at /api/v1/platforms"
        ) from None
