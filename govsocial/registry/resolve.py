"""Turning an account record into the addresses that identify it.

An account is identified by its primary address (from its URL, else its handle), its numeric
platform id when known, and the URLs of its aliases. Lint, load and import all resolve records
through here, so they agree on what counts as the same account.
"""

from __future__ import annotations

from govsocial.errors import AddressError
from govsocial.registry.addresses import AccountAddress, PlatformCatalogue
from govsocial.registry.records import AccountRecord


def platform_key(record: AccountRecord, catalogue: PlatformCatalogue) -> str:
    """The catalogue key of the record's platform (names such as ``X (Twitter)`` accepted)."""
    return catalogue.resolve_name(record.platform).key


def primary_address(record: AccountRecord, catalogue: PlatformCatalogue) -> AccountAddress:
    """The address from the URL, or from the handle when there is no URL.

    Raises ``AddressError`` when neither is given, the URL is not the record's platform, or
    the handle disagrees with the URL.
    """
    platform = platform_key(record, catalogue)
    if record.url:
        address = catalogue.parse(record.url, platform=platform)
        if record.handle and catalogue.address(platform, address.kind, record.handle).key != address.key:
            raise AddressError(f"handle {record.handle!r} does not match url {record.url!r}")
        return address
    if record.handle:
        # parse() tries the platform's bare kinds in order: a WeChat name, a LinkedIn company...
        return catalogue.parse(record.handle, platform=platform)
    raise AddressError("an account needs a url or a handle")


def all_addresses(record: AccountRecord, catalogue: PlatformCatalogue) -> list[AccountAddress]:
    """Primary address first, then the platform id and every alias."""
    platform = platform_key(record, catalogue)
    found = [primary_address(record, catalogue)]
    if record.platform_id:
        try:
            found.append(catalogue.address(platform, "id", record.platform_id))
        except AddressError as exc:
            raise type(exc)(f"platform_id: {exc}{_number_hint(record.platform_id)}") from None
    for alias in record.aliases:
        try:
            found.append(catalogue.parse(alias, platform=platform))
        except AddressError as exc:
            raise type(exc)(f"aliases: {exc}") from None
    unique: dict[tuple[str, str, str], AccountAddress] = {}
    for address in found:
        unique.setdefault((address.platform, address.kind, address.key), address)
    return list(unique.values())


def _number_hint(value: str) -> str:
    """What to do about an id a spreadsheet wrote as a rounded number (``1.00064E+14``)."""
    if "e+" not in value.lower():
        return ""
    return " (a spreadsheet rewrote a long number: format the column as text and copy the id again)"
