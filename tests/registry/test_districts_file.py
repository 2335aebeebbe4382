"""``districts.csv`` in a registry folder: parsed, linted and loaded into ``districts``.

The districts the citizen survey asks about are a jurisdiction's registry data (docs/registry.md,
"districts.csv"): a bad header, a repeated code, a row without a name or a file in an unknown
encoding is one problem naming the file, the line and the field, from ``registry lint`` and
``registry load``; loading is an idempotent upsert logged in ``changes``, and a district whose row
left the file is deleted (unless the file has a bad row).
"""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from govsocial.cli.main import app
from govsocial.registry.addresses import PlatformCatalogue
from govsocial.registry.bundle import load_bundle
from govsocial.registry.lint import errors_only, lint_bundle
from govsocial.registry.load import load_registry
from govsocial.registry.sync import Outcome
from govsocial.store import survey as store
from govsocial.store import tables as t
from tests.registry.folders import REGISTRY

HEADER = "code,name_en,name_zh_hant,name_zh_hans\n"
GOOD = "north,North Region,北區,\ncentral,Central Region,,\n"


def _folder(parent: Path, districts: str | bytes | None, languages: str = '["en"]') -> Path:
    folder = parent / "xx"
    folder.mkdir(exist_ok=True)
    (folder / "jurisdiction.toml").write_text(
        f'code = "xx"\nname_en = "X"\nrequired_name_languages = {languages}\n', encoding="utf-8"
    )
    path = folder / "districts.csv"
    if districts is None:
        path.unlink(missing_ok=True)
    elif isinstance(districts, bytes):
        path.write_bytes(districts)
    else:
        path.write_text(districts, encoding="utf-8")
    return folder


def _problems(folder: Path) -> list[str]:
    return [str(p) for p in errors_only(lint_bundle(load_bundle(folder), PlatformCatalogue.default()))]


def test_a_good_file_is_parsed_in_its_order(tmp_path: Path) -> None:
    bundle = load_bundle(_folder(tmp_path, HEADER + GOOD))
    assert bundle.problems == []
    assert [(d.line, d.record.code, d.record.name_en) for d in bundle.districts or []] == [
        (2, "north", "North Region"),
        (3, "central", "Central Region"),
    ]


def test_no_file_is_no_districts_and_no_problem(tmp_path: Path) -> None:
    bundle = load_bundle(_folder(tmp_path, None))
    assert bundle.districts is None and bundle.problems == []


def test_a_bad_header_is_one_problem_on_line_1(tmp_path: Path) -> None:
    assert _problems(_folder(tmp_path, "code,name,name_zh_hant\nnorth,North,\n")) == [
        "xx/districts.csv, line 1: header: unknown column 'name' (the columns are code, name_en, "
        "name_zh_hant, name_zh_hans); missing column 'name_en'"
    ]
    assert _problems(_folder(tmp_path, "code,name_en,code\nnorth,North,x\n")) == [
        "xx/districts.csv, line 1: header: column 'code' given twice"
    ]


def test_bad_rows_name_file_line_and_field(tmp_path: Path) -> None:
    rows = GOOD + "north,Another North,,\n" + "east,,東區,\n" + "East Side,East,,\n" + "south,South,,,extra\n"
    problems = _problems(_folder(tmp_path, HEADER + rows))
    assert problems[0].startswith("xx/districts.csv, line 5: name_en: Value error, empty")
    assert problems[1].startswith("xx/districts.csv, line 6: code: String should match pattern")
    assert problems[2] == "xx/districts.csv, line 7: more cells than header columns"
    assert problems[3] == "xx/districts.csv, line 4: code: 'north' is already on line 2"
    assert len(problems) == 4


def test_a_file_in_an_unknown_encoding_names_its_line(tmp_path: Path) -> None:
    # Neither UTF-8 nor Big5-HKSCS: a stray 0xFF on the third line.
    raw = (HEADER + "north,North,,\n").encode() + b"east,East \xff\xff,,\n"
    problems = _problems(_folder(tmp_path, raw))
    assert problems == [
        "xx/districts.csv, line 3: not UTF-8, UTF-16 or Big5-HKSCS text (first bad byte at offset 63), "
        "nor readable GB18030/GBK: save it as UTF-8 (Excel: Save As, 'CSV UTF-8')"
    ]


