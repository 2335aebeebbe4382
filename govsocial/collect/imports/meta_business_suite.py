"""Meta Business Suite "Content" exports (Insights > Content > Export, CSV), Facebook and Instagram.

An administrator of the account downloads the file; it is the way to get admin-only metrics
(reach, views, clicks) without an app review. Its quirks (PLATFORMS.md §8.2): headers follow the
UI language (English and Swedish are recognised here), UTF-8 with a BOM, captions span lines,
"Reactions, comments and shares" sits beside "Reactions" (so columns are matched exactly, never
by substring; "Reactions" is all types together, stored as ``counts.reactions["total"]``), and
``Publish time`` (``06/29/2026 15:21``) is in the exporting user's time zone with no offset: it is
read in ``ImportContext.zone`` (``--timezone``, else the zone of the account's jurisdiction). A
copy re-saved by Excel may have the day first (``29/6/2026 15:21``): the file's dates, else
``--day-first`` / ``--month-first``, say which (``_csv.numeric_date_order``).

Counts are lifetime totals as of the export, which the file does not date: they are time-stamped
with the file's modification time.
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
    numeric_date_order,
    post_batches,
)
from govsocial.collect.imports.base import DAY_FIRST, MONTH_FIRST, ImportContext, Importer, decode_file
from govsocial.collect.records import Batch, PostCounts, PostFormat, PostRecord
from govsocial.errors import ImportFileError
from govsocial.hookspecs import hookimpl
from govsocial.store.tables import REACTIONS_TOTAL

SOURCE = "import:meta_business_suite"

#: Headers of other UI languages -> the English header (casefolded keys). Swedish from the public
#: column map quoted in PLATFORMS.md §8.2; add a language by adding its names here.
ALIASES = {
    "publicerings-id": "Post ID",
    "sid-id": "Page ID",
    "sidnamn": "Page name",
    "beskrivning": "Description",
    "publiceringstid": "Publish time",
    "inläggstyp": "Post type",
    "permalänk": "Permalink",
    "visningar": "Views",
    "räckvidd": "Reach",
    "reaktioner, kommentarer och delningar": "Reactions, comments and shares",
    "reaktioner": "Reactions",
    "kommentarer": "Comments",
    "delningar": "Shares",
    "totalt antal klick": "Total clicks",
    "länkklick": "Link clicks",
    "övriga klick": "Other clicks",
}

#: English headers this importer reads (matched case-insensitively).
COLUMNS = (
    "Post ID", "Page ID", "Page name", "Account ID", "Account username", "Account name", "Title",
    "Description", "Duration (sec)", "Publish time", "Caption type", "Permalink", "Is crosspost",
    "Is share", "Post type", "Languages", "Custom labels", "Funded content status", "Data comment",
    "Date", "Views", "Impressions", "Reach", "Reactions, comments and shares", "Reactions", "Likes",
    "Comments", "Shares", "Saves", "Follows", "Total clicks", "Link clicks", "Other clicks",
    "Seconds viewed", "Average Seconds viewed",
)  # fmt: skip

#: ``Post type`` values, casefolded, without the "IG " prefix and a plural "s" -> post format.
FORMATS: dict[str, PostFormat] = {
    "photo": PostFormat.IMAGE,
    "image": PostFormat.IMAGE,
    "carousel": PostFormat.IMAGE,
    "album": PostFormat.IMAGE,
    "video": PostFormat.VIDEO,
    "reel": PostFormat.VIDEO,
    "link": PostFormat.LINK,
    "text": PostFormat.TEXT,
    "status": PostFormat.TEXT,
    "live": PostFormat.LIVE,
    "live video": PostFormat.LIVE,
}

#: Columns kept in ``PostRecord.extra`` (key -> column) when not empty; numbers and words apart.
EXTRA_INTS = {
    "reach": "Reach", "interactions": "Reactions, comments and shares", "reactions_total": "Reactions",
    "impressions": "Impressions", "link_clicks": "Link clicks", "other_clicks": "Other clicks",
    "saves": "Saves", "follows": "Follows", "duration_s": "Duration (sec)",
    "seconds_viewed": "Seconds viewed",
}  # fmt: skip
EXTRA_TEXTS = {
    "page_name": "Page name", "account_username": "Account username", "account_name": "Account name",
    "post_type": "Post type", "is_share": "Is share", "is_crosspost": "Is crosspost",
    "caption_type": "Caption type", "languages": "Languages", "custom_labels": "Custom labels",
    "funded_content_status": "Funded content status", "period": "Date", "data_comment": "Data comment",
    "average_seconds_viewed": "Average Seconds viewed",
}  # fmt: skip


_ISO_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S")
#: ``strptime`` formats of ``Publish time`` by the order of its numeric dates (``numeric_date_order``).
_TIME_FORMATS = {
    MONTH_FIRST: ("%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S", *_ISO_FORMATS),
    DAY_FIRST: ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", *_ISO_FORMATS),
}
#: ``Publish time`` as Business Suite writes it: month first, zero-padded (``06/05/2026 10:00``).
#: Excel re-saving in Hong Kong writes ``6/5/2026 10:00`` (day first) or ``5/6/2026 10:00``.
_WRITTEN = re.compile(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}(?::\d{2})?")


# --- Meta Business Suite ----------------------------------------------------------------------


def _canonical(name: str) -> str:
    """The English header a (possibly localised) header means; unknown headers stay as they are."""
    folded = name.casefold()
    return ALIASES.get(folded) or next((column for column in COLUMNS if column.casefold() == folded), name)


def _names(header: list[str]) -> list[str]:
    return [_canonical(name) for name in header]


def _platform(names: list[str]) -> str | None:
    """``facebook`` or ``instagram`` from the header, None if it is not a Business Suite export."""
    if "Post ID" not in names or "Publish time" not in names:
        return None
    if "Page ID" in names:
        return "facebook"
    if "Account ID" in names or "Account username" in names:
        return "instagram"
    return None


def parse_time(text: str, zone: ZoneInfo, order: str = MONTH_FIRST) -> dt.datetime:
    """``06/29/2026 15:21`` (``29/06/2026 15:21`` when ``order`` is day first) in the exporting
    user's zone -> aware UTC (an hour repeated by a daylight-saving change is read as its first
    occurrence)."""
    when = local_time(text, _TIME_FORMATS[order], zone, "Publish time")
    if when is None:
        example = "29/06/2026 15:21" if order == DAY_FIRST else "06/29/2026 15:21"
        raise BadRow(f"Publish time: {text!r} is not a time like {example!r}")
    return when


def _format(post_type: str) -> PostFormat:
    """ "Photos", "IG reel", "Live video"... -> format; unknown types are OTHER (kept in extra)."""
    name = post_type.strip().casefold().removeprefix("ig ")
    return FORMATS.get(name) or FORMATS.get(name.removesuffix("s"), PostFormat.OTHER)


def _account_ref(row: Mapping[str, str], platform: str, context: ImportContext) -> str:
    """The page or account id the file gives (Instagram: else the username), else ``--account``."""
    ref = cell(row, "Page ID") if platform == "facebook" else cell(row, "Account ID")
    ref = ref or cell(row, "Account username") or context.account_ref
    if ref is None:
        raise BadRow("no Page ID or Account ID and no --account: the account is not identified")
    return ref


def _post_id(row: Mapping[str, str], platform: str) -> str:
    """Facebook posts as the Graph API names them (``{page}_{post}``), so API and file rows meet."""
    post_id = cell(row, "Post ID")
    if post_id is None:
        raise BadRow("no Post ID")
    page_id = cell(row, "Page ID")
    if platform == "facebook" and page_id and "_" not in post_id:
        return f"{page_id}_{post_id}"
    return post_id


def _texts(row: Mapping[str, str]) -> tuple[str | None, dict[str, str]]:
    """The post's text (Title, else Description) and the other one for ``extra``."""
    title, description = cell(row, "Title"), cell(row, "Description")
    if title and description:
        return title, {"description": description}
    return title or description, {}


