"""The audit log of the admin area: every change made there or through its API, and every sign-in.

A row says who (the user), what (``action``, e.g. ``account.status``), on what (``target``, e.g.
``account:42``), the details (before and after, counts) and from which network: the client's
address cut to its network (IPv4 /24, IPv6 /48), as web analytics anonymise addresses, because the
log is kept for good and a device's address is personal data. Passwords and tokens are never in it.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from govsocial.store import tables as t

IPV4_PREFIX = 24
IPV6_PREFIX = 48


def network_of(address: str | None) -> str | None:
    """The network an address belongs to (``203.0.113.0/24``); None for none or a non-address."""
    if not address:
        return None
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    prefix = IPV4_PREFIX if ip.version == 4 else IPV6_PREFIX
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def record(
    session: Session,
    user_id: int | None,
    action: str,
    target: str,
    details: dict[str, Any] | None = None,
    address: str | None = None,
    now: dt.datetime | None = None,
) -> t.AuditEntry:
    """Add a row to the audit log, in the caller's transaction (so the change and its row go together)."""
    entry = t.AuditEntry(
        user_id=user_id,
        action=action,
        target=target[:300],
        details=details or {},
        ip=network_of(address),
        at=now or dt.datetime.now(dt.UTC),
    )
    session.add(entry)
    return entry


def recent(
    session: Session, limit: int = 100, offset: int = 0, action: str | None = None
) -> list[tuple[t.AuditEntry, str | None]]:
    """The newest rows first, each with its user's name (None when no user was signed in)."""
    query = (
        select(t.AuditEntry, t.User.username)
        .outerjoin(t.User, t.User.id == t.AuditEntry.user_id)
        .order_by(t.AuditEntry.id.desc())
        .limit(limit)
        .offset(offset)
    )
    if action:
        query = query.where(t.AuditEntry.action == action)
    return [(entry, name) for entry, name in session.execute(query).all()]
