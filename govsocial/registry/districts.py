"""``districts.csv``: a jurisdiction's districts (regions, boroughs, planning areas), into the store.

A registry folder may hold ``districts.csv`` (columns ``code``, ``name_en``, ``name_zh_hant``,
``name_zh_hans``), the districts the citizen survey asks about on that jurisdiction's portal.
``registry load`` writes each row to ``districts`` (one per jurisdiction and code, in the file's
order) and logs every change in ``changes`` (``registry.changelog``). A district whose row left the
file is deleted, unless the file had a bad row (then nothing is deleted, so a typo never loses a
district); a folder without the file has no districts. Answers already stored with a deleted
district's code keep it: the results count them under that code (``analyze.survey.district_counts``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from govsocial.registry.bundle import DISTRICTS_FILE, Bundle, Problem
from govsocial.registry.changelog import apply, delete
from govsocial.registry.names import simplified_or_derived
from govsocial.registry.records import DistrictRecord
from govsocial.store import tables as t

ENTITY = "district"
#: What ``_values`` writes, and a deleted district's change logs as ``before``.
_FIELDS = ("position", "name_en", "name_zh_hant", "name_zh_hans")
WARNING = "warning"


def duplicate_codes(bundle: Bundle) -> list[Problem]:
    """A problem for each row whose ``code`` an earlier row already has (lint and load)."""
    seen: dict[str, int] = {}
    problems = []
    for item in bundle.districts or []:
        code = item.record.code
        if code in seen:
            problems.append(Problem(item.where, item.line, f"code: {code!r} is already on line {seen[code]}"))
        seen.setdefault(code, item.line)
    return problems


def name_warnings(bundle: Bundle) -> list[Problem]:
    """A warning for each district without a name in one of the jurisdiction's
    ``required_name_languages`` (as for organisations; the page falls back to another name)."""
    problems = []
    for item in bundle.districts or []:
        for language in bundle.jurisdiction.required_name_languages:
            if not getattr(item.record, f"name_{language}", None):
                message = f"name_{language}: district {item.record.code!r} has no name_{language}"
                problems.append(Problem(item.where, item.line, message, WARNING))
    return problems


def file_ok(bundle: Bundle, problems: list[Problem]) -> bool:
    """Whether ``districts.csv`` had no bad row (deleting districts is safe only then)."""
    return not any(p.where.endswith(DISTRICTS_FILE) for p in [*bundle.problems, *problems])


def load_districts(session: Session, bundle: Bundle, actor: str) -> tuple[dict[str, int], list[Problem]]:
    """Write the bundle's districts; returns rows by outcome (insert/update/noop/delete) and problems."""
    code = bundle.jurisdiction.code
    stored = {
        row.code: row for row in session.scalars(select(t.District).where(t.District.jurisdiction == code))
    }
    counts = dict.fromkeys(("insert", "update", "noop", "delete"), 0)
    problems = duplicate_codes(bundle)
    seen: set[str] = set()
    for item in bundle.districts or []:
        district = item.record.code
        if district not in seen:
            values = _values(item.record, len(seen))
            seen.add(district)
            row = stored.get(district) or t.District(jurisdiction=code, code=district)
            counts[apply(session, row, values, ENTITY, f"{code}:{district}", actor)] += 1
    if file_ok(bundle, problems):
        for district, row in stored.items():
            if district not in seen:
                delete(session, row, _FIELDS, ENTITY, f"{code}:{district}", actor)
                counts["delete"] += 1
    return counts, problems


def _values(record: DistrictRecord, position: int) -> dict[str, Any]:
    return {
        "position": position,
        "name_en": record.name_en,
        "name_zh_hant": record.name_zh_hant,
        "name_zh_hans": simplified_or_derived(record.name_zh_hans, record.name_zh_hant),
    }