def _reactions(row: Mapping[str, str]) -> dict[str, int] | None:
    """``Reactions`` (all types together) as ``{"total": n}``: the frames count it as the post's
    reactions (Facebook's interactions are all reactions + comments + shares), while the Like
    reaction and the other types stay unknown rather than pretending every reaction was a like."""
    total = count(row, "Reactions")
    return None if total is None else {REACTIONS_TOTAL: total}


def _counts(row: Mapping[str, str], taken_at: dt.datetime) -> PostCounts:
    # ``likes`` is a Like count only where the export gives one (Instagram's "Likes").
    return PostCounts(
        taken_at=taken_at,
        reactions=_reactions(row),
        likes=count(row, "Likes"),
        comments=count(row, "Comments"),
        shares=count(row, "Shares"),
        views=count(row, "Views"),
        clicks=count(row, "Total clicks"),
    )


def _extra(row: Mapping[str, str]) -> dict[str, Any]:
    extra: dict[str, Any] = {key: count(row, column) for key, column in EXTRA_INTS.items()}
    extra.update({key: cell(row, column) for key, column in EXTRA_TEXTS.items()})
    return {key: value for key, value in extra.items() if value is not None}


def _post(
    row: Mapping[str, str], platform: str, context: ImportContext, taken_at: dt.datetime, order: str
) -> PostRecord:
    raw_time = row["Publish time"].strip()
    text, more = _texts(row)
    post_id, account_ref = _post_id(row, platform), _account_ref(row, platform, context)
    return PostRecord(
        platform=platform,
        post_id=post_id,
        account_ref=account_ref,
        created_at=parse_time(raw_time, context.zone(platform, account_ref), order),
        created_at_raw=raw_time,
        format=_format(row.get("Post type", "")),
        text=text,
        url=cell(row, "Permalink"),
        counts=_counts(row, taken_at),
        extra={**_extra(row), **more},
    )


