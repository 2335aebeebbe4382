"""The language of text a page shows but did not write (post texts, clarification keywords, topic
terms), so that it can carry ``lang`` where it differs from the page's (WCAG 3.1.2, language of
parts): a screen reader then reads Chinese post text on an English page in a Chinese voice, and
Traditional Chinese on a Simplified page as Traditional (in Cantonese, for Hong Kong).

The guess is by script, which is all a tag needs. Han characters against Latin words decide between
Chinese and English (links are left out: every post has them). For Chinese, the characters that
only one script writes decide between Traditional and Simplified (OpenCC converts both ways); a
text of characters both scripts share is tagged with the content language the configuration gives
(``default_locale``, when it is a Chinese one), or plain ``zh``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import opencc

from govsocial.analyze.topics.segment import is_cjk
from govsocial.web.pages.i18n import LANGUAGES, Language

_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_LINK = re.compile(r"(?i)(?:https?://|www\.)\S+")
_LATIN_WORD = re.compile(r"[A-Za-z]+")

#: What :func:`guess` answers: script-level tags, refined by :func:`tag`.
ENGLISH, TRADITIONAL, SIMPLIFIED, CHINESE = "en", "zh-Hant", "zh-Hans", "zh"


@lru_cache(maxsize=2)
def _converter(profile: str) -> Any:
    """OpenCC's Hong Kong profiles: ``hk2s`` (to Simplified) and ``s2hk`` (to Traditional)."""
    return opencc.OpenCC(profile)


def _changed(chinese: str, profile: str) -> int:
    """How many characters of ``chinese`` the conversion changes: those only the other script writes."""
    converted = str(_converter(profile).convert(chinese))
    return sum(a != b for a, b in zip(chinese, converted, strict=False))


@lru_cache(maxsize=4096)
def guess(text: str) -> str | None:
    """``en``, ``zh-Hant``, ``zh-Hans`` or ``zh`` (characters both scripts share); None when
    the text has no words to read (numbers, emoji, only a link)."""
    words = _LINK.sub(" ", text)
    han = sum(1 for ch in words if is_cjk(ch))
    latin = len(_LATIN_WORD.findall(words))
    if not han and not latin:
        return None
    if latin > han:
        return ENGLISH
    chinese = "".join(ch for ch in words if is_cjk(ch))
    traditional, simplified = _changed(chinese, "hk2s"), _changed(chinese, "s2hk")
    if traditional == simplified:
        return CHINESE if not traditional else TRADITIONAL  # a rare mixture: Hong Kong writes Traditional
    return TRADITIONAL if traditional > simplified else SIMPLIFIED


def paragraphs(text: str) -> list[str]:
    """``text`` cut at its blank lines, each paragraph tagged on its own (a bilingual post gives its
    Chinese and its English half each their language); the line breaks within one are kept."""
    return [part for part in _BLANK_LINE.split(text.strip("\n")) if part.strip()]


def content_chinese(default_locale: str) -> str | None:
    """The HTML tag of the configured default language when it is a Chinese one (``zh-Hant-HK``)."""
    language = LANGUAGES.get(default_locale)
    return language.html if language is not None and language.html.startswith("zh") else None


def tag(text: str, page: Language, content: str | None) -> str | None:
    """The ``lang`` to put on ``text`` on a page in ``page``; None where the page's own is right.

    ``content`` is the configured Chinese content language (:func:`content_chinese`): Traditional
    text is tagged with its region when it is of that script, shared characters with it whole.
    """
    found = guess(text)
    chinese_page = page.html.startswith("zh")
    if found is None or (found == CHINESE and chinese_page):
        return None  # nothing to read, or characters a Chinese page reads as its own
    if found == CHINESE:
        found = content or CHINESE
    elif found == TRADITIONAL and content and content.startswith(TRADITIONAL):
        found = content
    same = found == page.html or (chinese_page and page.html.startswith(found))
    return None if same else found
