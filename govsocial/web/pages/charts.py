"""Charts as plain data: the geometry of a server-rendered SVG, its data table and a text summary.

A chart here is a dataclass a template draws (``templates/charts.html``): scaled coordinates,
axis ticks with their labels, the rows of the table that says the same thing in numbers, and a
one-sentence summary for readers who do not see the picture. Nothing is drawn in the browser and
no script is needed, so the chart works with a screen reader, without JavaScript and under a strict
content security policy.

Every chart has one series and one colour, and its numbers are printed beside the marks, so colour
is never the only signal. On a phone the SVG scales down with its viewBox, so the stylesheet draws
its text larger there (``NARROW_FONT`` units rather than ``FONT``): the margins here leave room for
that larger text, each tick says whether it is still drawn on a phone (fewer, so they do not
overlap), and each bar has a shorter label for a phone. The value axis always includes zero: a bar
or a line that starts above zero would exaggerate a change. The summary is a message id with
placeholders (``Message``), which the template translates; labels and titles arrive already in the
page's language.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from govsocial.web.pages.i18n import N_

#: The drawing area in SVG user units; the SVG scales to its container (``viewBox``, width 100 %).
WIDTH = 440
HEIGHT = 220
BAR_HEIGHT = 22
BAR_GAP = 10
MARGIN_TOP = 16
MARGIN_RIGHT = 16
MARGIN_BOTTOM = 36
#: The axis font in SVG units (portal.css), and on a phone, where the SVG is drawn about 0.8 times
#: its size: 16 units there are about 12 px on a 375 px screen, where 12 units would be 9 px.
FONT = 12
NARROW_FONT = 16
#: Approximate width of one character of the axis font, to size the label margin; on a phone.
CHAR_WIDTH = 7.0
NARROW_CHAR_WIDTH = CHAR_WIDTH * NARROW_FONT / FONT
#: Bar labels wider than this (in Latin character widths) are cut in the SVG; the table keeps them whole.
LABEL_CHARS = 24
#: The same on a phone: the cut label takes the room of a full one in the larger font.
NARROW_LABEL_CHARS = int(LABEL_CHARS * CHAR_WIDTH // NARROW_CHAR_WIDTH)
TICKS = 5

Formatter = Callable[[float], str]


@dataclass(frozen=True)
class Message:
    """A translatable sentence: a message id and its placeholder values, already formatted."""

    msgid: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Tick:
    """A labelled position on an axis (``at`` in SVG units); ``narrow``: also drawn on a phone."""

    at: float
    label: str
    narrow: bool = True


@dataclass(frozen=True)
class Mark:
    """A data point as drawn: its position, the value's text and its row's label."""

    x: float
    y: float
    label: str
    text: str


@dataclass(frozen=True)
class Bar:
    """One horizontal bar: its rectangle, its (possibly cut) label and its value's text."""

    x: float
    y: float
    width: float
    height: float
    label: str
    short_label: str
    text: str
    negative: bool

    @property
    def narrow_label(self) -> str:
        """The label as a phone shows it, in the larger font: cut shorter to take the same room."""
        return short(self.label, NARROW_LABEL_CHARS)

    @property
    def text_x(self) -> float:
        """Where the value's text starts: just right of the bar (of the zero line for a negative bar)."""
        return round(self.x + self.width + 4, 1)  # a negative bar ends at the zero line


@dataclass(frozen=True)
class Table:
    """The chart's numbers as a table: caption, the two column headings and the rows."""

    caption: str
    label_heading: str
    value_heading: str
    rows: list[tuple[str, str]]


