"""A second jurisdiction: the U.S. Digital Registry's Department of Commerce accounts (June 2017)
load next to Hong Kong's, verify in any spelling (as ``unknown``: they are under review), and stay
apart from Hong Kong's in the API because organisation codes are scoped by jurisdiction."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from govsocial.errors import AddressError
from govsocial.registry.addresses import PlatformCatalogue
from govsocial.registry.load import load_registry
from govsocial.registry.sync import Outcome, SyncReport
from govsocial.registry.verify import VerifyStatus, find_account, verify
from govsocial.settings import PROJECT_ROOT, Settings
from govsocial.store import tables as t
from govsocial.store.db import make_engine, session_factory, upgrade
from govsocial.web.app import create_app

REGISTRY = PROJECT_ROOT / "data" / "registry"
US = REGISTRY / "us-doc"
CATALOGUE = PlatformCatalogue.default()


def _rows(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _engine(url: str) -> Engine:
    engine = make_engine(url)
    upgrade(engine)
    return engine


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Engine, SyncReport]]:
    """Both bundled folders loaded into one SQLite store, with the first load's report."""
    url = f"sqlite:///{tmp_path_factory.mktemp('second') / 'govsocial.db'}"
    engine = _engine(url)
    report = load_registry(engine, REGISTRY, actor="test")
    yield url, engine, report
    engine.dispose()


@pytest.fixture
def session(loaded: tuple[str, Engine, SyncReport]) -> Iterator[Session]:
    with session_factory(loaded[1])() as session:
        yield session


@pytest.fixture
def client(loaded: tuple[str, Engine, SyncReport]) -> Iterator[TestClient]:
    with TestClient(create_app(Settings.load(database_url=loaded[0]))) as test_client:
        yield test_client


def _count(session: Session, model: type[t.Base], jurisdiction: str) -> int:
    query = select(func.count()).select_from(model).where(model.jurisdiction == jurisdiction)  # type: ignore[attr-defined]
    return session.scalar(query) or 0


def test_both_jurisdictions_load_without_problems(
    loaded: tuple[str, Engine, SyncReport], session: Session
) -> None:
    report = loaded[2]
    assert report.problems == []
    assert report.total(Outcome.INSERT) > 0
    # The catalogue both folders share is stored once, and counted once: not "25 insert, 25 noop".
    assert report.counts[("platforms", Outcome.INSERT)] == len(CATALOGUE)
    assert ("platforms", Outcome.NOOP) not in report.counts
    codes = set(session.scalars(select(t.Jurisdiction.code)))
    assert {"hk", "us-doc"} <= codes
    assert _count(session, t.Account, "us-doc") == len(_rows(US, "accounts.csv"))
    assert _count(session, t.Organisation, "us-doc") == len(_rows(US, "organisations.csv"))
    assert _count(session, t.Account, "hk") == len(_rows(REGISTRY / "hk", "accounts.csv"))


def test_every_us_account_is_under_review_with_its_owners_in_order(session: Session) -> None:
    for row in _rows(US, "accounts.csv"):
        account = find_account(session, CATALOGUE.parse(row["url"], platform=row["platform"]))
        assert account is not None, row["url"]
        assert account.jurisdiction == "us-doc"
        assert account.status is t.AccountStatus.UNDER_REVIEW
        assert account.reviewed_on is not None
        owners = [link.organisation for link in account.organisations]
        assert [o.code for o in owners] == row["org_codes"].split("|")
        assert {o.jurisdiction for o in owners} == {"us-doc"}
        for alias in filter(None, row["aliases"].split("|")):
            assert find_account(session, CATALOGUE.parse(alias, platform=row["platform"])) is account


def test_a_second_load_changes_nothing(loaded: tuple[str, Engine, SyncReport]) -> None:
    first = loaded[2]
    second = load_registry(loaded[1], REGISTRY, actor="test")
    assert second.problems == []
    assert second.total(Outcome.INSERT) == 0
    assert second.total(Outcome.UPDATE) == 0
    # Everything the first load wrote (or found, like the platforms the second folder shares) is a noop now.
    assert second.total(Outcome.NOOP) == sum(first.counts.values())
    assert second.counts[("accounts", Outcome.NOOP)] == first.counts[("accounts", Outcome.INSERT)]


