"""``registry lint``: every rule registry data must keep, checked before anything is loaded.

Errors make the data unusable (unknown platform, URL and handle disagree, duplicate account, no
evidence, unknown organisation, a district file with a bad header, a repeated code or no name).
Warnings mark data that is usable but incomplete (an organisation without a name in one of the
jurisdiction's languages, a population without its year or source, an e-service domain already
covered by another); ``--strict`` fails on them too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from govsocial.errors import AddressError
from govsocial.registry.addresses import AccountAddress, PlatformCatalogue
from govsocial.registry.bundle import JURISDICTION_FILE, Bundle, Located, Problem
from govsocial.registry.clarifications import duplicate_urls
from govsocial.registry.districts import duplicate_codes, name_warnings
from govsocial.registry.records import AccountRecord, OrganisationRecord
from govsocial.registry.resolve import all_addresses
from govsocial.store.tables import AccountStatus

WARNING = "warning"
#: An account row with neither ``evidence_url`` nor ``evidence_note`` (``evidence_problem``).
NO_EVIDENCE = "no evidence: give evidence_url or evidence_note"


def lint_bundle(bundle: Bundle, catalogue: PlatformCatalogue) -> list[Problem]:
    """All problems in a parsed registry folder, parse errors first."""
    codes = {item.record.code for item in bundle.organisations}
    problems = list(bundle.problems)
    problems += _jurisdiction_problems(bundle)
    problems += _duplicate_codes(bundle.organisations)
    problems += _organisation_problems(bundle, codes)
    problems += _account_problems(bundle, codes, catalogue)
    problems += _fact_problems(bundle, codes, catalogue)
    problems += duplicate_urls(bundle)
    problems += duplicate_codes(bundle)
    problems += name_warnings(bundle)
    return problems


def lint_bundles(bundles: list[Bundle], catalogue: PlatformCatalogue) -> list[Problem]:
    """All problems in several registry folders: each folder's, then every account address that
    two jurisdictions list (``registry load`` keeps it with the first and refuses the other row)."""
    problems = [problem for bundle in bundles for problem in lint_bundle(bundle, catalogue)]
    problems += _shared_addresses(bundles, catalogue)
    return problems


def _shared_addresses(bundles: list[Bundle], catalogue: PlatformCatalogue) -> Iterator[Problem]:
    first: dict[tuple[str, str, str], tuple[str, Located[AccountRecord]]] = {}
    for bundle in bundles:
        code = bundle.jurisdiction.code
        for item in bundle.accounts:
            try:
                addresses = all_addresses(item.record, catalogue)
            except AddressError:
                continue  # reported with the folder's own problems
            for address in addresses:
                held_by, held = first.setdefault((address.platform, address.kind, address.key), (code, item))
                if held_by != code:
                    shown = address.canonical_url or f"{address.platform} {address.kind} {address.value!r}"
                    message = (
                        f"{shown} is also an account of jurisdiction {held_by!r} ({held.where}, line "
                        f"{held.line}): an account belongs to one jurisdiction"
                    )
                    yield Problem(item.where, item.line, message)
                    break  # one problem per row is enough to find it


def _jurisdiction_problems(bundle: Bundle) -> Iterator[Problem]:
    record = bundle.jurisdiction
    where = f"{record.code}/{JURISDICTION_FILE}"
    if record.population is not None and not (record.population_year and record.population_source):
        yield Problem(where, None, "population without population_year and population_source", WARNING)
    domains = record.eservice_domains
    for domain in sorted(set(domains)):
        wider = [other for other in domains if domain.endswith("." + other)]
        if wider:
            message = f"eservice_domains: {domain!r} is already covered by {wider[0]!r}"
            yield Problem(where, None, message, WARNING)
        if domains.count(domain) > 1:
            yield Problem(where, None, f"eservice_domains: {domain!r} is listed twice", WARNING)


def _duplicate_codes(items: list[Located[OrganisationRecord]]) -> Iterator[Problem]:
    counts = Counter(item.record.code for item in items)
    for item in items:
        if counts[item.record.code] > 1:
            yield Problem(item.where, item.line, f"duplicate organisation code {item.record.code!r}")


def _organisation_problems(bundle: Bundle, codes: set[str]) -> Iterator[Problem]:
    parents = {item.record.code: item.record.parent_code for item in bundle.organisations}
    for item in bundle.organisations:
        org = item.record
        if org.parent_code and org.parent_code not in codes:
            yield Problem(item.where, item.line, f"parent_code {org.parent_code!r} is not an organisation")
        if _has_cycle(org.code, parents):
            yield Problem(item.where, item.line, f"{org.code!r} is its own ancestor")
        for language in bundle.jurisdiction.required_name_languages:
            if not getattr(org, f"name_{language}", None):
                yield Problem(item.where, item.line, f"{org.code!r} has no name_{language}", WARNING)


def _has_cycle(code: str, parents: dict[str, str | None]) -> bool:
    seen = {code}
    current = parents.get(code)
    while current:
        if current in seen:
            return True
        seen.add(current)
        current = parents.get(current)
    return False


def _account_problems(bundle: Bundle, codes: set[str], catalogue: PlatformCatalogue) -> Iterator[Problem]:
    owners: dict[tuple[str, str, str], int] = {}
    for item in bundle.accounts:
        yield from _one_account(item, codes)
        try:
            addresses = all_addresses(item.record, catalogue)
        except AddressError as exc:
            yield Problem(item.where, item.line, str(exc))
            continue
        for address in addresses:
            key = (address.platform, address.kind, address.key)
            if key in owners:
                yield Problem(item.where, item.line, duplicate_account(address, owners[key]))
            owners.setdefault(key, item.line)


def duplicate_account(address: AccountAddress, line: int) -> str:
    """Why a row is refused whose ``address`` an earlier row, on ``line``, already has."""
    return f"duplicate account: {address.platform} {address.kind} {address.value!r} is already on line {line}"


def _one_account(item: Located[AccountRecord], codes: set[str]) -> Iterator[Problem]:
    account = item.record
    for code in account.org_codes:
        if code not in codes:
            yield Problem(item.where, item.line, f"org_codes: {code!r} is not an organisation")
    no_evidence = evidence_problem(item)
    if no_evidence is not None:
        yield no_evidence
    if account.status is AccountStatus.ARCHIVED and not account.archived_reason:
        yield Problem(item.where, item.line, "archived without archived_reason", WARNING)


def evidence_problem(item: Located[AccountRecord]) -> Problem | None:
    """The problem of an account row without evidence (neither ``evidence_url`` nor
    ``evidence_note``), else None: lint's error, and why ``registry import`` and ``registry load``
    refuse the row (it would be published, and verify as official, on nobody's word)."""
    if item.record.evidence_url or item.record.evidence_note:
        return None
    return Problem(item.where, item.line, NO_EVIDENCE)


def _fact_problems(bundle: Bundle, codes: set[str], catalogue: PlatformCatalogue) -> Iterator[Problem]:
    for item in bundle.facts:
        if item.record.org_code not in codes:
            yield Problem(item.where, item.line, f"org_code {item.record.org_code!r} is not an organisation")
        try:
            catalogue.resolve_name(item.record.platform)
        except AddressError as exc:
            yield Problem(item.where, item.line, str(exc))


def errors_only(problems: list[Problem], strict: bool = False) -> list[Problem]:
    """The problems that fail lint: errors, and warnings too when ``strict``."""
    return [p for p in problems if strict or p.severity != WARNING]
