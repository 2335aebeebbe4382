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
"""

from __future__ import annotations

import dataclasses
import datetime as dt

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
    )
