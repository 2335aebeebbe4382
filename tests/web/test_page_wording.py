"""Small wording fixes: plurals, Chinese punctuation, and a timeline page past the last."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from govsocial.settings import Settings
from govsocial.web.app import create_app
from govsocial.web.pages.i18n import translations
from tests.demo_store import demo_store


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    url = demo_store(tmp_path_factory.mktemp("wording"), months=2, refresh=True)
    with TestClient(create_app(Settings.load(database_url=url))) as client:
        yield client


def test_comment_counts_are_plural_aware() -> None:
    english = translations("en")
    singular, plural = "%(count)s comment mentions it", "%(count)s comments mention it"
    assert english.ngettext(singular, plural, 1) % {"count": "1"} == "1 comment mentions it"
    assert english.ngettext(singular, plural, 2) % {"count": "2"} == "2 comments mention it"
    assert translations("zh-hant").ngettext(singular, plural, 1) % {"count": "1"} == "1 則留言提及"


def test_chinese_titles_and_labels_use_full_width_punctuation(demo: TestClient) -> None:
    hant = demo.get("/zh-hant/leaderboards").text
    title = re.search(r"<title>([^<]*)</title>", hant)
    assert title is not None and title.group(1).startswith("排行榜：") and "排行榜:" not in hant
    assert "<title>Leaderboards: " in demo.get("/en/leaderboards").text
    timeline = demo.get("/zh-hant/timeline").text
    assert '<span class="small">（示範數據）</span>' in timeline and "(示範數據)" not in timeline
    assert '<span class="small">(sample)</span>' in demo.get("/en/timeline").text


def test_a_page_past_the_last_is_not_found(demo: TestClient) -> None:
    first = demo.get("/en/timeline").text
    found = re.search(r"Page 1 of (\d+)", first)
    assert found is not None
    last = int(found.group(1))
    assert demo.get("/en/timeline", params={"page": last}).status_code == 200
    response = demo.get("/en/timeline", params={"page": 9999})
    assert response.status_code == 404 and "Page not found" in response.text
    assert "Page 9999 of" not in response.text
