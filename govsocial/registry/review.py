"""Keeping the registry fresh: six-monthly re-review and archiving retired accounts.

The U.S. Digital Registry asked agencies to re-review every six months, yet stale accounts stayed
listed; here accounts past the interval are listed by ``review-due`` and on the portal, and a
retired account is archived, never deleted, so its old address cannot be reused to impersonate it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from govsocial.errors import AddressError, NotFoundError, RegistryError
from govsocial.registry.addresses import PlatformCatalogue
from govsocial.registry.bundle import JURISDICTION_FILE, load_bundle
from govsocial.registry.resolve import all_addresses
from govsocial.registry.verify import find_account
from govsocial.store import tables as t


def due_for_review(
    session: Session, jurisdiction: str, interval_days: int, today: dt.date | None = None
) -> list[t.Account]:
    """Non-archived accounts never reviewed, or last reviewed more than ``interval_days`` ago."""
    cutoff = (today or dt.date.today()) - dt.timedelta(days=interval_days)
    query = select(t.Account).where(
        t.Account.jurisdiction == jurisdiction,
        t.Account.status != t.AccountStatus.ARCHIVED,
        or_(t.Account.reviewed_on.is_(None), t.Account.reviewed_on < cutoff),
    )
    return list(session.scalars(query.order_by(t.Account.reviewed_on.nulls_first(), t.Account.id)).all())


def archive(
    session: Session,
    catalogue: PlatformCatalogue,
    url: str,
    reason: str,
    actor: str,
    platform: str | None = None,
    today: dt.date | None = None,
) -> t.Account:
    """Mark the account at ``url`` archived, with the reason, and log the change.

    An account archived already keeps the day it was archived (shown publicly as when it was
    retired): only a new reason is written, and the same reason again changes and logs nothing."""
    account = find_account(session, catalogue.parse(url, platform=platform))
    if account is None:
        raise NotFoundError(f"{url}: no account with this address in the registry")
    before = {
        "status": account.status.value,
        "archived_on": _iso(account.archived_on),
        "archived_reason": account.archived_reason,
    }
    if account.status is not t.AccountStatus.ARCHIVED or account.archived_on is None:
        account.archived_on = today or dt.date.today()
    account.status = t.AccountStatus.ARCHIVED
    account.archived_reason = reason
    after = {"status": "archived", "archived_on": _iso(account.archived_on), "archived_reason": reason}
    if after != before:
        session.add(
            t.Change(
                actor=actor,
                entity="account",
                entity_key=f"{account.platform}:{account.kind}:{account.key}",
                action="archive",
                before=before,
                after=after,
            )
        )
    return account


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def row_in_folder(folder: Path, account: t.Account, catalogue: PlatformCatalogue) -> str | None:
    """Where ``folder``'s ``accounts.csv`` lists ``account`` (``hk/accounts.csv, line 7``), if it
    does: ``registry load`` of the folder sets the account back to that row's values, so a change
    made elsewhere must be made there too. None for a folder that is not a registry, or rows that
    do not parse (lint reports those)."""
    if not (folder / JURISDICTION_FILE).is_file():
        return None
    try:
        bundle = load_bundle(folder)
    except RegistryError:
        return None
    held = {(a.platform, a.kind, a.key) for a in account.addresses}
    for item in bundle.accounts:
        try:
            addresses = all_addresses(item.record, catalogue)
        except AddressError:
            continue
        if any((a.platform, a.kind, a.key) in held for a in addresses):
            return f"{item.where}, line {item.line}"
    return None
