"""The admin area in Chromium: signing in with the form, then every admin page type checked by axe.

Staff use the admin area with the same assistive technology as anyone: it is held to the portal's
WCAG 2.1 AA rules. A real admin user signs in through the form (CSRF token, session cookie), so
the pages are the ones a person sees.
"""

from __future__ import annotations

import datetime as dt

import pytest
from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]  # ships no py.typed
from playwright.sync_api import Page

from govsocial.store import users
from govsocial.store.db import make_engine, session_factory
from tests.browser.test_accessibility import AXE_OPTIONS, _report

pytestmark = pytest.mark.browser

USERNAME = "a11y-admin"
PASSWORD = "correct horse battery staple"
# Each page type of the admin area ({account}: an account with activity).
PAGES = {
    "overview": "/admin/",
    "audit": "/admin/audit",
    "accounts": "/admin/accounts?q=cfs",
    "account": "/admin/accounts/{account}",
    "new-account": "/admin/accounts/new",
    "import": "/admin/import",
    "users": "/admin/users",
    "alerts": "/admin/alerts",
}


@pytest.fixture(scope="module")
def admin_user(demo_db: str) -> str:
    engine = make_engine(demo_db)
    with session_factory(engine)() as session:
        if users.find_user(session, USERNAME) is None:
            users.create_user(session, USERNAME, "admin", PASSWORD, dt.datetime.now(dt.UTC))
            session.commit()
    engine.dispose()
    return USERNAME


def _sign_in(page: Page, base: str, username: str) -> None:
    page.goto(base + "/admin/login")
    assert Axe().run(page, options=AXE_OPTIONS).response["violations"] == []
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/admin/")


@pytest.mark.parametrize("kind", list(PAGES))
def test_admin_page_has_no_wcag_violations(
    page: Page, demo_site: str, cfs_account: int, admin_user: str, kind: str
) -> None:
    _sign_in(page, demo_site, admin_user)
    response = page.goto(demo_site + PAGES[kind].format(account=cfs_account))
    assert response is not None and response.status == 200, kind
    assert page.locator("main h1").count() == 1
    violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    assert not violations, f"admin {kind} page ({page.url}):\n{_report(violations)}"
