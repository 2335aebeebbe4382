"""Decoding the text files people send: UTF-8 (with or without BOM), UTF-16 with BOM, and
Big5-HKSCS from older Hong Kong government systems. Shared by registry and activity imports."""

from __future__ import annotations

from govsocial.errors import ImportFileError


def decode(raw: bytes, name: str) -> str:
    """Decode ``raw`` by its BOM, else as UTF-8, else as Big5-HKSCS; name the file on failure."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as utf8_error:
        try:
            return raw.decode("big5hkscs")
        except UnicodeDecodeError:
            raise ImportFileError(
                f"{name}: not UTF-8, UTF-16 or Big5-HKSCS text (first bad byte at offset {utf8_error.start})"
            ) from None
