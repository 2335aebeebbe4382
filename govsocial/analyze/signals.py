"""Text signals: what a post's or a comment's words say about the conversation.

- ``invites_response`` (posts): the post asks for an answer — a question (``?`` or full-width
  ``？``, outside links), a poll or consultation, or a call to comment, in English, Cantonese or
  written Chinese ("comment below", "let us know", 留言, 話俾我哋知, 你點睇, 有咩意見...). The
  study's respondents complained that pages "only push information"; this flag is how the
  two-way index sees a post that does not.
- ``is_question`` (comments): a citizen asks something — ``?`` / ``？``, a Chinese or Cantonese
  question word anywhere (點解, 點樣, 幾時, 邊度, 為什麼, 請問...), a sentence-final question
  particle (嗎, 呢, 未, 咩, 乜: only at the end of a clause, because 呢個 is "this" and 未收到 is
  "not yet received"), or an English sentence that starts like a question (how, why, can...).
- ``has_link``: the post carries a link (its link field, or an address in its text).
- ``links_eservice``: one of those links leads to a host of the jurisdiction's e-service domains
  (``jurisdictions.eservice_domains``), matched by host suffix: ``gov.hk`` covers ``www.gov.hk``
  and ``etax.gov.hk`` but not ``notgov.hk``.

Every signal is a regular expression written once and evaluated two ways: on one text with
Python's ``re`` (tests, small inputs) and on a whole Arrow column with PyArrow's RE2 kernels
(extraction of a million posts). The expressions keep to what both engines read the same way:
no ``\\b``, ``\\s`` or ``\\d`` (Unicode in Python, ASCII in RE2), no look-around; explicit
character classes instead. A test checks that both ways agree.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

import pyarrow as pa
import pyarrow.compute as pc

#: Whitespace, including the ideographic space of Chinese text.
_SPACE = " \t\n\r\f\v\u3000"
#: A web address in text: with a scheme, or starting ``www.``.
URL = f"(?i)(?:https?://|www\\.)[^{_SPACE}<>\"'）)】」』，。、！？]+"
_LINK = r"(?i)(?:https?://|(?:^|[^a-z0-9.@/-])www\.[a-z0-9-]+\.[a-z])"

#: Not a letter or digit of the Latin alphabet: the edges of an English phrase (RE2 and Python
#: disagree on ``\b`` next to Chinese characters, so the edge is spelled out).
_EDGE_BEFORE = "(?:^|[^a-z0-9])"
_EDGE_AFTER = "(?:[^a-z0-9]|$)"
#: Not a Chinese character (CJK Unified Ideographs and Extension A, where Cantonese 㗎 and 嘅 are).
_NOT_HAN = "(?:[^\u4e00-\u9fff\u3400-\u4dbf]|$)"

_QUESTION_MARK = "[?？]"

_ENGLISH_CALLS = (
    "comment below", "comments below", "in the comments", "leave a comment", "drop a comment",
    "comment and share", "tell us", "let us know", "what do you think", "what's your view",
    "what are your views", "your views", "your thoughts", "your feedback", "your comments",
    "share your", "have your say", "reply below", "ask us", "send us your questions",
    "any questions", "q&a", "vote now", "cast your vote", "poll", "polls", "quiz", "questionnaire",
    "public consultation", "submit your views",
)  # fmt: skip
_CHINESE_CALLS = (
    "留言", "畀我哋知", "俾我哋知", "話我哋知", "話俾我哋知", "話畀我哋知", "講俾我哋知", "講畀我哋知",
    "你點睇", "你哋點睇", "大家點睇", "有咩意見", "有乜意見", "有咩睇法", "你覺得", "你觉得",
    "你認為", "你认为", "大家覺得", "告訴我們", "告诉我们", "分享你的", "分享你嘅", "發表意見",
    "发表意见", "提出意見", "提出意见", "表達意見", "表达意见", "提供意見", "提供意见", "收集意見",
    "收集意见", "公眾諮詢", "公众咨询", "諮詢文件", "咨询文件", "填寫問卷", "填写问卷", "參與問卷",
    "参与问卷", "投票選出", "投票选出", "參與投票", "参与投票", "投下你的一票", "有獎問答", "有奖问答",
    "問答", "问答", "歡迎提問", "欢迎提问",
)  # fmt: skip

_QUESTION_WORDS = (
    "點解", "點樣", "點算", "點先", "點去", "幾時", "邊度", "邊到", "邊個", "邊間", "邊區", "幾多",
    "幾耐", "乜嘢", "咩嘢", "咩事", "做咩", "為咩", "有冇", "係咪", "係唔係", "可唔可以", "會唔會",
    "得唔得", "使唔使", "有無", "有沒有", "为什么", "為什麼", "為甚麼", "為何", "为何", "怎麼",
    "怎么", "怎樣", "怎样", "如何", "何時", "何时", "哪裡", "哪裏", "哪里", "哪個", "哪个", "什麼",
    "甚麼", "什么", "請問", "请问", "是否", "能否", "可否", "是不是", "可不可以", "多少",
)  # fmt: skip
_QUESTION_PARTICLES = "嗎吗呢未咩乜麼么"
_ENGLISH_OPENERS = (
    "how", "why", "when", "where", "what", "who", "which", "whose", "is", "are", "am", "can",
    "could", "does", "did", "will", "would", "should", "shall", "has", "have", "any", "anyone",
)  # fmt: skip


def _alternatives(words: Iterable[str]) -> str:
    # Longest first, so an alternation never stops at a shorter prefix of a longer phrase.
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


INVITES_RESPONSE = (
    f"(?i){_QUESTION_MARK}"
    f"|{_EDGE_BEFORE}(?:{_alternatives(_ENGLISH_CALLS)}){_EDGE_AFTER}"
    f"|{_alternatives(_CHINESE_CALLS)}"
)
IS_QUESTION = (
    f"(?i){_QUESTION_MARK}"
    f"|{_alternatives(_QUESTION_WORDS)}"
    f"|[{_QUESTION_PARTICLES}]{_NOT_HAN}"
    f"|(?:^|[.!。！\n])[{_SPACE}]*(?:{_alternatives(_ENGLISH_OPENERS)})(?:[^a-z0-9']|$)"
)


def _domain_pattern(domains: Sequence[str]) -> str:
    """An address whose host is one of ``domains`` or a sub-domain of one, in a link or in text."""
    names = "|".join(re.escape(d.lower().strip(".")) for d in sorted(set(domains), key=len, reverse=True))
    # The host starts right after a scheme (``https://``, with any ``user@``), or after a character
    # that cannot precede a host name in text; a path or query (``/?next=gov.hk``) cannot start it.
    # Any labels may come before the domain, and the host must end with it: ``gov.hk.example.com``
    # is not on ``gov.hk``, a full stop that ends the sentence is not part of the host.
    start = "(?:^|[^a-z0-9.@/=?&#%+_~-]|://(?:[^/@ ]*@)?)"
    end = "(?:$|[^a-z0-9.-]|\\.(?:$|[^a-z0-9-]))"
    return f"(?i){start}(?:[a-z0-9-]+\\.)*(?:{names}){end}"


# --- One text --------------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _without_links(text: str) -> str:
    # A "?" inside a link is a query string, not a question.
    return _compiled(URL).sub(" ", text)


def invites_response(text: str | None) -> bool:
    """Whether a post asks its readers for an answer (question, poll, call to comment)."""
    return bool(text) and _compiled(INVITES_RESPONSE).search(_without_links(text or "")) is not None


def is_question(text: str | None) -> bool:
    """Whether a comment asks something."""
    return bool(text) and _compiled(IS_QUESTION).search(_without_links(text or "")) is not None


def has_link(text: str | None, link: str | None = None) -> bool:
    """Whether a post carries a link: its link field, or a web address in its text."""
    return bool(link) or (bool(text) and _compiled(_LINK).search(text or "") is not None)


def links_eservice(text: str | None, link: str | None, domains: Sequence[str]) -> bool:
    """Whether the post's link, or an address in its text, is on one of the e-service ``domains``."""
    if not domains:
        return False
    pattern = _compiled(_domain_pattern(domains))
    return any(value and pattern.search(value) for value in (link, text))


