"""The account and organisation charts in Chromium: visible, named, their tables readable, phone-sized.

The store is the registry plus two months of the demo dataset with the monthly metrics refreshed, so
every chart has a line to draw; the tests read what a reader gets: the figure on screen, the SVG's
accessible name and description, and the numbers behind the "Show the numbers as a table" disclosure.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(demo_site: str, cfs_account: int) -> tuple[str, int]:
    """The shared demo portal (two months, monthly metrics): (base URL, the CFS Facebook account's id)."""
    return demo_site, cfs_account


def test_chart_is_visible_with_an_accessible_name(page: Page, site: tuple[str, int]) -> None:
    base, account = site
    page.goto(f"{base}/en/accounts/{account}")
    figure = page.locator("#chart-posts")
    expect(figure).to_be_visible()
    svg = figure.locator("svg")
    expect(svg).to_be_visible()
    assert (svg.bounding_box() or {"height": 0})["height"] > 100
    # The SVG is one image to assistive technology, named by the visible summary; the summary itself
    # is hidden from it and the SVG has no <title> or <desc>, so each text is heard once.
    summary = figure.locator(".chart-summary").inner_text()
    assert summary.startswith("Post volume ")
    expect(figure.get_by_role("img", name=summary, exact=True)).to_have_count(1)
    expect(figure.get_by_role("img", name="Post volume, month by month")).to_have_count(0)
    expect(figure.get_by_text(summary, exact=True)).to_have_attribute("aria-hidden", "true")
    assert svg.evaluate("e => e.querySelector(':scope > title, desc') === null")  # marks keep tooltips


def test_data_table_opens_and_reads(page: Page, site: tuple[str, int]) -> None:
    base, account = site
    page.goto(f"{base}/en/accounts/{account}")
    figure = page.locator("#chart-posts")
    table = figure.locator("table")
    expect(table).to_be_hidden()  # closed until asked for
    figure.locator("summary").click()
    expect(table).to_be_visible()
    expect(table.locator("caption")).to_have_text("Post volume, month by month")
    headers = table.locator("thead th").all_inner_texts()
    assert headers == ["Month", "Post volume"]
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(2)
    months = rows.locator("th").all_inner_texts()
    assert months == sorted(months) and all(len(m) == 7 and m[4] == "-" for m in months)
    counts = rows.locator("td").all_inner_texts()
    assert all(c.replace(",", "").isdigit() for c in counts)
    # The marks carry the same numbers as the table.
    marks = figure.locator("circle title").all_text_contents()
    assert marks == [f"{m}: {c}" for m, c in zip(months, counts, strict=True)]


def test_keyboard_opens_the_table(page: Page, site: tuple[str, int]) -> None:
    base, account = site
    page.goto(f"{base}/en/accounts/{account}")
    summary = page.locator("#chart-reactions summary")
    summary.focus()
    page.keyboard.press("Enter")
    table = page.locator("#chart-reactions table")
    expect(table).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(7)  # the seven Facebook reaction types


@pytest.mark.parametrize("path", ["/en/accounts/{account}", "/zh-hant/organisations/hk/cfs"])
def test_phone_width_has_no_horizontal_scroll(browser: Browser, site: tuple[str, int], path: str) -> None:
    base, account = site
    context = browser.new_context(viewport={"width": 360, "height": 780}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(base + path.format(account=account))
    for summary in page.locator(".chart-data summary").all():
        summary.click()  # open every table too: they must fit as well
    svg = page.locator("#chart-posts svg")
    expect(svg).to_be_visible()
    box = svg.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()