def test_a_missing_name_in_a_required_language_is_a_warning(tmp_path: Path) -> None:
    folder = _folder(tmp_path, HEADER + GOOD, languages='["en", "zh_hant"]')
    problems = lint_bundle(load_bundle(folder), PlatformCatalogue.default())
    assert [(str(p), p.severity) for p in problems] == [
        ("xx/districts.csv, line 3: name_zh_hant: district 'central' has no name_zh_hant", "warning")
    ]


def test_registry_lint_fails_on_a_bad_districts_file(tmp_path: Path) -> None:
    folder = _folder(tmp_path, HEADER + GOOD + "north,North again,,\n")
    result = CliRunner().invoke(app, ["registry", "lint", str(folder)])
    assert result.exit_code == 1
    assert "xx/districts.csv, line 4: code: 'north' is already on line 2" in result.output


def _stored(engine: Engine, jurisdiction: str = "xx") -> list[tuple[str, int, str, str | None, str | None]]:
    with Session(engine) as session:
        rows = session.scalars(
            select(t.District).where(t.District.jurisdiction == jurisdiction).order_by(t.District.position)
        )
        return [(r.code, r.position, r.name_en, r.name_zh_hant, r.name_zh_hans) for r in rows]


def _changes(engine: Engine) -> list[tuple[str, str]]:
    with Session(engine) as session:
        rows = session.scalars(select(t.Change).where(t.Change.entity == "district").order_by(t.Change.id))
        return [(r.action, r.entity_key) for r in rows]


def test_load_is_idempotent_follows_the_file_and_logs_every_change(engine: Engine, tmp_path: Path) -> None:
    folder = _folder(tmp_path, HEADER + GOOD)
    first = load_registry(engine, tmp_path, actor="test")
    assert first.problems == [] and first.counts[("districts", Outcome.INSERT)] == 2
    # Simplified is derived from Traditional when the file gives none, as for organisations.
    assert _stored(engine) == [
        ("north", 0, "North Region", "北區", "北区"),
        ("central", 1, "Central Region", None, None),
    ]
    again = load_registry(engine, tmp_path, actor="test")
    assert again.counts[("districts", Outcome.NOOP)] == 2 and again.total(Outcome.INSERT) == 0
    # A new name is an update; a removed row is deleted; the order is the file's.
    _folder(tmp_path, HEADER + "central,Central,中區,\n")
    changed = load_registry(engine, tmp_path, actor="test")
    assert changed.counts[("districts", Outcome.UPDATE)] == 1
    assert _stored(engine) == [("central", 0, "Central", "中區", "中区")]
    assert _changes(engine) == [
        ("insert", "xx:north"),
        ("insert", "xx:central"),
        ("update", "xx:central"),
        ("delete", "xx:north"),
    ]
    assert folder.exists()


def test_a_bad_row_deletes_nothing_and_no_file_deletes_all(engine: Engine, tmp_path: Path) -> None:
    _folder(tmp_path, HEADER + GOOD)
    load_registry(engine, tmp_path, actor="test")
    # A typo must not lose a district: with a bad row, the good rows load and nothing is deleted.
    _folder(tmp_path, HEADER + "north,North Region,北區,\n,Nameless code,,\n")
    report = load_registry(engine, tmp_path, actor="test")
    assert [str(p) for p in report.problems] == [
        "xx/districts.csv, line 3: code: String should match pattern '^[a-z0-9][a-z0-9._-]{0,31}$'"
    ]
    assert [row[0] for row in _stored(engine)] == ["north", "central"]
    # Without the file the jurisdiction has no districts (the survey asks none).
    _folder(tmp_path, None)
    load_registry(engine, tmp_path, actor="test")
    assert _stored(engine) == []


def test_hong_kongs_file_keeps_the_codes_answers_were_stored_with(engine: Engine) -> None:
    with (REGISTRY / "hk" / "districts.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert tuple(row["code"] for row in rows) == store.DISTRICTS
    # Migration 0019 wrote the same districts: loading Hong Kong finds every one unchanged.
    before = _stored(engine, "hk")
    assert len(before) == 18
    report = load_registry(engine, REGISTRY, actor="test", only="hk")
    assert report.problems == []
    assert report.counts[("districts", Outcome.NOOP)] == 18
    assert ("districts", Outcome.INSERT) not in report.counts and (
        "districts",
        Outcome.UPDATE,
    ) not in report.counts
    assert _stored(engine, "hk") == before
    assert before[15] == ("sha_tin", 15, "Sha Tin", "沙田", "沙田")
