"""Writing registry records into the store: idempotent upserts that say what they did.

Each upsert finds the existing row by its natural key (jurisdiction + code for organisations,
any of its addresses for accounts), compares, and reports ``insert``, ``update`` or ``noop``.
Every insert and update is written to the change log with the values before and after
(``registry.changelog``), so loading the same data twice changes nothing and leaves no trace.

An account belongs to one jurisdiction: a row whose address is already another jurisdiction's
account is refused (``RegistryError``), never moved, so two folders that list the same address
cannot hand it back and forth on every load.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from govsocial.errors import AddressError, RegistryError
from govsocial.registry.addresses import AccountAddress, PlatformCatalogue
from govsocial.registry.bundle import Bundle, Located, Problem
from govsocial.registry.changelog import Outcome as Outcome  # re-exported: callers import it from here
from govsocial.registry.changelog import apply
from govsocial.registry.clarifications import load_marks
from govsocial.registry.districts import load_districts
from govsocial.registry.names import simplified_or_derived
from govsocial.registry.records import AccountRecord, FactRecord, JurisdictionRecord, OrganisationRecord
from govsocial.registry.resolve import all_addresses
from govsocial.store import tables as t


@dataclass
class SyncReport:
    """Counts per entity and outcome, and the rows that could not be written."""

    counts: Counter[tuple[str, Outcome]] = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)

    def add(self, entity: str, outcome: Outcome) -> None:
        self.counts[(entity, outcome)] += 1

    def total(self, outcome: Outcome) -> int:
        return sum(n for (_, o), n in self.counts.items() if o is outcome)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: ``{"accounts": {"insert": 3, ...}, "problems": [...]}``."""
        result: dict[str, Any] = {}
        for (entity, outcome), n in sorted(self.counts.items()):
            result.setdefault(entity, {})[outcome.value] = n
        result["problems"] = [str(p) for p in self.problems]
        return result


def upsert_jurisdiction(session: Session, record: JurisdictionRecord, actor: str) -> Outcome:
    """Insert or update a jurisdiction."""
    row = session.get(t.Jurisdiction, record.code) or t.Jurisdiction(code=record.code)
    values = record.model_dump(exclude={"code", "required_name_languages"})
    values["name_zh_hans"] = simplified_or_derived(record.name_zh_hans, record.name_zh_hant)
    return apply(session, row, values, "jurisdiction", record.code, actor)


def upsert_platforms(
    session: Session, catalogue: PlatformCatalogue, actor: str, report: SyncReport, replace: bool = False
) -> None:
    """Store the catalogue, so it can be edited at run time.

    Platforms already stored are left as they are unless ``replace``: an edit made at run time
    must survive the next ``registry load``.
    """
    for position, platform in enumerate(catalogue):
        row = session.get(t.Platform, platform.key)
        if row is not None and not replace:
            report.add("platforms", Outcome.NOOP)
            continue
        row = row or t.Platform(key=platform.key)
        values = {
            "name_en": platform.name_en,
            "name_zh_hant": platform.name_zh_hant,
            "name_zh_hans": platform.name_zh_hans,
            "position": position,
            "definition": platform.model_dump(mode="json"),
        }
        report.add("platforms", apply(session, row, values, "platform", platform.key, actor))


def upsert_organisation(
    session: Session, jurisdiction: str, record: OrganisationRecord, actor: str
) -> Outcome:
    """Insert or update an organisation; its parent must be written first (or already exist)."""
    row = _organisation(session, jurisdiction, record.code) or t.Organisation(
        jurisdiction=jurisdiction, code=record.code
    )
    parent = _organisation(session, jurisdiction, record.parent_code) if record.parent_code else None
    if record.parent_code and parent is None:
        raise RegistryError(f"parent_code {record.parent_code!r} is not an organisation")
    values = {
        "org_type": record.org_type,
        "parent_id": parent.id if parent else None,
        "name_en": record.name_en,
        "name_zh_hant": record.name_zh_hant,
        "name_zh_hans": simplified_or_derived(record.name_zh_hans, record.name_zh_hant),
        "website": record.website,
        "source": record.source,
    }
    outcome = apply(session, row, values, "organisation", f"{jurisdiction}:{record.code}", actor)
    session.flush()
    return outcome


def _organisation(session: Session, jurisdiction: str, code: str | None) -> t.Organisation | None:
    if code is None:
        return None
    query = select(t.Organisation).where(
        t.Organisation.jurisdiction == jurisdiction, t.Organisation.code == code
    )
    return session.scalars(query).one_or_none()


#: Set by the collectors when an account answers; the registry file only seeds them.
LIVENESS_FIELDS = ("first_seen_on", "last_seen_on")

