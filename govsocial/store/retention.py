"""Retention: citizens' words are kept for a limited time, the numbers made of them for good.

Once older than the retention period (the setting ``comment_retention_days``), a comment's text is
purged: ``text`` becomes NULL, ``text_purged_at`` says when, and ``is_question`` keeps the one thing
the metrics read from the text (whether it asked something), so response rates stay as they were.
Its sentiment label stays too (``comment_sentiments``: it was scored while the text existed). The
kept raw payloads and quarantined records older than the period hold texts as well: their bodies
are replaced by ``PURGED``. Everything here is idempotent: a second purge finds nothing to do.

The caller decides what a text says (``is_question``: the analysis layer knows); this module only
reads and writes, a chunk at a time, on the caller's connection (one transaction).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from typing import cast

from sqlalchemy import Connection, Table, and_, bindparam, select, update

from govsocial.store import tables as t

#: What a purged raw payload body or quarantined record says instead of its content.
PURGED = "[purged: older than the retention period]"
#: Comments read and written per statement.
CHUNK = 1000

_comments = cast(Table, t.Comment.__table__)
_payloads = cast(Table, t.RawPayloadRow.__table__)
_quarantine = cast(Table, t.QuarantinedRecord.__table__)


def texts_before(connection: Connection, cutoff: dt.datetime) -> Iterator[list[tuple[int, str]]]:
    """Chunks of ``(id, text)`` of comments written before ``cutoff`` whose text is still kept.

    Each chunk must be purged (``mark_purged``) before the next is read: the query asks again for
    the first comments still holding text, so purged ones drop out of it.
    """
    query = (
        select(_comments.c.id, _comments.c.text)
        .where(_comments.c.created_at < cutoff, _comments.c.text.is_not(None))
        .order_by(_comments.c.id)
        .limit(CHUNK)
    )
    while rows := [(int(i), str(text)) for i, text in connection.execute(query)]:
        yield rows


def mark_purged(connection: Connection, rows: Sequence[tuple[int, bool]], now: dt.datetime) -> None:
    """Purge the texts of comments ``(id, is_question)``, keeping whether each asked a question."""
    statement = (
        update(_comments)
        .where(_comments.c.id == bindparam("b_id"))
        .values(text=None, text_purged_at=now, is_question=bindparam("b_question"))
    )
    connection.execute(statement, [{"b_id": i, "b_question": asked} for i, asked in rows])


def purge_payloads(connection: Connection, cutoff: dt.datetime) -> int:
    """Replace the bodies of raw payloads fetched before ``cutoff``; how many were purged."""
    statement = (
        update(_payloads)
        .where(and_(_payloads.c.fetched_at < cutoff, _payloads.c.body != PURGED))
        .values(body=PURGED)
    )
    return connection.execute(statement).rowcount


def redact_reasons(connection: Connection, redact: Callable[[str], str]) -> int:
    """Rewrite the reasons of quarantined records that ``redact`` changes; how many were.

    A reason quotes the value refused, and records quarantined before reasons were redacted at
    ingest hold it in clear (a phone number in a count's cell), as purged records do: their
    content is purged, their reason is not. The fingerprint stays, as after a purge.
    """
    rows = connection.execute(select(_quarantine.c.id, _quarantine.c.reason)).all()
    changed = [{"b_id": i, "b_reason": kept} for i, reason in rows if (kept := redact(reason)) != reason]
    if changed:
        by_id = _quarantine.c.id == bindparam("b_id")
        connection.execute(update(_quarantine).where(by_id).values(reason=bindparam("b_reason")), changed)
    return len(changed)


def purge_quarantine(connection: Connection, cutoff: dt.datetime) -> int:
    """Replace the content of records quarantined before ``cutoff``; how many were purged.

    "Before" is when a record was first quarantined (``created_at``), not when it was last met: a
    bad item a scheduled collection meets every day would otherwise keep its content for ever.
    The record's ``fingerprint`` stays, so the same record read again is still counted on this
    row (its content stays purged) rather than stored anew; it is a one-way hash of what was kept
    (already scrubbed), with nothing to read back.
    """
    statement = (
        update(_quarantine)
        .where(and_(_quarantine.c.created_at < cutoff, _quarantine.c.content != PURGED))
        .values(content=PURGED)
    )
    return connection.execute(statement).rowcount
