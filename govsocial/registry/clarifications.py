"""``clarifications.csv``: posts a reviewer marks as clarifying misinformation, into the store.

A registry folder may hold ``clarifications.csv`` (columns ``post_url``, ``rumour_first_seen``,
``rumour_url``, ``note``, ``source``). ``registry load`` writes each row to
``clarification_marks`` (one per jurisdiction and post URL) and logs every change in ``changes``;
a mark whose row left the file is deleted, unless the file had a bad row (then nothing is
deleted, so a typo never loses marks). The post itself is found by its URL when clarifications
are listed (``analyze.clarifications``), so a mark may name a post that is not collected yet.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from govsocial.registry.bundle import CLARIFICATIONS_FILE, Bundle, Problem
from govsocial.registry.records import ClarificationRecord
from govsocial.store import tables as t
from govsocial.store.times import utc

ENTITY = "clarification_mark"
_FIELDS = ("rumour_first_seen_at", "rumour_url", "note", "source")


def duplicate_urls(bundle: Bundle) -> list[Problem]:
    """A problem for each row whose ``post_url`` an earlier row already has (lint and load)."""
    seen: dict[str, int] = {}
    problems = []
    for item in bundle.clarifications:
        url = item.record.post_url
        if url in seen:
            problems.append(
                Problem(item.where, item.line, f"post_url {url!r} is already on line {seen[url]}")
            )
        seen.setdefault(url, item.line)
    return problems


def load_marks(session: Session, bundle: Bundle, actor: str) -> tuple[dict[str, int], list[Problem]]:
    """Write the bundle's marks; returns rows by outcome (insert/update/noop/delete) and problems."""
    code = bundle.jurisdiction.code
    stored = {
        row.post_url: row
        for row in session.scalars(
            select(t.ClarificationMark).where(t.ClarificationMark.jurisdiction == code)
        )
    }
    counts = dict.fromkeys(("insert", "update", "noop", "delete"), 0)
    problems = duplicate_urls(bundle)
    seen: set[str] = set()
    for item in bundle.clarifications:
        url = item.record.post_url
        if url not in seen:
            seen.add(url)
            counts[_upsert(session, code, stored.get(url), item.record, actor)] += 1
    file_ok = not any(p.where.endswith(CLARIFICATIONS_FILE) for p in [*bundle.problems, *problems])
    if file_ok:
        for url, row in stored.items():
            if url not in seen:
                _log(session, actor, code, url, "delete", _values_of(row), None)
                session.delete(row)
                counts["delete"] += 1
    return counts, problems


def _upsert(
    session: Session, code: str, row: t.ClarificationMark | None, record: ClarificationRecord, actor: str
) -> str:
    first_seen = record.rumour_first_seen.astimezone(dt.UTC) if record.rumour_first_seen else None
    values: dict[str, Any] = {
        "rumour_first_seen_at": first_seen,
        "rumour_url": record.rumour_url,
        "note": record.note,
        "source": record.source,
    }
    after = _jsonable(values)
    if row is None:
        session.add(t.ClarificationMark(jurisdiction=code, post_url=record.post_url, **values))
        _log(session, actor, code, record.post_url, "insert", None, after)
        return "insert"
    before = _values_of(row)
    if before == after:
        return "noop"
    for name, value in values.items():
        setattr(row, name, value)
    changed = [name for name in _FIELDS if before[name] != after[name]]
    _log(session, actor, code, record.post_url, "update", {k: before[k] for k in changed},
         {k: after[k] for k in changed})  # fmt: skip
    return "update"


def _values_of(row: t.ClarificationMark) -> dict[str, Any]:
    return _jsonable({name: getattr(row, name) for name in _FIELDS})


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    out = dict(values)
    moment = out["rumour_first_seen_at"]
    if moment is not None:
        out["rumour_first_seen_at"] = utc(moment).isoformat()  # compared and logged as aware UTC
    return out


def _log(
    session: Session, actor: str, code: str, url: str, action: str,
    before: dict[str, Any] | None, after: dict[str, Any] | None,
) -> None:  # fmt: skip
    session.add(
        t.Change(actor=actor, entity=ENTITY, entity_key=f"{code}:{url}"[:300], action=action, before=before,
                 after=after)
    )  # fmt: skip
