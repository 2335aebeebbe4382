"""Labelled texts: the ``text,label`` CSV files that ``sentiment eval`` and ``sentiment train`` read.

A file is UTF-8 CSV (a byte-order mark is allowed) with a header naming at least ``text`` and
``label``; labels are ``positive``, ``neutral`` or ``negative`` (any case, spaces around ignored).
Training also reads an optional ``weight`` column (a positive number; default 1). Any other
column is ignored, so a team can keep its own notes beside each comment.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from govsocial.analyze.sentiment.base import LABELS, Label, SentimentError


@dataclass(frozen=True, slots=True)
class LabelledText:
    """One labelled text from a file (``line`` is where it starts, for messages)."""

    text: str
    label: Label
    weight: float = 1.0
    line: int = 0


def _label(value: str, where: str) -> Label:
    label = value.strip().lower()
    for known in LABELS:
        if label == known:
            return known
    raise SentimentError(f"{where}: label {value!r} is not one of {', '.join(LABELS)}")


def _weight(value: str | None, where: str) -> float:
    if value is None or not value.strip():
        return 1.0
    try:
        weight = float(value)
    except ValueError:
        weight = -1.0
    if not weight > 0:
        raise SentimentError(f"{where}: weight {value!r} is not a positive number")
    return weight


def read_labelled(path: Path) -> list[LabelledText]:
    """Every row of a labelled CSV file; :class:`SentimentError` names the first bad line."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return list(_rows(csv.DictReader(handle), path))
    except UnicodeDecodeError as exc:
        raise SentimentError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise SentimentError(f"{path}: {exc.strerror}") from None


def _rows(reader: csv.DictReader[str], path: Path) -> Iterable[LabelledText]:
    fields = reader.fieldnames or []
    if "text" not in fields or "label" not in fields:
        raise SentimentError(f"{path}: the header must name the columns text and label (found {fields})")
    for row in reader:
        where = f"{path}:{reader.line_num}"
        if row["label"] is None:
            raise SentimentError(f"{where}: the row has no label")
        yield LabelledText(
            row["text"] or "", _label(row["label"], where), _weight(row.get("weight"), where), reader.line_num
        )
