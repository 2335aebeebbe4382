"""Decoding the text files people send: UTF-8 (with or without BOM), UTF-16 with BOM, and
Big5-HKSCS from older Hong Kong government systems. Shared by registry and activity imports."""

from __future__ import annotations

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
