"""A report's period: an ISO week (``2026-W43``), a month (``2026-10``) or a year (``2026``).

The labels are the ones the scorecard is materialised under (``analyze.pipeline`` with
``DEFAULT_PERIOD_KINDS``), so a report reads the stored values of its period directly. The kind
follows from the label's form; the period before is of the same kind, so "changes since the last
period" compare a week with the week before, a month with the month before, a year with the year
before.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from govsocial.report.errors import ReportError
from govsocial.store.events import period_end, period_start

_FORMS = (
    ("week", re.compile(r"^(?P<year>\d{4})-W(?P<number>\d{2})$")),
    ("month", re.compile(r"^(?P<year>\d{4})-(?P<number>0[1-9]|1[0-2])$")),
    ("year", re.compile(r"^(?P<year>\d{4})$")),
)
#: What the error for a malformed period names as the accepted forms.
ACCEPTED = "a week YYYY-Www (e.g. 2026-W43), a month YYYY-MM (e.g. 2026-10) or a year YYYY (e.g. 2026)"
#: The first year a report may be about: the period before it, and the trends' periods, stay
#: inside the calendar (``datetime.date`` starts at year 1). At the other end, a period must end
#: by the last day ``datetime.date`` holds (9999-12-31), so year 9999, its December and its last
#: week are refused too.
FIRST_YEAR = 1900


@dataclasses.dataclass(frozen=True, order=True)
class Period:
    """One calendar period: its kind (``week``, ``month`` or ``year``) and its label."""

    kind: str
    label: str

    @property
    def start(self) -> dt.date:
        """The period's first day."""
        return period_start(self.kind, self.label)

    @property
    def end(self) -> dt.date:
        """The day after the period's last day."""
        return period_end(self.kind, self.label)


def parse(text: str) -> Period:
    """The period ``text`` names; a ``ReportError`` naming the accepted forms otherwise."""
    for kind, form in _FORMS:
        match = form.match(text)
        if match is None:
            continue
        year = int(match["year"])
        number = int(match["number"]) if kind != "year" else 1
        # Weeks run 01 to 52 or 53 (a year has week 53 only when it has 53 Thursdays).
        if year >= FIRST_YEAR and (kind != "week" or _is_week(year, number)) and _ends(kind, text):
            return Period(kind, text)
        break
    raise ReportError(f"{text!r} is not a period: give {ACCEPTED}")


def _is_week(year: int, week: int) -> bool:
    try:
        dt.date.fromisocalendar(year, week, 1)
    except ValueError:
        return False
    return True


def _ends(kind: str, label: str) -> bool:
    """Whether the period's end (the day after it) is a date: not for the last periods of year
    9999, which a report, the survey's window and the portal's week dates all need."""
    try:
        period_end(kind, label)
    except (ValueError, OverflowError):
        return False
    return True


def kind_of(label: str) -> str | None:
    """The kind of a period label, or ``None`` when it is not one (for file names on the portal)."""
    try:
        return parse(label).kind
    except ReportError:
        return None


def label_of(kind: str, day: dt.date) -> str:
    """The label of the period of ``kind`` that holds ``day``."""
    if kind == "week":
        year, week, _ = day.isocalendar()
        return f"{year:04d}-W{week:02d}"
    if kind == "month":
        return f"{day.year:04d}-{day.month:02d}"
    return f"{day.year:04d}"


def before(period: Period) -> Period:
    """The period of the same kind just before ``period``."""
    return Period(period.kind, label_of(period.kind, period.start - dt.timedelta(days=1)))


def check_reportable(period: Period, today: dt.date, publishing: bool = False) -> None:
    """Refuse a period a report cannot be of on ``today`` (the jurisdiction's date): one that has not
    started, which has no figures to report, and, when ``publishing``, one that has not ended, whose
    figures would still change after the portal listed the report as the period's."""
    if period.start > today:
        raise ReportError(
            f"{period.label} has not started yet (it starts on {period.start.isoformat()}): "
            "there is nothing to report"
        )
    if publishing and period.end > today:
        last = period.end - dt.timedelta(days=1)
        raise ReportError(
            f"{period.label} has not ended yet (its last day is {last.isoformat()}): only a period that "
            "has ended is published; leave out --publish to see the period so far"
        )


def back(period: Period, count: int) -> list[Period]:
    """``count`` periods of ``period``'s kind ending with ``period``, oldest first."""
    periods = [period]
    while len(periods) < count:
        periods.append(before(periods[-1]))
    return periods[::-1]
