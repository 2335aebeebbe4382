"""``jurisdiction.toml``'s population and e-service domains: parsed, linted, loaded into the store."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from govsocial.errors import RegistryError
from govsocial.registry.addresses import PlatformCatalogue
from govsocial.registry.bundle import load_bundle, load_jurisdiction
from govsocial.registry.lint import lint_bundle
from govsocial.registry.load import load_registry
from govsocial.registry.sync import Outcome
from govsocial.settings import PROJECT_ROOT
from govsocial.store import tables as t

REGISTRY = PROJECT_ROOT / "data" / "registry"
MINIMAL = 'code = "zz"\nname_en = "Test"\n'


def _toml(tmp_path: Path, extra: str) -> Path:
    folder = tmp_path / "zz"
    folder.mkdir(exist_ok=True)
    (folder / "jurisdiction.toml").write_text(MINIMAL + extra, encoding="utf-8")
    return folder


def test_hong_kong_has_a_sourced_population_and_its_eservice_domains() -> None:
    hk = load_jurisdiction(REGISTRY / "hk")
    assert hk.population == 7_524_100 and hk.population_year == 2024
    assert hk.population_source and "Census and Statistics Department" in hk.population_source
    assert "gov.hk" in hk.eservice_domains
    us = load_jurisdiction(REGISTRY / "us-doc")
    assert "commerce.gov" in us.eservice_domains and us.population is None


def test_domains_are_host_names_in_lower_case(tmp_path: Path) -> None:
    record = load_jurisdiction(_toml(tmp_path, 'eservice_domains = ["GOV.HK", "www.esd.gov.hk."]\n'))
    assert record.eservice_domains == ["gov.hk", "www.esd.gov.hk"]
    for bad in ("https://www.gov.hk/", "gov.hk/apps", "localhost", "gov hk"):
        with pytest.raises(RegistryError, match="not a host name"):
            load_jurisdiction(_toml(tmp_path, f'eservice_domains = ["{bad}"]\n'))


@pytest.mark.parametrize("line", ["population = -5", "population = 0", "population_year = 24"])
def test_an_impossible_population_is_refused(tmp_path: Path, line: str) -> None:
    with pytest.raises(RegistryError, match="population"):
        load_jurisdiction(_toml(tmp_path, line + "\n"))


def test_lint_warns_of_an_unsourced_population_and_redundant_domains(tmp_path: Path) -> None:
    folder = _toml(tmp_path, 'population = 100\neservice_domains = ["gov.hk", "www.gov.hk", "gov.hk"]\n')
    problems = lint_bundle(load_bundle(folder), PlatformCatalogue.default())
    warned = {p.message for p in problems if p.severity == "warning" and p.where == "zz/jurisdiction.toml"}
    assert warned == {
        "population without population_year and population_source",
        "eservice_domains: 'www.gov.hk' is already covered by 'gov.hk'",
        "eservice_domains: 'gov.hk' is listed twice",
    }
    bundled = lint_bundle(load_bundle(REGISTRY / "hk"), PlatformCatalogue.default())
    assert not [p for p in bundled if p.where.endswith("jurisdiction.toml")]


def test_load_stores_the_fields_and_an_edit_is_a_logged_update(
    engine: Engine, session: Session, tmp_path: Path
) -> None:
    root = tmp_path / "registry"
    shutil.copytree(REGISTRY / "hk", root / "hk")
    load_registry(engine, root, actor="tests")
    row = session.get(t.Jurisdiction, "hk")
    assert row is not None
    assert (row.population, row.population_year, row.eservice_domains) == (
        7_524_100,
        2024,
        ["gov.hk", "hongkongpost.hk"],
    )
    again = load_registry(engine, root, actor="tests")
    assert again.counts[("jurisdictions", Outcome.NOOP)] == 1

    toml = root / "hk" / "jurisdiction.toml"
    text = toml.read_text(encoding="utf-8").replace('"hongkongpost.hk"]', '"hongkongpost.hk", "esdlife.com"]')
    toml.write_text(text, encoding="utf-8")
    edited = load_registry(engine, root, actor="tests")
    assert edited.counts[("jurisdictions", Outcome.UPDATE)] == 1
    session.expire_all()
    row = session.get(t.Jurisdiction, "hk")
    assert row is not None and row.eservice_domains == ["gov.hk", "hongkongpost.hk", "esdlife.com"]
    change = session.scalars(
        select(t.Change).where(t.Change.entity == "jurisdiction").order_by(t.Change.id.desc())
    ).first()
    assert change is not None and change.action == "update"
    assert change.after == {"eservice_domains": ["gov.hk", "hongkongpost.hk", "esdlife.com"]}
