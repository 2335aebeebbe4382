"""CSV plumbing shared by the CSV export importers (CrowdTangle, Meta Business Suite, YouTube
Studio, and in part the generic CSV).

Not an importer itself: it defines no ``govsocial_importers`` hook, so ``govsocial.plugins`` scans
it and registers nothing. It reads decoded text into records that keep their first line number and
raw text (a quoted caption may span lines), cleans header cells, parses cells (whole numbers and
decimals with thousands separators; placeholders like ``N/A`` are None), and turns records into
``Batch``es of posts in which a row that cannot be read becomes a ``BadRecord``
("file.csv, line N" and the reason) instead of stopping the import.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

from govsocial.collect.records import MAX_COUNT, BadRecord, Batch, PostRecord, RawPayload

#: Cell values that mean "no number here" (casefolded).
UNKNOWN = frozenset({"", "n/a", "na", "-", "--", "null", "none"})
#: Thousands separators: comma, spaces, no-break and narrow no-break spaces.
_SEPARATORS = re.compile(r"[,\s\u00a0\u202f]")
_N = TypeVar("_N", int, float)


class BadRow(ValueError):
    """A row that cannot become a record; the message is the ``BadRecord`` reason."""


@dataclass(frozen=True)
class CsvRecord:
    """One CSV record: its first line in the file, its raw text, and its fields."""

    line: int
    raw: str
    fields: list[str]


def csv_records(text: str) -> Iterator[CsvRecord]:
    """Each non-blank record with its line number; a quoted caption may span several lines."""
    consumed: list[str] = []

    def lines() -> Iterator[str]:
        for line in io.StringIO(text.removeprefix("\ufeff"), newline=""):
            consumed.append(line)
            yield line

    line = 1
    # csv.reader pulls lines one at a time and never reads ahead, so after each record
    # ``consumed`` holds exactly that record's lines.
    for fields in csv.reader(lines()):
        raw, start = "".join(consumed).rstrip("\r\n"), line
        line += len(consumed)
        consumed.clear()
        if fields:
            yield CsvRecord(start, raw, fields)


def header_name(name: str) -> str:
    """A header cell without BOM, soft hyphens or stray spaces."""
    return " ".join(name.replace("\ufeff", "").replace("\u00ad", "").split())


def first_record(head: str) -> list[str]:
    """The cleaned header names of the first record of ``head``; empty if it cannot be read."""
    try:
        first = next(csv.reader(io.StringIO(head.removeprefix("\ufeff"), newline="")), [])
    except csv.Error:
        return []
    return [header_name(name) for name in first]


def modified_at(path: Path) -> dt.datetime:
    """When the file was last written: the best available time for counts it does not date."""
    return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)


def cell(row: Mapping[str, str], column: str) -> str | None:
    """The stripped cell; None when the column is absent or the cell empty."""
    value = row.get(column, "").strip()
    return value or None


def whole_number(row: Mapping[str, str], column: str) -> int | None:
    """A whole number, thousands separators allowed; None when the column is absent or empty."""
    return _parse(row, column, int, "a whole number")


def number(row: Mapping[str, str], column: str) -> float | None:
    """A decimal number, thousands separators allowed; None when the column is absent or empty."""
    return _parse(row, column, float, "a number")


def _parse(row: Mapping[str, str], column: str, convert: Callable[[str], _N], what: str) -> _N | None:
    text = row.get(column, "").strip()
    if text.casefold() in UNKNOWN:
        return None
    try:
        value = convert(_SEPARATORS.sub("", text))
    except ValueError:
        raise BadRow(f"{column}: {text!r} is not {what}") from None
    if not abs(value) <= MAX_COUNT:  # also refuses nan and inf, which float() reads
        raise BadRow(f"{column}: {text!r} is not {what} the store can hold (at most {MAX_COUNT:,})")
    return value


def local_time(text: str, formats: Iterable[str], zone: ZoneInfo) -> dt.datetime | None:
    """``text`` read with the first of the ``strptime`` formats that fits, in ``zone``, as UTC; None
    if none fits. (A wall time repeated by a daylight-saving change is its first occurrence.)"""
    for pattern in formats:
        try:
            naive = dt.datetime.strptime(text.strip(), pattern)
        except ValueError:
            continue
        return naive.replace(tzinfo=zone).astimezone(dt.UTC)
    return None


def row_of(fields: list[str], names: list[str]) -> dict[str, str]:
    """The fields by header name; ``BadRow`` when there are more or fewer than names."""
    if len(fields) != len(names):
        raise BadRow(f"{len(fields)} fields where the header has {len(names)}")
    return dict(zip(names, fields, strict=True))


def bad_record(source: str, file_name: str, line: int, raw: str, reason: str) -> BadRecord:
    """The quarantined row at ``line`` of ``file_name``, with its raw text."""
    return BadRecord(source=source, location=f"{file_name}, line {line}", reason=reason, content=raw)


def post_batches(
    records: Iterable[CsvRecord],
    header: CsvRecord,
    names: list[str],
    build: Callable[[dict[str, str]], PostRecord | None],
    *,
    source: str,
    file_name: str,
    fetched_at: dt.datetime,
    size: int,
) -> Iterator[Batch]:
    """Batches of ``size`` records each; a row ``build`` rejects (``BadRow``) becomes a ``BadRecord``.

    Each batch's raw payload is the header and its records, located as "file, lines A-B".
    """
    iterator = iter(records)
    while chunk := list(islice(iterator, size)):
        posts: list[PostRecord] = []
        bad: list[BadRecord] = []
        for record in chunk:
            try:
                post = build(row_of(record.fields, names))
            except BadRow as exc:
                bad.append(bad_record(source, file_name, record.line, record.raw, str(exc)))
            else:
                if post is not None:  # None: a row that is not a post (a "Total" row)
                    posts.append(post)
        body = "\n".join([header.raw, *(record.raw for record in chunk)])
        lines = f"line {chunk[0].line}" if len(chunk) == 1 else f"lines {chunk[0].line}-{chunk[-1].line}"
        raw = RawPayload(source=source, location=f"{file_name}, {lines}", fetched_at=fetched_at, body=body)
        yield Batch(edge="posts", raw=raw, posts=posts, bad=bad)
