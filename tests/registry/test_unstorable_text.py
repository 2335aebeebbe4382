"""A NUL or a lone surrogate in a registry file: reported with its file, line and field by lint,
load and import, the other rows kept, on SQLite and PostgreSQL alike.

PostgreSQL refuses NUL in text and neither driver can send a lone surrogate, so one such name used
to fail a whole ``registry import`` or ``registry load`` on PostgreSQL (nothing of the file kept),
while SQLite stored it. The registry is reviewed data: such a cell is an error in the file to fix
there, not text to change silently.
"""

from __future__ import annotations

import json
import shutil
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
from govsocial.registry.transfer import import_file
from govsocial.settings import PROJECT_ROOT
from govsocial.store import tables as t

REGISTRY = PROJECT_ROOT / "data" / "registry"
CATALOGUE = PlatformCatalogue.default()
WHY = "holds a NUL character (U+0000) or an unpaired UTF-16 surrogate"
ORGANISATIONS = "code,org_type,parent_code,name_en,name_zh_hant,name_zh_hans,website,source\n"


def names(session: Session, *codes: str) -> dict[str, str]:
    query = select(t.Organisation.code, t.Organisation.name_en).where(t.Organisation.code.in_(codes))
    return dict(session.execute(query).all())


def test_an_import_reports_the_row_and_keeps_the_others(
    engine: Engine, session: Session, tmp_path: Path
) -> None:
    load_registry(engine, REGISTRY, actor="test", only="hk")
    path = tmp_path / "organisations.csv"
    rows = "nul-dept,department,,Bad\x00 Name,,,,test\ngood-dept,department,,Good Name,,,,test\n"
    path.write_text(ORGANISATIONS + rows, encoding="utf-8")

    report = import_file(session, path, CATALOGUE, "hk", actor="test")
    session.commit()

    assert [str(p) for p in report.problems] == [
        f"organisations.csv, line 2: name_en: Value error, {WHY} (U+D800-U+DFFF), which the store cannot"
        " keep: remove it from the file"
    ]
    assert report.total(Outcome.INSERT) == 1
    assert names(session, "nul-dept", "good-dept") == {"good-dept": "Good Name"}


def test_a_json_import_with_a_lone_surrogate_escape_is_refused_by_row(
    engine: Engine, session: Session, tmp_path: Path
) -> None:
    load_registry(engine, REGISTRY, actor="test", only="hk")
    path = tmp_path / "organisations.json"
    items = [
        {"code": "bad-dept", "org_type": "department", "name_en": "Bad \ud800 Name", "source": "test"},
        {"code": "good-dept", "org_type": "department", "name_en": "Good Name", "source": "test"},
    ]
    path.write_text(json.dumps(items), encoding="ascii")  # "\ud800" as JSON writes it: an escape

    report = import_file(session, path, CATALOGUE, "hk", actor="test")
    session.commit()

    assert [(p.line, WHY in p.message) for p in report.problems] == [(1, True)]
    assert names(session, "bad-dept", "good-dept") == {"good-dept": "Good Name"}


def test_a_registry_folder_with_a_nul_loads_the_rest_and_lint_names_the_line(
    engine: Engine, session: Session, tmp_path: Path
) -> None:
    folder = tmp_path / "registry" / "hk"
    shutil.copytree(REGISTRY / "hk", folder)
    accounts = (folder / "accounts.csv").read_text(encoding="utf-8")
    assert "Hong Kong Police Force" in accounts
    (folder / "accounts.csv").write_text(
        accounts.replace("Hong Kong Police Force", "Hong Kong Pol\x00ice", 1)
    )

    report = load_registry(engine, folder.parent, actor="test")
    problems = [str(p) for p in errors_only(lint_bundle(load_bundle(folder), CATALOGUE))]

    assert [p.split(": ")[:2] for p in map(str, report.problems) if WHY in p] == [
        ["hk/accounts.csv, line 2", "display_name_en"]
    ]
    assert [p.split(": ")[:2] for p in problems] == [["hk/accounts.csv, line 2", "display_name_en"]]
    bundled = sum(1 for _ in (REGISTRY / "hk" / "accounts.csv").open(encoding="utf-8")) - 1
    stored = session.scalars(select(t.Account).where(t.Account.jurisdiction == "hk")).all()
    assert len(stored) == bundled - 1  # every other account of the folder
    assert not any("\x00" in (a.display_name_en or "") for a in stored)


def test_the_import_command_says_which_row_and_exits_1(engine: Engine, tmp_path: Path) -> None:
    load_registry(engine, REGISTRY, actor="test", only="hk")
    path = tmp_path / "organisations.csv"
    rows = "nul-dept,department,,Bad\x00 Name,,,,test\ngood-dept,department,,Good Name,,,,test\n"
    path.write_text(ORGANISATIONS + rows, encoding="utf-8")
    env = {"GOVSOCIAL_DATABASE_URL": engine.url.render_as_string(hide_password=False)}

    result = CliRunner().invoke(app, ["registry", "import", str(path), "--json"], env=env)

    assert result.exit_code == 1, result.output  # bad rows were reported, as for any bad row
    summary = json.loads(result.stdout[result.stdout.find("{") :])
    assert summary["organisations"] == {"insert": 1}
    assert [p.split(": ")[:2] for p in summary["problems"]] == [["organisations.csv, line 2", "name_en"]]
