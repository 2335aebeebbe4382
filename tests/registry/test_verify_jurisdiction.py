"""Verification asked for one jurisdiction counts only that jurisdiction's accounts: another
government's account is not official here, and the verdict names the government it belongs to."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from govsocial.registry.addresses import PlatformCatalogue
from govsocial.registry.load import load_registry
from govsocial.registry.verify import VerifyStatus, find_account, verify
from govsocial.store.db import make_engine, session_factory, upgrade
from tests.registry.folders import account_row, with_xx

CATALOGUE = PlatformCatalogue.default()
CFS = "https://www.facebook.com/cfs.hk"  # published in hk
CARRIE = "https://www.facebook.com/carrielam.hksar"  # archived in hk
XX = "https://www.facebook.com/xx.weather.example"  # published in xx


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    """Hong Kong's bundled registry and a small jurisdiction ``xx`` in one store."""
    tmp = tmp_path_factory.mktemp("verify-jurisdiction")
    root = with_xx(tmp, account_row(XX))
    engine = make_engine(f"sqlite:///{tmp / 'db.sqlite'}")
    upgrade(engine)
    assert not load_registry(engine, root, actor="test").problems
    with session_factory(engine)() as session:
        yield session
    engine.dispose()


@pytest.mark.parametrize(("url", "here"), [(CFS, "hk"), (XX, "xx")])
def test_an_account_is_official_in_its_own_jurisdiction(session: Session, url: str, here: str) -> None:
    verdict = verify(session, CATALOGUE, url, jurisdiction=here)
    assert verdict.status is VerifyStatus.OFFICIAL
    assert verdict.account is not None and verdict.account.jurisdiction == here
    assert (verdict.other_jurisdiction, verdict.other_status) == (None, None)


@pytest.mark.parametrize(
    ("url", "here", "other", "status", "says"),
    [
        (CFS, "xx", "hk", VerifyStatus.OFFICIAL, "it is an official account of jurisdiction 'hk'"),
        (XX, "hk", "xx", VerifyStatus.OFFICIAL, "it is an official account of jurisdiction 'xx'"),
        (CARRIE, "xx", "hk", VerifyStatus.ARCHIVED, "of jurisdiction 'hk' that is now archived"),
    ],
)
def test_another_jurisdictions_account_is_not_official_here_and_names_it(
    session: Session, url: str, here: str, other: str, status: VerifyStatus, says: str
) -> None:
    verdict = verify(session, CATALOGUE, url, jurisdiction=here)
    assert verdict.status is VerifyStatus.UNKNOWN
    assert verdict.account is None
    assert (verdict.other_jurisdiction, verdict.other_status) == (other, status)
    assert verdict.message.startswith(f"This address is not an account of jurisdiction {here!r}: ")
    assert says in verdict.message


def test_an_address_in_no_registry_names_no_other_jurisdiction(session: Session) -> None:
    verdict = verify(session, CATALOGUE, "https://www.facebook.com/nobody.example", jurisdiction="xx")
    assert verdict.status is VerifyStatus.UNKNOWN
    assert verdict.other_jurisdiction is None


def test_without_a_jurisdiction_every_jurisdiction_answers(session: Session) -> None:
    assert verify(session, CATALOGUE, CFS).status is VerifyStatus.OFFICIAL
    assert verify(session, CATALOGUE, XX).status is VerifyStatus.OFFICIAL


def test_find_account_in_one_jurisdiction(session: Session) -> None:
    address = CATALOGUE.parse(CFS)
    found = find_account(session, address, "hk")
    assert found is not None and found is find_account(session, address)
    assert find_account(session, address, "xx") is None
