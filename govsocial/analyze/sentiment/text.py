"""Text as the sentiment model sees it: one folded form for every script, then tokens.

A comment is folded before anything is counted, so that the same word in any of its spellings is
one feature: Traditional and Simplified characters fold to one form (OpenCC's ``hk2s`` table,
taken character by character when a model is trained and stored inside the model file, so run
time needs no OpenCC), full-width letters and punctuation to ASCII, letters to lower case, every
digit to ``0`` (prices and dates carry no sentiment of their own), emoji skin tones and variation
selectors away, and runs of three or more of one character to two (哈哈哈哈, "!!!!", "soooo").

Tokens are what n-grams are built from: an English or romanised word (``[a-z0-9']+``) is one token
and every other visible character (a Chinese character, an emoji, a punctuation mark) is one, so
one sequence serves Cantonese, written Chinese, English and comments that mix them. ``<s>`` and
``</s>`` mark the start and the end, which matters for short comments ("好" alone versus "唔好").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

#: Start and end markers added around every token sequence (no text can yield them as tokens).
START, END = "<s>", "</s>"

#: Characters removed outright: emoji variation selectors, zero-width joiners, skin tones.
DROPPED = "\ufe0e\ufe0f\u200d\u200b\u200c" + "".join(chr(c) for c in range(0x1F3FB, 0x1F400))

#: Chinese and typographic punctuation, folded to the ASCII mark that means the same.
_PUNCTUATION = {
    "。": ".", "，": ",", "、": ",", "！": "!", "？": "?", "；": ";", "：": ":", "～": "~",
    "「": '"', "」": '"', "『": '"', "』": '"', "“": '"', "”": '"', "‘": "'", "’": "'",
    "…": "...", "（": "(", "）": ")", "【": "[", "】": "]", "《": '"', "》": '"', "\u3000": " ",
}  # fmt: skip

_TOKEN = re.compile(r"[a-z0-9']+|\S")
_REPEAT = re.compile(r"(.)\1{2,}")
#: Sentence ends and clause breaks: where a negation's reach stops and where long text is cut.
BREAKS = frozenset(".,!?;:~")


def base_table() -> dict[int, str | None]:
    """The folding that needs no data: width, case, digits, punctuation, emoji modifiers."""
    table: dict[int, str | None] = {code: chr(code - 0xFEE0).lower() for code in range(0xFF01, 0xFF5F)}
    table.update({ord(c): c.lower() for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"})
    table.update({ord(c): "0" for c in "123456789０１２３４５６７８９"})
    table.update({ord(c): "." for c in "\n\r"})  # a line break ends a clause like a full stop
    table.update({ord(k): v for k, v in _PUNCTUATION.items()})
    table.update({ord(c): None for c in DROPPED})
    return table


def fold_table(script_fold: Mapping[str, str]) -> dict[int, str | None]:
    """The complete folding: :func:`base_table` plus one character -> character script map."""
    table = base_table()
    table.update({ord(k): v for k, v in script_fold.items()})
    return table


def opencc_script_fold() -> dict[str, str]:
    """Traditional -> Simplified, one character at a time, for every CJK unified ideograph.

    Taken a character at a time (not phrase by phrase) because features are characters: the map
    must be the same whatever surrounds a character. Only used when a model is trained.
    """
    import opencc

    chars = [chr(c) for c in range(0x4E00, 0xA000)] + [chr(c) for c in range(0x3400, 0x4DC0)]
    converted = str(opencc.OpenCC("hk2s").convert("\n".join(chars))).split("\n")
    return {a: b for a, b in zip(chars, converted, strict=True) if a != b and len(b) == 1}


def normalise(text: str, table: Mapping[int, str | None]) -> str:
    """``text`` folded by ``table`` with long runs of one character cut to two."""
    return _REPEAT.sub(r"\1\1", text.translate(table))


def split(text: str, table: Mapping[int, str | None]) -> list[str]:
    """The tokens of ``text``, folded."""
    return list(_TOKEN.findall(normalise(text, table)))


def tokens(text: str, table: Mapping[int, str | None]) -> list[str]:
    """The token sequence of ``text`` between the start and end markers."""
    return [START, *_TOKEN.findall(normalise(text, table)), END]


def key(parts: Iterable[str]) -> str:
    """The feature name of an n-gram: its tokens joined by spaces (tokens never hold spaces)."""
    return " ".join(parts)
