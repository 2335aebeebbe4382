"""Horizontal bar charts as inline SVG, drawn the way a research centre prints one.

Each bar carries its value at its end (a reader of a printed page cannot hover), the longest bar
spans the plot, and the labels sit left of the bars. ``interval_chart`` draws values on a fixed
scale with their 95 % intervals as whiskers and a reference value (a baseline) as a mark. Pure
geometry: the SVG text is escaped here and marked safe by the template.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
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


@dataclass(frozen=True)
class IntervalBar:
    """One bar of an interval chart: its value with an interval, a reference mark and the text beside it.

    Any of ``value``, ``low``/``high`` and ``mark`` may be missing (``None``): what is known is drawn.
    """

    label: str
    value: float | None
    low: float | None
    high: float | None
    mark: float | None
    text: str


#: The interval chart's column of texts right of the plot, the legend's row and the axis's row.
TEXT_ROOM = 170
LEGEND_ROW = 22
AXIS_ROW = 18
#: The reference mark's colour: dark, so it shows on the bar and beside it.
MARK_COLOUR = "#222222"


def interval_chart(
    title: str,
    bars: Sequence[IntervalBar],
    top: float,
    legend: tuple[str, str | None],
    colour: str = "#1f5f8b",
) -> str:
    """An SVG chart of ``bars`` on a fixed scale from 0 to ``top``: each value as a bar with its
    interval as a whisker and its reference (``mark``) as a dark line across the bar; ``legend``
    names the bar and the mark (``None``: the bars have no mark). The texts are in a column right of
    the plot, so a printed page shows every number."""
    if not bars:
        return ""
    plot = WIDTH - LABEL_WIDTH - TEXT_ROOM
    height = LEGEND_ROW + len(bars) * (BAR_HEIGHT + GAP) + GAP + AXIS_ROW

    def x(value: float) -> float:
        return LABEL_WIDTH + min(max(value, 0.0), top) / top * plot

    parts = [_svg_open(title, height), *_legend(legend, colour)]
    for index, bar in enumerate(bars):
        parts.extend(_interval_row(bar, LEGEND_ROW + GAP + index * (BAR_HEIGHT + GAP), x, colour))
    parts.extend(_axis(top, LEGEND_ROW + GAP + len(bars) * (BAR_HEIGHT + GAP), x))
    parts.append("</svg>")
    return "".join(parts)


def _svg_open(title: str, height: int) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bar-chart" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" aria-label="{escape(title)}" '
        'font-family="Noto Sans CJK TC, Noto Sans, sans-serif">'
        f"<title>{escape(title)}</title>"
    )


def _legend(legend: tuple[str, str | None], colour: str) -> list[str]:
    bar, mark = legend
    middle = LABEL_WIDTH + (WIDTH - LABEL_WIDTH) / 2
    parts = [
        f'<rect x="{LABEL_WIDTH}" y="6" width="14" height="10" fill="{colour}"/>',
        f'<text x="{LABEL_WIDTH + 18}" y="15" font-size="10">{escape(bar)}</text>',
    ]
    if mark is not None:
        parts += [
            f'<rect x="{middle:.1f}" y="4" width="3" height="14" fill="{MARK_COLOUR}"/>',
            f'<text x="{middle + 8:.1f}" y="15" font-size="10">{escape(mark)}</text>',
        ]
    return parts


def _interval_row(bar: IntervalBar, y: float, x: Callable[[float], float], colour: str) -> list[str]:
    middle = y + BAR_HEIGHT / 2
    parts = [
        f'<text x="{LABEL_WIDTH - 6}" y="{y + BAR_HEIGHT * 0.75:.1f}" text-anchor="end" font-size="10">'
        f"{escape(bar.label[:52])}</text>"
    ]
    if bar.value is not None:
        width = max(x(bar.value) - LABEL_WIDTH, 0.5)
        parts.append(
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width:.1f}" height="{BAR_HEIGHT}" fill="{colour}" '
            'fill-opacity="0.75"/>'
        )
    if bar.low is not None and bar.high is not None:
        low, high = x(bar.low), x(bar.high)
        parts.append(
            f'<path d="M{low:.1f} {middle:.1f}H{high:.1f}M{low:.1f} {middle - 4:.1f}V{middle + 4:.1f}'
            f'M{high:.1f} {middle - 4:.1f}V{middle + 4:.1f}" stroke="#000000" stroke-width="1.2" '
            'fill="none"/>'
        )
    if bar.mark is not None:
        parts.append(
            f'<rect x="{x(bar.mark) - 1.5:.1f}" y="{y - 3}" width="3" height="{BAR_HEIGHT + 6}" '
            f'fill="{MARK_COLOUR}"/>'
        )
    right = WIDTH - TEXT_ROOM + 8
    parts.append(
        f'<text x="{right}" y="{y + BAR_HEIGHT * 0.75:.1f}" font-size="10">{escape(bar.text)}</text>'
    )
    return parts


def _axis(top: float, y: float, x: Callable[[float], float]) -> list[str]:
    ticks = (0.0, top / 2, top)
    parts = [f'<path d="M{x(0):.1f} {y:.1f}H{x(top):.1f}" stroke="#888888" stroke-width="0.8"/>']
    for tick in ticks:
        label = f"{tick:g}"
        parts.append(
            f'<text x="{x(tick):.1f}" y="{y + 12:.1f}" text-anchor="middle" font-size="9">{label}</text>'
        )
    return parts
