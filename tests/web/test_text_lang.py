"""Text the portal shows but did not write carries its language (pages/text_lang.py), the crises
section names accounts like every other list, and numbers in input are ASCII digits only.

The pages are read over a small store built from code: an organisation with two Facebook accounts,
posts in Traditional Chinese, Simplified Chinese and English, a clarification, and a spike of each
account's comments.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from govsocial.settings import Settings
from govsocial.store import events
from govsocial.store import metric_queries as mq
from govsocial.store.db import session_factory
from govsocial.store.events import Detected, SyncScope
from govsocial.store.queries import MAX_ID, ascii_digits, parse_id
from govsocial.web.app import create_app
from govsocial.web.pages.i18n import LANGUAGES
from govsocial.web.pages.text_lang import guess, paragraphs, tag
from tests.analyze.store_rows import Store, hk

TRADITIONAL = "【澄清】網上流傳的訊息失實，請市民切勿轉發。"
SIMPLIFIED = "天气预报：明天会下雨，请带伞。"
ENGLISH = "Clarification: the message circulating online is false. https://www.gov.hk/x"
#: A bilingual post: each paragraph is tagged on its own, and a paragraph keeps its line break.
BILINGUAL_ZH = "天文台今日發出酷熱天氣警告，請市民注意防暑。"
BILINGUAL_EN = "The Observatory has issued the Very Hot Weather Warning.\nPlease take care."
BILINGUAL = f"{BILINGUAL_ZH}\n\n{BILINGUAL_EN}"
BOTH_SCRIPTS = "中文"  # characters both scripts write alike
EN, HANT, HANS = LANGUAGES["en"], LANGUAGES["zh-hant"], LANGUAGES["zh-hans"]


# --- the guess ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (TRADITIONAL, "zh-Hant"),
        (SIMPLIFIED, "zh-Hans"),
        (ENGLISH, "en"),
        (BOTH_SCRIPTS, "zh"),
        ("12345 🎉 https://www.gov.hk/long/english/words/in/a/link", None),
        ("", None),
        # Bilingual posts: the larger part decides (links never count).
        (TRADITIONAL + " Clarification: false.", "zh-Hant"),
        ("Visit the 香港 Museum of Art this weekend for free", "en"),
    ],
)
def test_guess(text: str, expected: str | None) -> None:
    assert guess(text) == expected


@pytest.mark.parametrize(
    ("text", "page", "expected"),
    [
        (TRADITIONAL, EN, "zh-Hant-HK"),
        (TRADITIONAL, HANT, None),
        (TRADITIONAL, HANS, "zh-Hant-HK"),
        (SIMPLIFIED, HANT, "zh-Hans"),
        (SIMPLIFIED, HANS, None),
        (ENGLISH, HANT, "en"),
        (ENGLISH, EN, None),
        (BOTH_SCRIPTS, EN, "zh-Hant-HK"),  # the configured content language
        (BOTH_SCRIPTS, HANS, None),  # read alike in either script: the page's own
    ],
)
def test_tag_marks_only_what_differs_from_the_page(text: str, page: object, expected: str | None) -> None:
    assert tag(text, page, "zh-Hant-HK") == expected  # type: ignore[arg-type]


def test_without_a_chinese_content_language_shared_characters_are_plain_chinese() -> None:
    assert tag(BOTH_SCRIPTS, EN, None) == "zh" and tag(TRADITIONAL, EN, None) == "zh-Hant"


# --- pages ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Site:
    client: TestClient
    first: int
    second: int


def _fill(engine: Engine) -> tuple[int, int]:
    with session_factory(engine)() as session, session.begin():
        store = Store(session)
        store.jurisdiction()
        org = store.organisation("dh")
        first, second = store.account("facebook", [org]), store.account("facebook", [org])
        when = hk(2026, 5, 1, 10)
        store.post(first, when - dt.timedelta(days=3), SIMPLIFIED)
        store.post(first, when - dt.timedelta(days=2), ENGLISH)
        store.post(first, when - dt.timedelta(days=1), BILINGUAL)
        clarify = store.post(second, when, TRADITIONAL, url="https://www.facebook.com/dh/posts/9")
        store.snapshot(clarify, when, likes=46)
    scope = SyncScope("hk", frozenset({"comment_volume"}), frozenset({"week"}), frozenset({first, second}))
    found = [
        Detected(first, "comment_volume", "week", "2026-W14", 412.0, 60.0, 7.75, 45.4, {"comments": 412}),
        Detected(second, "comment_volume", "week", "2026-W15", 300.0, 50.0, 7.0, 35.7, {"comments": 300}),
    ]
    with engine.begin() as connection:
        events.sync(connection, scope, found, dt.datetime(2026, 4, 20, tzinfo=dt.UTC))
    return first, second


@pytest.fixture
def site(sqlite_engine: Engine) -> Iterator[Site]:
    first, second = _fill(sqlite_engine)
    url = sqlite_engine.url.render_as_string(hide_password=False)
    with TestClient(create_app(Settings.load(database_url=url))) as client:
        yield Site(client, first, second)


def _post_texts(html: str) -> dict[str, str | None]:
    """Each post text on a page, with its ``lang`` (None: the page's)."""
    found = re.findall(r'<p class="post-text"(?: lang="([^"]+)")?>([^<]*)</p>', html)
    return {text: lang or None for lang, text in found}


def test_post_texts_say_their_language_on_every_page(site: Site) -> None:
    english = _post_texts(site.client.get("/en/organisations/hk/dh").text)
    assert english[TRADITIONAL] == "zh-Hant-HK" and english[SIMPLIFIED] == "zh-Hans"
    assert english[ENGLISH] is None
    simplified = _post_texts(site.client.get("/zh-hans/organisations/hk/dh").text)
    assert simplified[TRADITIONAL] == "zh-Hant-HK" and simplified[SIMPLIFIED] is None
    assert simplified[ENGLISH] == "en"
    traditional = _post_texts(site.client.get("/zh-hant/timeline").text)
    assert traditional[TRADITIONAL] is None and traditional[SIMPLIFIED] == "zh-Hans"


def _paragraphs(html: str) -> list[list[tuple[str, str]]]:
    """The posts of several paragraphs on a page: each paragraph's ``lang`` ("" for the page's) and text."""
    blocks = re.findall(r'<div class="post-text">(.*?)</div>', html, flags=re.S)
    return [re.findall(r'<p(?: lang="([^"]+)")?>([^<]*)</p>', block) for block in blocks]


@pytest.mark.parametrize("path", ["/en/organisations/hk/dh", "/en/timeline", "/zh-hant/timeline"])
def test_each_paragraph_of_a_bilingual_post_says_its_language(site: Site, path: str) -> None:
    posts = _paragraphs(site.client.get(path).text)
    assert len(posts) == 1 and BILINGUAL not in _post_texts(site.client.get(path).text)
    if path.startswith("/en"):
        assert posts[0] == [("zh-Hant-HK", BILINGUAL_ZH), ("", BILINGUAL_EN)]
    else:
        assert posts[0] == [("", BILINGUAL_ZH), ("en", BILINGUAL_EN)]


def test_an_account_page_tags_each_paragraph(site: Site) -> None:
    posts = _paragraphs(site.client.get(f"/en/accounts/{site.first}").text)
    assert posts == [[("zh-Hant-HK", BILINGUAL_ZH), ("", BILINGUAL_EN)]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (BILINGUAL, [BILINGUAL_ZH, BILINGUAL_EN]),
        ("one\ntwo", ["one\ntwo"]),
        ("\n a \n \t\n\n b\n", [" a ", "b"]),
        ("", []),
    ],
)
def test_paragraphs_are_cut_at_blank_lines(text: str, expected: list[str]) -> None:
    assert paragraphs(text) == expected


