"""Is this account official? Verification of any spelling of an account address.

The answer is ``official`` only when the address belongs to a *published* account in the
registry. An archived account answers ``archived`` (so a recycled handle never inherits trust),
an account under review and an address not in the registry answer ``unknown``. Text that is not
an address of a known platform raises ``AddressError``: unlike the U.S. Digital Registry's verify
endpoint, a recognised platform alone never makes an address "verified".

Asked for one jurisdiction (as the portal and the API ask for theirs), only that jurisdiction's
accounts count: another government's account answers ``unknown`` here, with that government
named in ``other_jurisdiction`` so that the reader can be told where the account is official.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from govsocial.errors import AddressError
from govsocial.registry.addresses import AccountAddress, PlatformCatalogue
from govsocial.store import tables as t


class VerifyStatus(enum.StrEnum):
    """The three answers verification gives."""

    OFFICIAL = "official"
    ARCHIVED = "archived"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Verdict:
    """The answer, the address as understood, and the account it matched (if any).

    ``other_jurisdiction`` and ``other_status``: set when the address is an account of another
    jurisdiction than the one asked (``account`` is then None), its code and what it is there."""

    status: VerifyStatus
    address: AccountAddress
    account: t.Account | None
    message: str
    other_jurisdiction: str | None = None
    other_status: VerifyStatus | None = None


MESSAGES = {
    t.AccountStatus.PUBLISHED: "This is an official account in the registry.",
    t.AccountStatus.ARCHIVED: "This address belonged to an official account that is now archived: "
    "do not trust new posts from it.",
    t.AccountStatus.UNDER_REVIEW: "This address is listed but still under review: "
    "it is not confirmed as official.",
}
NOT_LISTED = "This address is not in the registry: treat it as unofficial until the organisation confirms it."
ELSEWHERE = {
    t.AccountStatus.PUBLISHED: "This address is not an account of jurisdiction {here!r}: it is an "
    "official account of jurisdiction {other!r}.",
    t.AccountStatus.ARCHIVED: "This address is not an account of jurisdiction {here!r}: it belonged to "
    "an official account of jurisdiction {other!r} that is now archived.",
    t.AccountStatus.UNDER_REVIEW: "This address is not an account of jurisdiction {here!r}: jurisdiction "
    "{other!r} lists it, still under review.",
}
STATUS_OF = {
    t.AccountStatus.PUBLISHED: VerifyStatus.OFFICIAL,
    t.AccountStatus.ARCHIVED: VerifyStatus.ARCHIVED,
    t.AccountStatus.UNDER_REVIEW: VerifyStatus.UNKNOWN,
}


def find_account(
    session: Session, address: AccountAddress, jurisdiction: str | None = None
) -> t.Account | None:
    """The account that holds ``address``, if any; with ``jurisdiction``, only an account of it."""
    query = select(t.AccountAddressRow).where(
        t.AccountAddressRow.platform == address.platform,
        t.AccountAddressRow.kind == address.kind,
        t.AccountAddressRow.key == address.key,
    )
    row = session.scalars(query).one_or_none()
    if row is None or (jurisdiction is not None and row.account.jurisdiction != jurisdiction):
        return None
    return row.account


def account_id_for(session: Session, catalogue: PlatformCatalogue, platform: str, ref: str) -> int | None:
    """The registry account an import file names with ``ref``: by the platform's own id, else by any
    address of it (a URL or a handle); None when the registry has no such account."""
    by_id = session.scalars(
        select(t.Account.id).where(t.Account.platform == platform, t.Account.platform_id == ref)
    ).first()
    if by_id is not None:
        return by_id
    try:
        account = find_account(session, catalogue.parse(ref, platform=platform))
    except AddressError:
        return None
    return account.id if account else None


def resolver(
    sessions: Callable[[], AbstractContextManager[Session]], catalogue: PlatformCatalogue
) -> Callable[[str, str], int | None]:
    """``account_id_for`` as the importers call it, ``(platform, ref) -> account id``, each answer
    remembered (a file names the same few accounts on every row), each question in its own session."""
    known: dict[tuple[str, str], int | None] = {}

    def resolve(platform: str, ref: str) -> int | None:
        if (platform, ref) not in known:
            with sessions() as session:
                known[(platform, ref)] = account_id_for(session, catalogue, platform, ref)
        return known[(platform, ref)]

    return resolve


def verify(
    session: Session,
    catalogue: PlatformCatalogue,
    text: str,
    platform: str | None = None,
    jurisdiction: str | None = None,
) -> Verdict:
    """Verify ``text`` (a URL, or a handle with ``platform``) against ``jurisdiction``'s accounts (every
    jurisdiction's when None); raises ``AddressError`` for non-addresses."""
    address = catalogue.parse(text, platform=platform)
    account = find_account(session, address)
    if account is None:
        return Verdict(VerifyStatus.UNKNOWN, address, None, NOT_LISTED)
    if jurisdiction is not None and account.jurisdiction != jurisdiction:
        return _elsewhere(address, account, jurisdiction)
    return Verdict(STATUS_OF[account.status], address, account, MESSAGES[account.status])


def _elsewhere(address: AccountAddress, account: t.Account, here: str) -> Verdict:
    """Not official here, whatever it is there: trust in one government's account is not another's."""
    message = ELSEWHERE[account.status].format(here=here, other=account.jurisdiction)
    return Verdict(
        VerifyStatus.UNKNOWN,
        address,
        None,
        message,
        other_jurisdiction=account.jurisdiction,
        other_status=STATUS_OF[account.status],
    )
