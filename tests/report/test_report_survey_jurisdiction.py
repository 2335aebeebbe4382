"""The citizen survey in another jurisdiction's report: its figures alone, without the 2020 baseline.

The 2020 study asked 1,028 young people (aged 15-34) in Hong Kong, so only a Hong Kong report shows
its baseline, and names it as such; a Singapore or UK report compared with it would set another
government's public beside Hong Kong's young people (docs/survey.md, "The 2020 baseline").
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from govsocial.analyze import survey as analysis
from govsocial.report.build import build
from govsocial.report.chart import MARK_COLOUR
from govsocial.report.render import render_html
from govsocial.report.survey import SurveySection
from govsocial.store import survey as survey_store
from govsocial.store import tables as t
from govsocial.store.db import session_factory

#: How the chart draws the baseline's mark.
MARK = f'fill="{MARK_COLOUR}"'
#: A month that has ended, with the survey's one release on its 10th.
MONTH = "2026-10"
RELEASED = dt.date(2026, 10, 10)
NOW = dt.datetime(2026, 11, 29, 3, 0, tzinfo=dt.UTC)


@pytest.fixture
def store(sqlite_engine: Engine) -> Iterator[Session]:
    """Hong Kong and Singapore, and a survey batch of ``MIN_GROUP`` responses released in ``MONTH``."""
    with session_factory(sqlite_engine)() as session:
        session.add(t.Jurisdiction(code="hk", name_en="Hong Kong", timezone="Asia/Hong_Kong"))
        session.add(t.Jurisdiction(code="sg", name_en="Singapore", timezone="Asia/Singapore"))
        for index in range(analysis.MIN_GROUP):
            answers = survey_store.Answers(ratings={"explaining_policy": 4 + index % 3})
            survey_store.save(session, f"browser-{index}", answers, RELEASED)
        released_at = dt.datetime.combine(RELEASED, dt.time(4), tzinfo=dt.UTC)
        assert analysis.release_due(session, "sg", released_at) is not None
        session.commit()
        yield session


def _html(session: Session, jurisdiction: str, lang: str) -> str:
    return render_html(build(session, jurisdiction, None, MONTH, now=NOW), lang)


def _survey_part(page: str) -> str:
    """The report's survey section, from its heading to the next, its text unescaped."""
    heading = "<h2>Citizen survey</h2>" if "<h2>Citizen survey</h2>" in page else "<h2>市民問卷調查</h2>"
    start = page.index(heading)
    return html.unescape(page[start : page.index("<h2>", start + len(heading))])


def test_another_jurisdictions_report_shows_its_survey_without_the_hong_kong_baseline(store: Session) -> None:
    survey = _survey_part(_html(store, "sg", "en"))
    # Its own figures: the release's five responses, the mean of 4, 5, 6, 4, 5.
    assert f"from the {analysis.MIN_GROUP} responses of the survey's last release" in survey
    assert "4.80" in survey
    # No baseline: not its column, its mean (2.35, n 906), its chart, nor the study as a comparison.
    assert "2020 baseline" not in survey and "2.35" not in survey and "906" not in survey
    assert "beside the 2020 study" not in survey
    # Its chart: its own means and intervals, no baseline mark, no 2020 figure.
    chart = survey[survey.index("<svg") : survey.index("</svg>")]
    assert "4.80" in chart and "2020" not in chart and MARK not in chart
    assert "Its figures are not shown here: they describe young people in Hong Kong" in survey


def test_another_jurisdictions_report_in_chinese_has_no_baseline_either(store: Session) -> None:
    survey = _survey_part(_html(store, "sg", "zh-hant"))
    assert "2020年基線" not in survey and "2.35" not in survey
    assert "根據本期完結前最後一次公布（2026-10-10）的5份回應計算。" in survey
    assert "它們反映的是香港青年，而非本政府的市民" in survey


def test_hong_kongs_report_names_the_baseline_a_hong_kong_youth_sample(store: Session) -> None:
    en = _survey_part(_html(store, "hk", "en"))
    assert "2020 baseline" in en and "2.35 (n 906)" in en and "<svg" in en
    assert "a sample of young people in Hong Kong: the study asked 1,028 people aged 15 to 34" in en
    zh = _survey_part(_html(store, "hk", "zh-hant"))
    assert "2020年基線" in zh and "香港青年的樣本" in zh and "1,028 名 15 至 34 歲人士" in zh


def test_only_hong_kong_is_compared() -> None:
    assert SurveySection.compared("hk")
    assert not SurveySection.compared("sg") and not SurveySection.compared("uk")
