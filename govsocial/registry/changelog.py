"""The registry's change-logged writes: set a row's values or delete it, and record what changed.

Every writer of registry data (``sync`` for jurisdictions, platforms, organisations, accounts and
facts; ``clarifications`` and ``districts`` for their files) goes through ``apply`` and ``delete``,
so each insert, update and delete leaves one ``changes`` row (``t.Change``) of the same form:

- insert: ``before`` is empty, ``after`` holds every value written;
- update: ``before`` and ``after`` hold only the fields that changed;
- delete: ``before`` holds the stored values, ``after`` is empty;
- a write that changes nothing (``noop``) leaves no row.

Values are logged in their JSON forms (``jsonable``): enums as their values, dates as ISO text and
times as ISO text in UTC, so a time read back from either store compares equal to the one written.
This module imports only the store, so every registry module can use it.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from govsocial.store import tables as t
from govsocial.store.times import utc


class Outcome(enum.StrEnum):
    """What an upsert did."""

    INSERT = "insert"
    UPDATE = "update"
    NOOP = "noop"


def apply(
    session: Session, row: Any, values: dict[str, Any], entity: str, key: str, actor: str, view: Any = None
) -> Outcome:
    """Set ``values`` on ``row`` (added to ``session`` when not yet persistent) through ``view``
    (``row`` itself unless given: an object that reads and sets derived fields like columns), and
    log the change as ``entity`` ``key`` by ``actor``; nothing is set or logged when every value is
    already stored."""
    view = row if view is None else view
    before = snapshot(view, values) if inspect(row).persistent else None
    after = {name: jsonable(value) for name, value in values.items()}
    if before == after:
        return Outcome.NOOP
    for name, value in values.items():
        setattr(view, name, value)
    if before is None:
        session.add(row)
    changed_before = None if before is None else {k: v for k, v in before.items() if after[k] != v}
    changed_after = after if before is None else {k: after[k] for k in changed_before or {}}
    action = Outcome.INSERT if before is None else Outcome.UPDATE
    _log(session, actor, entity, key, action.value, changed_before, changed_after)
    return action


def delete(session: Session, row: Any, fields: Iterable[str], entity: str, key: str, actor: str) -> None:
    """Log the delete of ``row`` (its stored ``fields`` as ``before``) and delete it."""
    _log(session, actor, entity, key, "delete", snapshot(row, fields), None)
    session.delete(row)


def snapshot(row: Any, names: Iterable[str]) -> dict[str, Any]:
    """The values of ``names`` on ``row``, in their JSON forms."""
    return {name: jsonable(getattr(row, name)) for name in names}


def jsonable(value: Any) -> Any:
    """``value`` as the change log stores it: an enum's value, a time (aware UTC; a naive one is taken
    as UTC, as the store wrote it) or a date as ISO text, anything else as it is."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime):
        return utc(value).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _log(
    session: Session,
    actor: str,
    entity: str,
    key: str,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    session.add(
        t.Change(actor=actor, entity=entity, entity_key=key, action=action, before=before, after=after)
    )
