"""Forgetting one comment everywhere the store holds it (``govsocial privacy forget``).

A person may ask for a comment of theirs to be removed. It is deleted from ``comments`` (its
sentiment label goes with it: the foreign key cascades), taken out of every kept raw payload that
holds it (the JSON item with that ``id`` is removed and the rest of the page is kept; a body that is
not JSON and mentions the id is replaced whole), and every quarantined record naming it is deleted
(as a JSON string, or as a field of a file's line; its fingerprint with it: a file or page that
holds the comment, read again, quarantines it again).
Replies to it are other people's comments and stay. The metrics count it until the next refresh.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Connection, Table, delete, func, select, update

from govsocial.store import tables as t

#: What a raw payload body that is not JSON says once it held a forgotten comment.
REMOVED = "[removed: held a comment that was forgotten on request]"

_comments = cast(Table, t.Comment.__table__)
_sentiments = cast(Table, t.CommentSentiment.__table__)
_posts = cast(Table, t.Post.__table__)
_payloads = cast(Table, t.RawPayloadRow.__table__)
_quarantine = cast(Table, t.QuarantinedRecord.__table__)


@dataclass(frozen=True)
class Forgotten:
    """Where the comment was found and removed."""

    comments: int
    sentiments: int
    payloads: int
    quarantined: int

    @property
    def found(self) -> bool:
        """Whether the comment was anywhere at all."""
        return any((self.comments, self.sentiments, self.payloads, self.quarantined))


def forget_comment(connection: Connection, platform: str, comment_id: str) -> Forgotten:
    """Remove comment ``comment_id`` of ``platform`` from the store; what was removed."""
    found = connection.execute(
        select(_comments.c.id, _posts.c.account_id)
        .join(_posts, _posts.c.id == _comments.c.post_id)
        .where(_comments.c.platform == platform, _comments.c.comment_id == comment_id)
    ).first()
    sentiments = comments = 0
    account_id = None
    if found is not None:
        row_id, account_id = found
        sentiments = _count(connection, _sentiments.c.comment_id == row_id)
        comments = connection.execute(delete(_comments).where(_comments.c.id == row_id)).rowcount
    payloads = _scrub_payloads(connection, comment_id, account_id)
    # A comment quarantined for a post not in the store is located by its id: its content may
    # have been purged since, its location still names the comment.
    # (``comment ID``, or ``comment ID (FILE, line N)`` where an importer said where it read it.)
    location = _quarantine.c.location
    by_location = (location == f"comment {comment_id}") | location.startswith(
        f"comment {comment_id} (", autoescape=True
    )
    named = _mentions(_quarantine.c.content, comment_id) | by_location
    quarantined = connection.execute(delete(_quarantine).where(named)).rowcount
    quarantined += _forget_lines(connection, comment_id)
    return Forgotten(comments, sentiments, payloads, quarantined)


#: The separators of a generic CSV's fields (``collect.imports.generic.DELIMITERS``).
_DELIMITERS = (",", "\t", ";")


def _forget_lines(connection: Connection, comment_id: str) -> int:
    """Delete the quarantined records that are a line of a file (not JSON) with ``comment_id`` as
    one of its fields: a bad row of a comments file without an author column is kept as it was
    read, its id unquoted (``c-7,2026-13-45,text``), where ``_mentions`` cannot see it."""
    found = _quarantine.c.content.like(f"%{_like_escaped(comment_id)}%", escape="\\")
    candidates = connection.execute(select(_quarantine.c.id, _quarantine.c.content).where(found)).all()
    ids = [row_id for row_id, content in candidates if _is_a_field(content, comment_id)]
    if not ids:
        return 0
    return connection.execute(delete(_quarantine).where(_quarantine.c.id.in_(ids))).rowcount


def _is_a_field(content: str, comment_id: str) -> bool:
    """Whether ``content``, read as lines of delimited fields, has ``comment_id`` as a field.
    Over-matching (another column holding the same text) forgets a quarantined record too many,
    the safer error."""
    for delimiter in _DELIMITERS:
        try:
            rows = list(csv.reader(io.StringIO(content, newline=""), delimiter=delimiter))
        except csv.Error:
            continue
        if any(field.strip() == comment_id for row in rows for field in row):
            return True
    return False


def _count(connection: Connection, condition: Any) -> int:
    return int(connection.scalar(select(func.count()).where(condition)) or 0)


def _mentions(column: Any, comment_id: str) -> Any:
    """Text that names ``comment_id`` as a JSON string (``"ID"``)."""
    return column.like(f'%"{_like_escaped(comment_id)}"%', escape="\\")


def _like_escaped(text: str) -> str:
    """``text`` as a literal in a ``LIKE`` pattern that escapes with a backslash."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _scrub_payloads(connection: Connection, comment_id: str, account_id: int | None) -> int:
    """Take the comment out of every kept payload naming it (of its account, when known)."""
    query = select(_payloads.c.id, _payloads.c.body).where(_mentions(_payloads.c.body, comment_id))
    if account_id is not None:
        query = query.where((_payloads.c.account_id == account_id) | _payloads.c.account_id.is_(None))
    changed = 0
    for payload_id, body in connection.execute(query).all():
        kept = _without_comment(body, comment_id)
        if kept != body:
            connection.execute(update(_payloads).where(_payloads.c.id == payload_id).values(body=kept))
            changed += 1
    return changed


def _without_comment(body: str, comment_id: str) -> str:
    """``body`` without the JSON object whose ``id`` is ``comment_id`` (``REMOVED`` if not JSON)."""
    try:
        data = json.loads(body)
    except json.JSONDecodeError:
        return REMOVED
    pruned = _prune(data, comment_id)
    return body if pruned == data else json.dumps(pruned, ensure_ascii=False, separators=(",", ":"))


def _prune(value: Any, comment_id: str) -> Any:
    """A copy of ``value`` with every object whose ``id`` is ``comment_id`` left out of its list."""
    if isinstance(value, list):
        return [_prune(item, comment_id) for item in value if not _is_the_comment(item, comment_id)]
    if isinstance(value, dict):
        return {key: _prune(item, comment_id) for key, item in value.items()}
    return value


def _is_the_comment(item: Any, comment_id: str) -> bool:
    return isinstance(item, dict) and str(item.get("id")) == comment_id
