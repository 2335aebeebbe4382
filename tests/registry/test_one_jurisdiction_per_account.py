"""An account belongs to one jurisdiction: a second jurisdiction's row with the same address is
refused (load, import, lint), never moves the account with its posts, and loading stays idempotent.

The scenario is the reviewer's: Hong Kong's Centre for Food Safety page, listed again by another
government's registry as its own.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from govsocial.registry.addresses import PlatformCatalogue
from govsocial.registry.bundle import load_bundle
from govsocial.registry.lint import errors_only, lint_bundle, lint_bundles
from govsocial.registry.load import load_registry
from govsocial.registry.sync import Outcome
from govsocial.registry.transfer import import_file
from govsocial.registry.verify import find_account
from govsocial.store import tables as t
from tests.registry.folders import HEADER, account_row, with_xx

CATALOGUE = PlatformCatalogue.default()
CFS = "https://www.facebook.com/cfs.hk"
OWN = account_row("https://www.facebook.com/xx.weather.example")
STEAL = account_row(CFS)
# A new address of its own, with the other jurisdiction's address as an alias.
STEAL_BY_ALIAS = account_row("https://www.facebook.com/xx.food.example", aliases=CFS)


def _registry(tmp_path: Path, *rows: str) -> Path:
    return with_xx(tmp_path, *rows)


def _cfs(session: Session) -> tuple[str, list[str]]:
    session.expire_all()
    account = find_account(session, CATALOGUE.parse(CFS))
    assert account is not None
    return account.jurisdiction, [link.organisation.code for link in account.organisations]


def _changes(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(t.Change)) or 0


@pytest.mark.parametrize("row", [STEAL, STEAL_BY_ALIAS], ids=["url", "alias"])
def test_another_jurisdictions_address_is_refused_by_row_and_never_moves_the_account(
    engine: Engine, session: Session, tmp_path: Path, row: str
) -> None:
    root = _registry(tmp_path, OWN, row)
    load_registry(engine, root, actor="test", only="hk")
    hk_id = find_account(session, CATALOGUE.parse(CFS))
    assert hk_id is not None
    account_id = hk_id.id

    report = load_registry(engine, root, actor="test", only="xx")

    assert [str(p) for p in report.problems] == [
        f"xx/accounts.csv, line 3: {CFS} is already the address of account {account_id} of jurisdiction"
        " 'hk': an account belongs to one jurisdiction; remove the row or the address from one of the"
        " registries"
    ]
    assert report.counts[("accounts", Outcome.INSERT)] == 1, "the rest of the folder is loaded"
    assert report.total(Outcome.UPDATE) == 0
    assert _cfs(session) == ("hk", ["cfs"])
    assert find_account(session, CATALOGUE.parse("https://www.facebook.com/xx.food.example")) is None


def test_loading_both_jurisdictions_again_changes_nothing(
    engine: Engine, session: Session, tmp_path: Path
) -> None:
    root = _registry(tmp_path, OWN, STEAL)
    first = load_registry(engine, root, actor="test")
    assert len(first.problems) == 1 and CFS in str(first.problems[0])
    logged = _changes(session)

    for _ in range(2):
        again = load_registry(engine, root, actor="test")
        assert again.total(Outcome.INSERT) == again.total(Outcome.UPDATE) == 0, again.as_dict()
        assert [str(p) for p in again.problems] == [str(p) for p in first.problems]
        assert _cfs(session) == ("hk", ["cfs"])
        assert _changes(session) == logged


def test_an_import_into_another_jurisdiction_is_refused_by_row(
    engine: Engine, session: Session, tmp_path: Path
) -> None:
    load_registry(engine, _registry(tmp_path, OWN), actor="test")
    path = tmp_path / "accounts.csv"
    path.write_text(HEADER + STEAL + OWN.replace("xx.weather", "xx.news"), encoding="utf-8")

    report = import_file(session, path, CATALOGUE, "xx", actor="test")
    session.commit()

    assert [(p.line, CFS in p.message and "'hk'" in p.message) for p in report.problems] == [(2, True)]
    assert report.counts[("accounts", Outcome.INSERT)] == 1
    assert _cfs(session) == ("hk", ["cfs"])


def test_lint_of_several_folders_names_the_address_listed_by_two_jurisdictions(tmp_path: Path) -> None:
    root = _registry(tmp_path, OWN, STEAL)
    bundles = [load_bundle(root / "hk"), load_bundle(root / "xx")]
    assert not [p for p in errors_only(lint_bundle(bundles[1], CATALOGUE)) if CFS in p.message]

    problems = [str(p) for p in errors_only(lint_bundles(bundles, CATALOGUE))]

    shared = [p for p in problems if "also an account of jurisdiction" in p]
    assert len(shared) == 1
    assert shared[0].startswith(
        f"xx/accounts.csv, line 3: {CFS} is also an account of jurisdiction 'hk' (hk/"
    )


def test_lint_of_several_folders_without_a_shared_address_adds_nothing(tmp_path: Path) -> None:
    root = _registry(tmp_path, OWN)
    bundles = [load_bundle(root / "hk"), load_bundle(root / "xx")]
    each = [str(p) for b in bundles for p in lint_bundle(b, CATALOGUE)]
    assert [str(p) for p in lint_bundles(bundles, CATALOGUE)] == each
