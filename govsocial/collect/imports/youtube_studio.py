"""YouTube Studio exports: per-video metrics that the Data API does not give (watch time,
impressions, subscribers gained), from "Advanced mode > Export current view > CSV".

Two shapes are read: ``Table data.csv`` from today's zip (``Content`` holds the video id) and the
older single-file export (``Video``). Columns depend on the metrics ticked, so they are matched by
header text after removing the U+00AD soft hyphens Studio puts inside words. The first row is a
``Total`` row, which is skipped. The file never names the channel, so the account comes from
``--account``. Publish times are dates only (``May 8, 2020``): they are taken as local midnight in
``ImportContext.zone`` (``--timezone``, else the zone of the channel's jurisdiction). Counts
cover the export's date range and are time-stamped with the file's modification time.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from govsocial.collect.imports._csv import (
    BadRow,
    CsvFile,
    cell,
    check_unique,
    column_values,
    count,
    csv_file,
    first_record,
    header_name,
    local_time,
    modified_at,
    number,
    numeric_date_order,
    post_batches,
    whole_number,
)
from govsocial.collect.imports.base import DAY_FIRST, MONTH_FIRST, ImportContext, Importer, decode_file
from govsocial.collect.records import Batch, PostCounts, PostFormat, PostRecord
from govsocial.errors import ImportFileError
from govsocial.hookspecs import hookimpl

SOURCE = "import:youtube_studio"

#: Older or alternative header names (casefolded) -> the name used here.
ALIASES = {
    "video": "Content",
    "video views": "Views",
    "average % viewed": "Average percentage viewed (%)",
}

#: Columns kept in ``PostRecord.extra`` (key -> column) when not empty, by kind of value.
EXTRA_INTS = {
    "dislikes": "Dislikes", "subscribers": "Subscribers", "subscribers_gained": "Subscribers gained",
    "subscribers_lost": "Subscribers lost", "impressions": "Impressions",
}  # fmt: skip
#: Whole-number columns that may be negative (a net change, not a count).
SIGNED = frozenset({"Subscribers"})
EXTRA_FLOATS = {
    "watch_time_hours": "Watch time (hours)",
    "impressions_ctr_percent": "Impressions click-through rate (%)",
    "average_percentage_viewed": "Average percentage viewed (%)",
    "stayed_to_watch_percent": "Stayed to watch (%)",
}
EXTRA_DURATIONS = {"duration_s": "Duration", "average_view_duration_s": "Average view duration"}

_DATE_FORMATS = ("%b %d, %Y", "%B %d, %Y", "%Y-%m-%d", "%d %b %Y", "%d %B %Y")
#: Dates as Excel re-saves them (Studio writes none like this): in the order the file shows.
_NUMERIC_FORMATS = {DAY_FIRST: ("%d/%m/%Y",), MONTH_FIRST: ("%m/%d/%Y",)}
_VIDEO_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_DURATION = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2})$")


# --- YouTube Studio ---------------------------------------------------------------------------


def _names(header: list[str]) -> list[str]:
    return [ALIASES.get(name.casefold(), name) for name in header]


def _is_studio(names: list[str]) -> bool:
    return "Content" in names and "Video title" in names


def parse_date(text: str, zone: ZoneInfo, order: str = MONTH_FIRST) -> dt.datetime:
    """``May 8, 2020`` (or, re-saved by Excel, ``8/5/2020`` when ``order`` is day first) -> that
    day's midnight in ``zone``, as UTC (Studio gives no time of day)."""
    midnight = local_time(text, (*_DATE_FORMATS, *_NUMERIC_FORMATS[order]), zone, "Video publish time")
    if midnight is None:
        raise BadRow(f"Video publish time: {text!r} is not a date like 'May 8, 2020'")
    return midnight


def _fits(text: str, order: str) -> bool:
    """Whether ``text`` is a numeric date in ``order``."""
    try:
        return local_time(text, _NUMERIC_FORMATS[order], ZoneInfo("UTC"), "Video publish time") is not None
    except BadRow:  # a day UTC cannot hold: a bad row, not a sign of the order
        return False


