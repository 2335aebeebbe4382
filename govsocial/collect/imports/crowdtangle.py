"""CrowdTangle "Historical Data" CSV exports: backfill of Facebook Page/Group and Instagram posts.

CrowdTangle closed on 2024-08-14, so these files are the only record of some accounts' older
posts and of their follower counts at the time of each post. The file has no post id column
(the id comes from the ``URL``), writes ``Post Created`` in the dashboard's time zone with an
abbreviation (``2021-07-06 16:45:20 EDT``), and names its last column after the user's weighting
(``Overperforming Score (weighted  —  Likes 1x ...)``), matched here by prefix.

Counts are those at export time, which the file does not state: they are time-stamped with the
file's modification time (see ``docs/collectors/crowdtangle.md``).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from govsocial.collect.imports.base import ImportContext, Importer, decode_file
from govsocial.collect.records import BadRecord, Batch, PostCounts, PostFormat, PostRecord, RawPayload
from govsocial.errors import ImportFileError
from govsocial.hookspecs import hookimpl

SOURCE = "import:crowdtangle"

#: Abbreviations CrowdTangle dashboards write, as UTC offsets in hours. Used only when the
#: import's own zone does not produce the same abbreviation (see ``_zone``): "CST" is also China
#: Standard Time, which ``--timezone Asia/Shanghai`` resolves.
ZONE_OFFSETS: dict[str, float] = {
    "UTC": 0, "GMT": 0, "HKT": 8,
    "EDT": -4, "EST": -5, "CDT": -5, "CST": -6, "MDT": -6, "MST": -7, "PDT": -7, "PST": -8,
}  # fmt: skip

#: CrowdTangle ``Type`` values (casefolded) -> post format.
FORMATS: dict[str, PostFormat] = {
    "photo": PostFormat.IMAGE,
    "album": PostFormat.IMAGE,
    "link": PostFormat.LINK,
    "status": PostFormat.TEXT,
    "native video": PostFormat.VIDEO,
    "video": PostFormat.VIDEO,
    "youtube": PostFormat.VIDEO,
    "vine": PostFormat.VIDEO,
    "igtv": PostFormat.VIDEO,
    "reel": PostFormat.VIDEO,
    "live video": PostFormat.LIVE,
    "live video complete": PostFormat.LIVE,
    "live video scheduled": PostFormat.LIVE,
}

#: Reaction type -> column (Facebook only; Instagram exports have Likes alone).
REACTIONS = {"like": "Likes", "love": "Love", "wow": "Wow", "haha": "Haha", "sad": "Sad",
             "angry": "Angry", "care": "Care"}  # fmt: skip

#: Columns kept in ``PostRecord.extra`` (key -> column), when not empty.
FACEBOOK_EXTRA = {
    "page_name": "Page Name", "group_name": "Group Name", "page_category": "Page Category",
    "type": "Type", "video_share_status": "Video Share Status", "is_video_owner": "Is Video Owner?",
    "video_length": "Video Length", "final_link": "Final Link", "image_text": "Image Text",
    "link_text": "Link Text", "link_description": "Description", "sponsor_id": "Sponsor Id",
    "sponsor_name": "Sponsor Name", "sponsor_category": "Sponsor Category",
}  # fmt: skip
FACEBOOK_EXTRA_INTS = {"total_interactions": "Total Interactions", "total_views": "Total Views",
                       "total_views_all_crossposts": "Total Views For All Crossposts"}  # fmt: skip
INSTAGRAM_EXTRA = {"account_name": "Account", "type": "Type", "title": "Title", "image_text": "Image Text",
                   "sponsor_id": "Sponsor Id", "sponsor_name": "Sponsor Name"}  # fmt: skip
INSTAGRAM_EXTRA_INTS = {"total_interactions": "Total Interactions"}
OVERPERFORMING = "Overperforming Score"

#: Columns that must be present, per kind of export.
FACEBOOK_REQUIRED = ("Facebook Id", "Post Created", "Type", "URL")
INSTAGRAM_REQUIRED = ("Account", "User Name", "Post Created", "Type", "URL")

_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2} \d{1,2}:\d{2}(?::\d{2})?)(?:\s+([A-Za-z]{2,5}))?$")
#: Where a Facebook URL carries the post's number: /posts/N, /permalink/N (groups), /videos/N,
#: /photos/<album>/N, or ?story_fbid=N / ?fbid=N.
_FB_POST_NUMBER = re.compile(
    r"/(?:posts|permalink|videos(?:/[^/?#]+)?|photos/[^/?#]+)/(\d+)|[?&](?:story_fbid|fbid)=(\d+)"
)
_IG_SHORTCODE = re.compile(r"instagram\.com/(?:[^/?#]+/)?(?:p|reel|tv)/([A-Za-z0-9_-]+)")
_UNKNOWN = frozenset({"", "n/a", "na", "-", "--", "null", "none"})


class _BadRow(ValueError):
    """A row that cannot become a record; the message is the ``BadRecord`` reason."""


# --- CSV plumbing (the same in each CSV importer) ----------------------------------------------


@dataclass(frozen=True)
class _CsvRecord:
    """One CSV record: its first line in the file, its raw text, and its fields."""

    line: int
    raw: str
    fields: list[str]


def _csv_records(text: str) -> Iterator[_CsvRecord]:
    """Each non-blank record with its line number; a quoted caption may span several lines."""
    consumed: list[str] = []

    def lines() -> Iterator[str]:
        for line in io.StringIO(text, newline=""):
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
            yield _CsvRecord(start, raw, fields)


def _header_name(name: str) -> str:
    """A header cell without BOM, soft hyphens or stray spaces."""
    return " ".join(name.replace("\ufeff", "").replace("\u00ad", "").split())


def _first_record(head: str) -> list[str]:
    try:
        return [_header_name(name) for name in next(csv.reader(io.StringIO(head, newline="")), [])]
    except csv.Error:
        return []


def _file_time(path: Path) -> dt.datetime:
    """When the file was last written: the best available time for counts it does not date."""
    return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)


def _int(row: Mapping[str, str], column: str) -> int | None:
    """A whole number, thousands separators allowed; None when the column is absent or empty."""
    text = row.get(column, "").strip()
    if text.casefold() in _UNKNOWN:
        return None
    try:
        return int(re.sub(r"[,\s\u00a0\u202f]", "", text))
    except ValueError:
        raise _BadRow(f"{column}: {text!r} is not a whole number") from None


def _float(row: Mapping[str, str], column: str) -> float | None:
    text = row.get(column, "").strip()
    if text.casefold() in _UNKNOWN:
        return None
    try:
        return float(re.sub(r"[,\s\u00a0\u202f]", "", text))
    except ValueError:
        raise _BadRow(f"{column}: {text!r} is not a number") from None


def _text(row: Mapping[str, str], column: str) -> str | None:
    value = row.get(column, "").strip()
    return value or None


def _known(row: Mapping[str, str], column: str) -> str | None:
    """Like ``_text``, but the placeholders for "not applicable" (``N/A``, ``-``) are None too."""
    value = _text(row, column)
    return None if value is None or value.casefold() in _UNKNOWN else value


def _batches(
    records: Iterable[_CsvRecord],
    header: _CsvRecord,
    names: list[str],
    build: Callable[[dict[str, str]], PostRecord | None],
    *,
    file_name: str,
    fetched_at: dt.datetime,
    size: int,
) -> Iterator[Batch]:
    """Batches of ``size`` records each; a row ``build`` rejects becomes a ``BadRecord``."""
    iterator = iter(records)
    while chunk := list(islice(iterator, size)):
        posts: list[PostRecord] = []
        bad: list[BadRecord] = []
        for record in chunk:
            try:
                post = build(_row(record, names))
            except _BadRow as exc:
                bad.append(BadRecord(source=SOURCE, location=f"{file_name}, line {record.line}",
                                     reason=str(exc), content=record.raw))  # fmt: skip
            else:
                if post is not None:  # None: a row that is not a post (a "Total" row)
                    posts.append(post)
        body = "\n".join([header.raw, *(record.raw for record in chunk)])
        location = f"{file_name}, lines {chunk[0].line}-{chunk[-1].line}"
        raw = RawPayload(source=SOURCE, location=location, fetched_at=fetched_at, body=body)
        yield Batch(edge="posts", raw=raw, posts=posts, bad=bad)


def _row(record: _CsvRecord, names: list[str]) -> dict[str, str]:
    if len(record.fields) != len(names):
        raise _BadRow(f"{len(record.fields)} fields where the header has {len(names)}")
    return dict(zip(names, record.fields, strict=True))


# --- CrowdTangle -------------------------------------------------------------------------------


def _names(header: list[str]) -> list[str]:
    """Header names, the weighted ``Overperforming Score (...)`` column under one name."""
    return [OVERPERFORMING if name.startswith("Overperforming") else name for name in header]


def _platform(names: list[str]) -> str | None:
    """``facebook`` or ``instagram`` from the header, None if it is not a CrowdTangle export."""
    if "Post Created" not in names or "URL" not in names:
        return None
    if "Facebook Id" in names and ("Page Name" in names or "Group Name" in names):
        return "facebook"
    if "Account" in names and "User Name" in names:
        return "instagram"
    return None


def _zone(abbreviation: str | None, naive: dt.datetime, context_zone: ZoneInfo) -> dt.tzinfo:
    """The zone an abbreviation means, preferring the import's own zone when it matches."""
    if abbreviation is None or naive.replace(tzinfo=context_zone).tzname() == abbreviation:
        return context_zone
    offset = ZONE_OFFSETS.get(abbreviation.upper())
    if offset is None:
        raise _BadRow(
            f"Post Created: unknown time zone abbreviation {abbreviation!r} "
            "(pass the dashboard's zone with --timezone)"
        )
    return dt.timezone(dt.timedelta(hours=offset))


