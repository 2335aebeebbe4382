"""``registry load`` keeps lint's evidence rule, as ``registry import`` does: a bundled account row
without evidence is refused with lint's message (it would be published, and verify as official, on
nobody's word), the other rows are loaded, and the load exits 1. The bundled registry has none."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from govsocial.registry.addresses import PlatformCatalogue
from govsocial.registry.bundle import load_bundle, registry_folders
from govsocial.registry.lint import evidence_problem
from govsocial.registry.load import load_registry
from govsocial.registry.verify import VerifyStatus, verify
from govsocial.store import tables as t
from tests.demo_store import cli
from tests.registry.folders import REGISTRY

CATALOGUE = PlatformCatalogue.default()
NO_EVIDENCE = "https://www.facebook.com/no.evidence.example"
WITH_NOTE = "https://www.facebook.com/with.a.note.example"


def _folder(tmp_path: Path) -> tuple[Path, int]:
    """Hong Kong's bundled folder with two more accounts of ``cfs``: one without evidence, one
    with only a note; and the line of the first."""
    root = tmp_path / "registry"
    shutil.copytree(REGISTRY / "hk", root / "hk")
    path = root / "hk" / "accounts.csv"
    text = path.read_text(encoding="utf-8")
    columns = len(text.splitlines()[0].split(","))
    # org_codes, platform, url, ... status is the 7th column, evidence_url the 13th, evidence_note the 14th.
    empty = [""] * columns
    bare = ["cfs", "facebook", NO_EVIDENCE, *empty[3:]]
    bare[6] = "published"
    noted = ["cfs", "facebook", WITH_NOTE, *empty[3:]]
    noted[6], noted[13] = "published", "Named in the department's annual report"
    path.write_text(text + ",".join(bare) + "\n" + ",".join(noted) + "\n", encoding="utf-8")
    return root, len(text.splitlines()) + 1


def test_load_refuses_a_bundled_account_without_evidence(
    engine: Engine, session: Session, tmp_path: Path
) -> None:
    root, line = _folder(tmp_path)

    report = load_registry(engine, root, actor="tests", only="hk")

    assert [str(p) for p in report.problems] == [
        f"hk/accounts.csv, line {line}: no evidence: give evidence_url or evidence_note"
    ]
    assert verify(session, CATALOGUE, NO_EVIDENCE, jurisdiction="hk").status is VerifyStatus.UNKNOWN
    assert verify(session, CATALOGUE, WITH_NOTE, jurisdiction="hk").status is VerifyStatus.OFFICIAL
    bundled = len(load_bundle(REGISTRY / "hk").accounts)
    assert session.scalar(select(func.count()).select_from(t.Account)) == bundled + 1


def test_the_command_says_so_and_exits_1(database_url: str, tmp_path: Path) -> None:
    root, line = _folder(tmp_path)
    assert cli(database_url, "db", "upgrade")[0] == 0
    code, output = cli(database_url, "registry", "load", "--folder", str(root), "--jurisdiction", "hk")
    assert code == 1
    assert f"line {line}: no evidence: give evidence_url or evidence_note" in " ".join(output.split())


def test_every_bundled_account_has_evidence() -> None:
    # What `make demo` and the tests load: no row of it is refused.
    for folder in registry_folders(REGISTRY):
        assert [p for p in map(evidence_problem, load_bundle(folder).accounts) if p is not None] == []