#: Account columns copied from the record as they are; the rest are derived from its addresses.
ACCOUNT_FIELDS = tuple(
    name
    for name in AccountRecord.columns
    if name
    not in {"org_codes", "platform", "url", "handle", "platform_id", "aliases", "display_name_zh_hans"}
)


def upsert_account(
    session: Session, jurisdiction: str, record: AccountRecord, catalogue: PlatformCatalogue, actor: str
) -> Outcome:
    """Insert or update an account found by any of its addresses; owners and addresses follow."""
    addresses = all_addresses(record, catalogue)
    primary = addresses[0]
    owners = [_owner(session, jurisdiction, code) for code in record.org_codes]
    row = _account_by_addresses(session, jurisdiction, addresses) or t.Account(jurisdiction=jurisdiction)
    values: dict[str, Any] = {name: getattr(record, name) for name in ACCOUNT_FIELDS}
    for name in LIVENESS_FIELDS:
        if values[name] is None:
            del values[name]  # collectors keep these up to date; an empty cell must not erase them
    values |= {
        "jurisdiction": jurisdiction,
        "platform": primary.platform,
        "kind": primary.kind,
        "handle": primary.value,
        "key": primary.key,
        "url": primary.canonical_url or record.url,
        "platform_id": record.platform_id,
        "display_name_zh_hans": simplified_or_derived(
            record.display_name_zh_hans, record.display_name_zh_hant
        ),
        "owner_ids": [o.id for o in owners],
        "address_keys": sorted(f"{a.platform}:{a.kind}:{a.key}" for a in addresses),
    }
    key = f"{primary.platform}:{primary.kind}:{primary.key}"
    outcome = apply(session, row, values, "account", key, actor, _AccountView(row, owners, addresses))
    session.flush()
    return outcome


class _AccountView:
    """Lets ``apply`` compare and set an account's owners and addresses like plain columns."""

    def __init__(self, row: t.Account, owners: list[t.Organisation], addresses: list[AccountAddress]) -> None:
        object.__setattr__(self, "_row", row)
        object.__setattr__(self, "_owners", owners)
        object.__setattr__(self, "_addresses", addresses)

    def __getattr__(self, name: str) -> Any:
        row: t.Account = object.__getattribute__(self, "_row")
        if name == "owner_ids":
            return [link.organisation_id for link in row.organisations]
        if name == "address_keys":
            return sorted(f"{a.platform}:{a.kind}:{a.key}" for a in row.addresses)
        return getattr(row, name)

    def __setattr__(self, name: str, value: Any) -> None:
        row: t.Account = object.__getattribute__(self, "_row")
        if name == "owner_ids":
            owners = object.__getattribute__(self, "_owners")
            row.organisations = [
                t.AccountOrganisation(organisation=o, position=i) for i, o in enumerate(owners)
            ]
        elif name == "address_keys":
            row.addresses = _address_rows(row, object.__getattribute__(self, "_addresses"))
        else:
            setattr(row, name, value)


def _address_rows(row: t.Account, addresses: list[AccountAddress]) -> list[t.AccountAddressRow]:
    existing = {(a.platform, a.kind, a.key): a for a in row.addresses}
    rows = []
    for address in addresses:
        found = existing.get((address.platform, address.kind, address.key))
        rows.append(
            found
            or t.AccountAddressRow(
                platform=address.platform,
                kind=address.kind,
                key=address.key,
                value=address.value,
                url=address.canonical_url,
            )
        )
    return rows


def _owner(session: Session, jurisdiction: str, code: str) -> t.Organisation:
    owner = _organisation(session, jurisdiction, code)
    if owner is None:
        raise RegistryError(f"org_codes: {code!r} is not an organisation of {jurisdiction!r}")
    return owner


def _account_by_addresses(
    session: Session, jurisdiction: str, addresses: list[AccountAddress]
) -> t.Account | None:
    """The account of ``jurisdiction`` that already holds any of ``addresses``, if one does.

    Refused: addresses held by two accounts, and an address held by another jurisdiction's account
    (overwriting its jurisdiction and owners would move it, with its posts, between governments)."""
    found: dict[int, t.Account] = {}
    for address in addresses:
        match = _address_row(session, address)
        if match is None:
            continue
        if match.account.jurisdiction != jurisdiction:
            raise RegistryError(_foreign_address(address, match.account))
        found[match.account_id] = match.account
    if len(found) > 1:
        raise RegistryError("its addresses belong to two different accounts already in the registry")
    return next(iter(found.values()), None)


