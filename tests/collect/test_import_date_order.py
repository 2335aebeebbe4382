"""Day or month first: Meta Business Suite and YouTube Studio exports re-saved by Excel, whose
dates are written in Excel's regional order (d/m/yyyy in Hong Kong). The order is taken from the
file's dates (a field past 12), else from ``--day-first`` / ``--month-first``; a re-saved file
that shows neither is refused, and an export as the platform writes it reads as it always did."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from govsocial.collect.imports.base import DAY_FIRST, MONTH_FIRST, ImportContext, Importer
from govsocial.collect.imports.meta_business_suite import MetaBusinessSuiteImporter
from govsocial.collect.imports.youtube_studio import YouTubeStudioImporter
from govsocial.errors import ImportFileError

MBS = ["Post ID", "Page ID", "Page name", "Title", "Publish time", "Post type", "Reactions", "Comments"]
STUDIO = ["Content", "Video title", "Video publish time", "Views"]
HK = ZoneInfo("Asia/Hong_Kong")


def _write(tmp_path: Path, header: list[str], rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
    path = tmp_path / "export.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8-sig")
    return path


def _mbs(tmp_path: Path, *times: str) -> Path:
    rows = [
        [f"10{n}", "100000000000001", "CFS", f"post {n}", when, "Photos", "1", "0"]
        for n, when in enumerate(times)
    ]
    return _write(tmp_path, MBS, rows)


def _studio(tmp_path: Path, *dates: str) -> Path:
    return _write(
        tmp_path, STUDIO, [[f"cfsDemo000{n}", f"video {n}", day, "5"] for n, day in enumerate(dates)]
    )


def _days(importer: Importer, path: Path, order: str | None = None) -> list[dt.date]:
    context = ImportContext(timezone=HK, account_ref="UCfakeHKObservatory000001", date_order=order)
    batches = list(importer.read(path, context))
    assert [bad.reason for batch in batches for bad in batch.bad] == []
    return [post.created_at.astimezone(HK).date() for batch in batches for post in batch.posts]


def test_an_export_as_meta_writes_it_reads_month_first(tmp_path: Path) -> None:
    # Every date ambiguous, but zero-padded as Business Suite writes: its own order, as before.
    path = _mbs(tmp_path, "06/05/2026 10:00", "07/01/2026 09:30")
    assert _days(MetaBusinessSuiteImporter(), path) == [dt.date(2026, 6, 5), dt.date(2026, 7, 1)]


def test_a_day_past_12_shows_excel_wrote_day_first(tmp_path: Path) -> None:
    # June 5 and June 29, re-saved by Excel in Hong Kong: read month first, 5/6 was May 6 before.
    path = _mbs(tmp_path, "5/6/2026 10:00", "29/6/2026 15:21")
    assert _days(MetaBusinessSuiteImporter(), path) == [dt.date(2026, 6, 5), dt.date(2026, 6, 29)]


def test_a_day_past_12_in_the_second_field_shows_month_first(tmp_path: Path) -> None:
    # Excel left 06/29/2026 alone (not a d/m date) and rewrote 06/05/2026 with its digits as they were.
    path = _mbs(tmp_path, "6/5/2026 10:00", "06/29/2026 15:21")
    assert _days(MetaBusinessSuiteImporter(), path) == [dt.date(2026, 6, 5), dt.date(2026, 6, 29)]


def test_a_resaved_file_of_ambiguous_dates_is_refused(tmp_path: Path) -> None:
    path = _mbs(tmp_path, "6/5/2026 10:00", "1/7/2026 9:30")
    with pytest.raises(
        ImportFileError, match=r"export\.csv: Publish time .*'6/5/2026 10:00'.*--day-first or --month-first"
    ):
        _days(MetaBusinessSuiteImporter(), path)


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        (DAY_FIRST, [dt.date(2026, 5, 6), dt.date(2026, 7, 1)]),
        (MONTH_FIRST, [dt.date(2026, 6, 5), dt.date(2026, 1, 7)]),
    ],
)
def test_the_order_can_be_told(tmp_path: Path, order: str, expected: list[dt.date]) -> None:
    path = _mbs(tmp_path, "6/5/2026 10:00", "1/7/2026 9:30")
    assert _days(MetaBusinessSuiteImporter(), path, order) == expected


def test_dates_in_both_orders_are_refused(tmp_path: Path) -> None:
    path = _mbs(tmp_path, "29/6/2026 15:21", "06/29/2026 15:21")
    with pytest.raises(ImportFileError, match=r"day first .*month first"):
        _days(MetaBusinessSuiteImporter(), path)


def test_a_bad_row_is_no_sign_of_the_order(tmp_path: Path) -> None:
    path = _mbs(tmp_path, "06/05/2026 10:00", "29/06/2026 3pm")
    batches = list(MetaBusinessSuiteImporter().read(path, ImportContext(timezone=HK)))
    assert [post.created_at.astimezone(HK).date() for batch in batches for post in batch.posts] == [
        dt.date(2026, 6, 5)
    ]
    assert [bad.location for batch in batches for bad in batch.bad] == ["export.csv, line 3"]


def test_a_studio_export_resaved_day_first_is_read(tmp_path: Path) -> None:
    # Studio writes "May 8, 2020"; Excel in Hong Kong rewrites it 8/5/2020 (quarantined before).
    path = _studio(tmp_path, "8/5/2020", "27/6/2026", "Jun 1, 2026")
    expected = [dt.date(2020, 5, 8), dt.date(2026, 6, 27), dt.date(2026, 6, 1)]
    assert _days(YouTubeStudioImporter(), path) == expected


def test_a_studio_export_of_ambiguous_numeric_dates_needs_the_order(tmp_path: Path) -> None:
    path = _studio(tmp_path, "8/5/2020", "1/6/2026")
    with pytest.raises(ImportFileError, match=r"Video publish time .*--day-first or --month-first"):
        _days(YouTubeStudioImporter(), path)
    assert _days(YouTubeStudioImporter(), path, DAY_FIRST) == [dt.date(2020, 5, 8), dt.date(2026, 6, 1)]
