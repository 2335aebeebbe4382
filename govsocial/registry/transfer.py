"""``registry import`` and ``registry export``: CSV (UTF-8, optional BOM for Excel) and JSON.

Import validates every row, reports each bad row with its line number and reason, and keeps the
good ones; rows are written through the same idempotent upserts as the bundled registry, so
importing the same file again changes nothing. Export writes the same format back, for every file
of a registry folder but ``jurisdiction.toml``: accounts, organisations, unconfirmed facts,
districts and clarification marks, so that an export re-imports with nothing lost.

Import only adds and changes: a district or a mark the file does not list is kept (``registry load``
of a folder is what deletes those whose row left its file).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from govsocial.errors import AddressError, ImportFileError, RegistryError
from govsocial.registry.addresses import PlatformCatalogue
from govsocial.registry.bundle import Bundle, Located, Problem, header_problems, parse_rows
from govsocial.registry.clarifications import load_marks
from govsocial.registry.districts import load_districts
from govsocial.registry.lint import duplicate_account, evidence_problem
from govsocial.registry.records import (
    AccountRecord,
    ClarificationRecord,
    DistrictRecord,
    FactRecord,
    JurisdictionRecord,
    OrganisationRecord,
    Record,
)
from govsocial.registry.resolve import all_addresses
from govsocial.registry.sync import (
    Outcome,
    SyncReport,
    parents_first,
    upsert_account,
    upsert_fact,
    upsert_organisation,
    write_each,
)
from govsocial.registry.tables_io import SourceRow, read_rows
from govsocial.store import tables as t
from govsocial.store.times import utc


class Kind(enum.StrEnum):
    """What a registry file holds."""

    ACCOUNTS = "accounts"
    ORGANISATIONS = "organisations"
    FACTS = "unconfirmed"
    DISTRICTS = "districts"
    CLARIFICATIONS = "clarifications"


MODELS: dict[Kind, type[Record]] = {
    Kind.ACCOUNTS: AccountRecord,
    Kind.ORGANISATIONS: OrganisationRecord,
    Kind.FACTS: FactRecord,
    Kind.DISTRICTS: DistrictRecord,
    Kind.CLARIFICATIONS: ClarificationRecord,
}

#: Where the rows of the store that an import file does not list are said to come from.
STORED = "(stored)"


def detect_kind(columns: Sequence[str], name: str) -> Kind:
    """Which kind of registry file has these columns."""
    present = set(columns)
    if "org_codes" in present:
        return Kind.ACCOUNTS
    if {"code", "org_type"} <= present:
        return Kind.ORGANISATIONS
    if "post_url" in present:
        return Kind.CLARIFICATIONS
    if {"code", "name_en"} <= present:
        return Kind.DISTRICTS
    if {"org_code", "source"} <= present:
        return Kind.FACTS
    raise ImportFileError(
        f"{name}: cannot tell what the file holds from its columns {sorted(present)}; "
        "accounts need org_codes, organisations code and org_type, unconfirmed facts org_code and "
        "source, districts code and name_en, clarification marks post_url (see docs/registry.md), "
        "or give --kind"
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
    if kind in (Kind.DISTRICTS, Kind.CLARIFICATIONS):
        return _import_folder_file(session, jurisdiction, kind, rows, path.name, actor)
    good, bad = parse_rows(MODELS[kind], rows, path.name)
    report = SyncReport(problems=bad)
    if kind is Kind.ORGANISATIONS:
        good, refused = first_rows(good, lambda r: repr(r.code), "organisation code")
        report.problems.extend(refused)
        items: Any = parents_first(good)  # type: ignore[arg-type]
        write_each(
            session, report, kind.value, items, lambda r: upsert_organisation(session, jurisdiction, r, actor)
        )
    elif kind is Kind.ACCOUNTS:
        accounts, refused = screened_accounts(cast("list[Located[AccountRecord]]", good), catalogue)
        report.problems.extend(refused)
        write_each(
            session,
            report,
            kind.value,
            accounts,
            lambda r: upsert_account(session, jurisdiction, r, catalogue, actor),
        )
    else:
        good, refused = first_rows(good, lambda r: _fact_key(r, catalogue), "unconfirmed fact")
        report.problems.extend(refused)
        write_each(
            session,
            report,
            kind.value,
            good,
            lambda r: upsert_fact(session, jurisdiction, r, catalogue, actor),
        )
    report.problems.sort(key=lambda p: p.line or 0)
    return report


def first_rows(
    items: list[Located[Record]], key: Callable[[Any], str], what: str
) -> tuple[list[Located[Record]], list[Problem]]:
    """The rows whose ``key`` no earlier row has, and a problem for each other one: written after
    the first, a second row of one organisation or fact would undo it at every import."""
    lines: dict[str, int] = {}
    kept: list[Located[Record]] = []
    refused: list[Problem] = []
    for item in items:
        found = key(item.record)
        if found in lines:
            message = f"duplicate {what} {found}: already on line {lines[found]}"
            refused.append(Problem(item.where, item.line, message))
            continue
        lines[found] = item.line
        kept.append(item)
    return kept, refused


def _fact_key(record: FactRecord, catalogue: PlatformCatalogue) -> str:
    """What ``upsert_fact`` finds a fact by: organisation, platform, claimed handle and source."""
    try:
        platform = catalogue.resolve_name(record.platform).key
    except AddressError:
        platform = record.platform  # the write reports the unknown platform
    return repr((record.org_code, platform, record.claimed_handle, record.source))


def screened_accounts(
    items: list[Located[AccountRecord]], catalogue: PlatformCatalogue
) -> tuple[list[Located[AccountRecord]], list[Problem]]:
    """The account rows to write, and a problem for each refused by lint's rules: a row without
    evidence (it would be published, and verify as official, on nobody's word), and a row whose
    account an earlier row of the file already holds (written after it, it would undo it at every
    import: never a noop). A row whose address does not parse is kept: its write says why."""
    kept: list[Located[AccountRecord]] = []
    refused: list[Problem] = []
    lines: dict[tuple[str, str, str], int] = {}
    for item in items:
        no_evidence = evidence_problem(item)
        if no_evidence is not None:
            refused.append(no_evidence)
            continue
        try:
            addresses = all_addresses(item.record, catalogue)
        except AddressError:
            kept.append(item)
            continue
        earlier = next((a for a in addresses if (a.platform, a.kind, a.key) in lines), None)
        if earlier is not None:
            line = lines[(earlier.platform, earlier.kind, earlier.key)]
            refused.append(Problem(item.where, item.line, duplicate_account(earlier, line)))
            continue
        for address in addresses:
            lines[(address.platform, address.kind, address.key)] = item.line
        kept.append(item)
    return kept, refused


def _import_folder_file(
    session: Session, jurisdiction: str, kind: Kind, rows: list[SourceRow], name: str, actor: str
) -> SyncReport:
    """Districts or clarification marks, written by the loader ``registry load`` uses for them.

    The loader deletes what its file does not list; an import must not (a file of one new district
    would delete the others), so the rows of the store the file does not list are passed along
    with the file's, and kept."""
    wrong = header_problems(MODELS[kind], list(rows[0].data)) if rows else None
    if wrong:
        # As ``registry lint`` and ``load`` say it: once, not the same reason on every row.
        return SyncReport(problems=[Problem(name, 1, wrong)])
    good, bad = parse_rows(MODELS[kind], rows, name)
    bundle = Bundle(_jurisdiction_record(session, jurisdiction), problems=bad)
    if kind is Kind.DISTRICTS:
        districts = cast("list[Located[DistrictRecord]]", good)
        bundle.districts = _districts_in_order(districts, district_records(session, jurisdiction))
        counts, problems = load_districts(session, bundle, actor)
    else:
        marks = cast("list[Located[ClarificationRecord]]", good)
        listed = {item.record.post_url for item in marks}
        stored = [r for r in clarification_records(session, jurisdiction) if r.post_url not in listed]
        bundle.clarifications = [*marks, *(Located(STORED, 0, r) for r in stored)]
        counts, problems = load_marks(session, bundle, actor)
    report = SyncReport(problems=[*bad, *problems])
    for outcome in Outcome:
        if counts[outcome.value]:
            report.counts[(kind.value, outcome)] += counts[outcome.value]
    report.problems.sort(key=lambda p: p.line or 0)
    return report


def _districts_in_order(
    rows: list[Located[DistrictRecord]], stored: list[DistrictRecord]
) -> list[Located[DistrictRecord]]:
    """The file's districts and the stored ones it does not list, in the survey form's new order:
    the file's when it lists every stored district (an export reordered), else the stored order,
    with the file's new districts after (a file of one new district moves no other)."""
    listed: dict[str, Located[DistrictRecord]] = {}
    for item in rows:
        listed.setdefault(item.record.code, item)
    if all(record.code in listed for record in stored):
        return rows
    kept = [listed.get(record.code) or Located(STORED, 0, record) for record in stored]
    # The rest in the file's order, a repeated code too: the loader reports it with its line.
    return [*kept, *(item for item in rows if not any(item is k for k in kept))]


def _jurisdiction_record(session: Session, code: str) -> JurisdictionRecord:
    """The stored jurisdiction as the loaders of a folder's files take it (they read its code)."""
    row = session.get(t.Jurisdiction, code)
    return JurisdictionRecord.model_construct(code=code, name_en=row.name_en if row else code)


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


def district_records(session: Session, jurisdiction: str) -> list[DistrictRecord]:
    """The districts of ``jurisdiction`` in their order (the survey form's), as ``districts.csv`` rows.

    Built without validation: a stored row is what a load already accepted, and it must come back
    out as it is, not be dropped by a rule made since."""
    rows = session.scalars(
        select(t.District)
        .where(t.District.jurisdiction == jurisdiction)
        .order_by(t.District.position, t.District.code)
    ).all()
    return [
        DistrictRecord.model_construct(
            code=d.code, name_en=d.name_en, name_zh_hant=d.name_zh_hant, name_zh_hans=d.name_zh_hans
        )
        for d in rows
    ]


def clarification_records(session: Session, jurisdiction: str) -> list[ClarificationRecord]:
    """The clarification marks of ``jurisdiction``, by post URL, as ``clarifications.csv`` rows
    (the rumour's first appearance in UTC, with its zone: the same moment as in the file)."""
    rows = session.scalars(
        select(t.ClarificationMark)
        .where(t.ClarificationMark.jurisdiction == jurisdiction)
        .order_by(t.ClarificationMark.post_url)
    ).all()
    return [
        ClarificationRecord.model_construct(
            post_url=m.post_url,
            rumour_first_seen=utc(m.rumour_first_seen_at),
            rumour_url=m.rumour_url,
            note=m.note,
            source=m.source,
        )
        for m in rows
    ]


def export_records(session: Session, jurisdiction: str, kind: Kind) -> list[Record]:
    """The records of one kind, ready to write."""
    if kind is Kind.ORGANISATIONS:
        return list(organisation_records(session, jurisdiction))
    if kind is Kind.ACCOUNTS:
        return list(account_records(session, jurisdiction))
    if kind is Kind.DISTRICTS:
        return list(district_records(session, jurisdiction))
    if kind is Kind.CLARIFICATIONS:
        return list(clarification_records(session, jurisdiction))
    return list(fact_records(session, jurisdiction))
