"""``registry import`` into a jurisdiction the store does not hold yet is refused with the registry's
own error, naming the jurisdiction and what to do, instead of the database's foreign-key failure."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from govsocial.errors import RegistryError
from govsocial.registry.addresses import PlatformCatalogue
from govsocial.registry.load import load_registry
from govsocial.registry.transfer import import_file
from govsocial.settings import PROJECT_ROOT
from govsocial.store import tables as t

REGISTRY = PROJECT_ROOT / "data" / "registry"
FILES = {
    "organisations.csv": "code,org_type,parent_code,name_en,source\nnz-gov,government,,NZ Government,test\n",
    "accounts.csv": "org_codes,platform,url,status,evidence_url\n"
    "nz-gov,facebook,https://www.facebook.com/nzgovt.example,published,https://example.org\n",
    "unconfirmed.csv": "org_code,platform,claimed_handle,source\nnz-gov,facebook,nzgovt,test\n",
}


@pytest.mark.parametrize("name", sorted(FILES))
def test_an_import_into_a_jurisdiction_not_loaded_names_it_and_writes_nothing(
    engine: Engine, session: Session, tmp_path: Path, name: str
) -> None:
    load_registry(engine, REGISTRY, actor="test", only="hk")
    path = tmp_path / name
    path.write_text(FILES[name], encoding="utf-8")
    before = session.scalar(select(func.count()).select_from(t.Change))

    with pytest.raises(RegistryError) as caught:
        import_file(session, path, PlatformCatalogue.default(), "nz", actor="test")

    assert str(caught.value) == (
        "jurisdiction 'nz' is not in the store: load its registry folder first"
        " (govsocial registry load --jurisdiction nz)"
    )
    session.rollback()
    assert session.get(t.Jurisdiction, "nz") is None
    assert session.scalar(select(func.count()).select_from(t.Change)) == before
