"""``registry import`` keeps lint's rules for its rows: an account row without evidence is refused
(it would be published, and verify as official, on nobody's word), and so is a second row of one
account, organisation or fact (written after the first, it undid it at every import: a re-import was
never a noop)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from govsocial.registry.addresses import PlatformCatalogue
from govsocial.registry.load import load_registry
from govsocial.registry.sync import Outcome
from govsocial.registry.transfer import import_file
from govsocial.registry.verify import VerifyStatus, verify
from tests.registry.folders import REGISTRY

CATALOGUE = PlatformCatalogue.default()
HEADER = "org_codes,platform,url,status,evidence_url,evidence_note\n"


def _import(session: Session, path: Path) -> tuple[dict[str, int], list[str]]:
    report = import_file(session, path, CATALOGUE, "hk", actor="tests")
    session.commit()
    return {o.value: report.total(o) for o in Outcome}, [str(p) for p in report.problems]


def test_an_account_without_evidence_is_refused(engine: Engine, session: Session, tmp_path: Path) -> None:
    load_registry(engine, REGISTRY, actor="tests", only="hk")
    path = tmp_path / "accounts.csv"
    path.write_text(
        HEADER
        + "cfs,facebook,https://www.facebook.com/fake.cfs.example,published,,\n"
        + "cfs,facebook,https://www.facebook.com/quoted.cfs.example,published,,Named in the policy address\n",
        encoding="utf-8",
    )
    counts, problems = _import(session, path)
    assert counts["insert"] == 1
    assert problems == ["accounts.csv, line 2: no evidence: give evidence_url or evidence_note"]
    fake = verify(session, CATALOGUE, "https://www.facebook.com/fake.cfs.example", jurisdiction="hk")
    assert fake.status is VerifyStatus.UNKNOWN and fake.account is None


def test_a_second_row_of_one_account_is_refused_and_a_reimport_is_a_noop(
    engine: Engine, session: Session, tmp_path: Path
) -> None:
    load_registry(engine, REGISTRY, actor="tests", only="hk")
    path = tmp_path / "accounts.csv"
    path.write_text(
        HEADER
        + "cfs,facebook,https://www.facebook.com/dup.cfs.example,published,https://www.cfs.gov.hk/,\n"
        + "cfs,facebook,https://m.facebook.com/Dup.CFS.Example/,under_review,https://www.cfs.gov.hk/,\n",
        encoding="utf-8",
    )
    counts, problems = _import(session, path)
    assert counts["insert"] == 1
    assert problems == [
        "accounts.csv, line 3: duplicate account: facebook handle 'Dup.CFS.Example' is already on line 2"
    ]
    again, _ = _import(session, path)
    assert again == {"insert": 0, "update": 0, "noop": 1}
    verdict = verify(session, CATALOGUE, "https://fb.com/dup.cfs.example", jurisdiction="hk")
    assert verdict.status is VerifyStatus.OFFICIAL  # the first row's status, not the second's


def test_a_second_row_of_one_organisation_or_fact_is_refused(
    engine: Engine, session: Session, tmp_path: Path
) -> None:
    load_registry(engine, REGISTRY, actor="tests", only="hk")
    organisations = tmp_path / "organisations.csv"
    organisations.write_text(
        "code,org_type,name_en,source\nzz-new,department,New Office,test\nzz-new,office,Renamed,test\n",
        encoding="utf-8",
    )
    facts = tmp_path / "unconfirmed.csv"
    facts.write_text(
        "org_code,platform,claimed_handle,historical,source\ncfs,Facebook,cfs.old,yes,press\n"
        "cfs,facebook,cfs.old,,press\n",
        encoding="utf-8",
    )
    for path, line_2 in ((organisations, "organisation code 'zz-new'"), (facts, "unconfirmed fact")):
        counts, problems = _import(session, path)
        assert counts["insert"] == 1
        assert len(problems) == 1 and problems[0].startswith(f"{path.name}, line 3: duplicate {line_2}")
        assert problems[0].endswith("already on line 2")
        assert _import(session, path)[0] == {"insert": 0, "update": 0, "noop": 1}
