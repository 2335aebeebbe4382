"""Downloads in a real browser: a reader clicks a file link on the open data page and gets the file.

Chromium saves what the server sends as an attachment; the test reads the saved file the way a
spreadsheet would (UTF-8 with its byte order mark) and checks its header and its row count against
the count the page shows.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page

from govsocial.store.open_data import DATASETS

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def base_url(demo_site: str) -> str:
    return demo_site


def _shown_count(page: Page, dataset: str) -> int:
    """The row count the page states for ``dataset`` ("1,234 rows")."""
    text = page.locator(f"section[aria-labelledby='{dataset}'] .dataset-count").inner_text()
    found = re.search(r"[\d,]+", text)
    assert found, text
    return int(found.group().replace(",", ""))


@pytest.mark.parametrize("dataset", ["organisations", "posts"])
def test_clicking_a_csv_link_downloads_the_whole_dataset(
    page: Page, base_url: str, tmp_path: Path, dataset: str
) -> None:
    page.goto(base_url + "/en/open-data")
    link = page.locator(f"section[aria-labelledby='{dataset}'] a[href$='/{dataset}.csv']")
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == f"govsocial-hk-{dataset}.csv"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    text = saved.read_bytes().decode("utf-8")
    assert text.startswith("\ufeff")
    header, *rows = list(csv.reader(io.StringIO(text[1:], newline="")))
    assert header == DATASETS[dataset].column_names
    assert len(rows) == _shown_count(page, dataset) > 0


def test_the_download_links_are_reachable_by_keyboard(page: Page, base_url: str) -> None:
    page.goto(base_url + "/en/open-data")
    link = page.locator("section[aria-labelledby='accounts'] a[href$='/accounts.parquet']")
    link.focus()
    assert (
        page.evaluate("document.activeElement.getAttribute('href')") == "/api/v1/downloads/accounts.parquet"
    )
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    assert info.value.suggested_filename == "govsocial-hk-accounts.parquet"
