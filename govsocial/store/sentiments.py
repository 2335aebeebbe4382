"""Read queries on stored comment sentiment: how citizens' comments on each post were labelled.

A label counts only while it is current: the ``content_hash`` it was scored from must still be the
comment's (an edited comment waits for the next refresh). The page's own replies are never labelled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from govsocial.store import tables as t


@dataclass(frozen=True)
class LabelCounts:
    """How many of a post's citizen comments were labelled positive, neutral and negative."""

    positive: int = 0
    neutral: int = 0
    negative: int = 0

    @property
    def scored(self) -> int:
        """Comments with a label."""
        return self.positive + self.neutral + self.negative


def by_post(session: Session, post_ids: Sequence[int]) -> dict[int, LabelCounts]:
    """The label counts of each post of ``post_ids`` that has labelled comments."""
    if not post_ids:
        return {}
    c, s = t.Comment, t.CommentSentiment
    rows = session.execute(
        select(c.post_id, s.label, func.count())
        .join(s, (s.comment_id == c.id) & (s.content_hash == c.content_hash))
        .where(c.post_id.in_(post_ids), c.is_page_reply.is_(False))
        .group_by(c.post_id, s.label)
    )
    counts: dict[int, dict[str, int]] = {}
    for post_id, label, number in rows:
        counts.setdefault(post_id, {})[label] = number
    return {
        post_id: LabelCounts(**{k: v for k, v in labels.items() if k in ("positive", "neutral", "negative")})
        for post_id, labels in counts.items()
    }
