"""Public API schemas: what leaves the system, separate from the tables (rows never go out raw)."""

from __future__ import annotations

import datetime as dt
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from govsocial.store import tables as t

T = TypeVar("T")


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
