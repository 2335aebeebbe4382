"""Signing in and out of the admin area: cookies, CSRF on the sign-in form, rate limits, expiry."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from govsocial.settings import Settings
from govsocial.store import tables as t
from govsocial.store.db import session_factory
from govsocial.web.app import create_app
from tests.web.admin.conftest import PASSWORD, Clock, csrf_in, sign_in


def _audit(engine: Engine, action: str) -> list[t.AuditEntry]:
    with session_factory(engine)() as session:
        return list(session.scalars(select(t.AuditEntry).where(t.AuditEntry.action == action)).all())


def test_sign_in_sets_a_strict_cookie_scoped_to_admin(web: TestClient, people: dict[str, int]) -> None:
    response = sign_in(web, "editor")
    assert response.status_code == 303 and response.headers["location"] == "/admin/"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("gs_admin="))
    attributes = {part.strip().lower() for part in cookie.split(";")}
    assert {"path=/admin", "httponly", "samesite=strict"} <= attributes
    assert "secure" not in attributes  # admin_secure_cookies is off for the http test client
    page = web.get("/admin/")
    assert page.status_code == 200 and "Signed in as <strong>editor</strong>" in page.text
    assert page.headers["cache-control"] == "no-store"


def test_the_cookie_is_secure_by_default(
    admin_settings: Settings, admin_engine: Engine, people: dict[str, int]
) -> None:
    app = create_app(admin_settings.model_copy(update={"admin_secure_cookies": True}), admin_engine)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        response = sign_in(client, "viewer")
        assert response.status_code == 303
        cookies = response.headers.get_list("set-cookie")
        assert all("; secure" in c.lower() for c in cookies)


def test_a_wrong_password_is_refused_and_audited(
    web: TestClient, admin_engine: Engine, people: dict[str, int]
) -> None:
    response = sign_in(web, "editor", "not the password")
    assert response.status_code == 401 and "Wrong username or password" in response.text
    assert "gs_admin=" not in response.headers.get("set-cookie", "")
    assert web.get("/admin/").status_code == 303  # not signed in: sent to the sign-in page
    failures = _audit(admin_engine, "login.failure")
    assert [f.target for f in failures] == ["user:editor"] and failures[0].user_id == people["editor"]
    sign_in(web, "nobody-by-this-name", "whatever")
    assert _audit(admin_engine, "login.failure")[-1].target == "user:(unknown)"


@pytest.mark.parametrize("token", [None, "forged-value-that-is-long-enough-0123456789"])
def test_the_sign_in_form_needs_its_csrf_token(
    web: TestClient, people: dict[str, int], token: str | None
) -> None:
    web.get("/admin/login")
    data = {"username": "admin", "password": PASSWORD} | ({"csrf_token": token} if token else {})
    response = web.post("/admin/login", data=data)
    assert response.status_code == 403
    assert web.get("/admin/").status_code == 303


def test_failures_lock_a_username_until_the_window_passes(
    web: TestClient, clock: Clock, admin_settings: Settings, people: dict[str, int]
) -> None:
    for _ in range(admin_settings.admin_login_max_failures):
        assert sign_in(web, "admin", "wrong password!").status_code == 401
    locked = sign_in(web, "admin")  # the right password, but too late
    assert locked.status_code == 429 and "Retry-After" in locked.headers
    assert web.get("/admin/").status_code == 303
    clock.advance(minutes=admin_settings.admin_login_window_minutes, seconds=1)
    assert sign_in(web, "admin").status_code == 303
    assert web.get("/admin/").status_code == 200


def test_failures_from_one_address_lock_every_username(
    web: TestClient, admin_settings: Settings, people: dict[str, int]
) -> None:
    limit = admin_settings.admin_login_max_failures
    for i in range(limit * 4):
        assert sign_in(web, f"guess{i % (limit - 1)}", "wrong password!").status_code == 401
    assert sign_in(web, "viewer").status_code == 429


def test_a_success_clears_the_username_failures(
    web: TestClient, admin_settings: Settings, people: dict[str, int]
) -> None:
    for _ in range(admin_settings.admin_login_max_failures - 1):
        sign_in(web, "viewer", "wrong password!")
    assert sign_in(web, "viewer").status_code == 303
    sign_in(web, "viewer", "wrong password!")
    assert sign_in(web, "viewer").status_code == 303


def test_a_session_expires(
    web: TestClient, clock: Clock, admin_settings: Settings, people: dict[str, int]
) -> None:
    sign_in(web, "viewer")
    clock.advance(minutes=admin_settings.admin_session_minutes - 1)
    assert web.get("/admin/").status_code == 200
    clock.advance(minutes=2)
    response = web.get("/admin/")
    assert response.status_code == 303 and response.headers["location"] == "/admin/login"
    # The ended session's cookie is cleared, not sent again with every request.
    assert "gs_admin=" in response.headers["set-cookie"] and "Max-Age=0" in response.headers["set-cookie"]
    assert "gs_admin" not in web.cookies


def test_signing_out_ends_the_session_in_the_store(
    web: TestClient, admin_engine: Engine, people: dict[str, int]
) -> None:
    sign_in(web, "viewer")
    cookie = web.cookies.get("gs_admin", path="/admin")
    assert cookie
    token = csrf_in(web.get("/admin/").text)
    response = web.post("/admin/logout", data={"csrf_token": token})
    assert response.status_code == 303
    with session_factory(admin_engine)() as session:
        assert session.scalar(select(func.count()).select_from(t.AdminSession)) == 0
    web.cookies.set("gs_admin", cookie, path="/admin")  # a copy of the old cookie is worth nothing
    assert web.get("/admin/").status_code == 303
    assert [e.action for e in _audit(admin_engine, "logout")] == ["logout"]


def test_a_disabled_user_is_signed_out(web: TestClient, admin_engine: Engine, people: dict[str, int]) -> None:
    from govsocial.store import users
    from govsocial.store.db import transaction
    from tests.web.admin.conftest import START

    sign_in(web, "editor")
    assert web.get("/admin/").status_code == 200
    with transaction(session_factory(admin_engine)) as session:
        users.disable_user(session, users.get_user(session, "editor"), START)
    assert web.get("/admin/").status_code == 303
    assert sign_in(web, "editor").status_code == 401


def test_public_pages_and_api_set_no_cookie_even_when_signed_in(
    web: TestClient, people: dict[str, int]
) -> None:
    sign_in(web, "admin")
    for path in ("/", "/en/", "/zh-hant/", "/api/v1/accounts", "/api/v1/openapi.json"):
        response = web.get(path, follow_redirects=True)
        assert response.status_code == 200, path
        assert "set-cookie" not in response.headers, path
        assert response.headers.get("cache-control") != "no-store", path


def test_admin_answers_are_never_cached(
    admin_settings: Settings, admin_engine: Engine, people: dict[str, int]
) -> None:
    cached = create_app(admin_settings.model_copy(update={"page_cache_seconds": 60}), admin_engine)
    with TestClient(cached, follow_redirects=False) as client:
        sign_in(client, "viewer")
        for _ in range(2):
            page = client.get("/admin/audit")
            assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
            assert page.headers.get("x-page-cache") != "HIT" and "etag" not in page.headers
        assert client.get("/en/").headers.get("x-page-cache") == "MISS"
        assert client.get("/en/").headers.get("x-page-cache") == "HIT"  # the portal still is


def test_signing_in_again_replaces_the_session(
    web: TestClient, admin_engine: Engine, people: dict[str, int]
) -> None:
    sign_in(web, "viewer")
    first = web.cookies.get("gs_admin", path="/admin")
    sign_in(web, "viewer")
    second = web.cookies.get("gs_admin", path="/admin")
    assert first and second and first != second
    with session_factory(admin_engine)() as session:
        assert session.scalar(select(func.count()).select_from(t.AdminSession)) == 1
