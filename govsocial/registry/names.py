"""Names in the three interface scripts: Simplified Chinese is derived from Traditional with OpenCC.

OpenCC's ``hk2s`` profile knows Hong Kong variants (衞 -> 卫), which the generic ``t2s`` misses.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import opencc


@lru_cache(maxsize=1)
def _converter() -> Any:
    return opencc.OpenCC("hk2s")


@lru_cache(maxsize=4096)
def to_simplified(text: str) -> str:
    """``text`` (Hong Kong Traditional Chinese) in Simplified Chinese."""
    return str(_converter().convert(text))


def simplified_or_derived(simplified: str | None, traditional: str | None) -> str | None:
    """A written Simplified name wins; otherwise derive one from the Traditional name."""
    if simplified:
        return simplified
    return to_simplified(traditional) if traditional else None
