"""Registry files as spreadsheets save them: Excel's "Unicode Text" (UTF-16, tab-separated, CRLF)
is read like a CSV, and a date a spreadsheet rewrote is refused with what to write instead."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from govsocial.registry.addresses import PlatformCatalogue
from govsocial.registry.load import load_registry
from govsocial.registry.sync import Outcome
from govsocial.registry.tables_io import read_rows
from govsocial.registry.transfer import Kind, export_records, import_file
from tests.registry.folders import REGISTRY

CATALOGUE = PlatformCatalogue.default()


def _sheet(session: Session, path: Path, encoding: str, delimiter: str, **changes: str) -> None:
    rows = [r.to_row() for r in export_records(session, "hk", Kind.ACCOUNTS)]
    with path.open("w", encoding=encoding, newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), delimiter=delimiter, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(row | changes for row in rows)


def test_unicode_text_from_excel_reimports_as_noop(engine: Engine, session: Session, tmp_path: Path) -> None:
    load_registry(engine, REGISTRY, actor="tests", only="hk")
    path = tmp_path / "accounts.txt"
    _sheet(session, path, "utf-16", "\t")
    assert read_rows(path)[0].data["platform"]  # columns, not one column named with tabs
    report = import_file(session, path, CATALOGUE, "hk", actor="tests")
    assert report.problems == []
    assert report.total(Outcome.NOOP) == len(export_records(session, "hk", Kind.ACCOUNTS))
    assert report.total(Outcome.INSERT) == report.total(Outcome.UPDATE) == 0


def test_a_date_a_spreadsheet_rewrote_says_what_to_write(
    engine: Engine, session: Session, tmp_path: Path
) -> None:
    load_registry(engine, REGISTRY, actor="tests", only="hk")
    path = tmp_path / "accounts.csv"
    _sheet(session, path, "utf-8-sig", ",", reviewed_on="1/10/2026")
    report = import_file(session, path, CATALOGUE, "hk", actor="tests")
    assert report.total(Outcome.UPDATE) == report.total(Outcome.INSERT) == 0
    assert str(report.problems[0]) == (
        "accounts.csv, line 2: reviewed_on: '1/10/2026' is not a date: write YYYY-MM-DD, e.g. 2026-10-01 "
        "(a spreadsheet may have rewritten it: format the column as text)"
    )


def test_an_id_a_spreadsheet_rounded_is_named_with_its_field(
    engine: Engine, session: Session, tmp_path: Path
) -> None:
    load_registry(engine, REGISTRY, actor="tests", only="hk")
    path = tmp_path / "accounts.csv"
    path.write_text(
        "org_codes,platform,url,platform_id,evidence_url\n"
        "cfs,facebook,https://www.facebook.com/cfs.hk,1.00064E+14,https://www.cfs.gov.hk/\n",
        encoding="utf-8",
    )
    report = import_file(session, path, CATALOGUE, "hk", actor="tests")
    assert [str(p) for p in report.problems] == [
        "accounts.csv, line 2: platform_id: 1.00064E+14: '1.00064E+14' is not a valid Facebook id (a "
        "spreadsheet rewrote a long number: format the column as text and copy the id again)"
    ]
