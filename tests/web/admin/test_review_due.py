"""The accounts due for review in the admin area, and recording a review: the list that
``registry review-due`` prints, on a page and in the API, and an editor's "reviewed today" that takes
an account off it (in the change and audit logs, once: a second click the same day is a noop)."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from govsocial.registry.review import due_for_review
from govsocial.store import tables as t
from govsocial.store.db import session_factory, transaction
from tests.web.admin.conftest import START, page_token, sign_in, token_for


def _due_ids(engine: Engine) -> list[int]:
    with session_factory(engine)() as session:
        return [a.id for a in due_for_review(session, "hk", 183, START.date())]


def _bearer(engine: Engine, username: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(engine, username)}"}


def test_the_api_lists_them_and_an_editor_records_a_review(
    web: TestClient, admin_engine: Engine, people: dict[str, int]
) -> None:
    due = _due_ids(admin_engine)
    assert due, "the bundled registry has accounts never reviewed"
    listed = web.get("/admin/api/review-due", headers=_bearer(admin_engine, "viewer"))
    assert listed.status_code == 200
    assert [a["id"] for a in listed.json()["data"]] == due

    first = due[0]
    viewer = web.post(f"/admin/api/accounts/{first}/reviewed", headers=_bearer(admin_engine, "viewer"))
    assert viewer.status_code == 403
    editor = _bearer(admin_engine, "editor")
    answer = web.post(f"/admin/api/accounts/{first}/reviewed", headers=editor)
    assert answer.status_code == 200, answer.text
    assert answer.json()["reviewed_on"] == START.date().isoformat()
    assert web.post(f"/admin/api/accounts/{first}/reviewed", headers=editor).status_code == 200

    assert first not in _due_ids(admin_engine)
    with session_factory(admin_engine)() as session:
        changes = session.scalars(select(t.Change).where(t.Change.action == "review")).all()
        assert [(c.actor, c.after) for c in changes] == [("admin:editor", {"reviewed_on": "2026-11-27"})]
        logged = session.scalars(select(t.AuditEntry).where(t.AuditEntry.action == "account.review")).all()
        assert [row.target for row in logged] == [f"account:{first}"]


def test_the_page_lists_them_and_its_form_records_a_review(
    web: TestClient, admin_engine: Engine, people: dict[str, int]
) -> None:
    with transaction(session_factory(admin_engine)) as session:
        reviewed = session.scalars(
            select(t.Account).where(t.Account.url == "https://www.facebook.com/cfs.hk")
        ).one()
        reviewed.reviewed_on = START.date() - dt.timedelta(days=10)  # reviewed recently: not due
        reviewed_id = reviewed.id
    due = _due_ids(admin_engine)
    sign_in(web, "viewer")
    page = web.get("/admin/review")
    assert page.status_code == 200
    assert f'href="/admin/accounts/{due[0]}"' in page.text
    assert f'href="/admin/accounts/{reviewed_id}"' not in page.text
    web.post("/admin/logout", data={"csrf_token": page_token(web)})

    sign_in(web, "editor")
    token = page_token(web, f"/admin/accounts/{due[0]}")
    response = web.post(f"/admin/accounts/{due[0]}/reviewed", data={"csrf_token": token})
    assert response.status_code == 303
    assert due[0] not in _due_ids(admin_engine)
    assert "Last reviewed</dt><dd>2026-11-27" in web.get(f"/admin/accounts/{due[0]}").text
