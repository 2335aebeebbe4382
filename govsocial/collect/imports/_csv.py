"""CSV plumbing shared by the CSV importers (CrowdTangle, Meta Business Suite, YouTube Studio and
the generic CSV).

Not an importer itself: it defines no ``govsocial_importers`` hook, so ``govsocial.plugins`` scans
it and registers nothing. It reads decoded text into records that keep their first line number and
raw text (a quoted caption may span lines), starting again on the next line after a quote that is
opened and never closed, so a broken row loses only itself. Fields are separated by commas, or by
tabs or semicolons when those are what make the header one the importer knows (``delimiter_of``:
Excel's "Unicode Text" is UTF-16 with tabs). It refuses a header that names a
column twice, cleans header cells, parses cells (counts of zero or more, signed whole numbers and
decimals, with thousands separators; placeholders like ``N/A`` are None), turns local times into
UTC, and turns records into ``Batch``es of posts in which a row that cannot be read becomes a
``BadRecord`` ("file.csv, line N" and the reason) instead of stopping the import.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from govsocial.collect.imports.base import DATE_ORDER_OPTIONS, DAY_FIRST, MONTH_FIRST
from govsocial.collect.records import (
    MAX_COUNT,
    BadRecord,
    Batch,
    PostCounts,
    PostRecord,
    RawPayload,
    what_is_wrong,
)
from govsocial.errors import ImportFileError

#: Cell values that mean "no number here" (casefolded).
UNKNOWN = frozenset({"", "n/a", "na", "-", "--", "null", "none"})
#: What may separate fields: a comma, else a tab (Excel's "Unicode Text", the UTF-16 it saves, is
#: tab-separated) or a semicolon (Excel's CSV where the decimal mark is a comma).
DELIMITERS = (",", "\t", ";")
#: Whether cleaned header names (``header_name``) are the header of an importer's format.
Recognise = Callable[[list[str]], bool]
#: Thousands separators: comma, spaces, no-break and narrow no-break spaces.
_SEPARATORS = re.compile(r"[,\s\u00a0\u202f]")
_N = TypeVar("_N", int, float)


class BadRow(ValueError):
    """A row that cannot become a record; the message is the ``BadRecord`` reason."""


def reason_of(error: BadRow | ValidationError) -> str:
    """The ``BadRecord`` reason of a row: a ``BadRow``'s message, or what the record refused (a
    time that is not plausible, ``records.plausible``), field by field, without pydantic's links."""
    return str(error) if isinstance(error, BadRow) else what_is_wrong(error)


@dataclass(frozen=True)
class CsvRecord:
    """One CSV record: its first line in the file, its raw text, and its fields (None, with the
    ``problem``, when the line cannot be split into fields)."""

    line: int
    raw: str
    fields: list[str] | None
    problem: str | None = None


@dataclass(frozen=True)
class CsvFile:
    """A CSV file split into its header record (and its cells) and an iterator over the records
    after it."""

    header: CsvRecord
    cells: list[str]
    rows: Iterator[CsvRecord]


# --- reading records -------------------------------------------------------------------------


def text_lines(text: str) -> list[str]:
    """The lines of decoded text, each with its line ending, without a leading BOM."""
    return io.StringIO(text.removeprefix("\ufeff"), newline="").readlines()


def _broken(exc: csv.Error) -> str:
    """Why ``csv`` could not split a record, in the words of someone fixing the file."""
    if "field larger than field limit" in str(exc):
        # csv stops a field at 128 KiB: in an export, only an open quote makes one that long.
        return (
            f"a field longer than {csv.field_size_limit():,} characters: "
            "probably a quote that is opened and not closed"
        )
    if "unexpected end of data" in str(exc):
        return "a quote is opened and not closed before the end of the file"
    if "expected after" in str(exc):
        return f"a closing quote is followed by more of the field ({exc}): a quote inside it is not doubled"
    return f"broken quoting ({exc})"


