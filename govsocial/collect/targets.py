"""Which accounts a collection run covers: registry accounts that a connector can read."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from govsocial.collect.base import Target
from govsocial.plugins import connectors
from govsocial.settings import Settings
from govsocial.store import tables as t


def target_of(account: t.Account) -> Target:
    """The connector's view of a registry account."""
    return Target(
        account_id=account.id,
        platform=account.platform,
        kind=account.kind,
        handle=account.handle,
        platform_id=account.platform_id,
        url=account.url,
    )


def collectable(
    session: Session, platforms: set[str], jurisdiction: str | None = None, organisation: str | None = None
) -> list[Target]:
    """Non-archived accounts on ``platforms``, optionally of one jurisdiction or organisation."""
    query = select(t.Account).where(
        t.Account.platform.in_(platforms), t.Account.status != t.AccountStatus.ARCHIVED
    )
    if jurisdiction:
        query = query.where(t.Account.jurisdiction == jurisdiction)
    if organisation:
        owners = (
            select(t.AccountOrganisation.account_id)
            .join(t.Organisation)
            .where(t.Organisation.code == organisation)
        )
        query = query.where(t.Account.id.in_(owners))
    return [target_of(a) for a in session.scalars(query.order_by(t.Account.id)).all()]


def collected_platforms(settings: Settings) -> set[str]:
    """The platforms whole runs and the scheduler collect: those with a connector, less the ones
    the deployment chose to leave out (``collect_skip_platforms``: no credential for them, say).
    One account asked for by its address is collected whatever its platform."""
    return set(connectors()) - set(settings.collect_skip_platforms)
