"""The charts of the survey's share questions: bars with their Wilson intervals as whiskers and the
2020 shares as diamonds (``charts.range_bar_chart``, ``templates/survey/share_chart.html``).

The geometry is checked as numbers, the page against the API's figures (the chart must say what
the table and ``GET /api/v1/survey/results`` say), and the markup for escaping and for an empty
survey, which must say so and draw no SVG at all.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy.engine import Engine

from govsocial.analyze import survey as analysis
from govsocial.store import survey as store
from govsocial.store.db import session_factory
from govsocial.web.pages import charts
from govsocial.web.pages import survey as page
from govsocial.web.pages.charts import RangeBar, RangeValue, range_bar_chart
from govsocial.web.pages.i18n import LANGUAGES, translations
from govsocial.web.pages.render import environment
from tests.web.survey_support import open_portal

SECTIONS = list(page.SHARE_QUESTIONS)
#: The 2020 study's shares, which the charts mark.
BASELINE = analysis.baseline()
#: Five people: one chooses no channel, and nobody says how often they comment (that bar has no value).
PEOPLE = [
    store.Answers(
        channels=["friends_shares", "government_app"], reactions={"emoji": "often", "share": "never"},
        expectation="get_response", consideration="privacy",
    ),
    store.Answers(channels=["friends_shares"], reactions={"emoji": "sometimes"}, expectation="get_response"),
    store.Answers(channels=["other_pages_media"], reactions={"emoji": "rarely"}, consideration="trust"),
    store.Answers(channels=["none"], expectation="voice_opinion", consideration="privacy"),
    store.Answers(reactions={"share": "often"}, expectation="dont_know", age_band="20-24"),
]  # fmt: skip


def save(engine: Engine, people: list[store.Answers]) -> None:
    """Store the responses and release them (five: a batch)."""
    with session_factory(engine)() as session:
        for i, answers in enumerate(people):
            store.save(session, f"browser-{i}", answers, dt.date(2026, 11, 27))
        analysis.release_due(session, "hk", dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC))
        session.commit()


@pytest.fixture
def portal(sqlite_engine: Engine, sqlite_url: str) -> Iterator[TestClient]:
    """The portal over an empty migrated store (the test saves the responses it needs)."""
    with open_portal(sqlite_url) as client:
        yield client


def figure(html: str, section: str) -> str:
    """The markup of one question's chart."""
    found = re.search(rf'<figure[^>]*id="chart-survey-{section}">(.*?)</figure>', html, re.S)
    assert found is not None, section
    return found.group(1)


def render(chart: charts.Chart, lang: str = "en", answered: bool = True) -> str:
    source = '{% from "survey/share_chart.html" import share_chart %}{{ share_chart(c, answered) }}'
    return environment(lang).from_string(source).render(c=chart, answered=answered)


def ranged(chart: charts.Chart) -> list[RangeBar]:
    bars = [b for b in chart.bars if isinstance(b, RangeBar)]
    assert len(bars) == len(chart.bars)
    return bars


# --- geometry ---------------------------------------------------------------------------------------


def test_bars_whiskers_and_diamonds_sit_at_their_values() -> None:
    rows = [RangeValue("A", 20.0, 10.0, 35.0, 62.1), RangeValue("B", 40.0, 30.0, 50.0, None)]
    chart = range_bar_chart("c", "Shares", rows, "Answer", "Share", fmt=lambda v: f"{v:.1f}%", suffix="%")
    a, b = ranged(chart)
    # The axis reaches the 2020 share, which is beyond every value and interval.
    assert [t.label for t in chart.value_ticks] == ["0%", "20%", "40%", "60%", "80%"]
    at = {t.label: t.at for t in chart.value_ticks}
    unit = (at["20%"] - at["0%"]) / 20  # SVG units per percentage point
    assert a.x == b.x == chart.zero == at["0%"]
    assert a.x + a.width == pytest.approx(at["20%"], abs=0.1)
    assert b.x + b.width == pytest.approx(at["40%"], abs=0.1)
    assert a.low_x == pytest.approx(chart.zero + 10 * unit, abs=0.1)
    assert a.high_x == pytest.approx(chart.zero + 35 * unit, abs=0.2)  # ticks are rounded too
    assert b.low_x == pytest.approx(at["20%"] + 10 * unit, abs=0.2)  # ticks are rounded too
    assert a.reference_x == pytest.approx(chart.zero + 62.1 * unit, abs=0.2)  # ticks are rounded too
    assert b.reference_x is None and b.diamond == "" and a.reference_text == "62.1%"
    # The whisker's path runs from its low end to its high end at the bar's middle.
    assert a.low_x is not None and a.high_x is not None
    assert a.whisker.startswith(f"M{a.low_x - 1:.1f} ") and f"L{a.high_x + 1:.1f} " in a.whisker
    assert a.middle == a.y + a.height / 2
    # Values in one column right of every mark, so none is read as the diamond's number.
    assert a.text_x == b.text_x > chart.plot_right + charts.DIAMOND
    assert (a.text, b.text) == ("20.0%", "40.0%")
    assert chart.table.rows == [("A", "20.0%"), ("B", "40.0%")]


