"""WCAG 2.1 AA checks of every page type with axe-core, in Chromium, at desktop and phone width.

axe-core comes bundled in ``axe-playwright-python`` (nothing is downloaded at run time). The store is
the registry plus one month of the demo dataset with the metrics refreshed, so the account and
organisation pages show activity and the opinion sections (sentiment, topics, crises).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]  # ships no py.typed
from playwright.sync_api import Browser, Page, ViewportSize

from govsocial.store import events
from govsocial.store.db import make_engine
from govsocial.store.events import Detected, SyncScope
from tests.demo_store import account_id

pytestmark = pytest.mark.browser

VIEWPORTS: dict[str, ViewportSize] = {
    "desktop": {"width": 1280, "height": 900},
    "phone": {"width": 375, "height": 812},
}
LANGS = ["zh-hant", "en"]
# WCAG 2.0 and 2.1, levels A and AA: the rules the issue asks for (no "best-practice" or AAA rules).
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
# One page of each type; {account} is the sample account with activity and opinion sections.
PAGES = {
    "directory": "/{lang}/?q=警務處&platform=facebook&type=department",
    # A search that finds nothing: the empty state names it and links to clear it.
    "directory-empty": "/{lang}/?q=zzqx&platform=weibo",
    "organisation": "/{lang}/organisations/hk/cfs",
    "account": "/{lang}/accounts/{account}",
    "verify": "/{lang}/verify?url=https://m.facebook.com/CFS.HK/",
    "api": "/{lang}/api",
    "open-data": "/{lang}/open-data",
    "timeline": "/{lang}/timeline?platform=facebook",
    "timeline-empty": "/{lang}/timeline?platform=weibo&organisation=cfs",
    "how-we-measure": "/{lang}/how-we-measure",
    "leaderboards": "/{lang}/leaderboards?level=account&metric=response_time_median",
    "compare": "/{lang}/compare?org=cfs&org=hk-hkpf&org=chp",
    "not-found": "/{lang}/organisations/hk/no-such-organisation",
    "survey": "/{lang}/survey",
    "survey-results": "/{lang}/survey/results",
}
# What each page must show for the check to mean something (a filtered search with results, the opinion
# sections filled, a verdict): axe only judges what is rendered.
SHOWN = {
    "directory": [".org-card"],
    "directory-empty": [".empty-filter a"],
    "organisation": ["#recent-heading", "#sentiment-heading", "#scorecard-heading", "#chart-posts svg"],
    "account": [
        "#weeks-heading",
        "#scorecard-heading",
        "#chart-posts svg",
        "#chart-reactions svg",
        "#sentiment-heading",
        "#topics-heading",
        "#crises-heading",
        ".crises-events",
    ],
    "verify": ["#verdict-heading"],
    "api": [".api-table"],
    "open-data": [".download-links", ".columns-table"],
    "timeline": [".posts-table"],
    "timeline-empty": [".empty-filter a"],
    "how-we-measure": ["#interaction_rate_post h3", ".measure-facts code"],
    "leaderboards": [".board-table", ".board-who .platform-icon", "#chart-board svg"],
    "compare": [".compare-table", ".best-mark"],
    "not-found": ["main h1"],
    "survey": [".survey-form fieldset", ".survey-trap"],
    "survey-results": [".survey-table", "#chart-survey"],
}


def _account_with_event(url: str) -> int:
    """The Centre for Food Safety's Facebook account, given a comment spike so the crises table shows.

    Written directly, so the crises table shows whatever the detector makes of a short demo dataset.
    """
    account = account_id(url)
    engine = make_engine(url)
    scope = SyncScope("hk", frozenset({"comment_volume"}), frozenset({"week"}), frozenset({account}))
    found = [
        Detected(account, "comment_volume", "week", "2026-W38", 412.0, 60.0, 7.75, 45.4, {"comments": 412})
    ]
    with engine.begin() as connection:
        events.sync(connection, scope, found, dt.datetime(2026, 9, 30, tzinfo=dt.UTC))
    engine.dispose()
    return account


@pytest.fixture(scope="module")
def site(demo_db: str, demo_site: str) -> tuple[str, int]:
    """The shared demo portal, with a comment spike on one account: (base URL, account id)."""
    return demo_site, _account_with_event(demo_db)


@pytest.fixture(scope="module", params=list(VIEWPORTS))
def page(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:
    """One tab per viewport, reused by every page check at that width."""
    phone = request.param == "phone"
    context = browser.new_context(viewport=VIEWPORTS[request.param], is_mobile=phone, has_touch=phone)
    yield context.new_page()
    context.close()


def _report(violations: list[dict[str, Any]]) -> str:
    """One readable line per violation, then the elements it concerns."""
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} — {v['helpUrl']}")
        lines.extend(f"    {', '.join(map(str, node['target']))}" for node in v["nodes"])
    return "\n".join(lines)


def test_axe_reports_violations_readably(page: Page) -> None:
    """The harness itself: a page with a nameless image and an unlabelled field fails, with the details."""
    page.set_content('<html lang="en"><title>t</title><main><img src="x.png"><input name="q"></main></html>')
    violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    report = _report(violations)
    assert {"image-alt", "label"} <= {v["id"] for v in violations}, report
    assert "image-alt (critical)" in report and "https://dequeuniversity.com/rules/axe/" in report
    assert "    img" in report


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", list(PAGES))
def test_page_has_no_wcag_violations(page: Page, site: tuple[str, int], kind: str, lang: str) -> None:
    base, account = site
    response = page.goto(base + PAGES[kind].format(lang=lang, account=account))
    assert response is not None
    assert response.status == (404 if kind == "not-found" else 200)
    for selector in SHOWN[kind]:
        assert page.locator(selector).count() > 0, (kind, lang, selector)
    results = Axe().run(page, options=AXE_OPTIONS)
    violations = results.response["violations"]
    assert not violations, f"{kind} page ({lang}, {page.url}):\n{_report(violations)}"


@pytest.mark.parametrize("lang", LANGS)
def test_skip_link_is_reached_first_and_moves_focus_to_main(
    page: Page, site: tuple[str, int], lang: str
) -> None:
    base, account = site
    page.goto(base + f"/{lang}/accounts/{account}")
    page.keyboard.press("Tab")
    skip = page.evaluate(
        "() => { const e = document.activeElement; const r = e.getBoundingClientRect();"
        " return {href: e.getAttribute('href'), top: r.top, bottom: r.bottom, width: r.width}; }"
    )
    assert skip["href"] == "#main"
    # A focused skip link must be seen (WCAG 2.4.7): on screen, not clipped to nothing.
    viewport = page.viewport_size
    assert viewport is not None
    assert skip["top"] >= 0 and skip["bottom"] <= viewport["height"] and skip["width"] > 1
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # The next Tab continues inside the main content, not back at the header.
    page.keyboard.press("Tab")
    assert page.evaluate("document.getElementById('main').contains(document.activeElement)")
