"""The admin pages: roles, CSRF on every form, and an audit row for every change."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from govsocial.store import tables as t
from govsocial.store.db import session_factory
from tests.web.admin.conftest import page_token, sign_in


def _account(engine: Engine, account_id: int = 2) -> t.Account:
    with session_factory(engine)() as session:
        account = session.get(t.Account, account_id)
        assert account is not None
        return account


def _audit(engine: Engine) -> list[t.AuditEntry]:
    with session_factory(engine)() as session:
        return list(session.scalars(select(t.AuditEntry).order_by(t.AuditEntry.id)).all())


def test_every_page_needs_a_session(web: TestClient) -> None:
    for path in (
        "/admin/",
        "/admin/audit",
        "/admin/accounts",
        "/admin/accounts/2",
        "/admin/import",
        "/admin/users",
    ):
        response = web.get(path)
        # The overview is where signing in leads anyway; any other page is named to return to.
        back = "" if path == "/admin/" else "?next=" + path.replace("/", "%2F")
        assert response.status_code == 303 and response.headers["location"] == "/admin/login" + back, path
    assert web.post("/admin/accounts/2/status", data={"status": "archived"}).status_code == 303


def test_a_viewer_reads_but_cannot_change(
    web: TestClient, admin_engine: Engine, people: dict[str, int]
) -> None:
    sign_in(web, "viewer")
    for path in ("/admin/", "/admin/audit", "/admin/accounts?q=facebook", "/admin/accounts/2"):
        assert web.get(path).status_code == 200, path
    page = web.get("/admin/accounts/2").text
    assert "Change the status" not in page  # no forms it could not use
    token = page_token(web)
    response = web.post(
        "/admin/accounts/2/status", data={"csrf_token": token, "status": "archived", "reason": "x"}
    )
    assert response.status_code == 403
    assert _account(admin_engine).status is t.AccountStatus.PUBLISHED
    assert web.get("/admin/import").status_code == 403


def test_an_editor_changes_a_status_with_an_audit_row(
    web: TestClient, admin_engine: Engine, people: dict[str, int]
) -> None:
    sign_in(web, "editor")
    token = page_token(web, "/admin/accounts/2")
    data = {"csrf_token": token, "status": "archived", "reason": "Account retired by the department"}
    response = web.post("/admin/accounts/2/status", data=data)
    assert response.status_code == 303 and response.headers["location"] == "/admin/accounts/2"
    account = _account(admin_engine)
    assert account.status is t.AccountStatus.ARCHIVED
    assert account.archived_reason == "Account retired by the department"
    entry = _audit(admin_engine)[-1]
    assert (entry.action, entry.target, entry.user_id) == ("account.status", "account:2", people["editor"])
    assert entry.details["before"]["status"] == "published" and entry.details["after"]["status"] == "archived"
    assert entry.ip is None  # the test client's address is "testclient", not an IP address
    with session_factory(admin_engine)() as session:
        change = session.scalars(select(t.Change).order_by(t.Change.id.desc())).first()
        assert change is not None and change.actor == "admin:editor" and change.action == "status"


@pytest.mark.parametrize("token", [None, "", "not-the-session-token"])
def test_a_form_without_its_csrf_token_is_refused(
    web: TestClient, admin_engine: Engine, people: dict[str, int], token: str | None
) -> None:
    sign_in(web, "admin")
    data = {"status": "archived", "reason": "forged"} | ({} if token is None else {"csrf_token": token})
    assert web.post("/admin/accounts/2/status", data=data).status_code == 403
    assert (
        web.post(
            "/admin/users",
            data={"username": "mallory", "role": "admin", "password": "x" * 20}
            | ({} if token is None else {"csrf_token": token}),
        ).status_code
        == 403
    )
    assert _account(admin_engine).status is t.AccountStatus.PUBLISHED
    assert [e.action for e in _audit(admin_engine)] == ["login"]


def test_another_sessions_token_is_refused(app: object, web: TestClient, people: dict[str, int]) -> None:
    sign_in(web, "editor")
    with TestClient(web.app, follow_redirects=False) as other:
        sign_in(other, "editor")
        others_token = page_token(other)
    assert others_token != page_token(web)
    data = {"csrf_token": others_token, "status": "archived", "reason": "x"}
    assert web.post("/admin/accounts/2/status", data=data).status_code == 403


def test_notes_and_schedule_controls_are_audited(
    web: TestClient, admin_engine: Engine, people: dict[str, int]
) -> None:
    sign_in(web, "editor")
    token = page_token(web, "/admin/accounts/2")
    assert (
        web.post(
            "/admin/accounts/2/note", data={"csrf_token": token, "note": "Asked the department"}
        ).status_code
        == 303
    )
    # "run-now" makes it due at once; a paused account stays paused until resumed.
    for action, enabled in (("pause", False), ("run-now", False), ("resume", True)):
        assert (
            web.post("/admin/accounts/2/schedule", data={"csrf_token": token, "action": action}).status_code
            == 303
        )
        with session_factory(admin_engine)() as session:
            schedule = session.get(t.CollectionSchedule, 2)
            assert schedule is not None and schedule.enabled is enabled
    assert "2026-11-27 editor: Asked the department" in (_account(admin_engine).notes or "")
    actions = [e.action for e in _audit(admin_engine)]
    assert actions[-4:] == ["account.note", "schedule.pause", "schedule.run-now", "schedule.resume"]
    assert (
        web.post("/admin/accounts/2/schedule", data={"csrf_token": token, "action": "explode"}).status_code
        == 400
    )


def test_an_editor_adds_an_account_with_evidence(
    web: TestClient, admin_engine: Engine, people: dict[str, int]
) -> None:
    sign_in(web, "editor")
    token = page_token(web, "/admin/accounts/new")
    with session_factory(admin_engine)() as session:
        org = session.scalars(select(t.Organisation.code)).first()
    data = {
        "csrf_token": token,
        "url": "https://www.facebook.com/brand.new.page.hk",
        "org_code": org,
        "evidence_url": "https://www.gov.hk/en/about/govdirectory/",
        "status": "under_review",
    }
    response = web.post("/admin/accounts/new", data=data)
    assert response.status_code == 303
    account_id = int(re.sub(r"\D", "", response.headers["location"]))
    account = _account(admin_engine, account_id)
    assert account.status is t.AccountStatus.UNDER_REVIEW and account.evidence_url == data["evidence_url"]
    assert _audit(admin_engine)[-1].action == "account.add"
    missing = web.post(
        "/admin/accounts/new", data=data | {"evidence_url": "", "url": "https://www.facebook.com/other.hk"}
    )
    assert missing.status_code == 400


def test_an_editor_cannot_manage_users(web: TestClient, people: dict[str, int]) -> None:
    sign_in(web, "editor")
    assert web.get("/admin/users").status_code == 403
    token = page_token(web)
    data = {"csrf_token": token, "username": "mallory", "role": "admin", "password": "x" * 20}
    assert web.post("/admin/users", data=data).status_code == 403


def test_an_admin_manages_users_and_tokens(
    web: TestClient, admin_engine: Engine, people: dict[str, int]
) -> None:
    sign_in(web, "admin")
    token = page_token(web, "/admin/users")
    data = {"csrf_token": token, "username": "clerk", "role": "editor", "password": "a long enough password"}
    assert web.post("/admin/users", data=data).status_code == 303
    assert web.post("/admin/users", data=data).status_code == 400  # the name is taken
    with session_factory(admin_engine)() as session:
        clerk = session.scalars(select(t.User).where(t.User.username == "clerk")).one()
    made = web.post(f"/admin/users/{clerk.id}/tokens", data={"csrf_token": token, "name": "sync script"})
    assert made.status_code == 303
    shown = web.get(made.headers["location"])
    assert shown.status_code == 200
    secret = re.search(r"<code>(gsa_[^<]+)</code>", shown.text)
    assert secret is not None
    assert (
        web.get("/admin/api/whoami", headers={"Authorization": f"Bearer {secret.group(1)}"}).json()[
            "username"
        ]
        == "clerk"
    )
    listing = web.get("/admin/users").text
    assert secret.group(1) not in listing and secret.group(1)[:12] in listing
    with session_factory(admin_engine)() as session:
        token_id = session.scalars(select(t.ApiToken.id).where(t.ApiToken.user_id == clerk.id)).one()
    assert web.post(f"/admin/tokens/{token_id}/revoke", data={"csrf_token": token}).status_code == 303
    assert (
        web.get("/admin/api/whoami", headers={"Authorization": f"Bearer {secret.group(1)}"}).status_code
        == 401
    )
    assert web.post(f"/admin/users/{clerk.id}/disable", data={"csrf_token": token}).status_code == 303
    assert web.post(f"/admin/users/{people['admin']}/disable", data={"csrf_token": token}).status_code == 400
    actions = [e.action for e in _audit(admin_engine)]
    assert actions[-5:] == ["user.add", "token.add", "token.issue", "token.revoke", "user.disable"]
    assert secret.group(1) not in str([e.details for e in _audit(admin_engine)])


def test_the_overview_lists_quarantined_records_by_when_they_were_last_met(
    web: TestClient, admin_engine: Engine, people: dict[str, int]
) -> None:
    """A record met again (a file imported again) is one row with its count, listed first."""
    import datetime as dt

    first = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    with session_factory(admin_engine)() as session, session.begin():
        session.add(t.QuarantinedRecord(
            source="generic", location="posts.csv, line 3", reason="met again", content="x",
            created_at=first, last_seen_at=first + dt.timedelta(days=30), times_seen=4,
        ))  # fmt: skip
        session.add(t.QuarantinedRecord(
            source="generic", location="posts.csv, line 9", reason="met once", content="y",
            created_at=first + dt.timedelta(days=1), last_seen_at=first + dt.timedelta(days=1),
        ))  # fmt: skip
    sign_in(web, "viewer")
    page = web.get("/admin/").text
    rows = re.findall(r"<tr><td>[^<]*</td><td>generic</td>.*?</tr>", page)
    assert len(rows) == 2 and "met again" in rows[0] and "met once" in rows[1], rows
    assert "<td>4</td>" in rows[0] and "<td>1</td>" in rows[1]


def test_the_accounts_search_takes_percent_and_underscore_as_plain_characters(
    web: TestClient, admin_engine: Engine, people: dict[str, int]
) -> None:
    """It built ``%q%`` unescaped: "%" listed every account, "_" any one character."""
    sign_in(web, "viewer")
    listed = re.compile(r'href="/admin/accounts/\d+"')
    for q in ("%", "fac_book", "face%book"):  # "_" alone is in real handles
        page = web.get("/admin/accounts", params={"q": q}).text
        assert not listed.search(page) and "No account matches." in page, q
    assert listed.search(web.get("/admin/accounts", params={"q": "FACEBOOK"}).text)  # the search works