def parse_time(text: str, context_zone: ZoneInfo) -> dt.datetime:
    """``2021-07-06 16:45:20 EDT`` -> aware UTC; no abbreviation means the import's zone."""
    match = _TIME.match(text.strip())
    if match is None:
        raise _BadRow(f"Post Created: {text!r} is not a time like '2021-07-06 16:45:20 EDT'")
    stamp, abbreviation = match.groups()
    try:
        naive = dt.datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S" if stamp.count(":") == 2 else "%Y-%m-%d %H:%M")
    except ValueError:
        raise _BadRow(f"Post Created: {text!r} is not a valid date and time") from None
    return naive.replace(tzinfo=_zone(abbreviation, naive, context_zone)).astimezone(dt.UTC)


def facebook_post_id(url: str, account_ref: str) -> str:
    """The Graph-style id ``{page}_{number}`` when the URL has the post's number, else a hash."""
    match = _FB_POST_NUMBER.search(url)
    if match is None:
        # pfbid... permalinks and other shapes carry no number: a stable digest still dedupes.
        return "url-" + hashlib.sha256(url.encode("utf-8")).hexdigest()[:24]
    return f"{account_ref}_{match.group(1) or match.group(2)}"


def instagram_post_id(url: str) -> str:
    """The shortcode of ``instagram.com/p/<code>/`` (or /reel/, /tv/), else a hash of the URL."""
    match = _IG_SHORTCODE.search(url)
    return match.group(1) if match else "url-" + hashlib.sha256(url.encode("utf-8")).hexdigest()[:24]


