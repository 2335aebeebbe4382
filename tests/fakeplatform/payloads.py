"""The recorded payloads under ``tests/fixtures/payloads/<platform>/`` that the fake platforms
build their answers from."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

PAYLOADS = Path(__file__).resolve().parent.parent / "fixtures" / "payloads"


@lru_cache(maxsize=64)
def load_payload(platform: str, name: str) -> str:
    """A recorded payload file's text."""
    return (PAYLOADS / platform / name).read_text(encoding="utf-8")


def load_json(platform: str, name: str) -> Any:
    """A recorded payload, decoded (a fresh copy each time, so callers may change it)."""
    return json.loads(load_payload(platform, name))


def listing_items(platform: str, *names: str) -> list[dict[str, Any]]:
    """The ``data`` items of recorded listing pages, in order."""
    items: list[dict[str, Any]] = []
    for name in names:
        items.extend(item for item in load_json(platform, name)["data"] if isinstance(item, dict))
    return items
