"""The hostile portal in Chromium: no payload runs and the Content-Security-Policy is never violated.

Every kind of page over the hostile store (``tests.security.hostile``) is loaded in Debian's
Chromium. A ``dialog`` (what ``alert`` opens) would mean a payload ran; a ``securitypolicyviolation``
event or a console message about the policy would mean the page needs something the policy forbids
(an inline style in an SVG chart, an inline script). A last test injects markup into a loaded page
to show that the policy would stop a payload that escaped, and that these listeners see it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Dialog, Page

from tests.browser.live import chromium, portal
from tests.security.hostile import Hostile, page_paths

pytestmark = pytest.mark.browser

#: Collects the page's policy violations where the test can read them (init scripts are not
#: subject to the page's policy).
LISTEN = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', e => {
  window.__violations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + (e.sample || ''));
});
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as instance:
        yield instance


@pytest.fixture(scope="module")
def site(hostile: Hostile) -> Iterator[str]:
    """The portal over the hostile store, on loopback."""
    with portal(hostile.url) as base_url:
        yield base_url


class Watch:
    """A tab with everything that would show a payload ran or the policy was broken, recorded."""

    def __init__(self, browser: Browser) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.context.add_init_script(LISTEN)
        self.page: Page = self.context.new_page()
        self.dialogs: list[str] = []
        self.console: list[str] = []
        self.errors: list[str] = []
        self.page.on("dialog", self._dialog)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            self.console.append(message.text)

    def violations(self) -> list[str]:
        """The policy violations the open page reported."""
        found: list[str] = self.page.evaluate("window.__violations || []")
        return found


@pytest.fixture
def watch(browser: Browser) -> Iterator[Watch]:
    tab = Watch(browser)
    yield tab
    tab.context.close()


@pytest.mark.parametrize("lang", ["en", "zh-hant"])
def test_no_payload_runs_and_no_page_breaks_the_policy(
    watch: Watch, site: str, hostile: Hostile, lang: str
) -> None:
    found = {}
    for path in page_paths(hostile, lang):
        watch.page.goto(site + path)
        watch.page.wait_for_load_state("load")
        seen = watch.dialogs + watch.console + watch.violations() + watch.errors
        if seen:
            found[path] = list(seen)
        for seen_list in (watch.dialogs, watch.console, watch.errors):
            seen_list.clear()
    assert found == {}


def test_the_charts_draw_without_breaking_the_policy(watch: Watch, site: str, hostile: Hostile) -> None:
    watch.page.goto(f"{site}/en/accounts/{hostile.account_id}")
    assert watch.page.locator("svg").count() > 0, "the account page has its charts"
    assert watch.violations() == [] and watch.console == []


def test_the_policy_stops_injected_markup_and_the_listeners_see_it(watch: Watch, site: str) -> None:
    watch.page.goto(f"{site}/en/")
    watch.page.evaluate(
        """() => document.body.insertAdjacentHTML('beforeend',
             '<img src="/static/none.png" onerror="alert(1)"><p style="color: red">styled</p>')"""
    )
    # The image's error fires once it failed to load; the handler is refused then.
    watch.page.wait_for_function("window.__violations.some(v => v.startsWith('script-src'))")
    assert watch.dialogs == []  # the handler was refused
    violations = watch.violations()
    assert any("script-src" in v for v in violations), violations
    assert any("style-src" in v for v in violations), violations
