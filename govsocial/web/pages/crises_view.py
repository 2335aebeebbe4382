"""Crises and clarifications: unusual comment volume or negativity, and posts clarifying misinformation.

Gives the data of the templates/opinion/crises.html section for a page's subject, or None when
there is nothing to show: the subject's most recent opinion events (``store.events``, written
by each metrics refresh) and its most recent clarifications with their reach and time to
clarification (``analyze.clarifications``). Numbers only; the template words them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from govsocial.analyze.clarifications import Clarification, list_clarifications
from govsocial.store import queries
from govsocial.store.events import EventFilter, EventRow, list_events

if TYPE_CHECKING:
    from govsocial.web.pages.opinion import Subject

#: How many of each the section shows; the API lists them all.
SHOWN = 8


@dataclass(frozen=True)
class CrisesSection:
    """What the section shows."""

    events: list[EventRow]
    clarifications: list[Clarification]
    #: Whether an account is named in each row (an organisation's page, several accounts).
    several_accounts: bool
    sample: bool
    #: The jurisdiction's zone, in which post times are shown.
    zone: ZoneInfo


def section(session: Session, subject: Subject) -> CrisesSection | None:
    """The section's data for ``subject``, or None (nothing is shown)."""
    if not subject.account_ids:
        return None
    events = list_events(session, EventFilter(subject.jurisdiction, account_ids=subject.account_ids))
    clarifications = list_clarifications(session, subject.jurisdiction, subject.account_ids)
    if not events and not clarifications:
        return None
    return CrisesSection(
        events=events[:SHOWN],
        clarifications=clarifications[:SHOWN],
        several_accounts=len(subject.account_ids) > 1,
        sample=queries.has_sample_activity(session, list(subject.account_ids)),
        zone=queries.jurisdiction_zone(session, subject.jurisdiction),
    )
