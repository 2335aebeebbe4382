"""What the platforms said of their tokens (``token_checks``): validity and expiry times, one row per
platform, replaced by each check. The token itself is never stored: only what the platform answered.

``invalid_since`` is kept while a token stays invalid, so the alert about it is one event however
often it is checked; a valid answer clears it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from govsocial.store import tables as t


@dataclass(frozen=True)
class Answer:
    """What one check found: ``expires_at`` and ``data_access_expires_at`` are None for "never"."""

    is_valid: bool
    expires_at: dt.datetime | None = None
    data_access_expires_at: dt.datetime | None = None
    error: str | None = None


def record(session: Session, platform: str, answer: Answer, now: dt.datetime) -> t.TokenCheck:
    """Store the answer of a check of ``platform``'s token in place of the previous one."""
    row = session.get(t.TokenCheck, platform)
    if row is None:
        row = t.TokenCheck(platform=platform)
        session.add(row)
    was_invalid = row.invalid_since if row.is_valid is False else None
    row.checked_at = now
    row.is_valid = answer.is_valid
    row.expires_at = answer.expires_at
    row.data_access_expires_at = answer.data_access_expires_at
    row.error = answer.error[:1000] if answer.error else None
    row.invalid_since = None if answer.is_valid else (was_invalid or now)
    session.flush()
    return row


def latest(session: Session, platform: str) -> t.TokenCheck | None:
    """The last check of ``platform``'s token, if any."""
    return session.get(t.TokenCheck, platform)


def all_checks(session: Session) -> Sequence[t.TokenCheck]:
    """Every platform's last check, by platform."""
    return session.scalars(select(t.TokenCheck).order_by(t.TokenCheck.platform)).all()
