"""The citizen survey in a report: the six ratings' means with 95 % intervals beside the 2020 baseline.

The figures are the portal's (``analyze.survey``: Student's t intervals, the study's baseline); this
module only chooses the responses. A report counts every response sent **up to the end of its
period**, not only those sent in it: that is what the portal's results page showed on that day, and
a week's or a month's responses alone are too few for a useful interval. How many of them were sent
in the period itself is given beside. A browser keeps one response, dated the day it was last sent,
so a response re-sent after the period counts only in later reports.

The survey asks about the government as a whole, so an organisation's report shows it as
government-wide context. Its figures follow the portal's rule (``analysis.release``): none while
fewer than ``analysis.MIN_GROUP`` responses had been sent, only their number.
"""

from __future__ import annotations

import dataclasses

from sqlalchemy.orm import Session

from govsocial.analyze import survey as analysis
from govsocial.report.periods import Period
from govsocial.store import survey as store


@dataclasses.dataclass(frozen=True)
class Rating:
    """One of the six 0-10 ratings: the survey's estimate and the study's 2020 mean and count."""

    key: str
    estimate: analysis.Estimate
    baseline_mean: float
    baseline_n: int


@dataclasses.dataclass(frozen=True)
class SurveySection:
    """The survey's ratings up to the end of a period: respondents then, and how many sent in it."""

    respondents: int
    in_period: int
    ratings: list[Rating]
    #: The baseline's source (title, publisher, year, population, respondents) as the study gives it.
    source: dict[str, object]
    #: Whether the ratings are withheld: fewer than ``analysis.MIN_GROUP`` responses had been sent.
    withheld: bool = False
    #: How many responses the figures need (``analysis.MIN_GROUP``), for the report to say.
    min_group: int = analysis.MIN_GROUP


def survey_section(session: Session, period: Period) -> SurveySection:
    """The survey's ratings from the responses sent before ``period`` ended, with the 2020 baseline."""
    rows = [r for r in store.responses(session) if r.submitted_on < period.end]
    # The figures describe released responses only: with fewer than k, none (the count stays).
    released = analysis.release(rows)
    results = analysis.summarise(p.response for p in released.rows)
    base = analysis.baseline()
    ratings = [Rating(key, results.ratings[key], *base.ratings[key]) for key in store.RATINGS]
    in_period = sum(1 for r in rows if r.submitted_on >= period.start)
    return SurveySection(len(rows), in_period, ratings, dict(base.source), withheld=released.withheld > 0)
