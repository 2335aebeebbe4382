"""``registry export`` / ``import`` of a folder's ``districts.csv`` and ``clarifications.csv``: an
export re-imports with nothing lost (into a store that lost them too), a re-import changes nothing,
and an import never deletes what its file does not list."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from govsocial.cli.main import app
from govsocial.registry.addresses import PlatformCatalogue
from govsocial.registry.load import load_registry
from govsocial.registry.sync import Outcome
from govsocial.registry.tables_io import write_csv, write_json
from govsocial.registry.transfer import Kind, export_records, import_file
from govsocial.store import tables as t
from govsocial.store.db import session_factory
from tests.registry.folders import REGISTRY

CATALOGUE = PlatformCatalogue.default()
MARKS = (
    "post_url,rumour_first_seen,rumour_url,note,source\n"
    "https://www.facebook.com/CentreforHealthProtection/posts/1,2026-08-24T09:30+08:00,"
    "https://forum.example/t/1,salt water,reviewer A\n"
    "https://www.facebook.com/cfs.hk/posts/2,,,,fact-check page\n"
)


@pytest.fixture
def loaded(engine: Engine, tmp_path: Path) -> Session:
    """Hong Kong's folder, with two clarification marks, in the store."""
    root = tmp_path / "registry"
    shutil.copytree(REGISTRY / "hk", root / "hk")
    (root / "hk" / "clarifications.csv").write_text(MARKS, encoding="utf-8")
    report = load_registry(engine, root, actor="tests")
    assert not report.problems
    return session_factory(engine)()


def _write(records: list[object], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        if path.suffix == ".csv":
            write_csv((r.to_row() for r in records), type(records[0]).columns, out, bom=True)  # type: ignore[attr-defined]
        else:
            write_json([r.model_dump(mode="json") for r in records], out)  # type: ignore[attr-defined]


def _import(session: Session, path: Path, actor: str = "tests") -> tuple[dict[str, int], list[str]]:
    report = import_file(session, path, CATALOGUE, "hk", actor=actor)
    session.commit()
    return {o.value: report.total(o) for o in Outcome}, [str(p) for p in report.problems]


def _rows(session: Session, kind: Kind) -> list[dict[str, str]]:
    return [r.to_row() for r in export_records(session, "hk", kind)]


@pytest.mark.parametrize("suffix", [".csv", ".json"])
@pytest.mark.parametrize("kind", [Kind.DISTRICTS, Kind.CLARIFICATIONS])
def test_an_export_reimports_with_nothing_lost(
    loaded: Session, tmp_path: Path, kind: Kind, suffix: str
) -> None:
    exported = _rows(loaded, kind)
    assert len(exported) == (18 if kind is Kind.DISTRICTS else 2)
    path = tmp_path / f"{kind.value}{suffix}"
    _write(list(export_records(loaded, "hk", kind)), path)

    assert _import(loaded, path) == ({"insert": 0, "update": 0, "noop": len(exported)}, [])

    table = t.District if kind is Kind.DISTRICTS else t.ClarificationMark
    loaded.execute(delete(table))
    loaded.commit()
    counts, problems = _import(loaded, path)
    assert problems == [] and counts["insert"] == len(exported)
    assert _rows(loaded, kind) == exported  # names, order, the rumour's moment: all back
    assert _import(loaded, path)[0]["noop"] == len(exported)


def test_the_kind_is_told_from_the_columns(loaded: Session, tmp_path: Path) -> None:
    path = tmp_path / "marks.csv"
    path.write_text(MARKS.replace("salt water", "salt water again"), encoding="utf-8")
    counts, problems = _import(loaded, path, actor="cli:import marks.csv")
    assert (counts, problems) == ({"insert": 0, "update": 1, "noop": 1}, [])
    note = loaded.scalars(select(t.ClarificationMark.note).order_by(t.ClarificationMark.post_url)).all()
    assert "salt water again" in note
    change = loaded.scalars(select(t.Change).order_by(t.Change.id.desc())).first()
    assert change is not None and change.actor == "cli:import marks.csv"


def test_an_import_deletes_no_district_and_moves_none(loaded: Session, tmp_path: Path) -> None:
    before = _rows(loaded, Kind.DISTRICTS)
    path = tmp_path / "districts.csv"
    path.write_text(
        "code,name_en,name_zh_hant,name_zh_hans\nnew_area,New Area,新區,\nwan_chai,Wan Chai,灣仔,\n",
        encoding="utf-8",
    )
    counts, problems = _import(loaded, path)
    assert problems == [] and counts["insert"] == 1
    after = _rows(loaded, Kind.DISTRICTS)
    assert after[:-1] == before  # every district kept, in its place
    assert after[-1] == {
        "code": "new_area",
        "name_en": "New Area",
        "name_zh_hant": "新區",
        "name_zh_hans": "新区",
    }


def test_a_bad_header_is_one_problem_on_line_1(loaded: Session, tmp_path: Path) -> None:
    path = tmp_path / "districts.csv"
    path.write_text("code,name\nnew_area,New Area\n", encoding="utf-8")
    report = import_file(loaded, path, CATALOGUE, "hk", actor="tests", kind=Kind.DISTRICTS)
    assert [str(p) for p in report.problems] == [
        "districts.csv, line 1: header: unknown column 'name' (the columns are code, name_en, "
        "name_zh_hant, name_zh_hans); missing column 'name_en'"
    ]


def test_the_commands_carry_them(loaded: Session, engine: Engine, tmp_path: Path) -> None:
    env = {"GOVSOCIAL_DATABASE_URL": engine.url.render_as_string(hide_password=False)}
    out = tmp_path / "clarifications.json"
    runner = CliRunner()
    exported = runner.invoke(app, ["registry", "export", "--kind", "clarifications", "--format", "json",
                                   "-o", str(out)], env=env)  # fmt: skip
    assert exported.exit_code == 0, exported.output
    data = json.loads(out.read_text(encoding="utf-8"))["data"]
    assert [d["rumour_first_seen"] for d in data] == ["2026-08-24T01:30:00Z", None]
    result = runner.invoke(app, ["registry", "import", str(out), "--json"], env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout[result.stdout.find("{") :])["clarifications"] == {"noop": 2}


def test_an_empty_export_still_has_its_header(engine: Engine, tmp_path: Path) -> None:
    """A jurisdiction without marks exports the file's header (a file to fill in), not an empty line
    that import cannot tell the kind of."""
    load_registry(engine, REGISTRY, actor="tests", only="hk")
    env = {"GOVSOCIAL_DATABASE_URL": engine.url.render_as_string(hide_password=False)}
    out = tmp_path / "clarifications.csv"
    runner = CliRunner()
    result = runner.invoke(app, ["registry", "export", "--kind", "clarifications", "-o", str(out)], env=env)
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == b"post_url,rumour_first_seen,rumour_url,note,source\r\n"
    assert runner.invoke(app, ["registry", "import", str(out)], env=env).exit_code == 0
