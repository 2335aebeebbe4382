"""Adding an account whose address is already in the registry: refused, and the account untouched.

The add-account form and ``POST /admin/api/accounts`` hold a few of an account's fields; written
over an existing account they erased its other names, aliases, platform id, review date and notes,
and put a published account back under review (``official`` became ``unknown``)."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from govsocial.store import tables as t
from govsocial.store.db import session_factory, transaction
from tests.web.admin.conftest import page_token, sign_in, token_for

CFS = "https://www.facebook.com/cfs.hk"
PAGE_ID = "100064123456789"


def _cfs(session: object) -> t.Account:
    return session.scalars(select(t.Account).where(t.Account.url == CFS)).one()  # type: ignore[attr-defined,no-any-return]


def _prepare(engine: Engine) -> dict[str, object]:
    """Give the account a platform id, notes and a review date, and return what it holds."""
    with transaction(session_factory(engine)) as session:
        account = _cfs(session)
        account.platform_id = PAGE_ID
        account.addresses.append(
            t.AccountAddressRow(platform="facebook", kind="id", key=PAGE_ID, value=PAGE_ID, url=None)
        )
        account.notes = "2026-10-01 alice: confirmed with the department"
        account.reviewed_on = dt.date(2026, 10, 1)
        return _state(account)


def _state(account: t.Account) -> dict[str, object]:
    return {
        "status": account.status,
        "display_name_zh_hant": account.display_name_zh_hant,
        "evidence_url": account.evidence_url,
        "platform_id": account.platform_id,
        "notes": account.notes,
        "reviewed_on": account.reviewed_on,
        "addresses": sorted((a.kind, a.key) for a in account.addresses),
    }


def _now(engine: Engine) -> tuple[dict[str, object], int]:
    with session_factory(engine)() as session:
        changes = session.scalar(select(t.Change.id).order_by(t.Change.id.desc()).limit(1)) or 0
        return _state(_cfs(session)), changes


def test_the_api_refuses_an_address_already_in_the_registry(
    web: TestClient, admin_engine: Engine, people: dict[str, int]
) -> None:
    before = _prepare(admin_engine)
    assert before["status"] is t.AccountStatus.PUBLISHED and before["display_name_zh_hant"]
    _, last_change = _now(admin_engine)
    headers = {"Authorization": f"Bearer {token_for(admin_engine, 'editor')}"}
    for url in ("https://m.facebook.com/cfs.hk/", f"https://www.facebook.com/profile.php?id={PAGE_ID}"):
        body = {"org_code": "cfs", "url": url, "evidence_url": "https://www.cfs.gov.hk/new"}
        response = web.post("/admin/api/accounts", json=body, headers=headers)
        assert response.status_code == 422, response.text
        detail = response.json()["detail"]
        assert "already account" in detail and "/admin/accounts/" in detail
    after, changes = _now(admin_engine)
    assert after == before
    assert changes == last_change  # nothing in the change log either


def test_the_page_refuses_it_too(web: TestClient, admin_engine: Engine, people: dict[str, int]) -> None:
    before = _prepare(admin_engine)
    sign_in(web, "editor")
    data = {
        "csrf_token": page_token(web, "/admin/accounts/new"),
        "url": "https://FB.COM/CFS.HK?ref=bookmarks",
        "org_code": "cfs",
        "evidence_url": "https://www.cfs.gov.hk/",
        "status": "under_review",
    }
    response = web.post("/admin/accounts/new", data=data)
    assert response.status_code == 400
    assert "already account" in response.text
    assert _now(admin_engine)[0] == before


def test_a_new_account_takes_its_chinese_name(
    web: TestClient, admin_engine: Engine, people: dict[str, int]
) -> None:
    body = {
        "org_code": "cfs",
        "url": "https://www.instagram.com/cfs.campaign.example/",
        "evidence_url": "https://www.cfs.gov.hk/",
        "display_name_en": "Centre for Food Safety",
        "display_name_zh_hant": "食物安全中心",
    }
    headers = {"Authorization": f"Bearer {token_for(admin_engine, 'editor')}"}
    response = web.post("/admin/api/accounts", json=body, headers=headers)
    assert response.status_code == 201, response.text
    with session_factory(admin_engine)() as session:
        account = session.get(t.Account, response.json()["id"])
        assert account is not None
        assert (account.display_name_zh_hant, account.display_name_zh_hans) == (
            "食物安全中心",
            "食物安全中心",
        )
    sign_in(web, "viewer")
    assert "食物安全中心" in web.get(f"/admin/accounts/{response.json()['id']}").text
