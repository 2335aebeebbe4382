"""What people talk about: the terms that rose most in the subject's comments.

Gives the data of the templates/opinion/topics.html section for a page's subject, or None when
there is nothing to show. The section shows the latest week with enough comments
(:data:`MIN_COMMENTS`), else the week before it, else the latest month or the one before: a week
only just begun has too few comments to compare. The terms, counts and posts come from
:func:`govsocial.analyze.topics.view.topics`, which the CLI and the API use too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from govsocial.analyze.topics import view as tv
from govsocial.analyze.topics.rising import MIN_COMMENTS as MIN_MENTIONS
from govsocial.analyze.topics.rising import MIN_Z
from govsocial.web.pages.i18n import N_

if TYPE_CHECKING:
    from govsocial.web.pages.opinion import Subject

#: A period with fewer comments than this is not shown: too few to say what rose.
MIN_COMMENTS = 20

#: Words for each kind of period: (the period, the one before, the table caption of rising terms).
PERIOD_WORDS: dict[tv.PeriodKind, tuple[str, str, str]] = {
    tv.PeriodKind.WEEK: (
        N_("This week"),
        N_("Previous week"),
        N_("Terms mentioned clearly more often than in the previous week"),
    ),
    tv.PeriodKind.MONTH: (
        N_("This month"),
        N_("Previous month"),
        N_("Terms mentioned clearly more often than in the previous month"),
    ),
}


@dataclass(frozen=True)
class TopicSection:
    """The section's data: the view, the words for its period, and the window's first day."""

    view: tv.TopicView
    now_label: str
    before_label: str
    rising_caption: str
    history: int
    min_z: float
    min_mentions: int
    #: Whether the period is still running (the current week or month): its counts will grow.
    unfinished: bool = False

    @staticmethod
    def percent(share: float) -> str:
        """A share as the template shows it."""
        return percent(share)

    @property
    def first_day(self) -> str:
        """The period's first day."""
        return self.view.period.start.date().isoformat()

    @property
    def zone(self) -> dt.tzinfo | None:
        """The jurisdiction's zone, whose calendar the period follows."""
        return self.view.period.start.tzinfo

    @property
    def last_day(self) -> str:
        """The period's last day (its end is the next period's first moment)."""
        return (self.view.period.end.date() - dt.timedelta(days=1)).isoformat()


def percent(share: float) -> str:
    """A share as a whole percentage ("12%"), "<1%" for small non-zero shares."""
    if 0 < share < 0.005:
        return "<1%"
    return f"{share:.0%}"


def _subject(subject: Subject) -> tv.Subject:
    return tv.Subject(subject.level, subject.jurisdiction, subject.entity, subject.account_ids)


def choose(session: Session, subject: tv.Subject) -> tv.TopicView | None:
    """The latest week with enough comments (or the one before), else the same for months."""
    for kind in (tv.PeriodKind.WEEK, tv.PeriodKind.MONTH):
        latest = tv.topics(session, subject, kind)
        if latest is None:
            return None
        if latest.comments_now >= MIN_COMMENTS:
            return latest
        before = tv.topics(session, subject, kind, at=latest.previous.start.date())
        if before is not None and before.comments_now >= MIN_COMMENTS:
            return before
    return None


def section(session: Session, subject: Subject, now: dt.datetime | None = None) -> TopicSection | None:
    """The section's data for ``subject`` as of ``now`` (default: the present), or None (nothing
    is shown)."""
    if not subject.account_ids:
        return None
    view = choose(session, _subject(subject))
    if view is None:
        return None
    now_label, before_label, caption = PERIOD_WORDS[view.period.kind]
    history = tv.HISTORY[view.period.kind]
    unfinished = view.period.end > (now or dt.datetime.now(dt.UTC))
    return TopicSection(view, now_label, before_label, caption, history, MIN_Z, MIN_MENTIONS, unfinished)
