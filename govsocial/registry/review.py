"""Keeping the registry fresh: six-monthly re-review and archiving retired accounts.

The U.S. Digital Registry asked agencies to re-review every six months, yet stale accounts stayed
listed; here accounts past the interval are listed by ``review-due`` and on the portal, and a
retired account is archived, never deleted, so its old address cannot be reused to impersonate it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from govsocial.errors import NotFoundError
from govsocial.registry.addresses import PlatformCatalogue
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
    """Mark the account at ``url`` archived, with the reason, and log the change."""
    account = find_account(session, catalogue.parse(url, platform=platform))
    if account is None:
        raise NotFoundError(f"{url}: no account with this address in the registry")
    before = {"status": account.status.value, "archived_reason": account.archived_reason}
    account.status = t.AccountStatus.ARCHIVED
    account.archived_on = today or dt.date.today()
    account.archived_reason = reason
    session.add(
        t.Change(
            actor=actor,
            entity="account",
            entity_key=f"{account.platform}:{account.kind}:{account.key}",
            action="archive",
            before=before,
            after={"status": "archived", "archived_reason": reason},
        )
    )
    return account