def _read_from(lines: list[str], begin: int, delimiter: str, width: int) -> Iterator[CsvRecord]:
    """Records from ``lines[begin:]`` until one is broken: that one is yielded with its problem, last."""
    consumed: list[str] = []

    def feed() -> Iterator[str]:
        # By index, not a slice: after each broken record reading starts again, and copying the
        # rest of the file each time would make a file of many broken rows quadratic.
        for index in range(begin, len(lines)):
            consumed.append(lines[index])
            yield lines[index]

    # strict: an unterminated quote ends in a csv.Error rather than swallowing the rest of the file.
    # csv.reader pulls lines one at a time and never reads ahead, so after each record
    # ``consumed`` holds exactly that record's lines.
    reader = csv.reader(feed(), delimiter=delimiter, strict=True)
    position = begin
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield CsvRecord(position + 1, lines[position].rstrip("\r\n"), None, _broken(exc))
            return
        raw, spanned = "".join(consumed).rstrip("\r\n"), len(consumed)
        consumed.clear()
        if fields and len(fields) != width and spanned > 1:
            # A quote left open took in the next lines: report its line, read on from the next.
            problem = "a quote is opened and not closed"
            yield CsvRecord(position + 1, lines[position].rstrip("\r\n"), None, problem)
            return
        # A row of empty cells (",,,,": what Excel writes for a blank row, or for formatted
        # rows below the data) holds nothing to store or to fix: skipped like a blank line.
        if any(field.strip() for field in fields):
            yield CsvRecord(position + 1, raw, fields)
        position += spanned


def records(lines: list[str], first: int, delimiter: str, width: int) -> Iterator[CsvRecord]:
    """Every record of ``lines[first:]`` with a cell that is not blank, with 1-based line numbers;
    after a record that cannot be split, reading starts again on the line after its first."""
    begin = first
    while begin < len(lines):
        last = None
        for record in _read_from(lines, begin, delimiter, width):
            last = record
            yield record
        if last is None or last.fields is not None:
            return
        begin = last.line  # the line after the broken one (line numbers are 1-based)


def header_fields(line: str, number: int, delimiter: str, file_name: str) -> list[str]:
    """The cells of a header ``line`` (line ``number`` of the file; a header is one line);
    ``ImportFileError`` if it cannot be split."""
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error as exc:
        raise ImportFileError(f"{file_name}, line {number}: unreadable header ({_broken(exc)})") from None


def _any_header(names: list[str]) -> bool:
    return True


