"""Server-drawn charts (``web/pages/charts.py``, ``templates/charts.html``): geometry, summary, markup.

The geometry is checked as numbers (scaling, ticks, gaps), the summary as its message id and
placeholders, and the markup by rendering the macro in two languages: an accessible name on the
SVG, a table with caption and header cells, labels escaped, nothing drawn when there is no data.
"""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path

import pytest

from govsocial.web.pages import charts
from govsocial.web.pages.charts import Chart, bar_chart, line_chart
from govsocial.web.pages.render import environment


def render(chart: Chart, lang: str = "en") -> str:
    template = environment(lang).from_string('{% from "charts.html" import chart %}{{ chart(c) }}')
    return template.render(c=chart)


def months(*values: float | None) -> list[tuple[str, float | None]]:
    return [(f"2026-{i + 1:02d}", v) for i, v in enumerate(values)]


# --- scales and ticks -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "ticks"),
    [
        ([12.0, 30.0], [0.0, 10.0, 20.0, 30.0]),
        ([0.0, 0.0], [0.0, 1.0]),  # all zeros: a unit axis, zero at the bottom
        ([], [0.0, 1.0]),
        ([1.0, 1.0], [0.0, 1.0]),  # whole numbers: no half ticks
        ([0.5, 0.0], [0.0, 0.2, 0.4, 0.6]),
        ([-30.0, 1200.0], [-500.0, 0.0, 500.0, 1000.0, 1500.0]),  # zero always included
        ([0.0012, 0.0031], [0.0, 0.001, 0.002, 0.003, 0.004]),
        ([2.5e12], [0.0, 1e12, 2e12, 3e12]),
    ],
)
def test_value_axis_includes_zero_on_round_ticks(values: list[float], ticks: list[float]) -> None:
    low, high, found = charts.value_domain(values)
    assert found == pytest.approx(ticks)
    assert (low, high) == (found[0], found[-1])
    assert low <= min([0.0, *values]) and high >= max([0.0, *values])


def test_line_points_are_scaled_into_the_plot_area() -> None:
    chart = line_chart("posts", "Posts per month", months(0, 15, 30), "Month", "Posts")
    assert [t.label for t in chart.value_ticks] == ["0", "10", "20", "30"]
    first, middle, last = chart.marks
    assert first.y == chart.plot_bottom == chart.zero  # 0 sits on the zero line
    assert last.y == chart.plot_top  # 30 is the top tick
    assert middle.y == pytest.approx((chart.plot_top + chart.plot_bottom) / 2, abs=0.1)
    assert first.x < middle.x < last.x
    assert middle.x - first.x == pytest.approx(last.x - middle.x, abs=0.1)  # evenly spaced
    assert chart.plot_left <= first.x and last.x <= chart.plot_right
    assert chart.path == f"M{first.x:g} {first.y:g} L{middle.x:g} {middle.y:g} L{last.x:g} {last.y:g}"
    assert chart.table.rows == [("2026-01", "0"), ("2026-02", "15"), ("2026-03", "30")]


def test_a_missing_month_breaks_the_line_and_shows_a_dash() -> None:
    chart = line_chart("posts", "Posts", months(10, float("nan"), 20), "Month", "Posts")
    assert len(chart.marks) == 2
    assert chart.path.count("M") == 2 and "L" not in chart.path
    assert chart.table.rows[1] == ("2026-02", "—")


def test_one_point_sits_in_the_middle() -> None:
    chart = line_chart("one", "Posts", months(7), "Month", "Posts")
    (mark,) = chart.marks
    assert mark.x == pytest.approx((chart.plot_left + chart.plot_right) / 2, abs=0.1)
    assert chart.summary.msgid == "%(series)s: %(value)s in %(label)s."
    assert chart.summary.params == {"series": "Posts", "value": "7", "label": "2026-01"}


def test_empty_data_draws_nothing_and_says_so() -> None:
    for chart in (line_chart("e", "Posts", [], "Month", "Posts"), bar_chart("b", "Mix", [], "Type", "Share")):
        assert chart.empty
        assert chart.summary.msgid == "%(series)s: no values yet."
        html = render(chart)
        assert "<svg" not in html and "<table" not in html
        assert "no values yet." in html


def test_months_without_any_value_are_empty_too() -> None:
    chart = line_chart("e", "Posts", months(None, None), "Month", "Posts")
    assert chart.empty and chart.path == ""
    assert chart.table.rows == [("2026-01", "—"), ("2026-02", "—")]


