"""``clarifications.csv``: posts a reviewer marks as clarifying misinformation, into the store.

A registry folder may hold ``clarifications.csv`` (columns ``post_url``, ``rumour_first_seen``,
``rumour_url``, ``note``, ``source``). ``registry load`` writes each row to
``clarification_marks`` (one per jurisdiction and post URL) and logs every change in ``changes``
(``registry.changelog``); a mark whose row left the file is deleted, unless the file had a bad row
(then nothing is deleted, so a typo never loses marks). The post itself is found by its URL when
clarifications are listed (``analyze.clarifications``), so a mark may name a post that is not
collected yet.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from govsocial.registry.bundle import CLARIFICATIONS_FILE, Bundle, Problem
from govsocial.registry.changelog import apply, delete
from govsocial.registry.records import ClarificationRecord
from govsocial.store import tables as t

ENTITY = "clarification_mark"
#: What ``_values`` writes, and a deleted mark's change logs as ``before`` (the time as ISO text in UTC).
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
            row = stored.get(url) or t.ClarificationMark(jurisdiction=code, post_url=url)
            counts[apply(session, row, _values(item.record), ENTITY, _key(code, url), actor)] += 1
    file_ok = not any(p.where.endswith(CLARIFICATIONS_FILE) for p in [*bundle.problems, *problems])
    if file_ok:
        for url, row in stored.items():
            if url not in seen:
                delete(session, row, _FIELDS, ENTITY, _key(code, url), actor)
                counts["delete"] += 1
    return counts, problems


def _values(record: ClarificationRecord) -> dict[str, Any]:
    first_seen = record.rumour_first_seen.astimezone(dt.UTC) if record.rumour_first_seen else None
    return {
        "rumour_first_seen_at": first_seen,
        "rumour_url": record.rumour_url,
        "note": record.note,
        "source": record.source,
    }


def _key(code: str, url: str) -> str:
    """The mark's ``entity_key`` in the change log, cut to the column's 300 characters."""
    return f"{code}:{url}"[:300]
