"""The audit log of the admin area: every change made there or through its API, and every sign-in.

A row says who (the user), what (``action``, e.g. ``account.status``), on what (``target``, e.g.
``account:42``), the details (before and after, counts) and from which network: the client's
address cut to its network (IPv4 /24, IPv6 /48), as web analytics anonymise addresses, because the
log is kept for good and a device's address is personal data. Passwords and tokens are never in it.

Rows that an outsider could cause without limit are written once per window (``record_once``):
a sign-in lock-out is logged when it starts, not at each attempt it refuses, so refused attempts
cannot fill the log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from govsocial.store import tables as t

IPV4_PREFIX = 24
IPV6_PREFIX = 48
#: The first key of the PostgreSQL advisory locks ``record_once`` takes (the second is the row's
#: action and target, hashed); any number kept for this use. Two-key locks never meet the
#: one-key lock of the alerts run (store/alerts.py): PostgreSQL keeps the two kinds apart.
ONCE_LOCK_CLASS = 0x6175  # "au"


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


def record_once(
    session: Session,
    since: dt.datetime,
    user_id: int | None,
    action: str,
    target: str,
    details: dict[str, Any] | None = None,
    address: str | None = None,
    now: dt.datetime | None = None,
) -> t.AuditEntry | None:
    """Add a row unless one with the same action and target was written since ``since``; the row, or None.

    Correct when requests ask at the same time, on both stores. The row is added first, then the
    earlier ones are looked for, and the new row is taken back when there is one. On SQLite the
    first write of a transaction waits until the writer before it has committed, and the look
    that follows sees that writer's row. On PostgreSQL a write does not wait for another
    transaction's insert, and the look would not see a row not yet committed: so a transaction
    lock on the action and target (an advisory lock, released by the commit) makes the others
    wait for the first and then look.
    """
    _serialise(session, f"{action}|{target[:300]}")
    entry = record(session, user_id, action, target, details, address, now)
    session.flush()
    earlier = session.scalar(
        select(func.count())
        .select_from(t.AuditEntry)
        .where(
            t.AuditEntry.action == action,
            t.AuditEntry.target == entry.target,
            t.AuditEntry.at >= since,
            t.AuditEntry.id != entry.id,
        )
    )
    if not earlier:
        return entry
    session.delete(entry)
    session.flush()
    return None


def _serialise(session: Session, key: str) -> None:
    """On PostgreSQL, wait for any other transaction that holds ``key``, and hold it to the commit."""
    if session.get_bind().dialect.name != "postgresql":
        return
    number = int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big", signed=True)
    session.execute(select(func.pg_advisory_xact_lock(ONCE_LOCK_CLASS, number)))
