"""What a reader meets in each language: each Chinese script's own words, and the language of the
words the portal shows but did not write (docs/portal.md, "Language of text the portal did not
write").

The word checks read the catalogues (and the report's own word table), not rendered pages, so that
post texts and registry notes, which are in whatever language their authors wrote, cannot make them
pass or fail.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from babel.messages.catalog import Catalog
from fastapi.testclient import TestClient

from govsocial.analyze import survey as analysis
from govsocial.report.render import WORDS
from govsocial.settings import Settings
from govsocial.web.app import create_app
from govsocial.web.pages.i18n import derive_simplified, read_catalogue, translations
from govsocial.web.pages.survey import STUDY_PUBLISHER, STUDY_TITLE
from tests.demo_store import demo_store

#: Words a Hong Kong reader should not meet in Traditional Chinese, with the word to use instead:
#: the government's own terms, one word for one thing across the portal and its reports, and
#: Hong Kong rather than mainland or Taiwan usage.
NOT_TRADITIONAL = {
    "政策局": "決策局",
    "登記冊": "名冊",
    "名錄": "目錄",
    "表情反應": "心情反應",
    "評分表": "計分卡",
    "發佈": "發布",
    "您": "你",
    "信息": "資訊",
    "在線": "網上",
    "軟體": "軟件",
    "視頻": "影片",
    "帖子": "帖文",
    "點贊": "讚好",
    "默認": "預設",
}
#: Hong Kong words that OpenCC's conversion carries into Simplified Chinese, with the mainland word
#: the Simplified catalogue writes instead.
NOT_SIMPLIFIED = {
    "帖文": "帖子",
    "留言": "评论",
    "追踪者": "粉丝",
    "赞好": "点赞",
    "专页": "主页",
    "影片": "视频",
    "资讯": "信息",
    "程式": "程序",
    "档案": "文件",
    "连结": "链接",
    "预设": "默认",
    "透过": "通过",
    "毋须": "无须",
    "甚么": "什么",
    "私隐": "隐私",
    "「": "“",
    "」": "”",
    # OpenCC turns 帳 into 帐 (a curtain); an account is 账 on the mainland.
    "帐户": "账户",
    "帐号": "账号",
}
#: The 2020 study's questions and answers keep its Cantonese wording (in both scripts), so that the
#: answers compare with the study's.
STUDY_WORDING = re.compile(r"嘅|(?<!影)響|邊啲|係乜|睇")


def strings(catalog: Catalog) -> Iterator[tuple[str, str]]:
    """Every translation of ``catalog`` (each plural form), with its message id."""
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        forms = message.string if isinstance(message.string, tuple | list) else (message.string,)
        for form in forms:
            yield key, form


def test_traditional_chinese_uses_hong_kong_words() -> None:
    texts = [*strings(read_catalogue("zh_Hant")), *WORDS.items()]
    found = [
        f"{word} (write {better}) in {key!r}: {text}"
        for key, text in texts
        for word, better in NOT_TRADITIONAL.items()
        if word in text
    ]
    assert not found, "\n".join(found)


def test_simplified_chinese_uses_mainland_words() -> None:
    traditional = read_catalogue("zh_Hant")
    simplified = derive_simplified(read_catalogue("zh_Hans"), traditional)
    study = {key for key, text in strings(traditional) if STUDY_WORDING.search(text)}
    found = [
        f"{word} (write {better}) in {key!r}: {text}"
        for key, text in strings(simplified)
        if key not in study
        for word, better in NOT_SIMPLIFIED.items()
        if word in text
    ]
    assert not found, "\n".join(found)


def test_the_report_names_the_portal_page_as_the_portal_does() -> None:
    title = translations("zh-hant").gettext("How we measure")
    footer = WORDS[
        "Figures are computed from public data with this portal's metric parameters ({params}); "
        "see How we measure on the portal."
    ]
    assert f"「{title}」" in footer


def test_the_technical_message_of_a_failed_check_is_english_and_folded(client: TestClient) -> None:
    english = client.get("/en/verify", params={"url": "not a url"})
    assert english.status_code == 400
    section = english.text.split('class="verdict verdict-error"', 1)[1]
    message = re.findall(r"<p>([^<]+)</p>", section)[0]
    assert "not the address" in message
    for lang, summary in (("zh-hant", "技術詳情（英文）"), ("zh-hans", "技术详情（英文）")):
        page = client.get(f"/{lang}/verify", params={"url": "not a url"}).text
        assert f'<p lang="en">{message}</p>' in page
        assert f"<summary>{summary}</summary>" in page
        assert f"<p>{message}</p>" not in page


def test_the_study_is_cited_in_the_page_language(client: TestClient) -> None:
    source = analysis.baseline().source
    # The page translates the baseline file's words: they must stay the same as the messages.
    assert (source["publisher"], source["title"]) == (STUDY_PUBLISHER, STUDY_TITLE)
    hant = client.get("/zh-hant/survey/results").text
    hans = client.get("/zh-hans/survey/results").text
    english = client.get("/en/survey/results").text
    assert "2020 年數字來源：香港青年協會青年研究中心《善用社交媒體提升管治》（2020 年）" in hant
    assert "2020 年数字来源：香港青年协会青年研究中心《善用社交媒体提升管治》（2020 年）" in hans
    assert "Youth Research Centre" not in hant and "Youth Research Centre" not in hans
    chinese, translated = STUDY_TITLE.split(" (", 1)
    cited = f'<cite lang="zh-Hant-HK">{chinese}</cite> ({translated}'
    assert f"Source of the 2020 figures: {STUDY_PUBLISHER}, {cited} (2020)" in english


def test_registry_words_carry_their_language(client: TestClient) -> None:
    """The registry's evidence notes and sources are mostly English, its names of unconfirmed
    accounts sometimes Chinese: each carries its language where it is not the page's."""
    hant = client.get("/zh-hant/organisations/hk/hk-hkpf").text
    english = client.get("/en/organisations/hk/hk-hkpf").text
    assert '<p class="note" lang="en">' in hant  # an account's evidence note
    assert '<span class="source-text" lang="en">' in hant  # an unconfirmed account's source
    assert re.search(r'<li lang="en">[^<]*data\.gov\.hk', hant)  # the organisation's sources
    assert '<td lang="zh-Hant-HK">香港警察</td>' in english  # a name an unconfirmed account's source gives
    assert '<p class="note" lang="en">' not in english and '<span class="source-text">' in english