def test_clarification_keywords_say_their_language(site: Site) -> None:
    html = site.client.get(f"/en/accounts/{site.second}").text
    assert 'Keywords: <span lang="zh-Hant-HK">澄清</span>, <span lang="zh-Hant-HK">失實</span>' in html
    chinese = site.client.get(f"/zh-hant/accounts/{site.second}").text
    assert '<span lang="zh-Hant-HK">澄清</span>' not in chinese and "<span>澄清</span>" in chinese


def test_crises_rows_name_accounts_with_their_platform_and_a_link(site: Site) -> None:
    html = site.client.get("/en/organisations/hk/dh").text
    section = html[html.index('aria-labelledby="crises-heading"') :]
    for account in (site.first, site.second):
        assert f'alt="facebook" width="20" height="20"><a href="/en/accounts/{account}">' in section
    assert not re.search(r"<td>facebook facebook-\d+</td>", section)  # the raw "platform handle" of before


# --- ASCII digits ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["²", "５", "３", "٣", "1²", "", " 1", "1.0", "-1"])
def test_only_ascii_digits_are_digits(text: str) -> None:
    assert not ascii_digits(text) and parse_id(text) is None


def test_ids_are_bounded_like_the_columns() -> None:
    assert parse_id("007") == 7 and parse_id(str(MAX_ID)) == MAX_ID
    assert parse_id(str(MAX_ID + 1)) is None and parse_id("0") is None and parse_id("9" * 40) is None


@pytest.mark.parametrize(
    ("label", "kind"),
    [
        ("2026-10-01", "day"),
        ("2026-W40", "week"),
        ("2026-10", "month"),
        ("2026", "year"),
        ("2026-W53", "week"),  # 2026 begins on a Thursday: it has 53 ISO weeks
        ("2027-W53", None),  # 2027 has 52
        ("2026-W00", None),
        ("2026-13", None),
        ("2026-02-30", None),
        ("２０２６", None),
        ("2026-1", None),
        ("garbage", None),
    ],
)
def test_period_labels_say_their_kind(label: str, kind: str | None) -> None:
    assert mq.label_kind(label) == kind


def test_a_full_width_account_entity_is_not_account_3(site: Site, sqlite_engine: Engine) -> None:
    with session_factory(sqlite_engine)() as session:
        assert mq.entity_known(session, "account", str(site.first))
        assert not mq.entity_known(session, "account", chr(0xFF10 + site.first))  # full-width digit
        assert not mq.entity_known(session, "account", "99999999999999999999")


def test_an_account_page_of_a_huge_id_is_a_404_page(site: Site) -> None:
    for text in ("999999999999", "３", "²"):
        answer = site.client.get(f"/en/accounts/{text}")
        assert answer.status_code == 404 and answer.headers["content-type"].startswith("text/html")


def test_survey_ratings_that_are_not_ascii_numbers_are_refused_not_a_500(site: Site) -> None:
    client = site.client
    form = client.get("/en/survey")
    start = re.search(r'name="start" value="([^"]+)"', form.text)
    assert start is not None
    for rating in ("²", "５", "9" * 5000):
        answer = client.post(
            "/en/survey", data={"start": start.group(1), "explaining_policy": rating}, follow_redirects=False
        )
        assert answer.status_code == 400 and "Some answers are not among the choices" in answer.text, rating


def test_a_survey_start_that_is_not_ascii_is_refused_not_a_500(site: Site) -> None:
    site.client.get("/en/survey")  # the browser's cookie
    for start in ("1.é", "².abc", "１.abc"):
        answer = site.client.post("/en/survey", data={"start": start, "explaining_policy": "5"})
        assert answer.status_code == 400 and "This form is out of date" in answer.text, start
