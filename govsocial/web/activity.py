"""The directory's active/dormant filter, shared by the portal and the API.

An official account is *active* when it published at least one post in the ``active_days`` days (a
metric parameter, 30 by default, the OECD's definition that the presence metrics use too) up to the
newest post collected for the jurisdiction, and *dormant* otherwise — including an account of which
no post has been collected at all. Accounts under review or archived are neither.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from govsocial.analyze.metrics.params import MetricParams
from govsocial.store import queries


def window(
    session: Session, jurisdiction: str, activity: queries.Activity | None
) -> queries.ActivityWindow | None:
    """The filter for ``activity`` in ``jurisdiction``; None when no activity is asked for."""
    if activity is None:
        return None
    since = queries.activity_since(session, jurisdiction, MetricParams().active_days)
    return queries.ActivityWindow(activity, since)
