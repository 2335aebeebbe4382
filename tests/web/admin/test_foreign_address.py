"""Adding an account by the address of another jurisdiction's account: refused with the reason,
never a 500, and the other jurisdiction's account stays where it is."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from govsocial.store import tables as t
from govsocial.store.db import session_factory
from tests.web.admin.conftest import token_for

#: An account of the bundled ``us-doc`` registry (loaded beside ``hk`` in the admin tests' store).
FOREIGN_URL = "https://twitter.com/TrustedIDsNIST"


def test_an_address_of_another_jurisdiction_is_refused_with_its_reason(
    web: TestClient, admin_engine: Engine, people: dict[str, int]
) -> None:
    body = {"org_code": "cfs", "url": FOREIGN_URL, "evidence_url": "https://www.cfs.gov.hk/"}
    headers = {"Authorization": f"Bearer {token_for(admin_engine, 'editor')}"}

    response = web.post("/admin/api/accounts", json=body, headers=headers)

    assert response.status_code == 422, response.text
    assert "us-doc" in response.json()["detail"]
    with session_factory(admin_engine)() as session:
        account = session.scalars(select(t.Account).where(t.Account.handle == "TrustedIDsNIST")).one()
        assert account.jurisdiction == "us-doc"
