"""``/api/v1/verify``: is this account official?"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from govsocial.errors import UnknownPlatformError
from govsocial.registry.addresses import PlatformCatalogue
from govsocial.registry.verify import verify as verify_address
from govsocial.web.api import checks
from govsocial.web.deps import CatalogueDep, SessionDep
from govsocial.web.schemas import AddressPublic, ErrorBody, VerifyResult, account_public

router = APIRouter(tags=["verify"])


@router.get(
    "/verify",
    summary="Verify an account address",
    responses={
        400: {"model": ErrorBody, "description": "Not an address of a known platform."},
        404: {"model": ErrorBody, "description": "No such platform."},
    },
)
def verify(
    session: SessionDep,
    catalogue: CatalogueDep,
    url: Annotated[
        str, Query(min_length=1, max_length=2000, description="Any spelling of an account address.")
    ],
    platform: Annotated[
        str | None, Query(description="Platform, needed for a bare handle such as @name.")
    ] = None,
) -> VerifyResult:
    """``official`` only for a published account of the registry; ``archived``; else ``unknown``."""
    known_platform(catalogue, platform)
    verdict = verify_address(session, catalogue, url, platform)
    a = verdict.address
    return VerifyResult(
        status=verdict.status.value,
        query=url,
        message=verdict.message,
        address=AddressPublic(platform=a.platform, kind=a.kind, value=a.value, canonical_url=a.canonical_url),
        account=account_public(verdict.account) if verdict.account else None,
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
