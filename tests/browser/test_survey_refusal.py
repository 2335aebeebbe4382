"""A survey form refused for its channels, in a real browser: the answers are still chosen, the
channels question is invalid and described by the message, and axe finds nothing wrong."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]  # ships no py.typed
from playwright.sync_api import Page, expect

from tests.browser.test_accessibility import AXE_OPTIONS, _report
from tests.browser.test_survey import READING_MS

pytestmark = pytest.mark.browser


def test_too_many_channels_keeps_the_answers_and_points_at_the_question(page: Page, demo_site: str) -> None:
    page.goto(demo_site + "/en/survey")
    page.get_by_label("Explaining policy").select_option("3")
    page.get_by_label("Understanding public sentiment").select_option("dont_know")
    for box in page.locator('input[name="channels"]:not([value="none"])').all()[:4]:
        box.check()
    page.wait_for_timeout(READING_MS)
    page.get_by_role("button", name="Send my answers").click()

    expect(page.get_by_role("alert")).to_contain_text("Choose at most 3 channels")
    question = page.locator("#channels-question")
    expect(question).to_have_attribute("aria-invalid", "true")
    expect(question).to_have_accessible_description(re.compile("Choose at most 3 channels"))
    assert page.locator('input[name="channels"]:checked').count() == 4
    expect(page.get_by_label("Explaining policy")).to_have_value("3")
    expect(page.get_by_label("Understanding public sentiment")).to_have_value("dont_know")
    violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    assert not violations, _report(violations)
