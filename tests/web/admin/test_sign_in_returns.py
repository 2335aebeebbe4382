"""Signing in leads back to the admin page that was asked for (an e-mailed link to the alerts page,
say), and never anywhere outside the admin area."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.web.admin.conftest import PASSWORD, csrf_in


def _sign_in_from(web: TestClient, location: str, username: str = "editor", password: str = PASSWORD) -> str:
    """Follow a redirect to the sign-in page, fill it in; the address the POST sends on to."""
    form = web.get(location)
    assert form.status_code == 200
    data = {"csrf_token": csrf_in(form.text), "username": username, "password": password}
    back = _hidden_next(form.text)
    if back is not None:
        data["next"] = back
    response = web.post("/admin/login", data=data)
    return response.headers.get("location", f"(status {response.status_code})")


def _hidden_next(html: str) -> str | None:
    marker = 'name="next" value="'
    start = html.find(marker)
    if start < 0:
        return None
    start += len(marker)
    return html[start : html.index('"', start)]


def test_an_emailed_link_leads_back_to_its_page_after_signing_in(
    web: TestClient, people: dict[str, int]
) -> None:
    asked = web.get("/admin/alerts?status=open")
    assert asked.status_code == 303
    assert asked.headers["location"] == "/admin/login?next=%2Fadmin%2Falerts%3Fstatus%3Dopen"
    assert _sign_in_from(web, asked.headers["location"]) == "/admin/alerts?status=open"
    assert web.get("/admin/alerts").status_code == 200


def test_a_wrong_password_keeps_the_page_to_return_to(web: TestClient, people: dict[str, int]) -> None:
    form = web.get("/admin/login?next=/admin/audit")
    data = {"csrf_token": csrf_in(form.text), "username": "editor", "password": "wrong password!"}
    refused = web.post("/admin/login", data={**data, "next": "/admin/audit"})
    assert refused.status_code == 401 and _hidden_next(refused.text) == "/admin/audit"
    data = {"csrf_token": csrf_in(refused.text), "username": "editor", "password": PASSWORD}
    assert (
        web.post("/admin/login", data={**data, "next": "/admin/audit"}).headers["location"] == "/admin/audit"
    )


@pytest.mark.parametrize(
    "elsewhere",
    [
        "https://evil.example/admin/",
        "//evil.example/admin/",
        "/\\evil.example",
        "/admin\\..\\x",
        "/admin@evil.example",
        "/portal-page",
        "/admin/login",
        "/admin/logout",
        "/admin/\x00",
        "/admin/" + "a" * 2100,
    ],
)
def test_signing_in_never_leads_outside_the_admin_area(
    web: TestClient, people: dict[str, int], elsewhere: str
) -> None:
    form = web.get("/admin/login", params={"next": elsewhere})
    assert form.status_code in {200, 422}
    if form.status_code == 422:  # a control character in a query is refused before any page
        return
    assert _hidden_next(form.text) is None
    data = {"csrf_token": csrf_in(form.text), "username": "editor", "password": PASSWORD, "next": elsewhere}
    assert web.post("/admin/login", data=data).headers["location"] == "/admin/"


def test_a_form_post_without_a_session_is_not_returned_to(web: TestClient, people: dict[str, int]) -> None:
    response = web.post("/admin/accounts/2/status", data={"status": "archived"})
    assert response.status_code == 303 and response.headers["location"] == "/admin/login"
