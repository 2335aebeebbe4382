"""The citizen survey in a report: the six ratings' means with 95 % intervals beside the 2020 baseline.

The survey's answers are published in batches of at least ``analysis.MIN_GROUP`` new or changed
responses (``analysis.release_due``), each release recorded with the ratings everyone could then read.
A report shows **the last release made before its period ended** (by the day it was made, in the
jurisdiction's time zone, as reports cut their periods): what the portal's results page showed on
the period's last day. A report cut anywhere else, by the day each response was sent, could be
compared with the next period's to find what a single person sent. Because a release is never
changed, a report built again later for a past period gives the same figures. How many responses the
releases made in the period published (new ones and new versions of earlier ones) is given beside.

The survey asks about the government as a whole, so an organisation's report shows it as
government-wide context. Before the first release there are no figures, only the baseline: also for
the periods that ended before a store upgraded to releases (migration 0015) made its first one.

The 2020 baseline is a sample of young people in Hong Kong, so only a Hong Kong report is compared
with it (``SurveySection.compared``, ``analysis.baseline_for``), and says what the sample is; another
jurisdiction's report shows its survey's figures alone.

The same release's responses are counted by district as the export published them
(``survey_releases.districts``), each named as the report's jurisdiction's ``districts.csv`` names it
(``SurveySection.district_rows``); releases made before migration 0019 recorded no such counts, and
a report of their period has no district table. Its sentences that the report's shared
words (``report.render.WORDS``) do not have are translated here (``WORDS``, ``SurveySection.say``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from govsocial.analyze import survey as analysis
from govsocial.report.periods import Period
from govsocial.store import survey as store
from govsocial.store import tables as t


@dataclasses.dataclass(frozen=True)
class Rating:
    """One of the six 0-10 ratings: the survey's estimate and the study's 2020 mean and count."""

    key: str
    estimate: analysis.Estimate
    baseline_mean: float
    baseline_n: int


#: The survey section's sentences for a report without the 2020 baseline, in Traditional Chinese.
WORDS = {
    "Mean ratings out of 10 (0 very poor, 10 very good, 5 a pass) from the {count} responses of the "
    "survey's last release before the end of the period, on {date}. The survey is released in batches "
    "of at least {k} new or changed responses; its releases in the period published {new}.": (
        "評分為0至10分（0為極差，10為極好，5為合格），根據本期完結前最後一次公布（{date}）的{count}份"
        "回應計算。問卷結果每累積至少{k}份新增或更改的回應才會公布一次；本期內公布的新增或更改回應共"
        "{new}份。"
    ),
    "No survey figures had been released by the end of the period: so that no one who answered can be "
    "singled out, they are released in batches of at least {k} new or changed responses.": (
        "截至本期完結時，問卷仍未公布任何數字：為免回應者被辨認出來，問卷結果每累積至少{k}份新增或"
        "更改的回應才會公布一次。"
    ),
    "The interval is the mean's 95 % confidence interval (Student's t). People who answer a web survey "
    "choose themselves: the figures describe them, not the whole population.": (
        "置信區間為平均分的95%置信區間（學生t分佈）。網上問卷的回應者是自行選擇參與的，數字只反映他們"
        "的意見，並不代表全體市民。"
    ),
    "The questions are those of a 2020 study of young people in Hong Kong. Its figures are not shown "
    "here: they describe young people in Hong Kong, not this government's public.": (
        "問題取自 2020 年一項以香港青年為對象的研究。該研究的數字不在此列出：它們反映的是香港青年，"
        "而非本政府的市民。"
    ),
    "The 2020 figures are of a sample of young people in Hong Kong: the study asked {respondents} "
    "people aged 15 to 34, from February to April 2020.": (
        "2020 年的數字來自香港青年的樣本：該研究於 2020 年 2 月至 4 月訪問了 {respondents} 名"
        " 15 至 34 歲人士。"
    ),
    "District": "地區",
    "Responses by district in the same release, as its open file shows them: where fewer than {k} "
    "people share a month, age band and district, their district is left out.": (
        "同一次公布的回應按地區計算，與公開檔案所列相同：如同一月份、年齡組別及地區的作答者少於{k}人，"
        "他們的地區會略去不提。"
    ),
    "District left out so that no one can be singled out": "為免有人被認出而略去的地區",
    "No district given": "沒有填寫地區",
    "{code} (no longer among the districts)": "{code}（已不在地區列表之中）",
}


@dataclasses.dataclass(frozen=True)
class SurveySection:
    """The survey's ratings as last released before a period ended: respondents then, and how many
    responses the period's releases published."""

    respondents: int
    in_period: int
    ratings: list[Rating]
    #: The baseline's source (title, publisher, year, population, respondents) as the study gives it.
    source: dict[str, object]
    #: Whether there are no figures: nothing had been released by the end of the period.
    withheld: bool = False
    #: The fewest new or changed responses a release publishes (``analysis.MIN_GROUP``), for the
    #: report to say.
    min_group: int = analysis.MIN_GROUP
    #: The day of the release the figures are from (None: no release by the end of the period).
    released_on: dt.date | None = None
    #: The release's responses by published district (``analysis.district_counts``); None for a
    #: release made before they were recorded, or no release.
    districts: dict[str, int] | None = None
    #: Every jurisdiction's districts in the store, to name the counts in the report's jurisdiction's.
    district_lists: dict[str, list[store.District]] = dataclasses.field(default_factory=dict)

    @staticmethod
    def compared(jurisdiction: str) -> bool:
        """Whether a report of ``jurisdiction`` shows the 2020 baseline (Hong Kong's study: hk only)."""
        return analysis.baseline_for(jurisdiction) is not None

    @staticmethod
    def say(message: str, lang: str, **values: str) -> str:
        """One of this section's own sentences (``WORDS``) in the report's language, filled in."""
        text = WORDS.get(message, message) if lang == "zh-hant" else message
        return text.format(**values) if values else text

    def district_rows(self, jurisdiction: str, lang: str) -> list[tuple[str, str]]:
        """The release's responses by district (label in ``lang``, count), named as ``jurisdiction``
        names its districts; none without recorded counts or where no response gave a district."""
        if not self.districts:
            return []
        rows = analysis.by_district(self.districts, self.district_lists.get(jurisdiction, []))
        if not analysis.names_districts(rows):
            return []
        special = {
            analysis.SUPPRESSED: self.say("District left out so that no one can be singled out", lang),
            analysis.NO_DISTRICT: self.say("No district given", lang),
        }
        return [(special.get(row.key) or self._name(row, lang), f"{row.respondents:,}") for row in rows]

    def _name(self, row: analysis.DistrictCount, lang: str) -> str:
        if row.district is None:
            return self.say("{code} (no longer among the districts)", lang, code=row.key)
        return row.label(lang)


def survey_section(session: Session, period: Period) -> SurveySection:
    """The survey's ratings as released last before ``period`` ended, with the 2020 baseline."""
    made = store.latest_release(session, before=period.end)
    estimates = analysis.release_ratings(made)
    base = analysis.baseline()
    ratings = [Rating(key, estimates[key], *base.ratings[key]) for key in store.RATINGS]
    return SurveySection(
        made.respondents if made is not None else 0,
        store.released_between(session, period.start, period.end),
        ratings,
        dict(base.source),
        withheld=made is None,
        released_on=made.made_on if made is not None else None,
        districts=made.districts if made is not None else None,
        district_lists=_district_lists(session),
    )


def _district_lists(session: Session) -> dict[str, list[store.District]]:
    """The districts of every jurisdiction the store holds (a few dozen rows each at most)."""
    codes = session.scalars(select(t.District.jurisdiction).distinct())
    return {code: store.districts_of(session, code) for code in codes}
