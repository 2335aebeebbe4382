"""The directory's active/dormant filter, shared by the portal and the API.

An official account is *active* when it published at least one post in the ``active_days`` days (a
metric parameter, 30 by default, the OECD's definition that the presence metrics use too; the
deployment's value, from the ``metric_params`` setting) up to the
newest post collected for the jurisdiction, and *dormant* otherwise — including an account of which
no post has been collected at all. Accounts under review or archived are neither.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from govsocial.analyze.metrics.params import configured
from govsocial.settings import Settings
from govsocial.store import queries


def window(
    session: Session, settings: Settings, jurisdiction: str, activity: queries.Activity | None
) -> queries.ActivityWindow | None:
    """The filter for ``activity`` in ``jurisdiction``, with the configured ``active_days`` (as the
    presence metrics count them); None when no activity is asked for."""
    if activity is None:
        return None
    since = queries.activity_since(session, jurisdiction, configured(settings).active_days)
    return queries.ActivityWindow(activity, since)
