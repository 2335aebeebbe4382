"""Decoding the text files people send: UTF-8 (with or without BOM), UTF-16 with BOM,
Big5-HKSCS from older Hong Kong government systems, and GB18030/GBK (mainland Chinese Excel) when
it reads as common Chinese and Big5 does not; and the text both stores can keep (no NUL, no
unpaired surrogate: ``is_storable``). Shared by registry and activity imports and the collectors."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from govsocial.errors import ImportFileError


def decode(raw: bytes, name: str) -> str:
    """Decode ``raw`` by its BOM, else as UTF-8, else as Big5-HKSCS or GB18030 (GBK), whichever
    reads as common Chinese (``_legacy``); name the file on failure."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return _by_bom(raw[3:], "utf-8", "UTF-8", name)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _by_bom(raw, "utf-16", "UTF-16", name)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as utf8_error:
        text = _legacy(raw)
        if text is None:
            raise ImportFileError(
                f"{name}: not UTF-8, UTF-16 or Big5-HKSCS text (first bad byte at offset "
                f"{utf8_error.start}), nor readable GB18030/GBK: save it as UTF-8 (Excel: Save As, "
                "'CSV UTF-8')"
            ) from None
        return text


#: How much of the text ``_common_share`` looks at: a few pages of Chinese tell the encodings apart.
_SAMPLE_CHARS = 200_000
#: A reading whose non-ASCII characters are at least this share common is plausible text.
_PLAUSIBLE = 0.9
#: A Big5-HKSCS reading at least this common is kept, even when GB18030 reads as well (a short
#: Big5 text can read as common simplified characters by chance; Big5 is what this was before).
_BIG5_KEPT = 0.75
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _legacy(raw: bytes) -> str | None:
    """``raw`` (not UTF-8) as Big5-HKSCS, as Hong Kong systems write, unless it reads as garbled
    Big5 and as plausible GB18030 (GBK: mainland Chinese Excel); None if it is neither.

    Both decode almost any bytes without error (GB18030 nearly all), so errors cannot tell them
    apart: the share of common characters can. GBK text read as Big5 is mostly rare characters
    (under half in Big5's frequent block); Big5 text read as GBK is mostly kana, private-use and
    rare characters (under half frequent, simplified or traditional)."""
    big5 = _strict(raw, "big5hkscs")
    big5_common = _common_share(big5, _big5_common) if big5 is not None else 0.0
    if big5 is not None and big5_common >= _BIG5_KEPT:
        return big5
    gbk = _strict(raw, "gb18030")
    if gbk is not None and _common_share(gbk, _gb_common) >= _PLAUSIBLE:
        return gbk
    return big5


def _strict(raw: bytes, codec: str) -> str | None:
    try:
        return raw.decode(codec)
    except UnicodeDecodeError:
        return None


def _common_share(text: str, common: Callable[[str], bool]) -> float:
    """The share of the non-ASCII characters of (the start of) ``text`` that are ``common``."""
    found = Counter(_NON_ASCII.findall(text, 0, _SAMPLE_CHARS))
    total = sum(found.values())
    return sum(n for char, n in found.items() if common(char)) / total if total else 1.0


def _code(char: str, codec: str) -> int | None:
    """The double-byte code of ``char`` in ``codec``; None if it has none."""
    try:
        encoded = char.encode(codec)
    except UnicodeEncodeError:
        return None
    return int.from_bytes(encoded, "big") if len(encoded) == 2 else None


def _big5_common(char: str) -> bool:
    """In Big5's symbols or its frequent characters (0xA140-0xC67E, 5,401 characters)."""
    code = _code(char, "big5")
    return code is not None and 0xA140 <= code <= 0xC67E


def _gb_common(char: str) -> bool:
    """In GB2312's punctuation and full-width forms or its first level (3,755 frequent simplified
    characters), or a frequent traditional one (GBK holds traditional text too)."""
    code = _code(char, "gb2312")
    simplified = code is not None and (0xA1A1 <= code <= 0xA3FE or 0xB0A1 <= code <= 0xD7FE)
    return simplified or _big5_common(char)


def _by_bom(raw: bytes, codec: str, label: str, name: str) -> str:
    """``raw`` decoded as its byte order mark says; a file whose bytes then break (cut short, or
    not text at all) is an ``ImportFileError`` naming it, not a ``UnicodeDecodeError``."""
    try:
        return raw.decode(codec)
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"{name}: starts with a {label} byte order mark but is not {label} text "
            f"(first bad byte at offset {exc.start})"
        ) from None


# --- Text both stores keep ---------------------------------------------------------------------


def is_storable(text: str) -> bool:
    """Whether both stores keep ``text`` as it is: it holds no NUL (PostgreSQL refuses U+0000 in
    text, and ``\\u0000`` in ``jsonb``) and no surrogate code point (JSON's ``\\ud800`` escape
    decodes to one; it has no UTF-8 form, so neither SQLite's driver nor PostgreSQL's can send it).
    ASCII is answered in O(1) and one search; other text costs one UTF-8 encoding."""
    if text.isascii():
        return "\x00" not in text
    try:
        return b"\x00" not in text.encode()
    except UnicodeEncodeError:
        return False


def storable_text(text: str) -> str:
    """``text`` as the store keeps it: without NUL characters (they mean nothing in a post, a
    comment or a name), each surrogate without its pair replaced by U+FFFD, a pair that stood as
    two code points joined into the character it encodes. ``text`` itself when it needs none of
    that, so that identity-keyed caches (``privacy.Redactions``) still find it."""
    if is_storable(text):
        return text
    return text.replace("\x00", "").encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


#: What ``is_storable`` refuses, one code point at a time (for ``escaped_text``; slower than the test).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def escaped_text(text: str) -> str:
    """``text`` for a message or a location (a reason, a file name, a run's error): as it is when
    ``is_storable``, else with each NUL and surrogate written as its Python escape (``\\x00``,
    ``\\udcff``), so that a reader sees what was there and where, which removing it would hide."""
    if is_storable(text):
        return text
    return _UNSTORABLE.sub(lambda found: ascii(found.group())[1:-1], text)


def storable_value(value: Any, text: Callable[[str], str] = storable_text) -> Any:
    """Decoded JSON (a post's ``extra``, a run's errors) with ``text`` (``storable_text``, or
    ``escaped_text``) applied to every string, keys too."""
    if isinstance(value, str):
        return text(value)
    if isinstance(value, Mapping):
        return {storable_value(key, text): storable_value(item, text) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [storable_value(item, text) for item in value]
    return value
