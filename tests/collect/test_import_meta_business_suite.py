"""Meta Business Suite "Content" export importer: columns (English and Swedish), the exporting
user's time zone, unknown counts, bad rows with line numbers, and encodings."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from govsocial.analyze.extract import _reaction_columns
from govsocial.collect.imports import meta_business_suite as mbs
from govsocial.collect.imports.base import ImportContext
from govsocial.collect.imports.meta_business_suite import MetaBusinessSuiteImporter
from govsocial.collect.records import Batch, PostFormat, PostRecord
from govsocial.errors import ImportFileError
from govsocial.store import tables as t
from govsocial.web.pages.account import post_counts

FIXTURES = Path(__file__).parents[1] / "fixtures" / "payloads" / "csv_exports"
FACEBOOK = FIXTURES / "meta_business_suite_facebook_content.csv"
INSTAGRAM = FIXTURES / "meta_business_suite_instagram_content.csv"
HK = ZoneInfo("Asia/Hong_Kong")
MTIME = dt.datetime(2026, 7, 1, 2, 0, tzinfo=dt.UTC)

CT_FACEBOOK = (
    "Page Name,User Name,Facebook Id,Page Category,Page Admin Top Country,Page Description,Page Created,"
    "Likes at Posting,Followers at Posting,Post Created,Post Created Date,Post Created Time,Type,URL"
)
CT_INSTAGRAM = "\ufeffAccount,User Name,Followers at Posting,Post Created,Type,Likes,Comments,Views,URL"
STUDIO_LEGACY = "Video,Video title,Video pub\u00adlish time,Comments added,Shares,Dislikes,Likes,Views"
STUDIO_TABLE = "Content,Video title,Video publish time,Duration,Views,Watch time (hours),Subscribers"
GENERIC = "platform,account,post_id,created_at,text,url,likes,comments,shares"
SWEDISH = {
    "Post ID": "Publicerings-id", "Page ID": "Sid-id", "Page name": "Sidnamn", "Title": "Beskrivning",
    "Publish time": "Publiceringstid", "Post type": "Inläggstyp", "Permalink": "Permalänk",
    "Views": "Visningar", "Reach": "Räckvidd",
    "Reactions, comments and shares": "Reaktioner, kommentarer och delningar", "Reactions": "Reaktioner",
    "Comments": "Kommentarer", "Shares": "Delningar", "Total clicks": "Totalt antal klick",
    "Link clicks": "Länkklick", "Other clicks": "Övriga klick",
}  # fmt: skip


def _stamp(path: Path) -> Path:
    os.utime(path, (MTIME.timestamp(), MTIME.timestamp()))
    return path


def _copy(tmp_path: Path, source: Path, encoding: str = "utf-8-sig", name: str = "copy.csv") -> Path:
    target = tmp_path / name
    target.write_bytes(source.read_text(encoding="utf-8-sig").encode(encoding))
    return _stamp(target)


def _rows(source: Path) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(source.read_text(encoding="utf-8-sig"), newline="")))
    return rows[0], rows[1:]


def _write(tmp_path: Path, header: list[str], rows: list[list[str]], name: str = "content.csv") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
    (tmp_path / name).write_text(buffer.getvalue(), encoding="utf-8-sig")
    return _stamp(tmp_path / name)


def _with(header: list[str], row: list[str], changes: dict[str, str]) -> list[str]:
    changed = list(row)
    for column, value in changes.items():
        changed[header.index(column)] = value
    return changed


def _read(path: Path, zone: ZoneInfo = HK, account: str | None = None, size: int = 1000) -> list[Batch]:
    context = ImportContext(timezone=zone, account_ref=account, batch_size=size)
    return list(MetaBusinessSuiteImporter().read(path, context))


def _posts(batches: list[Batch]) -> list[PostRecord]:
    return [post for batch in batches for post in batch.posts]


@pytest.mark.parametrize("source", [FACEBOOK, INSTAGRAM])
def test_sniff_recognises_its_exports(source: Path) -> None:
    assert MetaBusinessSuiteImporter.sniff(source.name, source.read_text(encoding="utf-8")[:4096])


def test_sniff_recognises_a_swedish_export() -> None:
    header = ",".join(f'"{SWEDISH.get(name, name)}"' for name in _rows(FACEBOOK)[0])
    assert MetaBusinessSuiteImporter.sniff("content.csv", "\ufeff" + header + "\n")


@pytest.mark.parametrize(
    "head", [CT_FACEBOOK, CT_INSTAGRAM, STUDIO_LEGACY, STUDIO_TABLE, GENERIC, "", '"a,b']
)
def test_sniff_rejects_other_formats(head: str) -> None:
    assert not MetaBusinessSuiteImporter.sniff("export.csv", head + "\n1,2,3\n")


def test_every_mapped_column_of_a_facebook_row(tmp_path: Path) -> None:
    post = _posts(_read(_copy(tmp_path, FACEBOOK)))[0]
    assert post.platform == "facebook"
    assert post.post_id == "100000000000001_100000000000501"  # Graph API form: {page}_{post}
    assert post.account_ref == "100000000000001"
    assert post.created_at == dt.datetime(2026, 6, 29, 7, 21, tzinfo=dt.UTC)
    assert post.created_at_raw == "06/29/2026 15:21"
    assert post.format is PostFormat.IMAGE
    assert post.text == "【食物安全】夏日炎炎，外出用膳要小心。\nEat out safely in summer.\n#食物安全"
    assert post.url == "https://www.facebook.com/100000000000001/posts/pfbid02FakeFakeAbCdEfGh"  # case kept
    assert post.counts is not None
    assert post.counts.taken_at == MTIME
    # "Reactions" is all types together: a total, with the Like count (not in the file) unknown.
    assert post.counts.reactions == {"total": 380} and post.counts.likes is None
    assert (post.counts.comments, post.counts.shares, post.counts.views, post.counts.clicks) == (
        20,
        12,
        12840,
        256,
    )
    assert post.extra == {
        "reach": 9310,
        "interactions": 412,  # "Reactions, comments and shares", not confused with "Reactions"
        "reactions_total": 380,
        "link_clicks": 40,
        "other_clicks": 216,
        "page_name": "食物安全中心 Centre for Food Safety",
        "post_type": "Photos",
        "is_share": "No",
    }


def test_facebook_interactions_count_every_reaction(tmp_path: Path) -> None:
    # A realistic row: 380 reactions of all types, 20 comments, 12 shares, and the export's own
    # "Reactions, comments and shares" (412) to check the sum the metrics make against.
    header, rows = _rows(FACEBOOK)
    post = _posts(_read(_write(tmp_path, header, rows[:1])))[0]
    assert post.counts is not None
    columns = _reaction_columns([post.counts.reactions], [post.counts.likes])
    assert columns["reactions"] == [380]  # the likes = "reactions" parameter: all seven types
    assert columns["like"] == [None]  # the Like reaction alone: the file does not say
    interactions = columns["reactions"][0] + (post.counts.comments or 0) + (post.counts.shares or 0)
    assert interactions == post.extra["interactions"] == 412


def test_a_like_count_stays_the_like_count(tmp_path: Path) -> None:
    header, rows = _rows(FACEBOOK)
    post = _posts(_read(_write(tmp_path, [*header, "Likes"], [[*rows[1], "50"]])))[0]
    assert post.counts is not None
    assert (post.counts.reactions, post.counts.likes) == ({"total": 70}, 50)
    columns = _reaction_columns([post.counts.reactions], [post.counts.likes])
    assert (columns["reactions"], columns["like"]) == ([70], [50])


def test_every_mapped_column_of_an_instagram_row(tmp_path: Path) -> None:
    post = _posts(_read(_copy(tmp_path, INSTAGRAM)))[1]
    assert (post.platform, post.post_id, post.account_ref) == (
        "instagram",
        "18000000000000102",
        "17800000000000001",
    )
    assert post.created_at == dt.datetime(2026, 6, 27, 10, 0, tzinfo=dt.UTC)
    assert post.format is PostFormat.VIDEO
    assert post.text == "點樣洗菜？How to wash vegetables"
    assert post.url == "https://www.instagram.com/reel/DFakeCode02/"
    assert post.counts is not None
    assert (post.counts.likes, post.counts.comments, post.counts.shares, post.counts.views) == (
        1020,
        40,
        130,
        20311,
    )
    assert post.counts.reactions is None and post.counts.clicks is None
    assert post.extra == {
        "reach": 15002,
        "saves": 210,
        "follows": 12,
        "duration_s": 45,
        "account_username": "cfs_hk_example",
        "account_name": "食物安全中心 Centre for Food Safety",
        "post_type": "IG reel",
        "period": "Lifetime",
    }


def test_empty_counts_are_unknown_not_zero(tmp_path: Path) -> None:
    text_post = _posts(_read(_copy(tmp_path, FACEBOOK)))[3]
    assert text_post.counts is not None
    assert text_post.counts.views is None and text_post.counts.comments == 0
    assert "reach" not in text_post.extra and text_post.text is None
    carousel = _posts(_read(_copy(tmp_path, INSTAGRAM)))[2]
    assert carousel.counts is not None
    assert (carousel.counts.views, carousel.counts.shares, carousel.counts.likes) == (None, None, 210)
    reel = _posts(_read(_copy(tmp_path, FACEBOOK)))[2]
    assert reel.counts is not None and reel.counts.clicks is None  # "Total clicks" empty


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("Asia/Hong_Kong", dt.datetime(2026, 6, 29, 7, 21, tzinfo=dt.UTC)),
        ("UTC", dt.datetime(2026, 6, 29, 15, 21, tzinfo=dt.UTC)),
        ("America/New_York", dt.datetime(2026, 6, 29, 19, 21, tzinfo=dt.UTC)),  # EDT in June
        ("Europe/London", dt.datetime(2026, 6, 29, 14, 21, tzinfo=dt.UTC)),
    ],
)
def test_publish_time_is_read_in_the_exporting_users_zone(
    tmp_path: Path, zone: str, expected: dt.datetime
) -> None:
    post = _posts(_read(_copy(tmp_path, FACEBOOK), zone=ZoneInfo(zone)))[0]
    assert post.created_at == expected
    assert post.created_at_raw == "06/29/2026 15:21"


def test_publish_time_shapes() -> None:
    assert mbs.parse_time("06/29/2026 15:21:30", HK) == dt.datetime(2026, 6, 29, 7, 21, 30, tzinfo=dt.UTC)
    assert mbs.parse_time("2026-06-29 15:21", HK) == dt.datetime(2026, 6, 29, 7, 21, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Photos", PostFormat.IMAGE), ("Videos", PostFormat.VIDEO), ("Reels", PostFormat.VIDEO),
        ("Links", PostFormat.LINK), ("Text", PostFormat.TEXT), ("Live", PostFormat.LIVE),
        ("IG image", PostFormat.IMAGE), ("IG carousel", PostFormat.IMAGE), ("IG reel", PostFormat.VIDEO),
        ("Stories", PostFormat.OTHER), ("", PostFormat.OTHER),
    ],
)  # fmt: skip
def test_post_types_map_to_formats(value: str, expected: PostFormat) -> None:
    assert mbs._format(value) is expected


def test_swedish_headers_read_like_english(tmp_path: Path) -> None:
    header, rows = _rows(FACEBOOK)
    swedish = _write(tmp_path, [SWEDISH.get(name, name) for name in header], rows, name="sv.csv")
    assert _posts(_read(swedish)) == _posts(_read(_copy(tmp_path, FACEBOOK)))


def test_title_and_description_both_kept(tmp_path: Path) -> None:
    header, rows = _rows(FACEBOOK)
    post = _posts(
        _read(_write(tmp_path, [*header, "Description"], [[*rows[1], "影片描述 Video description"]]))
    )[0]
    assert post.text == "食物回收 Food recall: 某批次急凍蝦 frozen prawns"
    assert post.extra["description"] == "影片描述 Video description"


def test_account_from_the_command_line_when_the_file_has_none(tmp_path: Path) -> None:
    header, rows = _rows(FACEBOOK)
    path = _write(tmp_path, header, [_with(header, rows[1], {"Page ID": ""})])
    assert _posts(_read(path)) == []
    assert "not identified" in _read(path)[0].bad[0].reason
    post = _posts(_read(path, account="centreforfoodsafety"))[0]
    assert (post.account_ref, post.post_id) == ("centreforfoodsafety", "100000000000502")


def test_bad_rows_become_bad_records_with_line_numbers(tmp_path: Path) -> None:
    header, rows = _rows(FACEBOOK)
    path = _write(
        tmp_path,
        header,
        [
            rows[0],  # lines 2-4: a three-line title
            _with(header, rows[1], {"Reach": "很多"}),  # line 5
            _with(header, rows[1], {"Publish time": "29/06/2026 3pm"}),  # line 6
            _with(header, rows[1], {"Post ID": ""}),  # line 7
            _with(header, rows[1], {"Comments": "1.5"}),  # line 8
            rows[1][:3],  # line 9
            rows[2],  # line 10: good
        ],
    )
    batches = _read(path)
    assert [post.post_id for post in _posts(batches)] == [
        "100000000000001_100000000000501",
        "100000000000001_100000000000503",
    ]
    bad = [record for batch in batches for record in batch.bad]
    assert [record.location for record in bad] == [f"content.csv, line {n}" for n in range(5, 10)]
    assert [record.reason for record in bad] == [
        "Reach: '很多' is not a whole number",
        "Publish time: '29/06/2026 3pm' is not a time like '06/29/2026 15:21'",
        "no Post ID",
        "Comments: '1.5' is not a whole number",
        f"3 fields where the header has {len(header)}",
    ]
    assert all(record.source == "import:meta_business_suite" for record in bad)
    assert "很多" in bad[0].content


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "big5hkscs"])
def test_encodings_read_the_same(tmp_path: Path, encoding: str) -> None:
    expected = _posts(_read(_copy(tmp_path, FACEBOOK, name="bom.csv")))
    assert FACEBOOK.read_bytes().startswith(b"\xef\xbb\xbf")
    assert _posts(_read(_copy(tmp_path, FACEBOOK, encoding))) == expected


def test_batches_and_raw_payloads(tmp_path: Path) -> None:
    batches = _read(_copy(tmp_path, INSTAGRAM), size=2)
    assert [len(batch.posts) for batch in batches] == [2, 1]
    raw = batches[1].raw
    assert raw is not None
    assert (raw.source, raw.location, raw.fetched_at) == (
        "import:meta_business_suite",
        "copy.csv, line 5",
        MTIME,
    )
    assert raw.body.startswith('"Post ID","Account ID"')


def test_unrecognised_headers_are_a_file_error(tmp_path: Path) -> None:
    path = _write(tmp_path, ["發佈編號", "專頁編號", "發佈時間"], [["1", "2", "3"]])
    with pytest.raises(ImportFileError, match="English UI"):
        _read(path)
    (tmp_path / "empty.csv").write_bytes(b"\xef\xbb\xbf")
    assert _read(tmp_path / "empty.csv") == []


def test_registered_as_a_plugin() -> None:
    assert mbs.govsocial_importers() == [MetaBusinessSuiteImporter]
    assert MetaBusinessSuiteImporter.format == "meta_business_suite"


def test_the_account_page_shows_a_reaction_total_given_without_types() -> None:
    # A post of a Meta Business Suite export: its reactions as one total, no Like count.
    snapshot = t.PostSnapshot(reactions={"total": 380}, likes=None, comments=20, shares=12, views=None)
    shown, by_type = post_counts(snapshot)
    assert shown[0][1] == 380 and [value for _, value in shown] == [380, 20, 12]
    assert by_type == []  # no type is made up