@dataclass(frozen=True)
class Chart:
    """What a template needs to draw a chart (``kind`` is ``"line"`` or ``"bar"``)."""

    kind: str
    id: str
    title: str
    summary: Message
    table: Table
    width: int
    height: int
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    value_ticks: list[Tick]
    zero: float
    label_ticks: list[Tick] = field(default_factory=list)
    path: str = ""
    marks: list[Mark] = field(default_factory=list)
    bars: list[Bar] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Whether there is nothing to draw (the template then shows only the summary)."""
        return not self.marks and not self.bars

    @property
    def view_box(self) -> str:
        """The SVG ``viewBox``."""
        return f"0 0 {self.width} {self.height}"


def format_number(value: float) -> str:
    """A number for a chart: thousands separators, and at most two decimals (three digits below 1)."""
    if float(value).is_integer():
        return f"{int(value):,}"
    if abs(value) >= 1:
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{value:.3g}"


def nice_step(span: float, count: int = TICKS) -> float:
    """A round step (1, 2 or 5 times a power of ten) that cuts ``span`` into about ``count`` parts."""
    raw = span / max(count - 1, 1)
    power = 10.0 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power  # pragma: no cover - the loop always returns


def value_domain(values: Sequence[float], count: int = TICKS) -> tuple[float, float, list[float]]:
    """The value axis: from below the lowest to above the highest value, zero included, on round ticks."""
    low, high = min([0.0, *values]), max([0.0, *values])
    if low == high:  # all zeros, or no values: a unit axis so the zero line sits at the bottom
        high = 1.0
    step = nice_step(high - low, count)
    if step < 1 and all(float(v).is_integer() for v in values):
        step = 1.0  # whole numbers (accounts, posts) get whole ticks: no "0.5 accounts"
    first, last = math.floor(low / step), math.ceil(high / step)
    digits = max(0, -math.floor(math.log10(step)))
    ticks = [round(k * step, digits) for k in range(first, last + 1)]
    return ticks[0], ticks[-1], ticks


def scale(value: float, low: float, high: float, start: float, end: float) -> float:
    """``value`` from the domain ``low..high`` to the range ``start..end`` (rounded to 0.1 unit)."""
    return round(start + (value - low) / (high - low) * (end - start), 1)


def tick_formatter(ticks: Sequence[float], suffix: str = "") -> Formatter:
    """Tick labels with as many decimals as the step needs, so 0.5 is not printed as 1; ``suffix``
    is the unit sign (``%``)."""
    step = abs(ticks[1] - ticks[0]) if len(ticks) > 1 else 1.0
    digits = max(0, -math.floor(math.log10(step))) if step else 0
    return lambda v: f"{v:,.{digits}f}{suffix}"


def columns(text: str) -> int:
    """How many character widths ``text`` takes: Chinese characters are about twice a Latin one."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def longest(labels: Iterable[str]) -> int:
    """The width of the widest of ``labels``, in character widths (1 for none)."""
    return max((columns(label) for label in labels), default=1)


def label_width(labels: Sequence[str], char_width: float = NARROW_CHAR_WIDTH) -> float:
    """Room for the longest of ``labels`` in the axis font (a phone's, by default), plus a small gap."""
    return longest(labels) * char_width + 10


def bar_label_width(labels: Sequence[str]) -> float:
    """Room for bar labels: cut to ``LABEL_CHARS`` in the axis font, or shorter in a phone's."""
    wide = label_width([short(label) for label in labels], CHAR_WIDTH)
    return max(wide, label_width([short(label, NARROW_LABEL_CHARS) for label in labels]))


