"""The citizen survey end to end in Chromium: the form gives the browser its token cookie, a person
answers and sends it, and the results page shows the response beside the 2020 baseline; sending
again from the same browser replaces the answers instead of adding a response. The demo store has
no responses, and answers are published only in batches of ``MIN_GROUP`` new or changed ones, so the
test first stores the others (waiting) whose batch the person's answer completes and releases."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]  # ships no py.typed
from playwright.sync_api import Page, expect

from govsocial.analyze.survey import MIN_GROUP
from govsocial.store import survey as survey_store
from govsocial.store.db import make_engine, session_factory
from govsocial.web.pages import survey as survey_page
from tests.browser.test_accessibility import AXE_OPTIONS, _report

pytestmark = pytest.mark.browser

#: A person takes longer than the form's minimum to answer; the test waits that long, not for timing.
READING_MS = (survey_page.MIN_SECONDS + 1) * 1000


def respondents(page: Page) -> int:
    text = page.locator("#survey-respondents").inner_text()
    found = re.search(r"\d+", text)
    assert found is not None, text
    return int(found.group())


def others(database_url: str, count: int) -> None:
    """Store ``count`` responses of other browsers."""
    engine = make_engine(database_url)
    with session_factory(engine)() as session:
        for i in range(count):
            answers = survey_store.Answers(ratings={"explaining_policy": 5}, age_band="20-24")
            survey_store.save(session, f"other-browser-{i}", answers, dt.date.today())
        session.commit()
    engine.dispose()


def test_survey_end_to_end(page: Page, demo_site: str, demo_db: str) -> None:
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(demo_site + "/en/survey/results")
    seeded = max(0, MIN_GROUP - 1 - respondents(page))
    others(demo_db, seeded)
    page.reload()
    before = respondents(page)

    page.goto(demo_site + "/en/survey")
    cookies = {c["name"]: c for c in page.context.cookies()}
    token = cookies[survey_page.COOKIE]
    assert token["httpOnly"] and token["sameSite"] == "Lax"
    page.get_by_label("Explaining policy").select_option("3")
    page.get_by_label("Understanding public sentiment").select_option("dont_know")
    page.get_by_label("Shares or reposts by friends").check()
    page.get_by_label("Reacting with emoji to express feelings").select_option("sometimes")
    page.get_by_label("Getting a response").check()
    page.get_by_label("Whether my personal privacy is protected").check()
    page.get_by_label("Age band").select_option("20-24")
    page.wait_for_timeout(READING_MS)
    page.get_by_role("button", name="Send my answers").click()

    # The seeded responses wait: this one completes their batch, and its sender is told so.
    expect(page).to_have_url(re.compile(r"/en/survey/results\?thanks=2$"))
    expect(page.locator("#survey-thanks")).to_contain_text("They completed a batch")
    assert respondents(page) == before + 1
    expect(page.locator("#survey-batches")).to_contain_text("Last updated on")
    expect(page.locator("#chart-survey svg")).to_be_visible()
    row = page.locator(".survey-table tr", has_text="Explaining policy").first
    expect(row).to_contain_text("2.35")  # the 2020 baseline beside this survey's mean
    # The share questions' charts: drawn now that there is an answer, a diamond for each 2020 share,
    # and WCAG 2.1 AA with the bars, whiskers and diamonds on the page (the accessibility test may see
    # the results before anyone has answered).
    for question in survey_page.SHARE_QUESTIONS:
        expect(page.locator(f"#chart-survey-{question} svg")).to_be_visible()
    expect(page.locator("#chart-survey-channels .chart-reference")).to_have_count(9)
    failures = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    assert not failures, _report(failures)

    # The same browser again: the form says so, and sending replaces rather than adds.
    page.goto(demo_site + "/en/survey")
    expect(page.locator("#survey-answered")).to_be_visible()
    page.get_by_label("Explaining policy").select_option("7")
    page.wait_for_timeout(READING_MS)
    page.get_by_role("button", name="Send my answers").click()
    expect(page.locator("#survey-thanks")).to_be_visible()
    assert respondents(page) == before + 1
    assert not violations, violations