def test_x_labels_are_thinned_so_they_do_not_overlap() -> None:
    chart = line_chart("long", "Posts", months(*range(12)), "Month", "Posts")
    xs = [t.at for t in chart.label_ticks]
    assert 1 < len(xs) < 12
    room = len("2026-01") * charts.CHAR_WIDTH
    assert all(b - a > room for a, b in pairwise(xs))
    # The outermost labels stay inside the drawing.
    assert xs[0] - room / 2 >= 0 and chart.marks[-1].x + room / 2 <= chart.width


def test_huge_numbers_get_a_wide_enough_label_margin() -> None:
    chart = line_chart("huge", "Views", months(1e12, 2.5e12), "Month", "Views")
    assert chart.value_ticks[-1].label == "3,000,000,000,000"
    assert chart.plot_left >= len("3,000,000,000,000") * charts.CHAR_WIDTH
    assert chart.table.rows[1] == ("2026-02", "2,500,000,000,000")


def test_percent_ticks_carry_the_unit_and_enough_decimals() -> None:
    chart = line_chart(
        "rate", "Rate", months(0.12, 0.31), "Month", "Rate", fmt=lambda v: f"{v:.2f}%", suffix="%"
    )
    assert [t.label for t in chart.value_ticks] == ["0.0%", "0.1%", "0.2%", "0.3%", "0.4%"]
    assert chart.table.rows == [("2026-01", "0.12%"), ("2026-02", "0.31%")]


# --- summaries --------------------------------------------------------------------------------------


def test_rising_summary_names_first_last_highest_and_lowest() -> None:
    chart = line_chart("p", "Posts per month", months(12, 30, 20), "Month", "Posts", series="Posts")
    assert chart.summary.msgid.startswith("%(series)s rose from")
    # Once: the visible sentence, which names the SVG image (no <desc> repeats it).
    assert (
        render(chart).count(
            "Posts rose from 12 in 2026-01 to 20 in 2026-03; highest 30 in 2026-02, lowest 12 in 2026-01."
        )
        == 1
    )


def test_falling_and_unchanged_summaries() -> None:
    fell = line_chart("p", "Posts", months(30, -5), "Month", "Posts")
    assert fell.summary.msgid.startswith("%(series)s fell from")
    assert fell.summary.params["last"] == "-5" and fell.summary.params["low_label"] == "2026-02"
    assert fell.marks[1].y > fell.zero  # below the zero line
    same = line_chart("p", "Posts", months(4, 9, 4), "Month", "Posts")
    assert same.summary.msgid.startswith("%(series)s was %(first)s")
    flat = line_chart("p", "Accounts", months(1, 1, 1), "Month", "Accounts")
    assert "Accounts stayed at 1 from 2026-01 to 2026-03." in render(flat)


def test_summary_is_translated() -> None:
    chart = line_chart("p", "帖文", months(12, 30), "月份", "帖文")
    html = render(chart, "zh-hant")
    assert "帖文由 2026-01 的 12 上升至 2026-02 的 30" in html
    assert "以表格顯示數字" in html


# --- bars -------------------------------------------------------------------------------------------


def test_bars_grow_from_the_zero_line_and_negative_ones_are_hatched() -> None:
    chart = bar_chart("mix", "Change", [("Up", 1200.0), ("Down", -300.0), ("Flat", 0.0)], "Item", "Change")
    up, down, flat = chart.bars
    assert up.x == chart.zero and down.x + down.width == pytest.approx(chart.zero, abs=0.1)
    assert up.width == pytest.approx(4 * down.width, abs=0.5)
    assert flat.width == 0 and flat.text == "0"
    assert down.negative and not up.negative
    assert up.y < down.y < flat.y
    html = render(chart)
    assert html.count('fill="url(#mix-hatch)"') == 1
    assert ">-300</text>" in html  # the value is printed, not only drawn
    assert chart.summary.params["high_label"] == "Up" and chart.summary.params["low_label"] == "Down"


def test_bar_summaries_for_one_bar_and_all_zeros() -> None:
    one = bar_chart("b", "Mix", [("Like", 80.0)], "Reaction", "Share")
    assert one.summary.msgid == "%(series)s: %(label)s (%(value)s)."
    zeros = bar_chart("b", "Mix", [("Like", 0.0), ("Wow", 0.0)], "Reaction", "Share")
    assert zeros.summary.msgid == "%(series)s: all %(count)s values are zero."
    assert zeros.summary.params["count"] == "2"


def test_long_labels_are_cut_in_the_picture_and_whole_in_the_table() -> None:
    name = "Environmental Protection Department of the Government"
    chart = bar_chart("b", "Posts", [(name, 5.0)], "Organisation", "Posts")
    assert chart.bars[0].short_label.endswith("…") and len(chart.bars[0].short_label) == charts.LABEL_CHARS
    assert chart.table.rows == [(name, "5")]


