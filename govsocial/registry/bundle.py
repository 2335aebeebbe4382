"""A registry folder: one jurisdiction's organisations, accounts and unconfirmed facts.

``data/registry/<code>/`` holds ``jurisdiction.toml``, ``organisations.csv``, ``accounts.csv``,
``unconfirmed.csv`` and, optionally, ``clarifications.csv`` (posts marked as clarifying
misinformation) and ``districts.csv`` (the districts the citizen survey asks about). ``load_bundle``
parses every row into a typed record and collects, instead of raising, a ``Problem`` for each row
that does not parse, so lint and load can report all of them.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import ValidationError

from govsocial.encodings import decode
from govsocial.errors import ImportFileError, RegistryError
from govsocial.files import read_regular_file
from govsocial.registry.records import (
    AccountRecord,
    ClarificationRecord,
    DistrictRecord,
    FactRecord,
    JurisdictionRecord,
    OrganisationRecord,
    Record,
)
from govsocial.registry.tables_io import SourceRow, csv_header, first_bad_line, read_rows

JURISDICTION_FILE = "jurisdiction.toml"
ORGANISATIONS_FILE = "organisations.csv"
ACCOUNTS_FILE = "accounts.csv"
FACTS_FILE = "unconfirmed.csv"
CLARIFICATIONS_FILE = "clarifications.csv"
DISTRICTS_FILE = "districts.csv"

R = TypeVar("R", bound=Record)
T = TypeVar("T")


@dataclass(frozen=True)
class Problem:
    """Something wrong in registry data, and where."""

    where: str
    line: int | None
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        place = f"{self.where}, line {self.line}" if self.line is not None else self.where
        return f"{place}: {self.message}"


@dataclass(frozen=True)
class Located(Generic[T]):
    """A record with the file and line it came from."""

    where: str
    line: int
    record: T


@dataclass
class Bundle:
    """Everything in one registry folder."""

    jurisdiction: JurisdictionRecord
    organisations: list[Located[OrganisationRecord]] = field(default_factory=list)
    accounts: list[Located[AccountRecord]] = field(default_factory=list)
    facts: list[Located[FactRecord]] = field(default_factory=list)
    clarifications: list[Located[ClarificationRecord]] = field(default_factory=list)
    #: ``districts.csv``'s rows; None when the folder has no such file (the survey asks no district).
    districts: list[Located[DistrictRecord]] | None = None
    problems: list[Problem] = field(default_factory=list)


def validation_message(error: ValidationError) -> str:
    """A one-line reason from a pydantic error: ``field: message; field: message``."""
    parts = []
    for item in error.errors():
        name = ".".join(str(part) for part in item["loc"]) or "row"
        parts.append(f"{name}: {_date_reason(item) or item['msg']}")
    return "; ".join(parts)


def _date_reason(item: Any) -> str | None:
    """What to do about a cell that is not a date, which pydantic explains in its own terms
    ("input is too short"): most often a spreadsheet rewrote ``2026-10-01`` as ``1/10/2026``."""
    if not str(item["type"]).startswith("date") or not isinstance(item.get("input"), str):
        return None
    return (
        f"{item['input']!r} is not a date: write YYYY-MM-DD, e.g. 2026-10-01 (a spreadsheet may have "
        "rewritten it: format the column as text)"
    )


def parse_rows(
    model: type[R], rows: Sequence[SourceRow], where: str
) -> tuple[list[Located[R]], list[Problem]]:
    """Validate each row as ``model``; good rows become records, bad rows problems."""
    good: list[Located[R]] = []
    bad: list[Problem] = []
    for row in rows:
        if "__extra__" in row.data:
            bad.append(Problem(where, row.line, "more cells than header columns"))
            continue
        try:
            good.append(Located(where, row.line, model.model_validate(row.data)))
        except ValidationError as exc:
            bad.append(Problem(where, row.line, validation_message(exc)))
    return good, bad


def load_jurisdiction(folder: Path) -> JurisdictionRecord:
    """Read ``jurisdiction.toml``; a registry folder without one is not a registry."""
    path = folder / JURISDICTION_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise RegistryError(f"{folder}: no {JURISDICTION_FILE}; is this a registry folder?") from exc
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(f"{path}: invalid TOML ({exc})") from exc
    try:
        record = JurisdictionRecord.model_validate(data)
    except ValidationError as exc:
        raise RegistryError(f"{path}: {validation_message(exc)}") from exc
    # ``registry load --jurisdiction CODE`` picks the folder by name, and lint names files by folder.
    name = folder.resolve().name
    if record.code != name:
        raise RegistryError(
            f"{path}: code: {record.code!r} is not the name of its folder {name!r}; "
            "a jurisdiction's folder is named after its code"
        )
    return record


def load_bundle(folder: Path) -> Bundle:
    """Parse a registry folder; missing optional files count as empty."""
    bundle = Bundle(load_jurisdiction(folder))
    bundle.organisations = _load_file(folder, ORGANISATIONS_FILE, OrganisationRecord, bundle.problems)
    bundle.accounts = _load_file(folder, ACCOUNTS_FILE, AccountRecord, bundle.problems)
    bundle.facts = _load_file(folder, FACTS_FILE, FactRecord, bundle.problems)
    bundle.clarifications = _load_file(folder, CLARIFICATIONS_FILE, ClarificationRecord, bundle.problems)
    if (folder / DISTRICTS_FILE).exists():
        bundle.districts = _load_checked_file(folder, DISTRICTS_FILE, DistrictRecord, bundle.problems)
    return bundle


def _load_file(folder: Path, name: str, model: type[R], problems: list[Problem]) -> list[Located[R]]:
    path = folder / name
    if not path.exists():
        return []
    try:
        rows = read_rows(path, "csv")
    except ImportFileError as exc:
        problems.append(Problem(str(path), None, str(exc)))
        return []
    good, bad = parse_rows(model, rows, f"{folder.name}/{name}")
    problems.extend(bad)
    return good


def _load_checked_file(folder: Path, name: str, model: type[R], problems: list[Problem]) -> list[Located[R]]:
    """``_load_file`` for a file whose header is checked first: a column the model does not know, or
    a required one missing, is one problem on line 1 rather than the same one on every row (the
    rows are then not read). An undecodable file is a problem on the line of its first bad byte."""
    where = f"{folder.name}/{name}"
    try:
        raw = read_regular_file(folder / name)
    except ImportFileError as exc:
        problems.append(Problem(str(folder / name), None, str(exc)))
        return []
    try:
        header = csv_header(decode(raw, where))
    except ImportFileError as exc:
        problems.append(Problem(where, first_bad_line(raw), str(exc).removeprefix(f"{where}: ")))
        return []
    wrong = header_problems(model, header)
    if wrong:
        problems.append(Problem(where, 1, wrong))
        return []
    return _load_file(folder, name, model, problems)


def header_problems(model: type[Record], header: Sequence[str]) -> str | None:
    """What is wrong with a CSV header for ``model``'s rows (None when nothing is): unknown, missing
    required or repeated columns."""
    known = list(model.model_fields)
    required = [name for name, info in model.model_fields.items() if info.is_required()]
    reasons = []
    unknown = [column for column in header if column not in known]
    if unknown:
        reasons.append(f"unknown column {', '.join(map(repr, unknown))} (the columns are {', '.join(known)})")
    missing = [column for column in required if column not in header]
    if missing:
        reasons.append(f"missing column {', '.join(map(repr, missing))}")
    repeated = sorted({column for column in header if header.count(column) > 1})
    if repeated:
        reasons.append(f"column {', '.join(map(repr, repeated))} given twice")
    return "header: " + "; ".join(reasons) if reasons else None


def registry_folders(root: Path) -> list[Path]:
    """The jurisdiction folders under ``root`` (each has a ``jurisdiction.toml``)."""
    if (root / JURISDICTION_FILE).exists():
        return [root]
    return sorted(path.parent for path in root.glob(f"*/{JURISDICTION_FILE}"))
