"""The start of a post's text on one line, as lists of posts (topics, clarifications) show it."""

from __future__ import annotations

#: How long an excerpt is at most, ellipsis included.
EXCERPT_CHARS = 160


def excerpt(text: str | None, limit: int = EXCERPT_CHARS) -> str:
    """``text`` on one line, cut at ``limit`` characters with an ellipsis when it is longer."""
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
