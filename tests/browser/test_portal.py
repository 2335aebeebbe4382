"""The portal in a real browser: Debian's Chromium driven by Playwright over a loopback server.

These tests fail (not skip) when Chromium is missing, because `make test` installs it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.live import portal

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def base_url(registry_db: str) -> Iterator[str]:
    with portal(registry_db) as url:
        yield url


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