def _date_order(found: CsvFile, names: list[str], context: ImportContext, file_name: str) -> str:
    """Whether ``Publish time`` is month first (as Business Suite writes it) or day first (a copy
    Excel re-saved with Hong Kong's regional settings): ``numeric_date_order``."""
    values = column_values(found, names, "Publish time")
    return numeric_date_order(
        values,
        context.date_order,
        _fits,
        _WRITTEN,
        file_name=file_name,
        column="Publish time",
        options=context.date_options,
    )


def _fits(text: str, order: str) -> bool:
    """Whether ``text`` is a ``Publish time`` in ``order`` (the zone does not matter here)."""
    try:
        return local_time(text, _TIME_FORMATS[order], ZoneInfo("UTC"), "Publish time") is not None
    except BadRow:  # a time UTC cannot hold (year 1 or 9999): a bad row, not a sign of the order
        return False


def _recognised(names: list[str]) -> bool:
    """Whether cleaned header names are this format's header (``_csv.delimiter_of``)."""
    return _platform(_names(names)) is not None


class MetaBusinessSuiteImporter(Importer):
    """Meta Business Suite / Facebook Insights "Content" CSV export (Facebook Pages, Instagram)."""

    format = "meta_business_suite"
    description = "Meta Business Suite Insights 'Content' CSV export (Facebook Page or Instagram account)"

    @classmethod
    def sniff(cls, name: str, head: str) -> bool:
        return _recognised(first_record(head, _recognised))

    def read(self, path: Path, context: ImportContext) -> Iterator[Batch]:
        text = decode_file(path)
        found = csv_file(text, path.name, _recognised)
        if found is None:
            return
        cells = found.cells
        names = _names([header_name(name) for name in cells])
        platform = _platform(names)
        if platform is None:
            raise ImportFileError(
                f"{path.name}: not a Meta Business Suite 'Content' export in a language this importer knows "
                "(needs Post ID, Publish time and Page ID or Account ID; export with the English UI)"
            )
        # "Comments" and "Kommentarer" are one column: a row would keep only one of the two values.
        check_unique(names, cells, path.name)
        taken_at = modified_at(path)
        order = _date_order(found, names, context, path.name)
        found = csv_file(text, path.name, _recognised)  # read again: the order took its records
        assert found is not None  # the same text, which had a header

        def build(row: dict[str, str]) -> PostRecord:
            return _post(row, platform, context, taken_at, order)

        yield from post_batches(found.rows, found.header, names, build, source=SOURCE, file_name=path.name,
                                fetched_at=taken_at, size=context.batch_size)  # fmt: skip


@hookimpl
def govsocial_importers() -> list[type[Importer]]:
    return [MetaBusinessSuiteImporter]
