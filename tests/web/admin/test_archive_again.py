"""An editor archiving an account that is archived already (to correct the reason) keeps the day it
was retired, which the portal shows; the change and audit logs say what the day is."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from govsocial.store import tables as t
from govsocial.store.db import session_factory
from tests.web.admin.conftest import START, Clock, token_for


def test_archiving_again_keeps_the_day(
    web: TestClient, admin_engine: Engine, clock: Clock, people: dict[str, int]
) -> None:
    headers = {"Authorization": f"Bearer {token_for(admin_engine, 'editor')}"}
    body = {"status": "archived", "reason": "page closed"}
    assert web.post("/admin/api/accounts/2/status", json=body, headers=headers).status_code == 200
    clock.advance(days=40)
    body = {"status": "archived", "reason": "page closed by the department in 2026"}
    assert web.post("/admin/api/accounts/2/status", json=body, headers=headers).status_code == 200
    with session_factory(admin_engine)() as session:
        account = session.get(t.Account, 2)
        assert account is not None and account.archived_on == START.date()
        assert account.archived_reason == body["reason"]
        change = session.scalars(select(t.Change).order_by(t.Change.id.desc())).first()
        assert change is not None and change.actor == "admin:editor"
        assert change.after["archived_on"] == START.date().isoformat()
    assert START.date() != (START + dt.timedelta(days=40)).date()
