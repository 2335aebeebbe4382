"""Pages with activity: the account page and the organisation page's recent posts, over sample data.

The shared ``client`` fixture has the registry only, so this module builds its own store once: the
bundled registry plus three months of the demo dataset, imported as ``make demo`` imports it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from govsocial.settings import Settings
from govsocial.web.app import create_app
from tests.demo_store import account_id, demo_store
from tests.web.test_pages import html_lang, main_text, scan

LABELS = {
    "en": "Sample data — generated for the demo, not real activity",
    "zh-hant": "示範數據：為展示而生成，並非真實活動",
    "zh-hans": "示范数据：为展示而生成，并非真实活动",
}
HTML_LANG = {"en": "en", "zh-hant": "zh-Hant-HK", "zh-hans": "zh-Hans"}
RECENT = {"en": "Recent posts", "zh-hant": "最新帖文", "zh-hans": "最新帖子"}


@pytest.fixture(scope="session")
def activity_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite store with the registry and sample activity (three months to 2026-09-30)."""
    return demo_store(tmp_path_factory.mktemp("activity"), months=3)


@pytest.fixture(scope="module")
def activity_client(activity_db: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings.load(database_url=activity_db))) as client:
        yield client


@pytest.mark.parametrize("lang", ["en", "zh-hant", "zh-hans"])
def test_account_page_shows_posts_and_the_sample_label(
    activity_client: TestClient, activity_db: str, lang: str
) -> None:
    cfs = account_id(activity_db, "facebook", "cfs.hk")
    response = activity_client.get(f"/{lang}/accounts/{cfs}")
    assert response.status_code == 200
    scan(response)
    assert html_lang(response) == HTML_LANG[lang]
    main = main_text(response)
    # Every section of activity (weekly table, recent posts, comments and the opinion sections that
    # have something to show) says that it is sample data.
    sections = main.split("<section")[1:]
    assert len(sections) >= 3 and all(LABELS[lang] in section for section in sections)
    assert RECENT[lang] in main
    assert re.search(r"<h1>[^<]*(Centre for Food Safety|食物安全中心)", main)
    start = main.index('class="posts-table"')
    posts = main[start : main.index("</table>", start)]
    assert posts.count("<tr>") == 11  # the header row and the ten newest posts
    assert re.search(r'href="https://www\.facebook\.com/cfs\.hk/posts/\d+" rel="noopener external"', posts)


def test_account_page_tables(activity_client: TestClient, activity_db: str) -> None:
    cfs = account_id(activity_db, "facebook", "cfs.hk")
    main = main_text(activity_client.get(f"/en/accounts/{cfs}"))
    weeks = main[main.index('class="weeks-table"') : main.index("</table>")]
    assert "<caption>Posts and followers in each of the last 12 weeks</caption>" in weeks
    assert len(re.findall(r'<th scope="row"><time datetime="\d{4}-\d{2}-\d{2}">', weeks)) == 12
    assert re.search(r'<td class="num"[^>]*>\d{2},\d{3}</td>', weeks)  # followers at the end of a week
    assert re.search(r'<td class="num"[^>]*>\+\d+</td>', weeks)  # and the change
    # On a phone the table is a stack of cards without its header row: each figure names itself.
    assert 'data-label="Followers at the end of the week"' in weeks and 'data-label="Change"' in weeks
    assert 'datetime="2026-09-28"' in weeks  # the last week is the week of the data's last day
    assert "Reactions <strong>" in main and "Comments <strong>" in main and "Shares <strong>" in main
    assert re.search(r"Like [\d,]+ · Love", main)  # Facebook's reactions by type
    assert "+08:00" in main  # times in Hong Kong time
    comments = main[main.index('id="comments-heading"') :]
    figures = re.findall(r"<dd>([\d,]+)</dd>", comments)
    assert len(figures) == 2 and int(figures[0].replace(",", "")) > 0