def host_matches(host: str, domains: Sequence[str]) -> bool:
    """``host`` is one of ``domains`` or a sub-domain of one (``etax.gov.hk`` under ``gov.hk``)."""
    host = host.lower().rstrip(".")
    return any(host == d or host.endswith("." + d) for d in (d.lower().strip(".") for d in domains))


# --- A whole column --------------------------------------------------------------------------------


def _strings(values: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    return values if pa.types.is_string(values.type) else pc.cast(values, pa.string())


def _match(texts: pa.Array | pa.ChunkedArray, pattern: str) -> pa.Array | pa.ChunkedArray:
    found = pc.match_substring_regex(texts, pattern)
    return pc.fill_null(found, False)


def invites_response_column(texts: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """``invites_response`` of every text of a column (null text: False)."""
    cleaned = pc.replace_substring_regex(_strings(texts), URL, " ")
    return _match(cleaned, INVITES_RESPONSE)


def is_question_column(texts: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """``is_question`` of every text of a column (null text: False)."""
    cleaned = pc.replace_substring_regex(_strings(texts), URL, " ")
    return _match(cleaned, IS_QUESTION)


def has_link_column(
    texts: pa.Array | pa.ChunkedArray, links: pa.Array | pa.ChunkedArray
) -> pa.Array | pa.ChunkedArray:
    """``has_link`` of every row."""
    given = pc.fill_null(pc.greater(pc.utf8_length(_strings(links)), 0), False)
    return pc.or_(given, _match(_strings(texts), _LINK))


def links_eservice_column(
    texts: pa.Array | pa.ChunkedArray, links: pa.Array | pa.ChunkedArray, domains: Sequence[str]
) -> pa.Array | pa.ChunkedArray:
    """``links_eservice`` of every row."""
    if not domains:
        return pa.array([False] * len(texts), pa.bool_())
    pattern = _domain_pattern(domains)
    return pc.or_(_match(_strings(links), pattern), _match(_strings(texts), pattern))


def text_length_column(texts: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Characters of every text (a post without text has length 0), as int32."""
    return pc.cast(pc.fill_null(pc.utf8_length(_strings(texts)), 0), pa.int32())
