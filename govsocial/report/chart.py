"""A horizontal bar chart as inline SVG, drawn the way a research centre prints one.

Each bar carries its value at its end (a reader of a printed page cannot hover), the longest bar
spans the plot, and the labels sit left of the bars. Pure geometry: the SVG text is escaped here
and marked safe by the template.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

#: Layout in SVG user units (the PDF scales the drawing to the page width).
WIDTH = 740
LABEL_WIDTH = 330
BAR_HEIGHT = 18
GAP = 8
VALUE_ROOM = 70


def bar_chart(
    title: str, bars: Sequence[tuple[str, float | None]], fmt: Callable[[float], str], colour: str = "#1f5f8b"
) -> str:
    """An SVG bar chart of ``bars`` (label, value); missing values are drawn as "—" without a bar."""
    if not bars:
        return ""
    known = [v for _, v in bars if v is not None]
    top = max((abs(v) for v in known), default=0.0) or 1.0
    plot = WIDTH - LABEL_WIDTH - VALUE_ROOM
    height = len(bars) * (BAR_HEIGHT + GAP) + GAP
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bar-chart" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" aria-label="{escape(title)}" '
        'font-family="Noto Sans CJK TC, Noto Sans, sans-serif">',
        f"<title>{escape(title)}</title>",
    ]
    for index, (label, value) in enumerate(bars):
        y = GAP + index * (BAR_HEIGHT + GAP)
        middle = y + BAR_HEIGHT * 0.75
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{middle:.1f}" text-anchor="end" font-size="10">'
            f"{escape(label[:52])}</text>"
        )
        width = 0.0 if value is None else max(abs(value) / top * plot, 0.5)
        if value is not None:
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width:.1f}" height="{BAR_HEIGHT}" fill="{colour}"/>'
            )
        shown = "—" if value is None else fmt(value)
        parts.append(
            f'<text x="{LABEL_WIDTH + width + 4:.1f}" y="{middle:.1f}" font-size="11">{escape(shown)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
