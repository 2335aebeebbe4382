"""The portal in a real browser: Debian's Chromium driven by Playwright over a loopback server.

These tests fail (not skip) when Chromium is missing, because `make test` installs it.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect, sync_playwright

from govsocial.settings import Settings
from govsocial.web.app import create_app

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
# Chromium's background services try to reach Google; this machine has no network, so keep them off.
FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def base_url(registry_db: str) -> Iterator[str]:
    port = _free_port()
    config = uvicorn.Config(create_app(Settings.load(database_url=registry_db)), host="127.0.0.1", port=port,
                            log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the portal did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def test_home_opens_in_traditional_chinese_and_search_works(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")
    assert page.url.endswith("/zh-hant/")
    assert page.locator("html").get_attribute("lang") == "zh-Hant-HK"
    search = page.locator("input[name=q]")
    search.fill("警務處")
    search.press("Enter")
    expect(page.locator("main")).to_contain_text("香港警務處")
    expect(page.locator("main")).not_to_contain_text("食物安全中心")


def test_language_switch_keeps_the_page(page: Page, base_url: str) -> None:
    page.goto(base_url + "/zh-hant/organisations/hk/cfs")
    page.locator("a[hreflang=en]").first.click()
    page.wait_for_url("**/en/organisations/hk/cfs")
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.locator("h1")).to_contain_text("Centre for Food Safety")


def test_verify_form(page: Page, base_url: str) -> None:
    page.goto(base_url + "/en/verify")
    page.locator("input[name=url]").fill("https://m.facebook.com/CFS.HK/?ref=share")
    page.locator("form[action$='verify'] button, form[action$='verify'] [type=submit]").first.click()
    expect(page.locator("main")).to_contain_text("Centre for Food Safety")
    expect(page.locator("main")).to_contain_text(re.compile(r"\bofficial\b", re.IGNORECASE))
    page.locator("input[name=url]").fill("https://t.me/hkfightcovid2020")
    page.locator("input[name=url]").press("Enter")
    expect(page.locator("main")).to_contain_text(re.compile("not in the registry", re.IGNORECASE))


def test_keyboard_reaches_the_skip_link_first(page: Page, base_url: str) -> None:
    page.goto(base_url + "/en/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#main"


def test_phone_width_has_no_horizontal_scroll(browser: Browser, base_url: str) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 800}, is_mobile=True)
    page = context.new_page()
    for path in ("/zh-hant/", "/en/organisations/hk/hk-hkpf", "/en/verify?url=fb.com/cfs.hk"):
        page.goto(base_url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, (path, width)
    context.close()