def test_only_official_accounts_link_to_the_original_posts(
    activity_client: TestClient, activity_db: str
) -> None:
    review = account_id(activity_db, "youtube", "UC67ZoAyxc5C_DebyxveemLQ")  # under review
    main = main_text(activity_client.get(f"/en/accounts/{review}"))
    assert "Under review" in main and "Recent posts" in main and LABELS["en"] in main
    assert "youtube.com/watch" not in main and "View on YouTube" not in main
    official = account_id(activity_db, "youtube", "UC7RQjGU3P6fPKoe74Vw2uXg")
    assert "View on YouTube" in activity_client.get(f"/en/accounts/{official}").text


def test_account_without_activity(activity_client: TestClient, activity_db: str) -> None:
    archived = account_id(activity_db, "facebook", "carrielam.hksar")
    response = activity_client.get(f"/en/accounts/{archived}")
    assert response.status_code == 200
    scan(response)
    main = main_text(response)
    assert "No activity has been collected for this account yet." in main
    assert LABELS["en"] not in main and "Archived" in main
    assert 'href="https://www.facebook.com/carrielam.hksar"' not in main  # still never a link
    assert 'href="/en/organisations/hk/post-ce"' in main  # its owner


def test_account_page_in_the_shared_registry_store(client: TestClient) -> None:
    response = client.get("/zh-hant/accounts/1")
    assert response.status_code == 200
    scan(response)
    assert "尚未收集此帳戶的活動資料。" in response.text


@pytest.mark.parametrize("path", ["/en/accounts/999999", "/zh-hant/accounts/abc", "/en/accounts/-1"])
def test_unknown_account_is_an_html_404(activity_client: TestClient, path: str) -> None:
    response = activity_client.get(path)
    assert response.status_code == 404
    scan(response)
    assert html_lang(response) == HTML_LANG[path.split("/")[1]]


@pytest.mark.parametrize("lang", ["en", "zh-hant", "zh-hans"])
def test_organisation_page_recent_posts(activity_client: TestClient, activity_db: str, lang: str) -> None:
    response = activity_client.get(f"/{lang}/organisations/hk/hk-hkpf")
    scan(response)
    main = main_text(response)
    section = main[main.index('id="recent-heading"') :]
    section = section[: section.index("</section>")]
    assert RECENT[lang] in section and LABELS[lang] in section
    assert section.count("<tr>") == 11
    ids = {int(n) for n in re.findall(rf'href="/{lang}/accounts/(\d+)"', section)}
    assert len(ids) >= 2  # posts of several of the police's accounts, each linking its account page
    assert 'rel="noopener external"' in section


def test_account_rows_link_to_the_account_page(activity_client: TestClient, activity_db: str) -> None:
    cfs = account_id(activity_db, "facebook", "cfs.hk")
    for path in ("/en/organisations/hk/cfs", "/en/?q=cfs.hk"):
        text = main_text(activity_client.get(path))
        assert f'<a class="account-page" href="/en/accounts/{cfs}">Details and activity' in text, path


def test_organisation_without_posts_has_no_recent_posts(client: TestClient) -> None:
    text = main_text(client.get("/en/organisations/hk/cfs"))
    assert "Recent posts" not in text and LABELS["en"] not in text
    assert 'class="account-page"' in text


def test_activity_on_each_backend(database_url: str, tmp_path: Path) -> None:
    """The same import and pages on SQLite and PostgreSQL (one month of sample data)."""
    demo_store(tmp_path, months=1, url=database_url)
    cfs = account_id(database_url, "facebook", "cfs.hk")
    with TestClient(create_app(Settings.load(database_url=database_url))) as client:
        main = main_text(client.get(f"/en/accounts/{cfs}"))
        sections = main.split("<section")[1:]
        assert len(sections) >= 3 and all(LABELS["en"] in section for section in sections)
        assert 'datetime="2026-09-28"' in main and "View on Facebook" in main
        organisation = main_text(client.get("/en/organisations/hk/cfs"))
        assert "Recent posts" in organisation and f'href="/en/accounts/{cfs}"' in organisation