def csv_file(text: str, file_name: str, recognised: Recognise = _any_header) -> CsvFile | None:
    """The header (the first non-blank line) and the records after it, split by the separator that
    makes the header one ``recognised`` knows (``delimiter_of``); None for a blank file."""
    lines = text_lines(text)
    first = next((index for index, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return None
    delimiter = delimiter_of(lines[first], recognised)
    fields = header_fields(lines[first], first + 1, delimiter, file_name)
    header = CsvRecord(first + 1, lines[first].rstrip("\r\n"), fields)
    return CsvFile(header, fields, records(lines, first + 1, delimiter, len(fields)))


def header_name(name: str) -> str:
    """A header cell without BOM, soft hyphens or stray spaces."""
    return " ".join(name.replace("\ufeff", "").replace("\u00ad", "").split())


def _names_split_by(line: str, delimiter: str) -> list[str] | None:
    """The cleaned names of a header ``line`` split by ``delimiter``; None if it cannot be split."""
    try:
        cells = next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return None
    return [header_name(cell) for cell in cells]


def delimiter_of(line: str, recognised: Recognise) -> str:
    """The separator of a header ``line``: the first of ``DELIMITERS`` that splits it into a header
    ``recognised`` knows, else a comma (the importer then says what its header lacks). A comma comes
    first, and a tab-separated header split at commas is no format's: "Reactions, comments and
    shares" is one column of Meta Business Suite's, which a file saved with tabs does not quote."""
    for delimiter in DELIMITERS:
        names = _names_split_by(line, delimiter)
        if names is not None and recognised(names):
            return delimiter
    return ","


def first_record(head: str, recognised: Recognise = _any_header) -> list[str]:
    """The cleaned header names of the first non-blank line of ``head``, split as ``csv_file``
    splits it; empty if it cannot be read."""
    line = next((line for line in text_lines(head) if line.strip()), "")
    return _names_split_by(line, delimiter_of(line, recognised)) or []


def check_unique(names: list[str], cells: list[str], file_name: str) -> None:
    """``ImportFileError`` when two header cells name one column (``names``: the column each cell of
    ``cells`` means): a row would keep only one of the two values, without a word."""
    seen: dict[str, list[str]] = {}
    for name, original in zip(names, cells, strict=True):
        if name:  # an unnamed column is never read, however many there are
            seen.setdefault(name, []).append(original.strip())
    twice = [(name, shown) for name, shown in seen.items() if len(shown) > 1]
    if twice:
        named = [
            name if set(shown) == {name} else f"{name} (as {' and '.join(shown)})" for name, shown in twice
        ]
        raise ImportFileError(f"{file_name}: columns named twice: {', '.join(named)}")


def row_of(record: CsvRecord, names: list[str]) -> dict[str, str]:
    """The fields by header name; ``BadRow`` when the record could not be split or has more or
    fewer fields than names."""
    if record.fields is None:
        raise BadRow(record.problem or "unreadable row")
    if len(record.fields) != len(names):
        raise BadRow(f"{len(record.fields)} fields where the header has {len(names)}")
    return dict(zip(names, record.fields, strict=True))


# --- cells -------------------------------------------------------------------------------------


def modified_at(path: Path) -> dt.datetime:
    """When the file was last written: the best available time for counts it does not date."""
    return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)


def cell(row: Mapping[str, str], column: str) -> str | None:
    """The stripped cell; None when the column is absent or the cell empty."""
    value = row.get(column, "").strip()
    return value or None


def negative(column: str, text: str) -> BadRow:
    """The bad row of a negative count (every importer says it the same way)."""
    return BadRow(f"{column}: {text} is negative (a count cannot be; leave the cell empty if unknown)")


def count(row: Mapping[str, str], column: str) -> int | None:
    """A count: a whole number of zero or more, thousands separators allowed; None when the column
    is absent or the cell empty or a placeholder."""
    value = whole_number(row, column)
    if value is not None and value < 0:
        raise negative(column, row[column].strip())
    return value


def whole_number(row: Mapping[str, str], column: str) -> int | None:
    """A whole number that may be negative (a net change, like Studio's Subscribers), thousands
    separators allowed; None when the column is absent or empty."""
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


def utc(moment: dt.datetime, column: str, text: str) -> dt.datetime:
    """An aware ``moment`` in UTC; ``BadRow`` when UTC has no such time (year 1 east of Greenwich,
    year 9999 west of it), which ``datetime`` reports as an ``OverflowError``."""
    try:
        return moment.astimezone(dt.UTC)
    except OverflowError:
        raise BadRow(f"{column}: {text!r} is out of the range of dates (years 1 to 9999 in UTC)") from None


def local_time(text: str, formats: Iterable[str], zone: ZoneInfo, column: str) -> dt.datetime | None:
    """``text`` read with the first of the ``strptime`` formats that fits, in ``zone``, as UTC; None
    if none fits; ``BadRow`` (naming ``column``) if it has no UTC time. (A wall time repeated by a
    daylight-saving change is its first occurrence.)"""
    for pattern in formats:
        try:
            naive = dt.datetime.strptime(text.strip(), pattern)
        except ValueError:
            continue
        return utc(naive.replace(tzinfo=zone), column, text.strip())
    return None


#: A numeric date at the start of a cell: day and month (in either order), then a four-digit year.
_NUMERIC_DATE = re.compile(r"\s*(\d{1,2})/(\d{1,2})/(\d{4})\b")


def column_values(found: CsvFile, names: list[str], column: str) -> Iterator[str]:
    """The cells of ``column`` in the records of ``found`` that could be split (consumes them)."""
    if column not in names:
        return
    index = names.index(column)
    for record in found.rows:
        if record.fields is not None and len(record.fields) == len(names):
            yield record.fields[index]


#: Whether a cell reads as a date or time in an order (``DAY_FIRST`` or ``MONTH_FIRST``).
Fits = Callable[[str, str], bool]


def numeric_date_order(
    values: Iterable[str],
    told: str | None,
    fits: Fits,
    written: re.Pattern[str] | None,
    *,
    file_name: str,
    column: str,
    options: str = DATE_ORDER_OPTIONS,
) -> str:
    """How to read the numeric dates of a file's ``column``: ``told`` (``--day-first`` or
    ``--month-first``) when given; else what the dates show (a first field over 12 is a day, a
    second one over 12 is; only dates that ``fits`` in that order count: a bad row is not a sign);
    else month first when every date is as the platform writes it
    (``written``; None: it writes no numeric dates). Otherwise the file was re-saved (Excel writes
    dates in its regional order: d/m/yyyy in Hong Kong, m/d/yyyy in the US) and no date says which
    order it has: ``ImportFileError`` rather than a day and month swapped without a word."""
    if told is not None:
        return told
    day_first: str | None = None
    month_first: str | None = None
    resaved: str | None = None
    for value in values:
        match, value = _NUMERIC_DATE.match(value), value.strip()
        if match is None:
            continue  # not a numeric date: its own format (or its bad row) says what it is
        first, second = int(match[1]), int(match[2])
        if first > 12 and fits(value, DAY_FIRST):
            day_first = day_first or value
        elif second > 12 and fits(value, MONTH_FIRST):
            month_first = month_first or value
        elif resaved is None and fits(value, MONTH_FIRST) and not (written and written.fullmatch(value)):
            resaved = value
    if day_first and month_first:
        raise ImportFileError(
            f"{file_name}: {column} has dates with the day first ({day_first!r}) and dates with the "
            f"month first ({month_first!r}): say which order to read with {options} "
            "(rows in the other order are then quarantined)"
        )
    if day_first or month_first:
        return DAY_FIRST if day_first else MONTH_FIRST
    if resaved is None:
        return MONTH_FIRST
    raise ImportFileError(
        f"{file_name}: {column} dates such as {resaved!r} could be day/month or month/day, none is "
        "past the 12th to tell, and they are not as the platform writes them (the file was re-saved, "
        "e.g. by Excel, which writes its regional order): check one post's date on the platform and "
        f"import again with {options}"
    )


# --- records -> batches ------------------------------------------------------------------------


def line_location(file_name: str, line: int) -> str:
    """Where a row is: "file.csv, line N" (its first line)."""
    return f"{file_name}, line {line}"


def bad_record(source: str, file_name: str, line: int, raw: str, reason: str) -> BadRecord:
    """The quarantined row at ``line`` of ``file_name``, with its raw text."""
    return BadRecord(source=source, location=line_location(file_name, line), reason=reason, content=raw)


@dataclass
class Duplicates:
    """The posts of one file read so far, with their counts: a post given again with other counts
    for the same time (the file's modification time, for an export) is a conflict, which storing
    would settle without a word (the first row's snapshot kept, the second a ``noop``)."""

    seen: dict[tuple[str, str], tuple[int, PostCounts]] = field(default_factory=dict)

    def check(self, post: PostRecord, line: int) -> None:
        """``BadRow`` if ``post`` (read at ``line``) was read on an earlier line with other counts
        for the same time; the same counts again (a row copied twice) are no conflict."""
        if post.counts is None:
            return
        first, counts = self.seen.setdefault((post.platform, post.post_id), (line, post.counts))
        if first != line and counts.taken_at == post.counts.taken_at and counts != post.counts:
            raise BadRow(
                f"post {post.post_id!r} is on line {first} too, with other counts for the same time: "
                f"only one can be right (line {first}'s are stored; correct or remove this row, or the other)"
            )


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
    duplicates = Duplicates()
    while chunk := list(islice(iterator, max(size, 1))):
        posts: list[PostRecord] = []
        bad: list[BadRecord] = []
        located: dict[str, str] = {}
        for record in chunk:
            try:
                post = build(row_of(record, names))
                if post is not None:
                    duplicates.check(post, record.line)
            except (BadRow, ValidationError) as exc:
                bad.append(bad_record(source, file_name, record.line, record.raw, reason_of(exc)))
            else:
                if post is not None:  # None: a row that is not a post (a "Total" row)
                    posts.append(post)
                    located.setdefault(post.post_id, line_location(file_name, record.line))
        body = "\n".join([header.raw, *(record.raw for record in chunk)])
        lines = f"line {chunk[0].line}" if len(chunk) == 1 else f"lines {chunk[0].line}-{chunk[-1].line}"
        raw = RawPayload(source=source, location=f"{file_name}, {lines}", fetched_at=fetched_at, body=body)
        yield Batch(edge="posts", raw=raw, posts=posts, bad=bad, post_locations=located)
