"""``registry import`` and ``registry export``: CSV (UTF-8, optional BOM for Excel) and JSON.

Import validates every row, reports each bad row with its line number and reason, and keeps the
good ones; rows are written through the same idempotent upserts as the bundled registry, so
importing the same file again changes nothing. Export writes the same format back.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from govsocial.errors import ImportFileError, RegistryError
from govsocial.registry.addresses import PlatformCatalogue
from govsocial.registry.bundle import parse_rows
from govsocial.registry.records import AccountRecord, FactRecord, OrganisationRecord, Record
from govsocial.registry.sync import (
    SyncReport,
    parents_first,
    upsert_account,
    upsert_fact,
    upsert_organisation,
    write_each,
)
from govsocial.registry.tables_io import read_rows
from govsocial.store import tables as t


class Kind(enum.StrEnum):
    """What a registry file holds."""

    ACCOUNTS = "accounts"
    ORGANISATIONS = "organisations"
    FACTS = "unconfirmed"


MODELS: dict[Kind, type[Record]] = {
    Kind.ACCOUNTS: AccountRecord,
    Kind.ORGANISATIONS: OrganisationRecord,
    Kind.FACTS: FactRecord,
}


def detect_kind(columns: Sequence[str], name: str) -> Kind:
    """Which kind of registry file has these columns."""
    present = set(columns)
    if "org_codes" in present:
        return Kind.ACCOUNTS
    if {"code", "org_type"} <= present:
        return Kind.ORGANISATIONS
    if {"org_code", "source"} <= present:
        return Kind.FACTS
    raise ImportFileError(
        f"{name}: cannot tell what the file holds from its columns {sorted(present)}; "
        "accounts need org_codes, organisations code and org_type (see docs/registry.md)"
    )


def import_file(
    session: Session,
    path: Path,
    catalogue: PlatformCatalogue,
    jurisdiction: str,
    actor: str,
    kind: Kind | None = None,
    fmt: str | None = None,
) -> SyncReport:
    """Import one file; good rows are written, bad rows are reported in the returned report.

    Raises ``RegistryError`` when the store does not hold ``jurisdiction`` yet: its rows would
    name no government (the database refuses them)."""
    known_jurisdiction(session, jurisdiction)
    rows = read_rows(path, fmt)
    if not rows:
        return SyncReport()
    kind = kind or detect_kind(list(rows[0].data), path.name)
    good, bad = parse_rows(MODELS[kind], rows, path.name)
    report = SyncReport(problems=bad)
    if kind is Kind.ORGANISATIONS:
        items: Any = parents_first(good)  # type: ignore[arg-type]
        write_each(
            session, report, kind.value, items, lambda r: upsert_organisation(session, jurisdiction, r, actor)
        )
    elif kind is Kind.ACCOUNTS:
        write_each(
            session,
            report,
            kind.value,
            good,
            lambda r: upsert_account(session, jurisdiction, r, catalogue, actor),
        )
    else:
        write_each(
            session,
            report,
            kind.value,
            good,
            lambda r: upsert_fact(session, jurisdiction, r, catalogue, actor),
        )
    report.problems.sort(key=lambda p: p.line or 0)
    return report


def known_jurisdiction(session: Session, code: str) -> None:
    """Raise ``RegistryError`` unless the store holds jurisdiction ``code`` (loaded from its folder)."""
    if session.get(t.Jurisdiction, code) is None:
        raise RegistryError(
            f"jurisdiction {code!r} is not in the store: load its registry folder first "
            f"(govsocial registry load --jurisdiction {code})"
        )


def organisation_records(session: Session, jurisdiction: str) -> list[OrganisationRecord]:
    """Every organisation of ``jurisdiction`` as import-ready records, by code."""
    rows = session.scalars(
        select(t.Organisation)
        .where(t.Organisation.jurisdiction == jurisdiction)
        .options(selectinload(t.Organisation.parent))
        .order_by(t.Organisation.code)
    ).all()
    return [
        OrganisationRecord(
            code=o.code,
            org_type=o.org_type,
            parent_code=o.parent.code if o.parent else None,
            name_en=o.name_en,
            name_zh_hant=o.name_zh_hant,
            name_zh_hans=o.name_zh_hans,
            website=o.website,
            source=o.source,
        )
        for o in rows
    ]


def account_records(session: Session, jurisdiction: str) -> list[AccountRecord]:
    """Every account of ``jurisdiction`` as import-ready records, in a stable order."""
    rows = session.scalars(
        select(t.Account)
        .where(t.Account.jurisdiction == jurisdiction)
        .options(
            selectinload(t.Account.organisations).selectinload(t.AccountOrganisation.organisation),
            selectinload(t.Account.addresses),
        )
        .order_by(t.Account.platform, t.Account.kind, t.Account.key)
    ).all()
    return [_account_record(a) for a in rows]


def _account_record(account: t.Account) -> AccountRecord:
    aliases = [
        a.url
        for a in sorted(account.addresses, key=lambda a: a.id)
        if a.url and a.url != account.url and not (a.kind == "id" and a.value == account.platform_id)
    ]
    return AccountRecord(
        org_codes=[link.organisation.code for link in account.organisations],
        platform=account.platform,
        url=account.url,
        handle=None if account.url else account.handle,
        platform_id=account.platform_id,
        aliases=aliases,
        status=account.status,
        display_name_en=account.display_name_en,
        display_name_zh_hant=account.display_name_zh_hant,
        display_name_zh_hans=account.display_name_zh_hans,
        languages=account.languages,
        tags=account.tags,
        evidence_url=account.evidence_url,
        evidence_note=account.evidence_note,
        evidence_date=account.evidence_date,
        reviewed_on=account.reviewed_on,
        first_seen_on=account.first_seen_on,
        last_seen_on=account.last_seen_on,
        archived_on=account.archived_on,
        archived_reason=account.archived_reason,
        notes=account.notes,
    )


def fact_records(session: Session, jurisdiction: str) -> list[FactRecord]:
    """Every unconfirmed organisation fact of ``jurisdiction``."""
    rows = session.scalars(
        select(t.OrganisationFact)
        .join(t.Organisation)
        .where(t.Organisation.jurisdiction == jurisdiction)
        .order_by(t.Organisation.code, t.OrganisationFact.platform, t.OrganisationFact.id)
    ).all()
    return [
        FactRecord(
            org_code=f.organisation.code,
            platform=f.platform,
            claimed_handle=f.claimed_handle,
            historical=f.historical,
            note=f.note,
            source=f.source,
            source_date=f.source_date,
        )
        for f in rows
    ]


def export_records(session: Session, jurisdiction: str, kind: Kind) -> list[Record]:
    """The records of one kind, ready to write."""
    if kind is Kind.ORGANISATIONS:
        return list(organisation_records(session, jurisdiction))
    if kind is Kind.ACCOUNTS:
        return list(account_records(session, jurisdiction))
    return list(fact_records(session, jurisdiction))
