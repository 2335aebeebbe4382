"""The generic CSV format: the documented fallback for any platform, filled in by hand or by a script.

Three layouts, told apart by the header row (see ``docs/collectors.md, Generic CSV`` for the column
specification): **posts** (has ``post_id`` and ``created_at``), **comments** (has ``comment_id``)
and **followers** (has ``date`` and ``followers``). Column names are matched without regard to
case or spaces; every column must belong to the layout, so a misspelt column is an error, not
silently lost data. Commas, tabs or semicolons separate the fields (from the header).

Rows are never dropped silently: a row with a bad date, a negative count, an unknown format, a
missing id or a broken quote becomes a ``BadRecord`` ("file.csv, line N" and the reason) and the
rows around it are kept. After an unterminated quote, reading starts again on the next line
(``_csv.records``, shared with the export importers). A bad comments row is quarantined as JSON
without its ``author_id``: a commenter's platform id is never stored in clear. Empty count cells
mean "unknown" (None), not 0. A time without an offset is in the import's zone (``--timezone``)
or, without one, in the zone of the row's account's jurisdiction (a comment: of its post's account).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from govsocial.collect.imports._csv import (
    BadRow,
    CsvRecord,
    Duplicates,
    bad_record,
    cell,
    check_unique,
    header_fields,
    line_location,
    modified_at,
    negative,
    reason_of,
    records,
    row_of,
    text_lines,
    utc,
)
from govsocial.collect.imports.base import ImportContext, Importer, decode_file
from govsocial.collect.records import (
    MAX_COUNT,
    BadRecord,
    Batch,
    CommentRecord,
    PostCounts,
    PostFormat,
    PostRecord,
    ProfileRecord,
    RawPayload,
)
from govsocial.errors import ImportFileError
from govsocial.hookspecs import hookimpl

SOURCE = "import:generic"
REACTION_TYPES = ("like", "love", "haha", "wow", "sad", "angry", "care")
COUNT_COLUMNS = ("likes", "comments", "shares", "views")


@dataclass(frozen=True)
class Layout:
    """One kind of file: its columns, those that must be present, and the edge its batches fill."""

    name: str
    columns: tuple[str, ...]
    required: tuple[str, ...]
    edge: str


POSTS = Layout(
    "posts",
    ("platform", "account", "post_id", "created_at", "format", "text", "url", "link", "followers_at_posting",
     *COUNT_COLUMNS, *(f"reactions_{kind}" for kind in REACTION_TYPES), "counted_at"),
    ("post_id", "created_at"),
    "posts",
)  # fmt: skip
COMMENTS = Layout(
    "comments",
    ("platform", "account", "post_id", "comment_id", "parent_id", "created_at", "author_id", "is_page_reply",
     "text", "likes"),
    ("post_id", "comment_id", "created_at"),
    "comments",
)  # fmt: skip
FOLLOWERS = Layout(
    "followers", ("platform", "account", "date", "followers"), ("date", "followers"), "profile"
)
LAYOUTS = (COMMENTS, POSTS, FOLLOWERS)

#: ``format`` values, with the words other exports use for them.
FORMATS: dict[str, PostFormat] = {
    **{member.value: member for member in PostFormat},
    "photo": PostFormat.IMAGE, "album": PostFormat.IMAGE, "status": PostFormat.TEXT,
    "reel": PostFormat.VIDEO, "short": PostFormat.VIDEO,
}  # fmt: skip
BOOLEANS = {
    **dict.fromkeys(("true", "yes", "y", "1"), True),
    **dict.fromkeys(("false", "no", "n", "0"), False),
}
DELIMITERS = (",", "\t", ";")
_PLATFORM_KEY = re.compile(r"[a-z][a-z0-9_]*")
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_URL = re.compile(r"https?://\S+", re.IGNORECASE)
_NUMBER = re.compile(r"\d{1,3}(?:[,\s\u00a0\u202f]\d{3})+|\d+")
_TIME_EXAMPLE = "e.g. 2024-05-01 14:30 or 2024-05-01T14:30:00+08:00"


# --- reading records -------------------------------------------------------------------------


def column_name(cell: str) -> str:
    """A header cell as the layouts name columns: no BOM, lower case, ``_`` for spaces and dashes."""
    words = cell.replace("\ufeff", "").strip().lower().replace("-", " ").split()
    return "_".join(words)


def _header(line: str, number: int = 1, file_name: str = "") -> tuple[str, list[str]]:
    """The delimiter and the cells of a header line: the delimiter naming most known columns;
    ``ImportFileError`` if the line cannot be split."""
    known = {column for layout in LAYOUTS for column in layout.columns}
    split = [(delimiter, header_fields(line, number, delimiter, file_name)) for delimiter in DELIMITERS]
    # max() keeps the first of equals: a comma unless another delimiter names more columns.
    return max(split, key=lambda found: len(known.intersection(map(column_name, found[1]))))


# --- cells -------------------------------------------------------------------------------------


def _required(row: Mapping[str, str], column: str, fallback: str | None = None, option: str = "") -> str:
    value = cell(row, column) or fallback
    if value is None:
        hint = f" and the import was given no {option}" if option else ""
        raise BadRow(f"{column} is empty{hint}")
    return value


def count(row: Mapping[str, str], column: str) -> int | None:
    """A whole number of zero or more (thousands separators allowed); None when the cell is empty."""
    text = cell(row, column)
    if text is None:
        return None
    if text.startswith("-") and _NUMBER.fullmatch(text[1:].strip()):
        raise negative(column, text)
    if not _NUMBER.fullmatch(text):
        raise BadRow(f"{column}: {text!r} is not a whole number")
    value = int(re.sub(r"\D", "", text))
    if value > MAX_COUNT:
        raise BadRow(f"{column}: {text} is more than the store can hold (at most {MAX_COUNT:,})")
    return value


#: The zone of a time without an offset, or how to find it (looked up only for such a time).
Zone = ZoneInfo | Callable[[], ZoneInfo]


def moment(text: str, column: str, zone: Zone, *, date_only: bool = False) -> dt.datetime:
    """An ISO 8601 date and time (or, with ``date_only``, also a date) in UTC; no offset means ``zone``."""
    pattern = _DATE if date_only else _DATE_TIME
    try:
        if not pattern.match(text):
            raise ValueError(text)
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        what = "date (e.g. 2024-05-01)" if date_only else f"date and time ({_TIME_EXAMPLE})"
        raise BadRow(f"{column}: {text!r} is not an ISO 8601 {what}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone() if callable(zone) else zone)
    return utc(parsed, column, text)


def _platform(row: Mapping[str, str], context: ImportContext) -> str:
    value = _required(row, "platform", context.platform, "--platform").lower()
    if not _PLATFORM_KEY.fullmatch(value):
        raise BadRow(f"platform: {value!r} is not a platform key (facebook, instagram, youtube, x, ...)")
    return value


def _url(row: Mapping[str, str], column: str) -> str | None:
    value = cell(row, column)
    if value is not None and not _URL.fullmatch(value):
        raise BadRow(f"{column}: {value!r} is not an http(s) URL")
    return value


def _format(row: Mapping[str, str]) -> PostFormat:
    value = (cell(row, "format") or "other").lower()
    if value not in FORMATS:
        raise BadRow(f"format: {value!r} is not one of {', '.join(member.value for member in PostFormat)}")
    return FORMATS[value]


def _boolean(row: Mapping[str, str], column: str) -> bool:
    value = (cell(row, column) or "false").lower()
    if value not in BOOLEANS:
        raise BadRow(f"{column}: {value!r} is not true or false")
    return BOOLEANS[value]


# --- rows -> records ---------------------------------------------------------------------------


def _counts(row: Mapping[str, str], zone: Zone, file_time: dt.datetime) -> PostCounts | None:
    numbers: dict[str, Any] = {column: count(row, column) for column in COUNT_COLUMNS}
    by_type = {kind: count(row, f"reactions_{kind}") for kind in REACTION_TYPES}
    reactions = {kind: n for kind, n in by_type.items() if n is not None} or None
    if reactions is None and all(n is None for n in numbers.values()):
        return None
    counted = cell(row, "counted_at")
    taken_at = moment(counted, "counted_at", zone) if counted else file_time
    return PostCounts(taken_at=taken_at, reactions=reactions, **numbers)


def post(row: Mapping[str, str], context: ImportContext, file_time: dt.datetime) -> PostRecord:
    """A row of the posts layout (times without an offset in its account's zone)."""
    raw_time = _required(row, "created_at")
    platform, post_id = _platform(row, context), _required(row, "post_id")
    account_ref = _required(row, "account", context.account_ref, "--account")
    zone = _account_zone(context, platform, account_ref)
    return PostRecord(
        platform=platform,
        post_id=post_id,
        account_ref=account_ref,
        created_at=moment(raw_time, "created_at", zone),
        created_at_raw=raw_time,
        format=_format(row),
        text=cell(row, "text"),
        url=_url(row, "url"),
        link=_url(row, "link"),
        followers_at_posting=count(row, "followers_at_posting"),
        counts=_counts(row, zone, file_time),
    )


def comment(row: Mapping[str, str], context: ImportContext, file_time: dt.datetime) -> CommentRecord:
    """A row of the comments layout (``account`` is for the reader: comments find their post by id,
    and a time without an offset is in the zone of that post's account)."""
    raw_time = _required(row, "created_at")
    platform = _platform(row, context)
    post_id = _required(row, "post_id")
    return CommentRecord(
        platform=platform,
        post_id=post_id,
        comment_id=_required(row, "comment_id"),
        parent_id=cell(row, "parent_id"),
        created_at=moment(raw_time, "created_at", lambda: context.post_zone(platform, post_id)),
        created_at_raw=raw_time,
        author_id=cell(row, "author_id"),
        is_page_reply=_boolean(row, "is_page_reply"),
        text=cell(row, "text"),
        likes=count(row, "likes"),
    )


def followers(row: Mapping[str, str], context: ImportContext, file_time: dt.datetime) -> ProfileRecord:
    """A row of the followers layout: the count on a date (00:00 in the account's zone) or at a time."""
    platform = _platform(row, context)
    account_ref = _required(row, "account", context.account_ref, "--account")
    return ProfileRecord(
        platform=platform,
        account_ref=account_ref,
        taken_at=moment(
            _required(row, "date"), "date", _account_zone(context, platform, account_ref), date_only=True
        ),
        followers=count(row, "followers"),
    )


def _account_zone(context: ImportContext, platform: str, account_ref: str) -> Zone:
    """The zone of the account's rows, looked up when a time without an offset needs it."""
    return lambda: context.zone(platform, account_ref)


Built = PostRecord | CommentRecord | ProfileRecord
Builder = Callable[[Mapping[str, str], ImportContext, dt.datetime], Built]
BUILDERS: dict[str, Builder] = {"posts": post, "comments": comment, "followers": followers}


# --- the file ----------------------------------------------------------------------------------


def layout_of(names: list[str]) -> Layout | None:
    """The layout whose columns include every name, with its key columns present; None if none."""
    found = set(names)
    for layout in LAYOUTS:
        if set(layout.required) <= found and found <= set(layout.columns):
            return layout
    return None


def _check_header(cells: list[str], context: ImportContext, file_name: str) -> Layout:
    names = [column_name(cell) for cell in cells]
    check_unique(names, cells, file_name)
    layout = layout_of(names)
    if layout is None:
        raise ImportFileError(f"{file_name}: {_header_problem(names)} (see docs/collectors.md, Generic CSV)")
    if "platform" not in names and context.platform is None:
        raise ImportFileError(f"{file_name}: no platform column; add one or pass --platform")
    if "account" not in names and context.account_ref is None and layout is not COMMENTS:
        raise ImportFileError(f"{file_name}: no account column; add one or pass --account")
    return layout


def _header_problem(names: list[str]) -> str:
    """Why a header is no layout's, judged against the layout its key column points to."""
    found = set(names)
    keys = {"comment_id": COMMENTS, "post_id": POSTS, "followers": FOLLOWERS, "date": FOLLOWERS}
    layout = next((layout for key, layout in keys.items() if key in found), None)
    if layout is None:
        return (
            "not a generic CSV header: it needs post_id (posts), comment_id (comments) or date and followers"
        )
    unknown = [name or "(an unnamed column)" for name in names if name not in layout.columns]
    missing = [name for name in layout.required if name not in found]
    parts = [f"unknown columns for the {layout.name} layout: {', '.join(unknown)}"] if unknown else []
    return "; ".join(parts + ([f"missing columns: {', '.join(missing)}"] if missing else []))


#: Columns of the comments layout that name a commenter: never kept in clear, not even in quarantine.
IDENTITY_COLUMNS = ("author_id",)
#: What a quarantined comments row keeps when its fields cannot be told apart (so neither can its
#: commenter's identity): the file, line and reason locate it.
NOT_KEPT = "[not kept: a comments row that cannot be split may hold a commenter's identity]"


@dataclass(frozen=True)
class _Chunker:
    """Turns chunks of records of one file into batches."""

    file_name: str
    names: list[str]
    layout: Layout
    build: Callable[[Mapping[str, str]], Any]
    duplicates: Duplicates = field(default_factory=Duplicates)

    def batches(self, chunk: list[CsvRecord], raw: RawPayload) -> list[Batch]:
        built: list[tuple[Any, str]] = []  # each record with where it was read
        bad: list[BadRecord] = []
        for record in chunk:
            try:
                item = self.build(row_of(record, self.names))
                if isinstance(item, PostRecord):
                    self.duplicates.check(item, record.line)
                built.append((item, line_location(self.file_name, record.line)))
            except (BadRow, ValidationError) as exc:
                bad.append(bad_record(SOURCE, self.file_name, record.line, self.kept(record), reason_of(exc)))
        # Each record is located, so that one storage quarantines (its account is not in the
        # registry, a comment's post is not stored) is listed with its line like any bad row.
        if self.layout is FOLLOWERS:
            # A batch holds one profile snapshot: a batch per row, the first with the raw rows and the bad.
            batches = [
                Batch(edge="profile", profile=profile, profile_location=where) for profile, where in built
            ]
            batches = batches or [Batch(edge="profile")]
            return [batches[0].model_copy(update={"raw": raw, "bad": bad}), *batches[1:]]
        located: dict[str, str] = {}
        for item, where in built:
            located.setdefault(item.post_id if self.layout is POSTS else item.comment_id, where)
        items = [item for item, _ in built]
        if self.layout is POSTS:
            return [Batch(edge="posts", raw=raw, bad=bad, posts=items, post_locations=located)]
        return [Batch(edge="comments", raw=raw, bad=bad, comments=items, comment_locations=located)]

    def kept(self, record: CsvRecord) -> str:
        """What quarantine keeps of a bad row: its raw text, but a comments row as JSON without its
        commenter's identity (a commenter's platform id is never stored in clear)."""
        if self.layout is not COMMENTS or not set(IDENTITY_COLUMNS) & set(self.names):
            return record.raw
        if record.fields is None or len(record.fields) != len(self.names):
            return NOT_KEPT
        row = {name: value for name, value in zip(self.names, record.fields, strict=True)
               if name not in IDENTITY_COLUMNS}  # fmt: skip
        return json.dumps(row, ensure_ascii=False)


class GenericCsvImporter(Importer):
    """The documented generic CSV: posts, comments or follower counts of any platform."""

    format = "generic"
    description = "Generic CSV (posts, comments or followers of any platform; see docs/collectors.md)"

    @classmethod
    def sniff(cls, name: str, head: str) -> bool:
        if not name.lower().endswith((".csv", ".tsv", ".txt")):
            return False
        first = next((line for line in io.StringIO(head, newline="") if line.strip()), "")
        try:
            cells = _header(first)[1]
        except ImportFileError:
            return False
        return layout_of([column_name(cell) for cell in cells]) is not None

    def read(self, path: Path, context: ImportContext) -> Iterator[Batch]:
        lines = text_lines(decode_file(path))
        first = next((index for index, line in enumerate(lines) if line.strip()), None)
        if first is None:
            return
        delimiter, cells = _header(lines[first], first + 1, path.name)
        layout = _check_header(cells, context, path.name)
        names = [column_name(cell) for cell in cells]
        file_time = modified_at(path)
        build = BUILDERS[layout.name]
        chunker = _Chunker(path.name, names, layout, lambda row: build(row, context, file_time))
        rows = records(lines, first + 1, delimiter, len(names))
        while chunk := list(islice(rows, max(context.batch_size, 1))):
            body = "".join([lines[first], *(record.raw + "\n" for record in chunk)])
            location = f"{path.name}, lines {chunk[0].line}-{chunk[-1].line}"
            raw = RawPayload(source=SOURCE, location=location, fetched_at=file_time, body=body)
            yield from chunker.batches(chunk, raw)


@hookimpl
def govsocial_importers() -> list[type[Importer]]:
    """The generic CSV importer."""
    return [GenericCsvImporter]
