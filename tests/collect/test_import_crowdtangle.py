"""CrowdTangle historical CSV importer: every mapped column, zone abbreviations, post ids from
URLs, unknown counts, bad rows with line numbers, and the encodings people send."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from govsocial.collect.imports import crowdtangle
from govsocial.collect.imports.base import ImportContext
from govsocial.collect.imports.crowdtangle import CrowdTangleImporter
from govsocial.collect.records import Batch, PostFormat, PostRecord
from govsocial.errors import ImportFileError

FIXTURES = Path(__file__).parents[1] / "fixtures" / "payloads" / "csv_exports"
PAGES = FIXTURES / "crowdtangle_hk_pages.csv"
INSTAGRAM = FIXTURES / "crowdtangle_hk_instagram.csv"
HK = ZoneInfo("Asia/Hong_Kong")
MTIME = dt.datetime(2024, 8, 1, 12, 0, tzinfo=dt.UTC)

MBS_FACEBOOK = (
    '"Post ID","Page ID","Page name",Title,"Publish time",Permalink,"Is share","Post type",Views,Reach'
)
MBS_INSTAGRAM = '"Post ID","Account ID","Account username","Account name",Description,"Duration (sec)"'
STUDIO_LEGACY = "Video,Video title,Video pub\u00adlish time,Comments added,Shares,Dislikes,Likes,Views"
STUDIO_TABLE = "Content,Video title,Video publish time,Duration,Views,Watch time (hours),Subscribers"
GENERIC = "platform,account,post_id,created_at,text,url,likes,comments,shares"


def _copy(tmp_path: Path, source: Path, encoding: str = "utf-8", name: str | None = None) -> Path:
    """A copy of a fixture re-encoded, with a fixed modification time."""
    target = tmp_path / (name or source.name)
    target.write_bytes(source.read_text(encoding="utf-8-sig").encode(encoding))
    os.utime(target, (MTIME.timestamp(), MTIME.timestamp()))
    return target


def _rows(source: Path) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(source.read_text(encoding="utf-8-sig"), newline="")))
    return rows[0], rows[1:]


def _write(tmp_path: Path, header: list[str], rows: list[list[str]], name: str = "ct.csv") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
    target = tmp_path / name
    target.write_text(buffer.getvalue(), encoding="utf-8")
    os.utime(target, (MTIME.timestamp(), MTIME.timestamp()))
    return target


def _with(header: list[str], row: list[str], **changes: str) -> list[str]:
    """``row`` with columns (by header name, spaces as underscores) replaced."""
    changed = list(row)
    for column, value in changes.items():
        changed[header.index(column.replace("_", " "))] = value
    return changed


def _read(path: Path, zone: ZoneInfo = HK, batch_size: int = 1000) -> list[Batch]:
    return list(CrowdTangleImporter().read(path, ImportContext(timezone=zone, batch_size=batch_size)))


def _posts(batches: list[Batch]) -> list[PostRecord]:
    return [post for batch in batches for post in batch.posts]


@pytest.mark.parametrize(
    "head", [PAGES.read_text(encoding="utf-8"), "\ufeff" + INSTAGRAM.read_text("utf-8-sig")]
)
def test_sniff_recognises_crowdtangle_exports(head: str) -> None:
    assert CrowdTangleImporter.sniff("export.csv", head[:2000])


@pytest.mark.parametrize(
    "head", [MBS_FACEBOOK, MBS_INSTAGRAM, STUDIO_LEGACY, STUDIO_TABLE, GENERIC, "", '"a,b']
)
def test_sniff_rejects_other_formats(head: str) -> None:
    assert not CrowdTangleImporter.sniff("export.csv", head + "\n1,2,3\n")


def test_every_mapped_column_of_a_facebook_row(tmp_path: Path) -> None:
    post = _posts(_read(_copy(tmp_path, PAGES)))[0]
    assert post.platform == "facebook"
    assert post.post_id == "100000000000001_100000000000101"
    assert post.account_ref == "100000000000001"
    assert post.created_at == dt.datetime(2021, 7, 6, 8, 45, 20, tzinfo=dt.UTC)
    assert post.created_at_raw == "2021-07-06 16:45:20 HKT"
    assert post.format is PostFormat.IMAGE
    assert post.text == "【夏季食物安全】\n天氣炎熱，食物應妥善冷藏。\nKeep food refrigerated in hot weather."
    assert post.url == "https://www.facebook.com/centreforfoodsafety/posts/100000000000101"
    assert (
        post.link
        == "https://www.facebook.com/centreforfoodsafety/photos/a.100000000000900/100000000000101/?type=3"
    )
    assert post.media == []
    assert post.followers_at_posting == 31205
    assert post.counts is not None
    assert post.counts.taken_at == MTIME
    assert post.counts.reactions == {
        "like": 1100,
        "love": 12,
        "wow": 3,
        "haha": 1,
        "sad": 0,
        "angry": 0,
        "care": 13,
    }
    assert (post.counts.likes, post.counts.comments, post.counts.shares) == (1100, 45, 60)
    assert post.counts.views is None  # a photo: CrowdTangle's 0 "Post Views" is not a count
    assert post.extra == {
        "page_name": "食物安全中心 Centre for Food Safety",
        "page_category": "GOVERNMENT_ORGANIZATION",
        "type": "Photo",
        "image_text": "夏季食物安全 貼士",
        "total_interactions": 1234,
        "total_views": 0,
        "total_views_all_crossposts": 0,
        "overperforming_score": 1.85,
    }


def test_link_and_video_columns(tmp_path: Path) -> None:
    posts = _posts(_read(_copy(tmp_path, PAGES)))
    link, video = posts[1], posts[3]
    assert link.link == "https://www.cfs.gov.hk/tc_chi/press/2021_07_05_1.html"
    assert link.extra["final_link"] == "https://www.cfs.gov.hk/tc_chi/press/2021_07_05_1.html"
    assert link.extra["link_text"] == "新聞公報"
    assert link.extra["link_description"] == "食物安全中心新聞公報"
    assert link.extra["overperforming_score"] == -0.42
    assert video.counts is not None and video.counts.views == 15200
    assert video.extra["video_share_status"] == "shared"
    assert video.extra["is_video_owner"] == "true"
    assert video.extra["video_length"] == "00:01:35"
    assert (video.extra["total_views"], video.extra["total_views_all_crossposts"]) == (15900, 16100)
    assert video.extra["page_name"] == "香港天文台 Hong Kong Observatory"
    assert "video_length" not in posts[0].extra  # "N/A" for non-video posts


def test_types_map_to_formats(tmp_path: Path) -> None:
    formats = [post.format for post in _posts(_read(_copy(tmp_path, PAGES)))]
    assert formats == [
        PostFormat.IMAGE,  # Photo
        PostFormat.LINK,  # Link
        PostFormat.TEXT,  # Status
        PostFormat.VIDEO,  # Native Video
        PostFormat.LIVE,  # Live Video Complete
        PostFormat.VIDEO,  # YouTube
    ]
    assert crowdtangle.FORMATS["live video"] is PostFormat.LIVE
    assert crowdtangle.FORMATS["album"] is PostFormat.IMAGE


def test_post_ids_from_urls(tmp_path: Path) -> None:
    ids = [post.post_id for post in _posts(_read(_copy(tmp_path, PAGES)))]
    assert ids[1] == "100000000000001_100000000000102"  # permalink.php?story_fbid=
    assert ids[3] == "100000000000002_100000000000201"  # /videos/N/
    pfbid = "https://www.facebook.com/centreforfoodsafety/posts/pfbid0fAkEfAkEfAkEfAkE1"
    assert ids[2] == crowdtangle.facebook_post_id(pfbid, "100000000000001")
    assert ids[2].startswith("url-") and len(ids[2]) == 28
    assert crowdtangle.facebook_post_id(pfbid, "other") == ids[2]  # stable: the URL alone decides
    groups = "https://www.facebook.com/groups/100000000000003/permalink/100000000000301/"
    assert crowdtangle.facebook_post_id(groups, "100000000000003") == "100000000000003_100000000000301"


def test_followers_fall_back_to_likes_at_posting(tmp_path: Path) -> None:
    posts = _posts(_read(_copy(tmp_path, PAGES)))
    assert posts[3].followers_at_posting == 511900  # Followers at Posting empty
    assert posts[4].followers_at_posting == 640300


def test_empty_counts_are_unknown_not_zero(tmp_path: Path) -> None:
    header, rows = _rows(PAGES)
    empty = {column.replace(" ", "_"): "" for column in ("Likes", "Comments", "Shares", "Love", "Wow", "Haha",
                                                           "Sad", "Angry", "Care", "Likes at Posting",
                                                           "Followers at Posting", "Post Views")}  # fmt: skip
    post = _posts(_read(_write(tmp_path, header, [_with(header, rows[3], **empty)])))[0]
    assert post.counts is not None
    assert post.counts.reactions is None
    assert (post.counts.likes, post.counts.comments, post.counts.shares, post.counts.views) == (None,) * 4
    assert post.followers_at_posting is None
    care_empty = _posts(_read(_copy(tmp_path, PAGES)))[3].counts
    assert care_empty is not None  # Care is empty in this row: absent from the dict, not 0
    assert care_empty.reactions == {"like": 1800, "love": 25, "wow": 3, "haha": 2, "sad": 0, "angry": 0}


@pytest.mark.parametrize(
    ("stamp", "zone", "expected"),
    [
        ("2021-07-06 16:45:20 EDT", HK, dt.datetime(2021, 7, 6, 20, 45, 20, tzinfo=dt.UTC)),
        ("2021-01-06 16:45:20 EST", HK, dt.datetime(2021, 1, 6, 21, 45, 20, tzinfo=dt.UTC)),
        ("2021-07-06 16:45:20 PDT", HK, dt.datetime(2021, 7, 6, 23, 45, 20, tzinfo=dt.UTC)),
        ("2021-07-06 16:45:20 UTC", HK, dt.datetime(2021, 7, 6, 16, 45, 20, tzinfo=dt.UTC)),
        ("2021-07-06 16:45:20 HKT", ZoneInfo("UTC"), dt.datetime(2021, 7, 6, 8, 45, 20, tzinfo=dt.UTC)),
        # "CST" is US Central unless the import's own zone calls itself CST (China Standard Time).
        ("2021-07-06 16:45:20 CST", HK, dt.datetime(2021, 7, 6, 22, 45, 20, tzinfo=dt.UTC)),
        (
            "2021-07-06 16:45:20 CST",
            ZoneInfo("Asia/Shanghai"),
            dt.datetime(2021, 7, 6, 8, 45, 20, tzinfo=dt.UTC),
        ),
        # No abbreviation: the import's zone.
        ("2021-07-06 16:45:20", HK, dt.datetime(2021, 7, 6, 8, 45, 20, tzinfo=dt.UTC)),
        ("2021-07-06 16:45 EDT", HK, dt.datetime(2021, 7, 6, 20, 45, tzinfo=dt.UTC)),
    ],
)
def test_zone_abbreviations_become_utc(stamp: str, zone: ZoneInfo, expected: dt.datetime) -> None:
    assert crowdtangle.parse_time(stamp, zone) == expected


def test_edt_rows_are_converted_and_keep_the_raw_time(tmp_path: Path) -> None:
    header, rows = _rows(PAGES)
    row = _with(header, rows[1], Post_Created="2021-07-06 16:45:20 EDT")
    post = _posts(_read(_write(tmp_path, header, [row])))[0]
    assert post.created_at == dt.datetime(2021, 7, 6, 20, 45, 20, tzinfo=dt.UTC)
    assert post.created_at_raw == "2021-07-06 16:45:20 EDT"


def test_bad_rows_become_bad_records_with_line_numbers(tmp_path: Path) -> None:
    header, rows = _rows(PAGES)
    bad_rows = [
        rows[0],  # good; its message spans lines 2-4
        _with(header, rows[1], Likes="12x"),  # line 5
        _with(header, rows[1], Post_Created="yesterday"),  # line 6
        _with(header, rows[1], Facebook_Id="", User_Name=""),  # line 7
        _with(header, rows[1], Post_Created="2021-07-06 16:45:20 XYZ"),  # line 8
        _with(header, rows[1], URL=""),  # line 9
        _with(header, rows[1], Post_Created="2021-02-30 10:00:00 HKT"),  # line 10
        rows[1][:5],  # line 11: cut short
        rows[2],  # line 12: good
    ]
    batches = _read(_write(tmp_path, header, bad_rows))
    assert [post.post_id for post in _posts(batches)] == [
        "100000000000001_100000000000101",
        crowdtangle.facebook_post_id(rows[2][header.index("URL")], "100000000000001"),
    ]
    bad = [record for batch in batches for record in batch.bad]
    assert [record.location for record in bad] == [f"ct.csv, line {n}" for n in range(5, 12)]
    reasons = [record.reason for record in bad]
    assert reasons[0] == "Likes: '12x' is not a whole number"
    assert "Post Created: 'yesterday'" in reasons[1]
    assert "account is not identified" in reasons[2]
    assert "unknown time zone abbreviation 'XYZ'" in reasons[3] and "--timezone" in reasons[3]
    assert "no URL" in reasons[4]
    assert "not a valid date" in reasons[5]
    assert reasons[6] == f"5 fields where the header has {len(header)}"
    assert all(record.source == "import:crowdtangle" for record in bad)
    assert bad[0].content.startswith("食物安全中心 Centre for Food Safety,centreforfoodsafety,")
    assert "12x" in bad[0].content


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-be", "big5hkscs"])
def test_encodings_read_the_same(tmp_path: Path, encoding: str) -> None:
    expected = _posts(_read(_copy(tmp_path, PAGES, name="plain.csv")))
    if encoding == "utf-16-be":  # with its BOM, as Excel writes "Unicode text"
        copy = tmp_path / "copy.csv"
        copy.write_bytes(b"\xfe\xff" + PAGES.read_text(encoding="utf-8").encode(encoding))
        os.utime(copy, (MTIME.timestamp(), MTIME.timestamp()))
    else:
        copy = _copy(tmp_path, PAGES, encoding, name="copy.csv")
    assert _posts(_read(copy)) == expected


def test_instagram_export_with_bom(tmp_path: Path) -> None:
    assert INSTAGRAM.read_bytes().startswith(b"\xef\xbb\xbf")
    photo, reel = _posts(_read(_copy(tmp_path, INSTAGRAM, "utf-8-sig")))
    assert (photo.platform, photo.post_id, photo.account_ref) == (
        "instagram",
        "CFakeCode01",
        "cfs_hk_example",
    )
    assert photo.created_at == dt.datetime(2021, 7, 6, 10, 0, tzinfo=dt.UTC)
    assert photo.text == "夏季食物安全貼士 #食物安全"
    assert photo.media == ["https://scontent.example/cfs_photo_01.jpg"]
    assert photo.followers_at_posting == 12480
    assert photo.format is PostFormat.IMAGE
    assert photo.counts is not None
    assert (photo.counts.reactions, photo.counts.likes, photo.counts.comments) == (None, 340, 16)
    assert photo.counts.views is None and photo.counts.shares is None
    assert photo.extra == {"account_name": "食物安全中心 Centre for Food Safety", "type": "Photo",
                           "total_interactions": 356, "overperforming_score": 1.2}  # fmt: skip
    assert reel.post_id == "CFakeCode02" and reel.format is PostFormat.VIDEO
    assert reel.counts is not None and reel.counts.views == 8400


def test_batches_carry_their_raw_lines(tmp_path: Path) -> None:
    batches = _read(_copy(tmp_path, PAGES), batch_size=4)
    assert [len(batch.posts) for batch in batches] == [4, 2]
    first, second = (batch.raw for batch in batches)
    assert first is not None and second is not None
    assert (first.location, second.location) == (
        "crowdtangle_hk_pages.csv, lines 2-7",
        "crowdtangle_hk_pages.csv, lines 8-9",
    )
    assert first.source == "import:crowdtangle" and first.fetched_at == MTIME
    assert second.body.startswith("Page Name,User Name,Facebook Id,")  # each raw payload has its header
    assert all(batch.edge == "posts" and batch.checkpoint is None for batch in batches)


def test_missing_columns_and_empty_files(tmp_path: Path) -> None:
    header = _rows(PAGES)[0]
    without_type = [name for name in header if name != "Type"]
    with pytest.raises(ImportFileError, match="columns missing: Type"):
        _read(_write(tmp_path, without_type, []))
    with pytest.raises(ImportFileError, match="not a CrowdTangle export"):
        _read(_write(tmp_path, ["platform", "account", "post_id"], []))
    (tmp_path / "empty.csv").write_text("", encoding="utf-8")
    assert _read(tmp_path / "empty.csv") == []
    assert _read(_write(tmp_path, header, [])) == []


def test_registered_as_a_plugin() -> None:
    assert crowdtangle.govsocial_importers() == [CrowdTangleImporter]
    assert CrowdTangleImporter.format == "crowdtangle"