def _address_row(session: Session, address: AccountAddress) -> t.AccountAddressRow | None:
    query = select(t.AccountAddressRow).where(
        t.AccountAddressRow.platform == address.platform,
        t.AccountAddressRow.kind == address.kind,
        t.AccountAddressRow.key == address.key,
    )
    return session.scalars(query).one_or_none()


def _foreign_address(address: AccountAddress, account: t.Account) -> str:
    shown = address.canonical_url or f"{address.platform} {address.kind} {address.value!r}"
    return (
        f"{shown} is already the address of account {account.id} of jurisdiction "
        f"{account.jurisdiction!r}: an account belongs to one jurisdiction; remove the row or the "
        "address from one of the registries"
    )


def upsert_fact(
    session: Session, jurisdiction: str, record: FactRecord, catalogue: PlatformCatalogue, actor: str
) -> Outcome:
    """Insert or update an unconfirmed organisation fact."""
    owner = _owner(session, jurisdiction, record.org_code)
    platform = catalogue.resolve_name(record.platform).key
    query = select(t.OrganisationFact).where(
        t.OrganisationFact.organisation_id == owner.id,
        t.OrganisationFact.platform == platform,
        t.OrganisationFact.claimed_handle == record.claimed_handle,
        t.OrganisationFact.source == record.source,
    )
    row = session.scalars(query).one_or_none() or t.OrganisationFact(
        organisation_id=owner.id,
        platform=platform,
        claimed_handle=record.claimed_handle,
        source=record.source,
    )
    values = {"historical": record.historical, "note": record.note, "source_date": record.source_date}
    key = f"{jurisdiction}:{record.org_code}:{platform}:{record.claimed_handle}"
    return apply(session, row, values, "organisation_fact", key, actor)


def write_each(
    session: Session, report: SyncReport, entity: str, items: Iterable[Located[Any]], write: Any
) -> None:
    """Write each record in its own savepoint, so one bad row never loses the good ones."""
    for item in items:
        try:
            with session.begin_nested():
                report.add(entity, write(item.record))
        except (RegistryError, AddressError) as exc:
            report.problems.append(Problem(item.where, item.line, str(exc)))


def load_bundle_into(
    session: Session, bundle: Bundle, catalogue: PlatformCatalogue, actor: str, platforms: bool = True
) -> SyncReport:
    """Write a whole registry folder: platforms, jurisdiction, organisations, accounts, facts, marks,
    districts.

    ``platforms``: also store the catalogue, which every jurisdiction shares (a load of several
    folders stores it with the first, so that its counts say what happened to it once)."""
    report = SyncReport(problems=list(bundle.problems))
    code = bundle.jurisdiction.code
    if platforms:
        upsert_platforms(session, catalogue, actor, report)
    report.add("jurisdictions", upsert_jurisdiction(session, bundle.jurisdiction, actor))
    session.flush()
    write_each(
        session,
        report,
        "organisations",
        parents_first(bundle.organisations),
        lambda r: upsert_organisation(session, code, r, actor),
    )
    write_each(
        session,
        report,
        "accounts",
        bundle.accounts,
        lambda r: upsert_account(session, code, r, catalogue, actor),
    )
    write_each(
        session, report, "facts", bundle.facts, lambda r: upsert_fact(session, code, r, catalogue, actor)
    )
    # Marks of clarifications (deletions are in the change log, not in the counts).
    marks, problems = load_marks(session, bundle, actor)
    for outcome in Outcome:
        if marks[outcome.value]:
            report.counts[("clarifications", outcome)] += marks[outcome.value]
    report.problems.extend(problems)
    _add_counts(report, "districts", *load_districts(session, bundle, actor))
    return report


def _add_counts(report: SyncReport, entity: str, counts: dict[str, int], problems: list[Problem]) -> None:
    """Count what a file's loader did (its deletions are in the change log, not in the counts)."""
    for outcome in Outcome:
        if counts[outcome.value]:
            report.counts[(entity, outcome)] += counts[outcome.value]
    report.problems.extend(problems)


def parents_first(items: list[Located[OrganisationRecord]]) -> list[Located[OrganisationRecord]]:
    """Order organisations so that every parent comes before its children."""
    by_code = {item.record.code: item for item in items}
    ordered: list[Located[OrganisationRecord]] = []
    placed: set[str] = set()

    def place(item: Located[OrganisationRecord], trail: frozenset[str]) -> None:
        code = item.record.code
        if code in placed or code in trail:
            return
        parent = by_code.get(item.record.parent_code or "")
        if parent is not None:
            place(parent, trail | {code})
        placed.add(code)
        ordered.append(item)

    for item in items:
        place(item, frozenset())
    return ordered
