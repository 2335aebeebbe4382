"""Verification answers correctly for every bundled account in several spellings, and never
calls an address official just because its platform is known (the U.S. Digital Registry bug)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from govsocial.errors import AddressError
from govsocial.registry.addresses import PlatformCatalogue
from govsocial.registry.load import load_registry
from govsocial.registry.verify import VerifyStatus, verify
from govsocial.settings import PROJECT_ROOT
from govsocial.store.db import session_factory

REGISTRY = PROJECT_ROOT / "data" / "registry"
EXPECTED = {
    "published": VerifyStatus.OFFICIAL,
    "archived": VerifyStatus.ARCHIVED,
    "under_review": VerifyStatus.UNKNOWN,
}


def _accounts() -> list[dict[str, str]]:
    with (REGISTRY / "hk" / "accounts.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def spellings(url: str) -> Iterator[str]:
    """The same address written the ways people write it."""
    parts = urlsplit(url)
    host = parts.netloc.removeprefix("www.")
    path = parts.path.rstrip("/")
    yield url
    yield f"http://{host.upper()}{path}/?utm_source=share&ref=abc#top"
    yield f"  {host}{path}  "
    yield f"https://www.{host}{path}/"
    if host in {"facebook.com", "instagram.com", "youtube.com"}:
        yield f"https://m.{host}{path}"


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    from govsocial.store.db import make_engine, upgrade

    engine: Engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('v') / 'db.sqlite'}")
    upgrade(engine)
    load_registry(engine, REGISTRY, actor="test", only="hk")
    with session_factory(engine)() as session:
        yield session


CATALOGUE = PlatformCatalogue.default()
CASES = [(row["url"], spelling, row["status"]) for row in _accounts() for spelling in spellings(row["url"])]
ALIASES = [(alias, row["status"]) for row in _accounts() for alias in row["aliases"].split("|") if alias]


@pytest.mark.parametrize(("url", "spelling", "status"), CASES)
def test_every_bundled_account_verifies_in_every_spelling(
    loaded: Session, url: str, spelling: str, status: str
) -> None:
    verdict = verify(loaded, CATALOGUE, spelling)
    assert verdict.status is EXPECTED[status], f"{spelling!r} (from {url})"
    assert verdict.account is not None


def test_at_least_three_spellings_per_account() -> None:
    assert all(len(set(spellings(row["url"]))) >= 3 for row in _accounts())


@pytest.mark.parametrize(("alias", "status"), ALIASES)
def test_aliases_verify_as_their_account(loaded: Session, alias: str, status: str) -> None:
    assert verify(loaded, CATALOGUE, alias).status is EXPECTED[status]


@pytest.mark.parametrize(
    "url",
    [
        "https://www.facebook.com/cfs.hk.official",  # a look-alike page name
        "https://t.me/hkfightcovid2020",  # the fake channel the government warned of in 2020
        "https://www.instagram.com/hongkongpoliceforce_",
        "https://x.com/JohnLeeKaChiu",  # a recognised platform, but not in the registry
        "https://www.youtube.com/@ChpGovHkChannel",  # a different YouTube namespace than /c/
    ],
)
def test_recognised_platform_without_a_match_is_unknown(loaded: Session, url: str) -> None:
    verdict = verify(loaded, CATALOGUE, url)
    assert verdict.status is VerifyStatus.UNKNOWN
    assert verdict.account is None


@pytest.mark.parametrize(
    "url",
    [
        "https://faceb00k.com/cfs.hk",
        "https://facebook.com.evil.example/cfs.hk",
        "https://www.facebook.com@evil.example/cfs.hk",
        "https://t.me.evil.example/HKFIGHTCOVID19",
        "not a url at all",
        "https://www.facebook.com/groups/123456",
    ],
)
def test_look_alikes_and_non_accounts_are_rejected(loaded: Session, url: str) -> None:
    with pytest.raises(AddressError):
        verify(loaded, CATALOGUE, url)


def test_under_review_account_is_listed_but_not_official(loaded: Session) -> None:
    verdict = verify(loaded, CATALOGUE, "https://www.instagram.com/cyberdefenderhk/")
    assert verdict.status is VerifyStatus.UNKNOWN
    assert verdict.account is not None
    assert "under review" in verdict.message
