"""Fixtures of the browser tests: one Chromium per module, a fresh tab per test, and one demo
store served on loopback that every module reading activity shares (building it takes a while)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.live import chromium, portal
from tests.demo_store import account_id, demo_store


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Per module, not per session: Playwright's sync API keeps an event loop running in the main
    # thread while it is open, and later tests that call asyncio.run() (the collectors') would fail.
    with chromium() as instance:
        yield instance


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A desktop-sized tab that accepts downloads."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    yield context.new_page()
    context.close()


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The registry and two months of sample activity, with the monthly metrics refreshed."""
    return demo_store(tmp_path_factory.mktemp("browser-demo"), months=2, refresh=True)


@pytest.fixture(scope="session")
def demo_site(demo_db: str) -> Iterator[str]:
    """The portal over ``demo_db`` on loopback: its root URL."""
    with portal(demo_db) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def cfs_account(demo_db: str) -> int:
    """The id of the Centre for Food Safety's Facebook account, which has activity in the demo."""
    return account_id(demo_db)