def test_report_languages_are_named_in_their_own_language(registry_db: str, tmp_path: Path) -> None:
    for lang in ("zh-hant", "en"):
        (tmp_path / f"government-hk-2026-09-{lang}.html").write_text("<html></html>")
    app = create_app(Settings.load(database_url=registry_db, reports_dir=tmp_path))
    with TestClient(app) as client:
        hans = client.get("/zh-hans/reports").text
        english = client.get("/en/reports").text
    assert 'HTML (<span lang="zh-Hant-HK">繁體中文</span>)' in hans
    assert 'HTML (<span lang="en">English</span>)' in hans
    assert 'HTML (<span lang="zh-Hant-HK">繁體中文</span>)' in english
    assert "HTML (<span>English</span>)" in english


@pytest.fixture(scope="module")
def posts_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The registry and one month of sample posts."""
    url = demo_store(tmp_path_factory.mktemp("language"), months=1, kinds=("posts",))
    with TestClient(create_app(Settings.load(database_url=url))) as client:
        yield client


@pytest.mark.parametrize(
    ("lang", "label"), [("zh-hant", "示範數據"), ("zh-hans", "示范数据"), ("en", "sample")]
)
def test_the_feed_labels_sample_posts_in_its_language(
    posts_client: TestClient, lang: str, label: str
) -> None:
    feed = ET.fromstring(posts_client.get(f"/{lang}/timeline.atom").content)  # noqa: S314  (our own feed)
    categories = feed.iter("{http://www.w3.org/2005/Atom}category")
    labels = {c.get("label") for c in categories if c.get("term") == "sample"}
    assert labels == {label}


def test_simplified_pages_write_the_mainland_word_for_an_account(client: TestClient) -> None:
    """OpenCC turns 帳戶 into 帐户 (帐 is a curtain); mainland pages write 账户."""
    page = client.get("/zh-hans/").text
    assert "账户" in page
    assert "帐户" not in page and "帐号" not in page