def _date_order(found: CsvFile, names: list[str], context: ImportContext, file_name: str) -> str:
    """The order of numeric publish dates, which only a copy re-saved by Excel has (``8/5/2020``):
    ``numeric_date_order``, with no order of Studio's own to fall back on."""
    values = column_values(found, names, "Video publish time")
    return numeric_date_order(
        values,
        context.date_order,
        _fits,
        None,
        file_name=file_name,
        column="Video publish time",
        options=context.date_options,
    )


def _seconds(row: Mapping[str, str], column: str) -> int | None:
    """``H:MM:SS`` / ``M:SS`` or plain seconds -> seconds."""
    text = row.get(column, "").strip()
    match = _DURATION.match(text)
    if match is None:
        return count(row, column)
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def _video_id(row: Mapping[str, str]) -> str:
    video_id = row["Content"].strip()
    if not _VIDEO_ID.match(video_id):
        raise BadRow(f"Content: {video_id!r} is not a YouTube video id" if video_id else "no video id")
    return video_id


def _whole(row: Mapping[str, str], column: str) -> int | None:
    """``Subscribers`` is the net change (subscribers gained less those lost), which may be negative;
    the other whole numbers are counts."""
    return whole_number(row, column) if column in SIGNED else count(row, column)


def _extra(row: Mapping[str, str]) -> dict[str, Any]:
    extra: dict[str, Any] = {key: _whole(row, column) for key, column in EXTRA_INTS.items()}
    extra.update({key: number(row, column) for key, column in EXTRA_FLOATS.items()})
    extra.update({key: _seconds(row, column) for key, column in EXTRA_DURATIONS.items()})
    return {key: value for key, value in extra.items() if value is not None}


def _post(
    row: Mapping[str, str], account_ref: str, zone: ZoneInfo, taken_at: dt.datetime, order: str
) -> PostRecord | None:
    if row["Content"].strip().casefold() == "total":
        return None  # the channel's totals, not a video
    video_id = _video_id(row)
    raw_date = row.get("Video publish time", "").strip()
    counts = PostCounts(
        taken_at=taken_at,
        likes=count(row, "Likes"),
        comments=count(row, "Comments added"),
        shares=count(row, "Shares"),
        views=count(row, "Views"),
    )
    return PostRecord(
        platform="youtube",
        post_id=video_id,
        account_ref=account_ref,
        created_at=parse_date(raw_date, zone, order),
        created_at_raw=raw_date,
        format=PostFormat.VIDEO,
        text=cell(row, "Video title"),
        url=f"https://www.youtube.com/watch?v={video_id}",
        counts=counts,
        extra=_extra(row),
    )


def _recognised(names: list[str]) -> bool:
    """Whether cleaned header names are this format's header (``_csv.delimiter_of``)."""
    return _is_studio(_names(names))


class YouTubeStudioImporter(Importer):
    """YouTube Studio "Export current view" CSV (``Table data.csv``) or the older per-video export."""

    format = "youtube_studio"
    description = "YouTube Studio per-video metrics CSV (Table data.csv); needs --account"

    @classmethod
    def sniff(cls, name: str, head: str) -> bool:
        return _recognised(first_record(head, _recognised))

    def read(self, path: Path, context: ImportContext) -> Iterator[Batch]:
        account_ref = context.account_ref
        if not account_ref:
            raise ImportFileError(
                f"{path.name}: YouTube Studio exports do not name the channel: pass --account "
                "(the channel's id, handle or URL)"
            )
        text = decode_file(path)
        found = csv_file(text, path.name, _recognised)
        if found is None:
            return
        cells = found.cells
        names = _names([header_name(name) for name in cells])
        if not _is_studio(names):
            raise ImportFileError(f"{path.name}: not a YouTube Studio export (needs Content and Video title)")
        check_unique(names, cells, path.name)
        taken_at = modified_at(path)
        zone = context.zone("youtube", account_ref)  # the one channel's, unless --timezone
        order = _date_order(found, names, context, path.name)
        found = csv_file(text, path.name, _recognised)  # read again: the order took its records
        assert found is not None  # the same text, which had a header

        def build(row: dict[str, str]) -> PostRecord | None:
            return _post(row, account_ref, zone, taken_at, order)

        yield from post_batches(found.rows, found.header, names, build, source=SOURCE, file_name=path.name,
                                fetched_at=taken_at, size=context.batch_size)  # fmt: skip


@hookimpl
def govsocial_importers() -> list[type[Importer]]:
    return [YouTubeStudioImporter]
