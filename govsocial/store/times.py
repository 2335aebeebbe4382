"""Times as the store gives them back: always aware, in UTC.

The store writes every time in UTC. SQLite hands ``DateTime(timezone=True)`` values back without
their zone, and PostgreSQL in the session's time zone (``db.make_engine`` pins it to UTC, but a
value read through another connection may carry any offset): one function turns either into the
same aware UTC time, so pages, the API and the CLI print the same text whichever store is used.
"""

from __future__ import annotations

import datetime as dt
from typing import overload


@overload
def utc(moment: dt.datetime) -> dt.datetime: ...


@overload
def utc(moment: None) -> None: ...


def utc(moment: dt.datetime | None) -> dt.datetime | None:
    """``moment`` as an aware UTC time (a naive one is taken as UTC, as the store wrote it)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)
