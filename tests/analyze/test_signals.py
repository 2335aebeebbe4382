"""Text signals: questions, invitations to respond, links and e-service links, in English and Chinese."""

from __future__ import annotations

import pyarrow as pa
import pytest

from govsocial.analyze import signals as s

INVITING = [
    "你點睇？",
    "Did you know?",
    "歡迎留言分享你的經驗",
    "話俾我哋知你最鍾意邊個景點",
    "大家對新措施有咩意見",
    "Tell us what you think in the comments",
    "Let us know your favourite trail",
    "What do you think about the new bus route",
    "立即參與投票！",
    "The public consultation runs until 30 November",
    "有獎問答：答中有禮品",
]
NOT_INVITING = [
    "天文台發出三號強風信號。",
    "The Observatory has issued the Strong Wind Signal No. 3.",
    "詳情請瀏覽 https://www.gov.hk/tc/apps/?lang=tc&page=1",
    "Polling stations open at 7:30 am.",  # "poll" as part of another word
    "",
    None,
]
QUESTIONS = [
    "幾時開始申請？",
    "請問點樣申請",
    "你哋收到未",
    "咁呢",
    "係咪要預約",
    "為什麼還沒有回覆",
    "How do I apply",
    "Thanks. Where is the office",
    "Is the pool open tomorrow",
    "今日開唔開門?",
    "你好嗎😊",
]
NOT_QUESTIONS = [
    "呢個服務好差",  # 呢 here is "this", not a question particle
    "仲未收到",  # 未 mid-clause: "not yet"
    "I know how it works",  # a question word, but not a question
    "多謝晒！",
    "https://example.com/page?x=1",
    "",
    None,
]


@pytest.mark.parametrize("text", INVITING)
def test_posts_that_invite_a_response(text: str) -> None:
    assert s.invites_response(text)


@pytest.mark.parametrize("text", NOT_INVITING)
def test_posts_that_only_inform(text: str | None) -> None:
    assert not s.invites_response(text)


@pytest.mark.parametrize("text", QUESTIONS)
def test_comments_that_ask(text: str) -> None:
    assert s.is_question(text)


@pytest.mark.parametrize("text", NOT_QUESTIONS)
def test_comments_that_do_not_ask(text: str | None) -> None:
    assert not s.is_question(text)


@pytest.mark.parametrize(
    ("text", "link", "expected"),
    [
        ("詳情請瀏覽 https://www.gov.hk/tc/residents/", None, True),
        ("網址:www.chp.gov.hk", None, True),  # no scheme, no space: a sub-domain of gov.hk
        ("Visit www.gov.hk.", None, True),  # the full stop ends the sentence, not the host
        (None, "https://ETAX.gov.hk/login", True),
        (None, "https://user@www.gov.hk/", True),
        ("see https://example.com/?next=gov.hk", None, False),  # in a query string
        ("https://example.com/gov.hk", None, False),  # in a path
        ("notgov.hk is not ours", None, False),
        ("https://gov.hk.example.com/", None, False),  # gov.hk is not where the host ends
        ("no link at all", None, False),
    ],
)
def test_eservice_links_match_by_host_suffix(text: str | None, link: str | None, expected: bool) -> None:
    assert s.links_eservice(text, link, ["gov.hk"]) is expected
    column = s.links_eservice_column(pa.array([text], pa.string()), pa.array([link], pa.string()), ["gov.hk"])
    assert column.to_pylist() == [expected]


def test_without_eservice_domains_nothing_is_an_eservice_link() -> None:
    assert not s.links_eservice("https://www.gov.hk/", "https://www.gov.hk/", [])
    assert s.links_eservice_column(
        pa.array(["https://www.gov.hk/"]), pa.array([None], pa.string()), []
    ).to_pylist() == [False]


def test_host_matches_is_a_suffix_on_a_label_boundary() -> None:
    assert s.host_matches("esd.gov.hk", ["gov.hk"])
    assert s.host_matches("GOV.HK.", ["gov.hk"])
    assert not s.host_matches("notgov.hk", ["gov.hk"])


def test_has_link_from_the_link_field_or_the_text() -> None:
    assert s.has_link(None, "https://example.com")
    assert s.has_link("詳情: www.info.gov.hk", None)
    assert not s.has_link("no address here", None)
    assert not s.has_link(None, "")


def test_the_column_versions_agree_with_the_single_text_versions() -> None:
    """RE2 (PyArrow) and Python's ``re`` read the same expressions the same way."""
    texts = [*INVITING, *NOT_INVITING, *QUESTIONS, *NOT_QUESTIONS]
    links = [None, "https://www.gov.hk/x", "", "https://example.com"] * (len(texts) // 4 + 1)
    column, link_column = pa.array(texts, pa.string()), pa.array(links[: len(texts)], pa.string())
    assert s.invites_response_column(column).to_pylist() == [s.invites_response(t) for t in texts]
    assert s.is_question_column(column).to_pylist() == [s.is_question(t) for t in texts]
    assert s.has_link_column(column, link_column).to_pylist() == [
        s.has_link(t, link) for t, link in zip(texts, links, strict=False)
    ]
    assert s.links_eservice_column(column, link_column, ["gov.hk"]).to_pylist() == [
        s.links_eservice(t, link, ["gov.hk"]) for t, link in zip(texts, links, strict=False)
    ]


def test_text_length_counts_characters_and_missing_text_as_zero() -> None:
    lengths = s.text_length_column(pa.array(["天文台", "abc", None], pa.string()))
    assert lengths.type == pa.int32() and lengths.to_pylist() == [3, 3, 0]