def _account_ref(row: Mapping[str, str], platform: str) -> str:
    """The page's Facebook Id (Instagram: the user name), else the user name."""
    ref = _text(row, "Facebook Id") if platform == "facebook" else None
    ref = ref or _text(row, "User Name")
    if ref is None:
        raise _BadRow("no Facebook Id or User Name: the account is not identified")
    return ref


def _counts(row: Mapping[str, str], platform: str, kind: PostFormat, taken_at: dt.datetime) -> PostCounts:
    reactions = None
    if platform == "facebook":
        by_type = {name: _int(row, column) for name, column in REACTIONS.items()}
        known = {name: count for name, count in by_type.items() if count is not None}
        reactions = known or None
    views = _int(row, "Post Views") if platform == "facebook" else _int(row, "Views")
    if kind not in (PostFormat.VIDEO, PostFormat.LIVE):
        views = None  # CrowdTangle writes 0 views for photos and links: not a count, not applicable
    return PostCounts(
        taken_at=taken_at,
        reactions=reactions,
        likes=_int(row, "Likes"),
        comments=_int(row, "Comments"),
        shares=_int(row, "Shares"),
        views=views,
    )


def _extra(row: Mapping[str, str], platform: str) -> dict[str, Any]:
    texts, ints = (FACEBOOK_EXTRA, FACEBOOK_EXTRA_INTS) if platform == "facebook" else (
        INSTAGRAM_EXTRA, INSTAGRAM_EXTRA_INTS)  # fmt: skip
    extra: dict[str, Any] = {key: _known(row, column) for key, column in texts.items()}
    extra.update({key: _int(row, column) for key, column in ints.items()})
    extra["overperforming_score"] = _float(row, OVERPERFORMING)
    return {key: value for key, value in extra.items() if value is not None}


