"""Loading the bundled registry: on both backends, idempotent, and faithful to the files."""

from __future__ import annotations

import csv

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from govsocial.registry.load import load_registry
from govsocial.registry.sync import Outcome
from govsocial.settings import PROJECT_ROOT
from govsocial.store import tables as t

REGISTRY = PROJECT_ROOT / "data" / "registry"


def _rows(name: str) -> list[dict[str, str]]:
    with (REGISTRY / "hk" / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _count(session: Session, model: type[t.Base]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_load_writes_every_row_and_a_second_load_changes_nothing(engine: Engine, session: Session) -> None:
    first = load_registry(engine, REGISTRY, actor="test", only="hk")
    assert first.problems == []
    assert first.total(Outcome.INSERT) > 0
    assert _count(session, t.Organisation) == len(_rows("organisations.csv"))
    assert _count(session, t.Account) == len(_rows("accounts.csv"))
    assert _count(session, t.OrganisationFact) == len(_rows("unconfirmed.csv"))
    changes = _count(session, t.Change)

    second = load_registry(engine, REGISTRY, actor="test", only="hk")
    assert second.total(Outcome.INSERT) == 0
    assert second.total(Outcome.UPDATE) == 0
    # Every row is unchanged the second time (Hong Kong's districts already were the first time:
    # migration 0019 writes them).
    assert second.total(Outcome.NOOP) == first.total(Outcome.INSERT) + first.total(Outcome.NOOP)
    session.expire_all()
    assert _count(session, t.Change) == changes


def test_statuses_and_owners_follow_the_files(engine: Engine, session: Session) -> None:
    load_registry(engine, REGISTRY, actor="test", only="hk")
    statuses = {row["url"]: row["status"] for row in _rows("accounts.csv")}
    accounts = session.scalars(select(t.Account)).all()
    assert sorted(a.status.value for a in accounts) == sorted(statuses.values())
    cfs = session.scalars(select(t.Account).where(t.Account.handle == "cfs.hk")).one()
    assert [link.organisation.code for link in cfs.organisations] == ["cfs"]
    assert cfs.url == "https://www.facebook.com/cfs.hk"


def test_simplified_names_are_derived_with_opencc(engine: Engine, session: Session) -> None:
    load_registry(engine, REGISTRY, actor="test", only="hk")
    police = session.scalars(select(t.Organisation).where(t.Organisation.code == "hk-hkpf")).one()
    assert police.name_zh_hant == "香港警務處"
    assert police.name_zh_hans == "香港警务处"


def test_an_edit_to_the_file_is_an_update_in_the_change_log(
    engine: Engine, session: Session, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    import shutil

    copy = tmp_path / "registry"
    shutil.copytree(REGISTRY / "hk", copy / "hk")
    load_registry(engine, copy, actor="test")
    text = (copy / "hk" / "organisations.csv").read_text(encoding="utf-8")
    (copy / "hk" / "organisations.csv").write_text(
        text.replace("https://www.cfs.gov.hk", "https://www.cfs.gov.hk/english"), encoding="utf-8"
    )
    report = load_registry(engine, copy, actor="editor")
    assert report.counts[("organisations", Outcome.UPDATE)] == 1
    change = session.scalars(select(t.Change).where(t.Change.actor == "editor")).one()
    assert change.entity_key == "hk:cfs"
    assert change.before == {"website": "https://www.cfs.gov.hk"}
    assert change.after == {"website": "https://www.cfs.gov.hk/english"}
