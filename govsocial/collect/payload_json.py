"""Reading and writing platform payloads as JSON, fast and without losing a digit.

Every API response is decoded, and every comments page is written back (its scrubbed, kept copy),
so JSON is a fifth of the ingest path's time. orjson does both three to six times faster than the
standard library, with two differences that matter here, both handled by falling back to ``json``:

* orjson reads an integer beyond 64 bits as a float, silently losing digits (a platform id sent as
  a number would change). A body with a run of 19 or more digits anywhere, even inside a string, is
  read by ``json`` instead; such bodies are rare and the fallback is only slower, never different.
* orjson refuses what ``json`` accepts beyond the standard (``NaN``, ``Infinity``, lone surrogates);
  a body it refuses is read by ``json``, whose error (with its position) is what a caller sees.
  ``json`` fails in two more ways, both turned into that same error so that a caller needs to catch
  only one: bytes that are not UTF-8 (``UnicodeDecodeError``), and arrays or objects nested deeper
  than the interpreter's recursion limit (``RecursionError``; orjson stops at 1,024 levels).

Written copies are compact (no spaces after separators) and UTF-8, not ASCII-escaped. A value orjson
cannot write (an integer beyond 64 bits, from a body ``json`` read; a string holding a surrogate
without its pair, which only ``json`` reads, from ``\\ud800``) is written by ``json`` the same way, its
surrogates written as the ``\\uXXXX`` escapes they were read from: the copy reads back to the same
value and holds nothing a store refuses (NUL is always written ``\\u0000``). ``NaN`` read by the
fallback is written as ``null`` by orjson: it is not valid JSON to begin with.
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

#: Digits enough to overflow a 64-bit integer (2**63 has 19), found without a regular expression
#: (which costs as much as orjson's whole parse): every ASCII digit becomes "1", anything else "0",
#: and a run of 19 ones is a plain substring search.
_DIGITS = bytes(0x31 if 0x30 <= byte <= 0x39 else 0x30 for byte in range(256))
_LONG_RUN = b"1" * 19
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
#: A surrogate code point: in text ``json`` wrote, only inside a string, where its escape means the same.
_SURROGATE = re.compile("[\ud800-\udfff]")


def loads(body: str | bytes) -> Any:
    """The value of a JSON document; ``json.JSONDecodeError`` (with its position) if it is not JSON,
    not UTF-8, or nested too deeply to read."""
    raw = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
    if raw.translate(_DIGITS).find(_LONG_RUN) < 0:
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass  # json accepts more (NaN, lone surrogates) or says where the document breaks
    try:
        return json.loads(body)
    except UnicodeDecodeError as exc:
        raise json.JSONDecodeError(f"not UTF-8 text ({exc.reason})", "", exc.start) from None
    except RecursionError:
        # Valid JSON perhaps, but no platform nests this deep: the position where it gets too deep
        # is not known, so none is given.
        raise json.JSONDecodeError("nested too deeply to read", "", 0) from None


def dumps(value: Any) -> str:
    """``value`` as compact UTF-8 JSON text."""
    try:
        return orjson.dumps(value).decode("utf-8")
    except TypeError:  # an integer beyond 64 bits, a lone surrogate, or a type orjson does not know
        text = _COMPACT.encode(value)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub(_escaped, text)
    return text


def _escaped(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"
