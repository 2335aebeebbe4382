"""Reading and writing registry tables as CSV or JSON files.

Reading decodes the encodings people actually send (UTF-8 with or without BOM, UTF-16 with BOM,
Big5-HKSCS from older Hong Kong government systems), takes tab-separated text as well as commas
(Excel's "Unicode Text" is UTF-16 with tabs) and keeps each row's line number, so every error can
say where it is. Writing protects spreadsheets from formula injection: a cell that
starts with ``= + - @`` gets a leading apostrophe, which reading removes again.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govsocial.csvsafe import protect, unprotect
from govsocial.encodings import decode
from govsocial.errors import ImportFileError
from govsocial.files import read_regular_file

FORMATS = ("csv", "json")


@dataclass(frozen=True)
class SourceRow:
    """One row of a file, with where it came from."""

    line: int
    data: dict[str, Any]


def detect_format(path: Path, text: str) -> str:
    """``json`` or ``csv``, from the extension, else from the first character."""
    suffix = path.suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    return "json" if text.lstrip().startswith(("[", "{")) else "csv"


def read_rows(path: Path, fmt: str | None = None) -> list[SourceRow]:
    """Every row of a CSV or JSON file, each with its line (CSV) or item number (JSON)."""
    text = decode(read_regular_file(path), str(path))
    fmt = fmt or detect_format(path, text)
    if fmt == "json":
        return list(_json_rows(text, str(path)))
    return list(_csv_rows(text, str(path)))


def delimiter(text: str) -> str:
    """``\t`` when the header row of ``text`` is separated by tabs and holds no comma (a sheet saved
    by Excel as "Unicode Text"), else ``,``."""
    header = text.split("\n", 1)[0]
    return "\t" if "\t" in header and "," not in header else ","


def csv_header(text: str) -> list[str]:
    """The column names of CSV ``text`` (its first row), as ``read_rows`` reads them."""
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter(text))
        return [column.strip() for column in next(reader)]
    except StopIteration:
        raise ImportFileError("the file is empty (a header row is needed)") from None
    except csv.Error as exc:
        raise ImportFileError(f"unreadable header ({exc})") from exc


def first_bad_line(raw: bytes) -> int:
    """The line of the first byte of ``raw`` that is not UTF-8 (1 when it all is): where to look in
    a file that ``encodings.decode`` refused."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return raw[: exc.start].count(b"\n") + 1
    return 1


def _csv_rows(text: str, name: str) -> Iterator[SourceRow]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter(text))
    try:
        header = [column.strip() for column in next(reader)]
    except StopIteration:
        raise ImportFileError(f"{name}: the file is empty (a header row is needed)") from None
    except csv.Error as exc:
        raise ImportFileError(f"{name}, line 1: unreadable header ({exc})") from exc
    line = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ImportFileError(f"{name}, line {line}: broken CSV ({exc})") from exc
        if any(cell.strip() for cell in cells):
            yield SourceRow(line, _row_dict(header, cells))
        line = reader.line_num + 1


def _row_dict(header: Sequence[str], cells: Sequence[str]) -> dict[str, Any]:
    row: dict[str, Any] = {name: unprotect(cell) for name, cell in zip(header, cells, strict=False) if name}
    if len(cells) > len(header):
        row["__extra__"] = list(cells[len(header) :])
    return row


def _json_rows(text: str, name: str) -> Iterator[SourceRow]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(f"{name}, line {exc.lineno}: invalid JSON ({exc.msg})") from exc
    if isinstance(data, dict) and isinstance(data.get("data"), list):
        data = data["data"]  # our own API envelope {"data": [...], "count": N}
    if not isinstance(data, list):
        raise ImportFileError(f'{name}: expected a JSON array of objects (or {{"data": [...]}})')
    for number, item in enumerate(data, start=1):
        yield SourceRow(number, item if isinstance(item, dict) else {"__not_an_object__": item})


def write_csv(
    rows: Iterable[dict[str, str]], columns: Sequence[str], out: io.TextIOBase | Any, bom: bool = False
) -> None:
    """Write ``rows`` as CSV; ``bom`` adds the UTF-8 byte order mark Excel needs for Chinese."""
    if bom:
        out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([protect(row.get(column, "")) for column in columns])


def write_json(items: Sequence[dict[str, Any]], out: io.TextIOBase | Any) -> None:
    """Write ``items`` as the API's ``{"data": [...], "count": N}`` envelope."""
    json.dump({"data": list(items), "count": len(items)}, out, ensure_ascii=False, indent=1)
    out.write("\n")
