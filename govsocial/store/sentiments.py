"""Queries on stored comment sentiment: how citizens' comments on each post were labelled, and
which analysers labelled the comments on each account's posts.

A label counts only while it is current: the ``content_hash`` it was scored from must still be the
comment's (an edited comment waits for the next refresh). The page's own replies are never labelled.

The analysers are kept per account in ``comment_analysers``, rewritten by :func:`record_analysers`
at the end of each scoring run, so that a page names them (:func:`analysers`) by reading a few rows
by key instead of every comment of its subject: they are those of the last scoring run, as the
stored metrics are those of the last refresh (a comment forgotten since still counts in both).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, delete, func, select, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
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


def analysers(session: Session, account_ids: Sequence[int]) -> tuple[str, ...]:
    """The analysers whose labels the comments on ``account_ids``' posts carry, sorted, as the last
    scoring run recorded them (``comment_analysers``: a lookup by key, never a read of the comments)."""
    if not account_ids:
        return ()
    a = t.CommentAnalyser
    found = session.scalars(select(a.analyser).where(a.account_id.in_(account_ids)).distinct())
    return tuple(sorted(found))


def record_analysers(connection: Connection, jurisdiction: str | None = None) -> int:
    """Rewrite ``comment_analysers`` for the accounts of ``jurisdiction`` (None: every account) from
    the stored sentiments; how many rows changed (inserted or deleted).

    Rows are compared, not wiped and written again: an account whose analysers did not change keeps
    its rows untouched, and two runs at once never insert the same row twice.
    """
    c, s, p, a = t.Comment, t.CommentSentiment, t.Post, t.CommentAnalyser
    wanted_query = select(p.account_id, s.analyser).join(c, c.id == s.comment_id).join(p, p.id == c.post_id)
    stored_query = select(a.account_id, a.analyser)
    if jurisdiction is not None:
        ours = select(t.Account.id).where(t.Account.jurisdiction == jurisdiction)
        wanted_query = wanted_query.where(p.account_id.in_(ours))
        stored_query = stored_query.where(a.account_id.in_(ours))
    wanted = {(account, analyser) for account, analyser in connection.execute(wanted_query.distinct())}
    stored = {(account, analyser) for account, analyser in connection.execute(stored_query)}
    gone, new = sorted(stored - wanted), sorted(wanted - stored)
    if gone:
        connection.execute(delete(a).where(tuple_(a.account_id, a.analyser).in_(gone)))
    if new:
        factory = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
        rows = [{"account_id": account_id, "analyser": analyser} for account_id, analyser in new]
        connection.execute(factory(a).on_conflict_do_nothing(), rows)
    return len(gone) + len(new)
