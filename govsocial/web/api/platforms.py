"""``/api/v1/platforms``: the platform catalogue."""

from __future__ import annotations

from fastapi import APIRouter

from govsocial.web.deps import CatalogueDep
from govsocial.web.schemas import ListEnvelope, PlatformPublic, names

router = APIRouter(prefix="/platforms", tags=["platforms"])


@router.get("", summary="List platforms")
def list_platforms(catalogue: CatalogueDep) -> ListEnvelope[PlatformPublic]:
    """Every platform the registry knows, with the hosts its addresses use."""
    data = [
        PlatformPublic(
            key=p.key, name=names(p.name_en, p.name_zh_hant, p.name_zh_hans), hosts=p.hosts, icon=p.icon
        )
        for p in catalogue
    ]
    return ListEnvelope(data=data, count=len(data))
