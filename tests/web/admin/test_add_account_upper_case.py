"""The admin's add-account takes an address with its scheme and host in upper case
(``HTTPS://WWW.Facebook.com/...``: they are case-insensitive) and stores them in lower case, the
path as written."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from govsocial.store import tables as t
from govsocial.store.db import session_factory
from tests.web.admin.conftest import token_for


def test_an_upper_case_scheme_and_host_are_accepted_and_stored_in_lower_case(
    web: TestClient, admin_engine: Engine, people: dict[str, int]
) -> None:
    body = {
        "org_code": "cfs",
        "url": "HTTPS://WWW.Facebook.com/CFS.Upper.Example",
        "evidence_url": "HTTPS://WWW.CFS.GOV.HK/English/About.HTML",
    }
    headers = {"Authorization": f"Bearer {token_for(admin_engine, 'editor')}"}
    response = web.post("/admin/api/accounts", json=body, headers=headers)
    assert response.status_code == 201, response.text
    with session_factory(admin_engine)() as session:
        account = session.get(t.Account, response.json()["id"])
        assert account is not None
        assert (account.url, account.handle) == (
            "https://www.facebook.com/CFS.Upper.Example",
            "CFS.Upper.Example",
        )
        assert account.evidence_url == "https://www.cfs.gov.hk/English/About.HTML"