def test_a_row_without_a_value_keeps_its_place_and_its_diamond() -> None:
    rows = [RangeValue("Emoji", 50.0, 20.0, 80.0, 43.3), RangeValue("Comment", None, None, None, 11.7)]
    chart = range_bar_chart("c", "Shares", rows, "Answer", "Share", missing="–")
    _, comment = ranged(chart)
    assert comment.width == 0 and comment.text == "–" and comment.whisker == ""
    assert comment.reference_x is not None and comment.diamond
    # The summary speaks only of the values there are.
    assert chart.summary.params == {"series": "Shares", "label": "Emoji", "value": "50"}


def test_a_narrow_interval_is_still_drawn() -> None:
    rows = [RangeValue("A", 50.0, 49.99, 50.01), RangeValue("B", 90.0)]
    chart = range_bar_chart("c", "S", rows, "Answer", "Share")
    bar, _ = ranged(chart)
    assert bar.low_x is not None and bar.high_x is not None
    # Both ends round to the bar's end, give or take the 0.1 unit every position is rounded to.
    assert bar.low_x == pytest.approx(bar.x + bar.width, abs=0.1)
    assert bar.high_x == pytest.approx(bar.x + bar.width, abs=0.1)
    xs = [float(x) for x in re.findall(r"[ML](-?[\d.]+) ", bar.whisker)]
    assert max(xs) - min(xs) >= 4  # two units of interval and the caps' width


def test_no_values_and_no_references_is_an_empty_chart_that_says_so() -> None:
    rows = [RangeValue("A", None), RangeValue("B", None)]
    chart = range_bar_chart("c", "Shares", rows, "Answer", "Share")
    assert chart.empty and chart.bars == [] and chart.table.rows == []
    html = render(chart)
    assert "<svg" not in html and "the chart appears with the first answer" in html
    assert "有人回答後便會顯示圖表" in render(chart, "zh-hant")


def test_no_values_but_references_draws_the_references_alone() -> None:
    """Before anyone answers, the 2020 shares are still worth seeing: diamonds, no bars, no whiskers."""
    rows = [RangeValue("A", None, None, None, 62.1), RangeValue("B", None, None, None, 20.0)]
    chart = range_bar_chart("c", "Shares", rows, "Answer", "Share")
    assert not chart.empty and len(chart.bars) == 2
    assert all(b.width == 0 and b.low_x is None and b.reference_x is not None for b in ranged(chart))
    html = render(chart, answered=False)
    assert html.count('class="chart-hatch-bg chart-reference"') == 2 and "chart-whisker" not in html
    assert "the diamonds show the 2020 study" in html


# --- the results page -------------------------------------------------------------------------------


def test_the_charts_say_what_the_api_and_the_tables_say(portal: TestClient, sqlite_engine: Engine) -> None:
    save(sqlite_engine, PEOPLE)
    results = portal.get("/api/v1/survey/results").json()
    everyone = next(g for g in results["groups"] if g["group"] == analysis.EVERYONE)
    baseline = results["baseline"]["shares"]
    html = portal.get("/en/survey/results").text
    for section in SECTIONS:
        labels = {k: str(escape(v)) for k, v in page.SHARE_QUESTIONS[section][0].items()}
        drawn = figure(html, section)
        api: dict[str, Any] = everyone["shares"][section]
        # The figures the page draws, rebuilt from the API's numbers: the same bars, whiskers, diamonds.
        estimates = {k: analysis.Estimate(v["mean"], v["low"], v["high"], v["n"]) for k, v in api.items()}
        chart = page.share_question(section, estimates, baseline[section], LANGUAGES["en"]).chart
        for bar, answer in zip(ranged(chart), labels, strict=True):
            share = api[answer]["mean"]
            expected = "–" if share is None else f"{share:.1f}%"
            assert f"<title>{labels[answer]}: {expected}</title>" in drawn
            assert f'width="{bar.width}"' in drawn
            if share is not None:  # the table beside the chart prints the same share
                assert re.search(
                    rf">{re.escape(labels[answer])}</th>\s*<td class=\"num\"[^>]*>{share:.1f}</td>", html
                )
            if bar.whisker:
                assert f'd="{bar.whisker}"' in drawn
            assert (api[answer]["low"] is None) == (bar.whisker == "")
        # A diamond for every answer the 2020 study gives a share for, with that share.
        assert drawn.count('class="chart-hatch-bg chart-reference"') == len(baseline[section])
        for answer, share in baseline[section].items():
            assert f"{labels[answer]}, 2020 share: {share:.1f}%</title>" in drawn
    # Nobody reported how often they comment: no bar, no whisker, the 2020 diamond all the same.
    assert everyone["shares"]["reactions"]["comment"]["n"] == 0
    assert "<title>Commenting: –</title>" in figure(html, "reactions")
    assert "Don&#39;t know" in figure(html, "expectation")


