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

import datetime as dt
import hashlib
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from govsocial.collect.imports._csv import (
    UNKNOWN,
    BadRow,
    cell,
    check_unique,
    count,
    csv_file,
    first_record,
    header_name,
    modified_at,
    number,
    post_batches,
    utc,
)
from govsocial.collect.imports.base import ImportContext, Importer, decode_file
from govsocial.collect.records import Batch, PostCounts, PostFormat, PostRecord
from govsocial.errors import ImportFileError
from govsocial.hookspecs import hookimpl

SOURCE = "import:crowdtangle"

#: Abbreviations CrowdTangle dashboards write, as UTC offsets in hours. Used only when the
#: import's own zone (``--timezone``, else the account's jurisdiction's) does not produce the same
#: abbreviation (see ``_zone``): "CST" is also China Standard Time, which ``--timezone
#: Asia/Shanghai`` resolves.
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


# --- CrowdTangle -------------------------------------------------------------------------------


def _known(row: Mapping[str, str], column: str) -> str | None:
    """Like ``_text``, but the placeholders for "not applicable" (``N/A``, ``-``) are None too."""
    value = cell(row, column)
    return None if value is None or value.casefold() in UNKNOWN else value


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
        raise BadRow(
            f"Post Created: unknown time zone abbreviation {abbreviation!r} "
            "(pass the dashboard's zone with --timezone)"
        )
    return dt.timezone(dt.timedelta(hours=offset))


def parse_time(text: str, context_zone: ZoneInfo) -> dt.datetime:
    """``2021-07-06 16:45:20 EDT`` -> aware UTC; no abbreviation means the import's zone."""
    match = _TIME.match(text.strip())
    if match is None:
        raise BadRow(f"Post Created: {text!r} is not a time like '2021-07-06 16:45:20 EDT'")
    stamp, abbreviation = match.groups()
    try:
        naive = dt.datetime.strptime(
            stamp, "%Y-%m-%d %H:%M:%S" if stamp.count(":") == 2 else "%Y-%m-%d %H:%M"
        )
    except ValueError:
        raise BadRow(f"Post Created: {text!r} is not a valid date and time") from None
    return utc(naive.replace(tzinfo=_zone(abbreviation, naive, context_zone)), "Post Created", text.strip())


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
    ref = cell(row, "Facebook Id") if platform == "facebook" else None
    ref = ref or cell(row, "User Name")
    if ref is None:
        raise BadRow("no Facebook Id or User Name: the account is not identified")
    return ref


def _counts(row: Mapping[str, str], platform: str, kind: PostFormat, taken_at: dt.datetime) -> PostCounts:
    reactions = None
    if platform == "facebook":
        by_type = {name: count(row, column) for name, column in REACTIONS.items()}
        known = {name: count for name, count in by_type.items() if count is not None}
        reactions = known or None
    views = count(row, "Post Views") if platform == "facebook" else count(row, "Views")
    if kind not in (PostFormat.VIDEO, PostFormat.LIVE):
        views = None  # CrowdTangle writes 0 views for photos and links: not a count, not applicable
    return PostCounts(
        taken_at=taken_at,
        reactions=reactions,
        likes=count(row, "Likes"),
        comments=count(row, "Comments"),
        shares=count(row, "Shares"),
        views=views,
    )


def _extra(row: Mapping[str, str], platform: str) -> dict[str, Any]:
    texts, ints = (FACEBOOK_EXTRA, FACEBOOK_EXTRA_INTS) if platform == "facebook" else (
        INSTAGRAM_EXTRA, INSTAGRAM_EXTRA_INTS)  # fmt: skip
    extra: dict[str, Any] = {key: _known(row, column) for key, column in texts.items()}
    extra.update({key: count(row, column) for key, column in ints.items()})
    extra["overperforming_score"] = number(row, OVERPERFORMING)
    return {key: value for key, value in extra.items() if value is not None}


def _followers(row: Mapping[str, str]) -> int | None:
    """Followers at Posting; older exports (before 2021-01-26) counted page likes instead."""
    followers = count(row, "Followers at Posting")
    return followers if followers is not None else count(row, "Likes at Posting")


def _post(row: Mapping[str, str], platform: str, context: ImportContext, taken_at: dt.datetime) -> PostRecord:
    account_ref = _account_ref(row, platform)
    url = cell(row, "URL")
    if url is None:
        raise BadRow("no URL: the post id cannot be derived")
    raw_time = row["Post Created"].strip()
    post_id = facebook_post_id(url, account_ref) if platform == "facebook" else instagram_post_id(url)
    kind = FORMATS.get(row["Type"].strip().casefold(), PostFormat.OTHER)
    return PostRecord(
        platform=platform,
        post_id=post_id,
        account_ref=account_ref,
        created_at=parse_time(raw_time, context.zone(platform, account_ref)),
        created_at_raw=raw_time,
        format=kind,
        text=cell(row, "Message" if platform == "facebook" else "Description"),
        url=url,
        link=cell(row, "Link"),
        media=[photo] if (photo := cell(row, "Photo")) else [],
        followers_at_posting=_followers(row),
        counts=_counts(row, platform, kind, taken_at),
        extra=_extra(row, platform),
    )


def _recognised(names: list[str]) -> bool:
    """Whether cleaned header names are this format's header (``_csv.delimiter_of``)."""
    return _platform(_names(names)) is not None


class CrowdTangleImporter(Importer):
    """CrowdTangle historical-data CSV (Facebook Pages and Groups, Instagram)."""

    format = "crowdtangle"
    description = "CrowdTangle historical data CSV (Facebook Pages/Groups, Instagram), for backfill"

    @classmethod
    def sniff(cls, name: str, head: str) -> bool:
        return _recognised(first_record(head, _recognised))

    def read(self, path: Path, context: ImportContext) -> Iterator[Batch]:
        found = csv_file(decode_file(path), path.name, _recognised)
        if found is None:
            return
        cells = found.cells
        names = _names([header_name(name) for name in cells])
        platform = _platform(names)
        if platform is None:
            raise ImportFileError(
                f"{path.name}: not a CrowdTangle export (no Post Created/URL/account columns)"
            )
        required = FACEBOOK_REQUIRED if platform == "facebook" else INSTAGRAM_REQUIRED
        if missing := [column for column in required if column not in names]:
            raise ImportFileError(f"{path.name}: CrowdTangle columns missing: {', '.join(missing)}")
        check_unique(names, cells, path.name)
        taken_at = modified_at(path)

        def build(row: dict[str, str]) -> PostRecord:
            return _post(row, platform, context, taken_at)

        yield from post_batches(found.rows, found.header, names, build, source=SOURCE, file_name=path.name,
                                fetched_at=taken_at, size=context.batch_size)  # fmt: skip


@hookimpl
def govsocial_importers() -> list[type[Importer]]:
    return [CrowdTangleImporter]
