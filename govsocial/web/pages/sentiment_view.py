"""What commenters feel: comment sentiment beside the reaction mix.

Gives the data of the templates/opinion/sentiment.html section for a page's subject, or None when
there is nothing to show.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from govsocial.web.pages.opinion import Subject


def section(session: Session, subject: Subject) -> object | None:
    """The section's data for ``subject``, or None (nothing is shown)."""
    return None
