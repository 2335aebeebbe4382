"""Pages with a search or filters say which in their title, and name them when nothing matches.

A screen reader announces the ``<title>`` first and the browser's history lists it, so a search's
page says the search and how many it found; an empty result names the search that emptied it and
offers a link that clears it (docs/portal.md, "Searches and filters").
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient


def title(page: str) -> str:
    found = re.search(r"<title>(.*?)</title>", page, re.S)
    assert found, "no <title>"
    return found[1]


def test_the_directory_title_says_the_search_and_its_count(client: TestClient) -> None:
    page = client.get("/en/", params={"q": "police"}).text
    count = int(re.search(r"(\d+) organisations? found\.", page)[1])  # type: ignore[index]
    noun = "organisation" if count == 1 else "organisations"
    expected = f"Search: “police” — {count} {noun} — Directory · Government social media directory"
    assert title(page) == expected
    assert title(client.get("/en/").text) == "Directory · Government social media directory"


@pytest.mark.parametrize(
    ("lang", "named", "clear"),
    [
        ("en", "No organisation matches the search: “zzqx&lt;b&gt;”, Weibo, Dormant.", "Clear the search"),
        ("zh-hant", "沒有機構符合搜尋條件：「zzqx&lt;b&gt;」、微博、休眠。", "清除搜尋條件"),
        ("zh-hans", "没有机构符合搜索条件：“zzqx&lt;b&gt;”、微博、休眠。", "清除搜索条件"),
    ],
)
def test_an_empty_directory_search_names_it_and_clears_it(
    client: TestClient, lang: str, named: str, clear: str
) -> None:
    params = {"q": "zzqx<b>", "platform": "weibo", "activity": "dormant"}
    page = client.get(f"/{lang}/", params=params).text
    assert f'<p class="empty-filter">{named} <a href="/{lang}/">{clear}</a></p>' in page
    assert "zzqx<b>" not in page  # the query is escaped, in the title too
    assert "0" in title(page) and "zzqx&lt;b&gt;" in title(page)


def test_a_directory_with_results_has_no_empty_state(client: TestClient) -> None:
    assert "empty-filter" not in client.get("/en/", params={"q": "police"}).text


@pytest.mark.parametrize(
    ("lang", "named", "clear", "heading"),
    [
        ("en", "Weibo, Hong Kong Police Force", "Clear the filters", "0 posts — Government timeline"),
        ("zh-hant", "微博、香港警務處", "清除篩選條件", "0 則帖文 — 政府動態"),
        ("zh-hans", "微博、香港警务处", "清除筛选条件", "0 条帖子 — 政府动态"),
    ],
)
def test_an_empty_timeline_names_its_filters(
    client: TestClient, lang: str, named: str, clear: str, heading: str
) -> None:
    page = client.get(f"/{lang}/timeline", params={"platform": "weibo", "organisation": "hk-hkpf"}).text
    message = {
        "en": f"No posts match the filters: {named}.",
        "zh-hant": f"沒有帖文符合篩選條件：{named}。",
        "zh-hans": f"没有帖子符合筛选条件：{named}。",
    }[lang]
    assert f'<p class="empty-filter">{message} <a href="/{lang}/timeline">{clear}</a></p>' in page
    assert title(page).startswith(f"{named} — {heading} · ")


def test_the_unfiltered_timeline_keeps_its_title(client: TestClient) -> None:
    page = client.get("/en/timeline").text
    assert title(page) == "Government timeline · Government social media directory"
    assert "empty-filter" not in page


def test_a_filtered_leaderboard_names_its_filters(client: TestClient) -> None:
    params = {"level": "account", "platform": "weibo", "type": "department"}
    page = client.get("/en/leaderboards", params=params).text
    assert "Nothing to rank matches the filters: Weibo, Department." in page
    clear = re.search(r'<p class="empty-filter">[^<]*<a href="([^"]+)">Clear the filters</a>', page)
    assert clear and "platform=" not in clear[1] and "type=" not in clear[1] and "level=account" in clear[1]
    assert title(page).endswith(" — Weibo, Department — 0 ranked · Government social media directory")
    # Unfiltered, an empty board is one with nothing computed yet, and says so.
    plain = client.get("/en/leaderboards").text
    assert "empty-filter" not in plain and "Nothing to rank yet" in plain