@pytest.mark.parametrize(
    ("spelling", "file_url"),
    [
        ("https://twitter.com/TrustedIDsNIST", "https://twitter.com/TrustedIDsNIST"),
        ("x.com/trustedidsnist", "https://twitter.com/TrustedIDsNIST"),
        ("https://mobile.twitter.com/TrustedIDsNIST/", "https://twitter.com/TrustedIDsNIST"),
        ("facebook.com/usnistgov", "https://www.facebook.com/usnistgov/"),
        ("https://m.facebook.com/US.NIST.GOV?ref=share", "https://www.facebook.com/usnistgov/"),
        ("https://x.com/NOAA_OMAO", "http://twitter.com/noaa_omao?lang=en"),  # merged records
        ("http://youtube.com/noaa", "https://www.youtube.com/noaa"),  # an alias
    ],
)
def test_us_accounts_verify_as_unknown_in_any_spelling(
    session: Session, spelling: str, file_url: str
) -> None:
    assert file_url in {row["url"] for row in _rows(US, "accounts.csv")}
    verdict = verify(session, CATALOGUE, spelling)
    assert verdict.status is VerifyStatus.UNKNOWN
    assert verdict.account is not None, "the account is in the registry, only not confirmed"
    assert verdict.account.status is t.AccountStatus.UNDER_REVIEW
    assert verdict.account.jurisdiction == "us-doc"
    assert verdict.address.identity == CATALOGUE.parse(file_url).identity


def test_a_left_out_linkedin_group_is_not_an_account() -> None:
    sources = (US / "SOURCES.md").read_text(encoding="utf-8")
    assert "https://www.linkedin.com/groups/6947787" in sources
    with pytest.raises(AddressError):
        CATALOGUE.parse("https://www.linkedin.com/groups/6947787", platform="linkedin")


def test_the_api_filters_accounts_by_jurisdiction(client: TestClient) -> None:
    expected = sum(1 for row in _rows(US, "accounts.csv") if row["platform"] == "x")
    body = client.get("/api/v1/accounts", params={"jurisdiction": "us-doc", "platform": "x"}).json()
    assert body["count"] == expected
    assert body["data"]
    assert {a["jurisdiction"] for a in body["data"]} == {"us-doc"}
    assert {a["platform"] for a in body["data"]} == {"x"}
    hk = client.get("/api/v1/accounts", params={"jurisdiction": "hk", "platform": "x"}).json()
    assert all(a["jurisdiction"] == "hk" for a in hk["data"])
    orgs = client.get("/api/v1/organisations", params={"jurisdiction": "us-doc", "limit": 100}).json()
    assert orgs["count"] == len(_rows(US, "organisations.csv"))
    noaa = client.get("/api/v1/organisations/us-doc/usdr-2011").json()
    assert noaa["parent"] == "usdr-81"
    assert noaa["name"]["en"].startswith("National Oceanic and Atmospheric Administration")


def test_the_same_organisation_code_can_exist_in_both_jurisdictions(tmp_path: Path) -> None:
    copy = tmp_path / "registry"
    shutil.copytree(REGISTRY / "hk", copy / "hk")
    shutil.copytree(US, copy / "us-doc")
    with (copy / "hk" / "organisations.csv").open("a", encoding="utf-8", newline="") as f:
        f.write("usdr-81,other,,A Hong Kong namesake,同名機構,,,test row\n")
    url = f"sqlite:///{tmp_path / 'govsocial.db'}"
    engine = _engine(url)
    try:
        report = load_registry(engine, copy, actor="test")
        assert report.problems == []
        with session_factory(engine)() as session:
            rows = session.scalars(select(t.Organisation).where(t.Organisation.code == "usdr-81")).all()
            assert sorted(o.jurisdiction for o in rows) == ["hk", "us-doc"]
        with TestClient(create_app(Settings.load(database_url=url))) as client:
            hk = client.get("/api/v1/organisations/hk/usdr-81").json()
            us = client.get("/api/v1/organisations/us-doc/usdr-81").json()
            assert hk["name"]["en"] == "A Hong Kong namesake"
            assert us["name"]["en"] == "Department of Commerce"
            owned = client.get(
                "/api/v1/accounts", params={"jurisdiction": "hk", "organisation": "usdr-81"}
            ).json()
            assert owned["count"] == 0, "the US department's accounts stay in us-doc"
            us_owned = client.get(
                "/api/v1/accounts", params={"jurisdiction": "us-doc", "organisation": "usdr-81"}
            ).json()
            assert us_owned["count"] > 0
    finally:
        engine.dispose()