def test_a_question_without_a_2020_share_has_no_diamond(
    portal: TestClient, sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    save(sqlite_engine, PEOPLE)
    real = analysis.baseline()
    only_emoji = analysis.Baseline(real.source, real.ratings, {**real.shares, "reactions": {"emoji": 43.3}})
    monkeypatch.setattr(analysis, "baseline", lambda: only_emoji)
    drawn = figure(portal.get("/en/survey/results").text, "reactions")
    assert drawn.count('chart-reference"') == 1 and "Reacting with emoji to express feelings, 2020" in drawn
    assert "Commenting, 2020" not in drawn


def test_labels_are_escaped_in_the_chart_and_the_table(
    portal: TestClient, sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    save(sqlite_engine, PEOPLE)
    monkeypatch.setitem(page.CHANNEL_LABELS, "friends_shares", '<img src=x onerror="alert(1)"> & co')
    html = portal.get("/en/survey/results").text
    assert "<img" not in html
    drawn = figure(html, "channels")
    escaped = "&lt;img src=x onerror=&#34;alert(1)&#34;&gt; &amp; co"
    assert f"<title>{escaped}: 50.0%</title>" in drawn  # friends' shares: 2 of the 4 who answered
    assert f"<title>{escaped}, 2020 share: 54.6%</title>" in drawn
    assert f'<th scope="row">{escaped}</th>' in html


def test_an_empty_survey_says_no_responses_and_draws_the_2020_shares_alone(portal: TestClient) -> None:
    for lang, message in (("en", "No responses to this question yet"), ("zh-hant", "這條問題尚未有回應")):
        html = portal.get(f"/{lang}/survey/results").text
        for section in SECTIONS:
            drawn = figure(html, section)
            assert message in drawn
            assert "<svg" in drawn and "chart-whisker" not in drawn
            assert drawn.count('class="chart-hatch-bg chart-reference"') == len(BASELINE.shares[section])
        assert html.count("<svg") == html.count("</svg>")  # no SVG left open anywhere on the page
        assert html.count('class="survey-table"') == len(SECTIONS) + 1  # the tables stay


def test_a_chart_is_an_accessible_image_with_a_summary_and_a_legend(
    portal: TestClient, sqlite_engine: Engine
) -> None:
    save(sqlite_engine, PEOPLE)
    html = portal.get("/zh-hant/survey/results").text
    drawn = figure(html, "expectation")
    names = "chart-survey-expectation-summary"
    assert re.search(rf'<svg[^>]*role="img"[^>]*aria-labelledby="{names}"', drawn)
    heading = translations("zh-hant").gettext(page.SHARE_QUESTIONS["expectation"][1])
    title = f"{heading}：回答者的百分比，並列 2020 年百分比"
    assert heading != page.SHARE_QUESTIONS["expectation"][1]
    # Each text once: the caption is the figure's, the visible summary (hidden) names the image.
    assert f'<figcaption class="chart-caption">{title}</figcaption>' in drawn and drawn.count(title) == 1
    assert '<p class="chart-summary" id="chart-survey-expectation-summary" aria-hidden="true">' in drawn
    assert "<desc" not in drawn
    assert "菱形（◇）" in drawn  # the legend names the marks by shape, not by colour
    assert "<script" not in html and " style=" not in drawn
    # The marks are outlined in the text colour and filled with the page's background: they show on a
    # bar and beside one.
    assert 'class="chart-hatch-bg chart-whisker"' in drawn and 'stroke="currentColor"' in drawn
