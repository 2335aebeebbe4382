"""Decoding the text files people send: UTF-8 (with or without BOM), UTF-16 with BOM, and
Big5-HKSCS from older Hong Kong government systems; and the text both stores can keep (no NUL, no
unpaired surrogate: ``is_storable``). Shared by registry and activity imports and the collectors."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from govsocial.errors import ImportFileError


def decode(raw: bytes, name: str) -> str:
    """Decode ``raw`` by its BOM, else as UTF-8, else as Big5-HKSCS; name the file on failure."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return _by_bom(raw[3:], "utf-8", "UTF-8", name)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _by_bom(raw, "utf-16", "UTF-16", name)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as utf8_error:
        try:
            return raw.decode("big5hkscs")
        except UnicodeDecodeError:
            raise ImportFileError(
                f"{name}: not UTF-8, UTF-16 or Big5-HKSCS text (first bad byte at offset {utf8_error.start})"
            ) from None


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
