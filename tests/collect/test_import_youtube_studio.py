"""YouTube Studio export importer: both shapes (Table data.csv and the older per-video export),
soft hyphens in headers, the Total row, the channel from --account, dates in the import's zone,
unknown counts, bad rows with line numbers, and encodings."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from govsocial.collect.imports import youtube_studio as studio
from govsocial.collect.imports.base import ImportContext
from govsocial.collect.imports.youtube_studio import YouTubeStudioImporter
from govsocial.collect.records import Batch, PostFormat, PostRecord
from govsocial.errors import ImportFileError

FIXTURES = Path(__file__).parents[1] / "fixtures" / "payloads" / "csv_exports"
LEGACY = FIXTURES / "youtube_studio_aggregated_metrics.csv"
TABLE = FIXTURES / "youtube_studio_table_data.csv"
HK = ZoneInfo("Asia/Hong_Kong")
CHANNEL = "UCfakeHKObservatory000001"
MTIME = dt.datetime(2026, 7, 1, 2, 0, tzinfo=dt.UTC)

CT_FACEBOOK = (
    "Page Name,User Name,Facebook Id,Page Category,Page Admin Top Country,Page Description,Page Created,"
    "Likes at Posting,Followers at Posting,Post Created,Post Created Date,Post Created Time,Type,URL,Message"
)
CT_INSTAGRAM = "\ufeffAccount,User Name,Followers at Posting,Post Created,Type,Likes,Comments,Views,URL,Title"
MBS_FACEBOOK = (
    '"Post ID","Page ID","Page name",Title,"Publish time",Permalink,"Is share","Post type",Views,Reach'
)
MBS_INSTAGRAM = '"Post ID","Account ID","Account username","Account name",Description,"Duration (sec)"'
GENERIC = "platform,account,post_id,created_at,text,url,likes,comments,shares,views"


def _stamp(path: Path) -> Path:
    os.utime(path, (MTIME.timestamp(), MTIME.timestamp()))
    return path


def _copy(tmp_path: Path, source: Path, encoding: str = "utf-8", name: str | None = None) -> Path:
    target = tmp_path / (name or source.name)
    target.write_bytes(source.read_text(encoding="utf-8").encode(encoding))
    return _stamp(target)


def _rows(source: Path) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(source.read_text(encoding="utf-8"), newline="")))
    return rows[0], rows[1:]


def _write(tmp_path: Path, header: list[str], rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
    (tmp_path / "Table data.csv").write_text(buffer.getvalue(), encoding="utf-8")
    return _stamp(tmp_path / "Table data.csv")


def _with(header: list[str], row: list[str], changes: dict[str, str]) -> list[str]:
    changed = list(row)
    for column, value in changes.items():
        changed[header.index(column)] = value
    return changed


def _read(path: Path, zone: ZoneInfo = HK, account: str | None = CHANNEL, size: int = 1000) -> list[Batch]:
    context = ImportContext(timezone=zone, account_ref=account, batch_size=size)
    return list(YouTubeStudioImporter().read(path, context))


def _posts(batches: list[Batch]) -> list[PostRecord]:
    return [post for batch in batches for post in batch.posts]


@pytest.mark.parametrize("source", [LEGACY, TABLE])
def test_sniff_recognises_its_exports(source: Path) -> None:
    assert YouTubeStudioImporter.sniff(source.name, source.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "head", [CT_FACEBOOK, CT_INSTAGRAM, MBS_FACEBOOK, MBS_INSTAGRAM, GENERIC, "", '"a,b']
)
def test_sniff_rejects_other_formats(head: str) -> None:
    assert not YouTubeStudioImporter.sniff("export.csv", head + "\n1,2,3\n")


def test_every_mapped_column_of_the_older_export(tmp_path: Path) -> None:
    assert "pub\u00adlish" in LEGACY.read_text(encoding="utf-8")  # the soft hyphen is really there
    post = _posts(_read(_copy(tmp_path, LEGACY)))[1]
    assert (post.platform, post.post_id, post.account_ref) == ("youtube", "hkoDemo0002", CHANNEL)
    assert post.created_at == dt.datetime(2020, 5, 7, 16, 0, tzinfo=dt.UTC)  # midnight in Hong Kong
    assert post.created_at_raw == "May 8, 2020"
    assert post.format is PostFormat.VIDEO
    assert post.text == "天氣小百科：甚麼是熱帶氣旋？ What is a tropical cyclone?"
    assert post.url == "https://www.youtube.com/watch?v=hkoDemo0002"
    assert post.counts is not None
    assert post.counts.taken_at == MTIME
    assert (post.counts.views, post.counts.likes, post.counts.comments, post.counts.shares) == (
        95120,
        2980,
        310,
        402,
    )
    assert post.counts.reactions is None and post.counts.clicks is None
    assert post.extra == {
        "dislikes": 30,
        "subscribers": 550,
        "subscribers_gained": 600,
        "subscribers_lost": 50,
        "impressions": 1200000,
        "watch_time_hours": 2112.4,
        "impressions_ctr_percent": 3.3,
        "average_percentage_viewed": 35.02,
        "average_view_duration_s": 189,
    }


def test_every_mapped_column_of_table_data(tmp_path: Path) -> None:
    short, report = _posts(_read(_copy(tmp_path, TABLE)))
    assert (short.post_id, short.created_at) == (
        "cfsDemo0001",
        dt.datetime(2026, 6, 26, 16, 0, tzinfo=dt.UTC),
    )
    assert short.text == "點樣安全解凍食物？ How to thaw food safely"
    assert short.counts is not None and short.counts.views == 40115
    assert (short.counts.likes, short.counts.comments, short.counts.shares) == (
        None,
        None,
        None,
    )  # not exported
    assert short.extra == {
        "subscribers": 301,
        "impressions": 612004,
        "watch_time_hours": 542.1,
        "impressions_ctr_percent": 4.2,
        "average_percentage_viewed": 83.1,
        "stayed_to_watch_percent": 71.5,
        "duration_s": 58,
        "average_view_duration_s": 48,
    }
    assert "stayed_to_watch_percent" not in report.extra  # empty: unknown
    assert report.extra["duration_s"] == 1204


def test_total_row_is_skipped_not_bad(tmp_path: Path) -> None:
    batches = _read(_copy(tmp_path, LEGACY))
    assert [post.post_id for post in _posts(batches)] == ["hkoDemo0001", "hkoDemo0002", "hkoDemo0003"]
    assert [record for batch in batches for record in batch.bad] == []
    assert batches[0].raw is not None and "\nTotal," in batches[0].raw.body  # kept in the raw payload


def test_negative_subscribers_and_durations(tmp_path: Path) -> None:
    live = _posts(_read(_copy(tmp_path, LEGACY)))[2]
    assert live.extra["subscribers"] == -173
    assert live.extra["average_view_duration_s"] == 621  # 0:10:21
    header, rows = _rows(TABLE)
    path = _write(
        tmp_path, header, [_with(header, rows[1], {"Duration": "1:02:03", "Average view duration": "3:09"})]
    )
    post = _posts(_read(path))[0]
    assert (post.extra["duration_s"], post.extra["average_view_duration_s"]) == (3723, 189)


def test_the_channel_must_be_given(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="do not name the channel: pass --account"):
        _read(_copy(tmp_path, TABLE), account=None)


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("Asia/Hong_Kong", dt.datetime(2023, 9, 14, 16, 0, tzinfo=dt.UTC)),
        ("UTC", dt.datetime(2023, 9, 15, 0, 0, tzinfo=dt.UTC)),
        ("America/Los_Angeles", dt.datetime(2023, 9, 15, 7, 0, tzinfo=dt.UTC)),
    ],
)
def test_dates_are_midnight_in_the_imports_zone(tmp_path: Path, zone: str, expected: dt.datetime) -> None:
    post = _posts(_read(_copy(tmp_path, LEGACY), zone=ZoneInfo(zone)))[0]
    assert (post.created_at, post.created_at_raw) == (expected, "Sep 15, 2023")


def test_other_date_shapes() -> None:
    for text in ("September 15, 2023", "2023-09-15", "15 Sep 2023"):
        assert studio.parse_date(text, ZoneInfo("UTC")) == dt.datetime(2023, 9, 15, tzinfo=dt.UTC)


def test_empty_counts_are_unknown_and_separators_are_read(tmp_path: Path) -> None:
    header, rows = _rows(LEGACY)
    empty = {
        "Views": "",
        "Likes": "",
        "Comments added": "",
        "Shares": "",
        "Dislikes": "",
        "Im\u00adpres\u00adsions": "",
    }
    path = _write(
        tmp_path, header, [_with(header, rows[1], empty), _with(header, rows[2], {"Views": "1,234,567"})]
    )
    blank, separated = _posts(_read(path))
    assert blank.counts is not None
    assert (blank.counts.views, blank.counts.likes, blank.counts.comments, blank.counts.shares) == (None,) * 4
    assert "dislikes" not in blank.extra and "impressions" not in blank.extra
    assert separated.counts is not None and separated.counts.views == 1234567


def test_bad_rows_become_bad_records_with_line_numbers(tmp_path: Path) -> None:
    header, rows = _rows(TABLE)
    path = _write(
        tmp_path,
        header,
        [
            rows[0],  # line 2: Total
            _with(header, rows[1], {"Views": "lots"}),  # line 3
            _with(header, rows[1], {"Video publish time": "someday"}),  # line 4
            _with(header, rows[1], {"Content": ""}),  # line 5
            _with(header, rows[1], {"Content": "not a video id"}),  # line 6
            _with(header, rows[1], {"Watch time (hours)": "1h"}),  # line 7
            rows[2],  # line 8: good
        ],
    )
    batches = _read(path)
    assert [post.post_id for post in _posts(batches)] == ["cfsDemo0002"]
    bad = [record for batch in batches for record in batch.bad]
    assert [record.location for record in bad] == [f"Table data.csv, line {n}" for n in range(3, 8)]
    assert [record.reason for record in bad] == [
        "Views: 'lots' is not a whole number",
        "Video publish time: 'someday' is not a date like 'May 8, 2020'",
        "no video id",
        "Content: 'not a video id' is not a YouTube video id",
        "Watch time (hours): '1h' is not a number",
    ]
    assert all(record.source == "import:youtube_studio" for record in bad)
    assert bad[0].content.startswith("cfsDemo0001,")


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le"])
def test_encodings_read_the_same(tmp_path: Path, encoding: str) -> None:
    expected = _posts(_read(_copy(tmp_path, LEGACY, name="plain.csv")))
    if encoding == "utf-16-le":  # Studio's "UTF-16" files start with a little-endian BOM
        copy = tmp_path / "copy.csv"
        copy.write_bytes(b"\xff\xfe" + LEGACY.read_text(encoding="utf-8").encode(encoding))
        _stamp(copy)
    else:
        copy = _copy(tmp_path, LEGACY, encoding, name="copy.csv")
    assert _posts(_read(copy)) == expected


def test_big5_hkscs_copy_reads_the_same(tmp_path: Path) -> None:
    # Big5 has no soft hyphen: the copy is of Table data.csv, whose header has none.
    expected = _posts(_read(_copy(tmp_path, TABLE, name="plain.csv")))
    assert _posts(_read(_copy(tmp_path, TABLE, "big5hkscs", name="big5.csv"))) == expected


def test_batches_and_raw_payloads(tmp_path: Path) -> None:
    batches = _read(_copy(tmp_path, LEGACY), size=2)
    assert [len(batch.posts) for batch in batches] == [1, 2]  # the first batch holds the Total row
    raw = batches[1].raw
    assert raw is not None
    location = "youtube_studio_aggregated_metrics.csv, lines 4-5"
    assert (raw.source, raw.location, raw.fetched_at) == ("import:youtube_studio", location, MTIME)
    assert all(batch.edge == "posts" for batch in batches)


def test_not_a_studio_file(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="not a YouTube Studio export"):
        _read(_write(tmp_path, ["platform", "account", "post_id"], [["youtube", "x", "y"]]))


def test_registered_as_a_plugin() -> None:
    assert studio.govsocial_importers() == [YouTubeStudioImporter]
    assert YouTubeStudioImporter.format == "youtube_studio"