def _followers(row: Mapping[str, str]) -> int | None:
    """Followers at Posting; older exports (before 2021-01-26) counted page likes instead."""
    followers = _int(row, "Followers at Posting")
    return followers if followers is not None else _int(row, "Likes at Posting")


def _post(row: Mapping[str, str], platform: str, context: ImportContext, taken_at: dt.datetime) -> PostRecord:
    account_ref = _account_ref(row, platform)
    url = _text(row, "URL")
    if url is None:
        raise _BadRow("no URL: the post id cannot be derived")
    raw_time = row["Post Created"].strip()
    post_id = facebook_post_id(url, account_ref) if platform == "facebook" else instagram_post_id(url)
    kind = FORMATS.get(row["Type"].strip().casefold(), PostFormat.OTHER)
    return PostRecord(
        platform=platform,
        post_id=post_id,
        account_ref=account_ref,
        created_at=parse_time(raw_time, context.timezone),
        created_at_raw=raw_time,
        format=kind,
        text=_text(row, "Message" if platform == "facebook" else "Description"),
        url=url,
        link=_text(row, "Link"),
        media=[photo] if (photo := _text(row, "Photo")) else [],
        followers_at_posting=_followers(row),
        counts=_counts(row, platform, kind, taken_at),
        extra=_extra(row, platform),
    )


class CrowdTangleImporter(Importer):
    """CrowdTangle historical-data CSV (Facebook Pages and Groups, Instagram)."""

    format = "crowdtangle"
    description = "CrowdTangle historical data CSV (Facebook Pages/Groups, Instagram), for backfill"

    @classmethod
    def sniff(cls, name: str, head: str) -> bool:
        return _platform(_names(_first_record(head))) is not None

    def read(self, path: Path, context: ImportContext) -> Iterator[Batch]:
        records = _csv_records(decode_file(path))
        header = next(records, None)
        if header is None:
            return
        names = _names([_header_name(name) for name in header.fields])
        platform = _platform(names)
        if platform is None:
            raise ImportFileError(f"{path.name}: not a CrowdTangle export (no Post Created/URL/account columns)")
        required = FACEBOOK_REQUIRED if platform == "facebook" else INSTAGRAM_REQUIRED
        if missing := [column for column in required if column not in names]:
            raise ImportFileError(f"{path.name}: CrowdTangle columns missing: {', '.join(missing)}")
        taken_at = _file_time(path)

        def build(row: dict[str, str]) -> PostRecord:
            return _post(row, platform, context, taken_at)

        yield from _batches(
            records, header, names, build, file_name=path.name, fetched_at=taken_at, size=context.batch_size
        )


@hookimpl
def govsocial_importers() -> list[type[Importer]]:
    return [CrowdTangleImporter]