def test_chinese_labels_count_double_width() -> None:
    assert charts.columns("哈哈") == 4 and charts.columns("Like") == 4
    latin = bar_chart("b", "Mix", [("Haha", 1.0)], "Reaction", "Share")
    chinese = bar_chart("b", "Mix", [("哈哈哈哈", 1.0)], "Reaction", "Share")
    assert chinese.plot_left > latin.plot_left
    name = "環境保護署及其轄下的各個部門與辦事處"
    cut = charts.short(name)
    assert cut.endswith("…") and charts.columns(cut) <= charts.LABEL_CHARS


# --- markup -----------------------------------------------------------------------------------------


def test_figure_has_an_accessible_svg_a_caption_and_a_table() -> None:
    html = render(line_chart("chart-posts", "Posts per month", months(3, 4), "Month", "Posts"))
    assert re.search(r'<svg[^>]*role="img"[^>]*aria-labelledby="chart-posts-summary"', html)
    assert '<p class="chart-summary" id="chart-posts-summary" aria-hidden="true">Posts ' in html
    assert 'viewBox="0 0 ' in html and 'width="100%"' in html
    assert "<figcaption" in html and "<caption>Posts per month</caption>" in html
    assert '<th scope="col">Month</th>' in html and '<th scope="row">2026-01</th>' in html
    assert "<details" in html and "<script" not in html and "style=" not in html


def test_a_chart_says_its_caption_and_summary_once() -> None:
    """A screen reader reads the caption (the figure's) and the summary (the image's name) once each:
    the SVG repeats neither in a <title> or <desc>, and the visible summary it is named by is hidden."""
    html = render(line_chart("chart-posts", "Posts per month", months(3, 4), "Month", "Posts"))
    svg = html.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "<desc" not in svg and "Posts per month" not in svg
    assert not re.search(r"<svg[^>]*aria-label=", html)
    # The caption is written where each reader meets it: the figure, the table and the disclosure.
    assert html.count("Posts per month") == 3  # figcaption, table caption, the disclosure's hidden words


def test_a_chart_with_nothing_to_draw_keeps_its_summary_readable() -> None:
    html = render(line_chart("chart-posts", "Posts per month", [], "Month", "Posts"))
    assert "<svg" not in html
    assert re.search(r'<p class="chart-summary" id="chart-posts-summary">', html)


def test_labels_are_escaped_everywhere() -> None:
    evil = '<img src=x onerror="alert(1)">'
    html = render(bar_chart("b", "Mix & more", [(evil, 3.0), ("ok", 1.0)], "Label", "Value"))
    assert "<img" not in html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html
    assert "Mix &amp; more" in html


def test_number_formatting() -> None:
    assert charts.format_number(1234567.0) == "1,234,567"
    assert charts.format_number(12.5) == "12.5"
    assert charts.format_number(0.00123) == "0.00123"
    assert charts.format_number(-3.0) == "-3"


# --- phones -----------------------------------------------------------------------------------------


def test_a_phone_keeps_fewer_x_labels_that_fit_its_larger_font() -> None:
    chart = line_chart("p", "Posts", months(*range(12)), "Month", "Posts")
    drawn = chart.label_ticks
    narrow = [t for t in drawn if t.narrow]
    assert narrow[0] == drawn[0] and len(narrow) < len(drawn)  # every so many of those drawn
    gaps = [b.at - a.at for a, b in pairwise(narrow)]
    assert min(gaps) >= charts.columns("2026-01") * charts.NARROW_CHAR_WIDTH
    html = render(chart)
    assert html.count("chart-wide-only") == len(drawn) - len(narrow)


def test_a_phone_gets_shorter_bar_labels_in_the_same_room() -> None:
    name = "Environmental Protection Department and its offices"
    chart = bar_chart("b", "Posts", [(name, 3.0), ("Haha", 1.0)], "Organisation", "Posts")
    long, short = chart.bars
    assert charts.columns(long.narrow_label) < charts.columns(long.short_label)
    for bar in chart.bars:  # in the phone's font, each label fits left of the plot
        assert charts.columns(bar.narrow_label) * charts.NARROW_CHAR_WIDTH + 6 <= chart.plot_left
    html = render(chart)
    assert 'class="chart-tick chart-narrow-only"' in html and long.narrow_label in html
    assert short.narrow_label == short.short_label and html.count(">Haha</text>") == 1


def test_the_stylesheet_sets_chart_text_larger_on_a_phone() -> None:
    css = (Path(charts.__file__).parent.parent / "static" / "portal.css").read_text()
    phone = css.split("@media (max-width: 30rem) {\n  .chart-svg text", 1)[1].split("}", 3)
    assert f"font-size: {charts.NARROW_FONT}px" in phone[0]
    assert ".chart-svg .chart-wide-only { display: none; }" in css
