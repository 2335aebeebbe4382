"""The public-opinion sections of the account and organisation pages.

Three sections follow an account's or organisation's activity: what commenters feel (comment
sentiment beside the reaction mix, :mod:`.sentiment_view`), what they talk about (rising terms,
:mod:`.topics_view`) and crises and clarifications (unusual comment volume or negativity, posts
clarifying misinformation, :mod:`.crises_view`). Each module gives its section's data for a
:class:`Subject`, or None when there is nothing to show, and its template under
``templates/opinion/`` renders nothing for None.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy.orm import Session

from govsocial.web.pages import crises_view, sentiment_view, topics_view


@dataclass(frozen=True)
class Subject:
    """Whose opinion section this is: one account, or one organisation and its accounts.

    ``entity`` is how ``metric_values`` names it at ``level`` (the account id as text, or the
    organisation code); ``account_ids`` are the accounts whose posts and comments count; ``params``
    is the digest of the configured metric parameters, under which its values are read
    (``analyze.metrics.params.configured``).
    """

    level: Literal["account", "organisation"]
    jurisdiction: str
    entity: str
    account_ids: tuple[int, ...]
    params: str


def sections(session: Session, subject: Subject) -> dict[str, Any]:
    """The template context of the three sections (``sentiment``, ``topics``, ``crises``)."""
    return {
        "sentiment": sentiment_view.section(session, subject),
        "topics": topics_view.section(session, subject),
        "crises": crises_view.section(session, subject),
    }