def sparse(count: int, room: float, widest: int, char_width: float = CHAR_WIDTH) -> int:
    """Every how many points an x label ``widest`` characters wide fits, without labels overlapping."""
    fits = max(int(room // (widest * char_width + 8)), 1)
    return max(math.ceil(count / fits), 1)


def narrow_every(every: int, count: int, room: float, widest: int) -> int:
    """Every how many points a label stays on a phone: a multiple of ``every`` (the labels drawn at
    all) at which the larger font does not overlap."""
    return every * math.ceil(sparse(count, room, widest, NARROW_CHAR_WIDTH) / every)


def value_ticks_across(
    ticks: Sequence[float], fmt: Formatter, low: float, high: float, left: float, right: float
) -> list[Tick]:
    """The value axis of horizontal bars, left to right; on a phone only every so many, so that
    labels in the larger font do not run into each other."""
    labels = [fmt(v) for v in ticks]
    spacing = (right - left) / max(len(ticks) - 1, 1)
    keep = max(math.ceil((longest(labels) * NARROW_CHAR_WIDTH + 8) / spacing), 1)
    return [
        Tick(scale(v, low, high, left, right), label, i % keep == 0)
        for i, (v, label) in enumerate(zip(ticks, labels, strict=True))
    ]


def line_summary(series: str, points: Sequence[tuple[str, float]], fmt: Formatter) -> Message:
    """The sentence a reader gets instead of the line: first to last, with the highest and lowest."""
    if not points:
        return Message(N_("%(series)s: no values yet."), {"series": series})
    (first_label, first), (last_label, last) = points[0], points[-1]
    if len(points) == 1:
        return Message(
            N_("%(series)s: %(value)s in %(label)s."),
            {"series": series, "value": fmt(first), "label": first_label},
        )
    high_label, high = max(points, key=lambda p: p[1])
    low_label, low = min(points, key=lambda p: p[1])
    if high == low:
        return Message(
            N_("%(series)s stayed at %(value)s from %(first_label)s to %(last_label)s."),
            {"series": series, "value": fmt(first), "first_label": first_label, "last_label": last_label},
        )
    msgid = N_(
        "%(series)s rose from %(first)s in %(first_label)s to %(last)s in %(last_label)s; "
        "highest %(high)s in %(high_label)s, lowest %(low)s in %(low_label)s."
    )
    if last < first:
        msgid = N_(
            "%(series)s fell from %(first)s in %(first_label)s to %(last)s in %(last_label)s; "
            "highest %(high)s in %(high_label)s, lowest %(low)s in %(low_label)s."
        )
    elif last == first:
        msgid = N_(
            "%(series)s was %(first)s in %(first_label)s and %(last)s in %(last_label)s; "
            "highest %(high)s in %(high_label)s, lowest %(low)s in %(low_label)s."
        )
    return Message(
        msgid,
        {
            "series": series,
            "first": fmt(first),
            "first_label": first_label,
            "last": fmt(last),
            "last_label": last_label,
            "high": fmt(high),
            "high_label": high_label,
            "low": fmt(low),
            "low_label": low_label,
        },
    )


def path_of(marks: Sequence[Mark | None]) -> str:
    """An SVG path through the marks; a missing value (None) breaks the line rather than bridging it."""
    parts, pen_down = [], False
    for mark in marks:
        if mark is None:
            pen_down = False
            continue
        parts.append(f"{'L' if pen_down else 'M'}{mark.x:g} {mark.y:g}")
        pen_down = True
    return " ".join(parts)


def x_positions(count: int, left: float, right: float) -> list[float]:
    """Where ``count`` evenly spaced points sit between ``left`` and ``right``; one point in the middle."""
    if count == 1:
        return [round((left + right) / 2, 1)]
    step = (right - left) / max(count - 1, 1)
    return [round(left + i * step, 1) for i in range(count)]


def line_chart(
    chart_id: str,
    title: str,
    points: Sequence[tuple[str, float | None]],
    label_heading: str,
    value_heading: str,
    fmt: Formatter = format_number,
    suffix: str = "",
    series: str | None = None,
) -> Chart:
    """A line through ``points`` (label, value or None), left to right in the order given.

    ``chart_id`` must be unique on the page (it names the SVG's title and description); ``title``
    is the chart's caption and the table's; the headings name the table's two columns. ``fmt``
    writes a value (table, summary); the axis labels take the decimals their step needs, and
    ``suffix`` (the unit sign, such as ``%``). ``series`` names the line in the summary sentence
    (the value column's heading by default).
    """
    # NaN (an undefined value) is no value, like None: it breaks the line.
    points = [(label, None if v is None or math.isnan(v) else float(v)) for label, v in points]
    known = [(label, v) for label, v in points if v is not None]
    low, high, ticks = value_domain([v for _, v in known])
    ticks_fmt = tick_formatter(ticks, suffix)
    left = label_width([ticks_fmt(v) for v in ticks])
    right, top, bottom = WIDTH - MARGIN_RIGHT, MARGIN_TOP, HEIGHT - MARGIN_BOTTOM
    # Inset the first and last points so their centred labels stay inside the drawing.
    inset = longest(label for label, _ in points) * NARROW_CHAR_WIDTH / 2
    xs = x_positions(len(points), left + inset, right - inset)
    marks = [
        None if v is None else Mark(x, scale(v, low, high, bottom, top), label, fmt(v))
        for x, (label, v) in zip(xs, points, strict=True)
    ]
    widest = longest(label for label, _ in points)
    every = sparse(len(points), right - left, widest)
    phone = narrow_every(every, len(points), right - left, widest)
    return Chart(
        kind="line",
        id=chart_id,
        title=title,
        summary=line_summary(series or value_heading, known, fmt),
        table=Table(
            title,
            label_heading,
            value_heading,
            [(label, "—" if v is None else fmt(v)) for label, v in points],
        ),
        width=WIDTH,
        height=HEIGHT,
        plot_left=left,
        plot_right=right,
        plot_top=top,
        plot_bottom=bottom,
        value_ticks=[Tick(scale(v, low, high, bottom, top), ticks_fmt(v)) for v in ticks],
        zero=scale(0.0, low, high, bottom, top),
        label_ticks=[
            Tick(x, label, i % phone == 0)
            for i, (x, (label, _)) in enumerate(zip(xs, points, strict=True))
            if i % every == 0
        ],
        path=path_of(marks),
        marks=[m for m in marks if m is not None],
    )


def bar_summary(series: str, bars: Sequence[tuple[str, float]], fmt: Formatter) -> Message:
    """The sentence a reader gets instead of the bars: how many, the largest and the smallest."""
    if not bars:
        return Message(N_("%(series)s: no values yet."), {"series": series})
    if len(bars) == 1:
        label, value = bars[0]
        return Message(
            N_("%(series)s: %(label)s (%(value)s)."), {"series": series, "value": fmt(value), "label": label}
        )
    if all(v == 0 for _, v in bars):
        return Message(
            N_("%(series)s: all %(count)s values are zero."), {"series": series, "count": f"{len(bars):,}"}
        )
    high_label, high = max(bars, key=lambda b: b[1])
    low_label, low = min(bars, key=lambda b: b[1])
    return Message(
        N_(
            "%(series)s: %(count)s values; highest %(high_label)s (%(high)s), lowest %(low_label)s (%(low)s)."
        ),
        {
            "series": series,
            "count": f"{len(bars):,}",
            "high": fmt(high),
            "high_label": high_label,
            "low": fmt(low),
            "low_label": low_label,
        },
    )


def short(label: str, limit: int = LABEL_CHARS) -> str:
    """``label`` cut to ``limit`` character widths with an ellipsis; the table shows it whole."""
    if columns(label) <= limit:
        return label
    while columns(label) > limit - 1:
        label = label[:-1]
    return label.rstrip() + "…"


def bar_chart(
    chart_id: str,
    title: str,
    bars: Sequence[tuple[str, float]],
    label_heading: str,
    value_heading: str,
    fmt: Formatter = format_number,
    suffix: str = "",
    series: str | None = None,
) -> Chart:
    """Horizontal bars, one per (label, value), top to bottom in the order given.

    Horizontal, because labels (organisation names, reaction types) are long and must stay
    readable on a phone; each bar carries its value as text at its end. ``series`` names the bars
    in the summary sentence (the title by default).
    """
    values = [float(v) for _, v in bars]
    low, high, ticks = value_domain(values)
    left = bar_label_width([label for label, _ in bars])
    # Room at the right for the value printed beyond the longest bar.
    right = WIDTH - MARGIN_RIGHT - longest(fmt(v) for v in values) * NARROW_CHAR_WIDTH
    top = MARGIN_TOP
    zero = scale(0.0, low, high, left, right)
    drawn = []
    for i, (label, value) in enumerate(zip([label for label, _ in bars], values, strict=True)):
        end = scale(value, low, high, left, right)
        drawn.append(
            Bar(
                min(zero, end),
                top + i * (BAR_HEIGHT + BAR_GAP) + BAR_GAP / 2,
                round(abs(end - zero), 1),
                BAR_HEIGHT,
                label,
                short(label),
                fmt(value),
                value < 0,
            )
        )
    summary = bar_summary(series or title, list(zip([label for label, _ in bars], values, strict=True)), fmt)
    return _horizontal(chart_id, title, summary, (label_heading, value_heading), drawn, (low, high, ticks),
                       suffix, left, right)  # fmt: skip


def _horizontal(
    chart_id: str,
    title: str,
    summary: Message,
    headings: tuple[str, str],
    drawn: Sequence[Bar],
    domain: tuple[float, float, list[float]],
    suffix: str,
    left: float,
    right: float,
) -> Chart:
    """The chart of horizontal bars already laid out between ``left`` and ``right`` over ``domain``
    (low, high, ticks), with their table: what ``bar_chart`` and ``range_bar_chart`` share."""
    low, high, ticks = domain
    ticks_fmt = tick_formatter(ticks, suffix)
    bottom = MARGIN_TOP + max(len(drawn), 1) * (BAR_HEIGHT + BAR_GAP)
    return Chart(
        kind="bar",
        id=chart_id,
        title=title,
        summary=summary,
        table=Table(title, headings[0], headings[1], [(b.label, b.text) for b in drawn]),
        width=WIDTH,
        height=int(bottom + MARGIN_BOTTOM),
        plot_left=left,
        plot_right=right,
        plot_top=MARGIN_TOP,
        plot_bottom=bottom,
        value_ticks=value_ticks_across(ticks, ticks_fmt, low, high, left, right),
        zero=scale(0.0, low, high, left, right),
        bars=list(drawn),
    )


# --- Bars with an interval and a reference value ----------------------------------------------------

#: How far the caps of an interval's whisker reach above and below the bar's middle (SVG units).
WHISKER_CAP = 6.0
#: Half the thickness of a whisker (it is drawn as an outlined shape, so it shows on a bar and beside it).
WHISKER_HALF = 1.5
#: Half the width of the diamond that marks a reference value.
DIAMOND = 5.0


@dataclass(frozen=True)
class RangeValue:
    """One row of a bar chart with intervals: its label, the value with its interval, and a reference
    value (such as an earlier study's figure); each number None where there is none."""

    label: str
    value: float | None
    low: float | None = None
    high: float | None = None
    reference: float | None = None


@dataclass(frozen=True)
class RangeBar(Bar):
    """A bar with its interval drawn as a whisker (``low_x`` to ``high_x``) and its reference value
    drawn as a diamond (``reference_x``), in SVG units; None where there is none."""

    low_x: float | None = None
    high_x: float | None = None
    reference_x: float | None = None
    reference_text: str = ""
    value_x: float | None = None

    @property
    def middle(self) -> float:
        """The bar's vertical middle, where the whisker and the diamond sit."""
        return round(self.y + self.height / 2, 1)

    @property
    def text_x(self) -> float:
        """Where the value's text starts: in the column right of the plot (``value_x``), where no
        whisker or diamond can sit under it or next to it and be read as its number."""
        return super().text_x if self.value_x is None else self.value_x

    @property
    def whisker(self) -> str:
        """The whisker as an SVG path: a thin bar from ``low_x`` to ``high_x`` with a cap at each end
        (an outline, not a line, so a fill in the page's background shows it on top of the bar)."""
        if self.low_x is None or self.high_x is None:
            return ""
        low, high = self.low_x, max(self.high_x, self.low_x + 2)  # a narrow interval stays visible
        m, h, c = self.middle, WHISKER_HALF, WHISKER_CAP
        corners = [
            (low - 1, m - c), (low + 1, m - c), (low + 1, m - h), (high - 1, m - h), (high - 1, m - c),
            (high + 1, m - c), (high + 1, m + c), (high - 1, m + c), (high - 1, m + h), (low + 1, m + h),
            (low + 1, m + c), (low - 1, m + c),
        ]  # fmt: skip
        return "M" + " L".join(f"{x:.1f} {y:.1f}" for x, y in corners) + " Z"

    @property
    def diamond(self) -> str:
        """The reference value's diamond as SVG polygon points ("" without a reference)."""
        if self.reference_x is None:
            return ""
        x, m, d = self.reference_x, self.middle, DIAMOND
        return " ".join(f"{px:.1f},{py:.1f}" for px, py in ((x - d, m), (x, m - d), (x + d, m), (x, m + d)))


def _range_bar(
    i: int, row: RangeValue, fmt: Formatter, text: str, low: float, high: float, left: float, right: float
) -> RangeBar:
    """Row ``i`` of a chart whose value axis runs ``low..high`` over ``left..right``."""

    def x(value: float | None) -> float | None:
        return None if value is None else scale(value, low, high, left, right)

    zero, end = scale(0.0, low, high, left, right), scale(row.value or 0.0, low, high, left, right)
    return RangeBar(
        min(zero, end),
        MARGIN_TOP + i * (BAR_HEIGHT + BAR_GAP) + BAR_GAP / 2,
        round(abs(end - zero), 1),
        BAR_HEIGHT,
        row.label,
        short(row.label),
        text,
        (row.value or 0.0) < 0,
        x(row.low),
        x(row.high),
        x(row.reference),
        "" if row.reference is None else fmt(row.reference),
        round(right + DIAMOND + 6, 1),
    )


def range_bar_chart(
    chart_id: str,
    title: str,
    rows: Sequence[RangeValue],
    label_heading: str,
    value_heading: str,
    fmt: Formatter = format_number,
    suffix: str = "",
    series: str | None = None,
    missing: str = "—",
) -> Chart:
    """Horizontal bars like ``bar_chart``, each with the interval of its value as a whisker and a
    reference value as a diamond (``RangeBar``): a survey's shares beside an earlier study's.

    The value axis covers the values, the intervals and the references. Each value is printed in a
    column right of the plot, level with its bar: printed at the bar's end it would sit on the
    whisker, which always crosses that end, and printed beyond the marks it would read as the
    diamond's number. A row without a value keeps its place (and its diamond) with no bar and
    ``missing`` as its text; with no value at all the chart shows the references alone (an earlier
    study's shares are worth seeing before anyone has answered), and with no reference either it is
    empty, so the template draws nothing and says so.
    """
    known = [r for r in rows if r.value is not None]
    if not known and all(r.reference is None for r in rows):
        rows = []
    texts = [missing if r.value is None else fmt(r.value) for r in rows]
    extent = [v for r in rows for v in (r.value, r.low, r.high, r.reference) if v is not None]
    low, high, ticks = value_domain(extent)
    left = bar_label_width([r.label for r in rows])
    # Room right of the plot for a diamond at the axis's end, a gap and the value column.
    right = WIDTH - MARGIN_RIGHT - DIAMOND - 6 - longest(texts) * NARROW_CHAR_WIDTH
    drawn = [
        _range_bar(i, r, fmt, text, low, high, left, right)
        for i, (r, text) in enumerate(zip(rows, texts, strict=True))
    ]
    summary = bar_summary(series or title, [(r.label, float(r.value or 0.0)) for r in known], fmt)
    return _horizontal(chart_id, title, summary, (label_heading, value_heading), drawn, (low, high, ticks),
                       suffix, left, right)  # fmt: skip
