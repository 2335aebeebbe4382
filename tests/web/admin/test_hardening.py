"""Defects found by attacking a running admin area: sign-in limits under concurrent requests,
upload names too long for the file system, importer messages naming the server's temporary folder,
and status reasons of any length from the pages."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from govsocial.settings import Settings
from govsocial.store import tables as t
from govsocial.store import users
from govsocial.store.db import session_factory
from govsocial.web.admin import actions
from govsocial.web.admin.actions import UPLOAD_NAME_MAX, upload_name
from tests.web.admin.conftest import Clock, page_token, sign_in, token_for


def _failures(engine: Engine) -> int:
    with session_factory(engine)() as session:
        return session.scalar(select(func.count()).select_from(t.LoginFailure)) or 0


def test_a_sign_in_is_counted_before_its_password_is_checked(
    web: TestClient, admin_engine: Engine, monkeypatch: pytest.MonkeyPatch, people: dict[str, int]
) -> None:
    # Concurrent sign-ins each read the count before any of them wrote a failure, so the limit let
    # as many guesses through as requests in flight: the count must be committed first.
    seen: list[int] = []
    real = users.authenticate

    def watching(session: Session, username: str, password: str) -> t.User | None:
        seen.append(_failures(admin_engine))  # another connection: what a concurrent sign-in sees
        return real(session, username, password)

    monkeypatch.setattr(users, "authenticate", watching)
    assert sign_in(web, "admin", "wrong password!").status_code == 401
    assert seen == [1]
    assert _failures(admin_engine) == 1  # the provisional failure stays a failure
    assert sign_in(web, "admin").status_code == 303
    assert seen == [1, 2] and _failures(admin_engine) == 0  # a success takes them back


def test_a_refused_sign_in_does_not_extend_the_lock(
    web: TestClient, clock: Clock, admin_settings: Settings, admin_engine: Engine, people: dict[str, int]
) -> None:
    limit = admin_settings.admin_login_max_failures
    for _ in range(limit):
        assert sign_in(web, "editor", "wrong password!").status_code == 401
    clock.advance(minutes=admin_settings.admin_login_window_minutes - 1)
    assert sign_in(web, "editor").status_code == 429
    assert _failures(admin_engine) == limit
    clock.advance(minutes=1, seconds=1)
    assert sign_in(web, "editor").status_code == 303


@pytest.mark.parametrize(
    "sent",
    ["x" * 300 + ".csv", "é" * 300 + ".json", "y" * 400, "z" * 300 + "." + "w" * 40],
)
def test_a_long_upload_name_is_cut_to_what_a_file_system_takes(sent: str) -> None:
    kept = upload_name(sent)
    assert 0 < len(kept.encode()) <= UPLOAD_NAME_MAX
    if sent.endswith((".csv", ".json")):
        assert kept.endswith(sent[sent.rindex(".") :])


def test_an_upload_with_a_long_name_is_not_a_server_error(
    web: TestClient, admin_engine: Engine, people: dict[str, int]
) -> None:
    headers = {"Authorization": f"Bearer {token_for(admin_engine, 'editor')}"}
    files = {"file": ("p" * 300 + ".csv", b"a,b\n1,2\n", "text/csv")}
    response = web.post("/admin/api/import", files=files, headers=headers)
    assert response.status_code == 422, response.text


def test_an_import_error_does_not_name_the_servers_temporary_folder(
    web: TestClient, admin_engine: Engine, people: dict[str, int]
) -> None:
    headers = {"Authorization": f"Bearer {token_for(admin_engine, 'editor')}"}
    files = {"file": ("junk.csv", b"\xff\xfe\x00\xd8" * 64, "text/csv")}
    response = web.post("/admin/api/import", files=files, headers=headers)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "junk.csv" in detail and "govsocial-admin-import" not in detail and "/tmp" not in detail


def test_a_status_reason_from_the_pages_is_bounded_like_the_apis(
    web: TestClient, admin_engine: Engine, people: dict[str, int]
) -> None:
    assert sign_in(web, "editor").status_code == 303
    token = page_token(web, "/admin/accounts/1")
    data = {"csrf_token": token, "status": "archived", "reason": "r" * (actions.REASON_MAX + 1)}
    assert web.post("/admin/accounts/1/status", data=data).status_code == 400
    with session_factory(admin_engine)() as session:
        assert session.get(t.Account, 1).status is not t.AccountStatus.ARCHIVED  # type: ignore[union-attr]
    data["reason"] = "r" * actions.REASON_MAX
    assert web.post("/admin/accounts/1/status", data=data).status_code == 303
