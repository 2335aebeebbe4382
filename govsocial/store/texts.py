"""Comment texts for text analysis: what citizens wrote on a set of accounts' posts, in a time range.

Only the public's comments (never the page's own replies), not deleted, with text; and never who
wrote them: the rows carry the comment id, its post and its time, not the author pseudonym. The
texts were redacted of personal data when they were stored. Posts are the government's own words,
so their text may be shown beside the terms their comments raised.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVarTuple

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from govsocial.store import tables as t
from govsocial.store.queries import SAMPLE_SOURCE
from govsocial.store.times import utc

Ts = TypeVarTuple("Ts")


#: The accounts whose comments a jurisdiction's topics read: the official ones, as the metrics'
#: levels above the account (docs/metrics.md, "Levels"). One under review may be the same channel
#: as an official account, or not the government's at all.
OFFICIAL_STATUSES = (t.AccountStatus.PUBLISHED, t.AccountStatus.ARCHIVED)


@dataclass(frozen=True)
class Scope:
    """Whose comments: these accounts, or (``account_ids`` None) every official account of the
    jurisdiction (``OFFICIAL_STATUSES``)."""

    jurisdiction: str
    account_ids: tuple[int, ...] | None = None


@dataclass(frozen=True)
class CommentText:
    """One citizen comment, without its author; ``sample`` when it is invented demo data."""

    id: int
    post_id: int
    created_at: dt.datetime
    text: str
    sample: bool


@dataclass(frozen=True)
class PostText:
    """A government post as shown beside the terms its comments mention."""

    id: int
    account_id: int
    platform: str
    post_id: str
    created_at: dt.datetime
    text: str | None
    url: str | None
    official: bool
    sample: bool


def _scoped(query: Select[*Ts], scope: Scope) -> Select[*Ts]:
    """``query`` on comments joined to their posts, limited to the scope's accounts."""
    query = query.join(t.Post, t.Post.id == t.Comment.post_id).where(
        t.Comment.is_page_reply.is_(False), t.Comment.deleted_at.is_(None), t.Comment.text.is_not(None)
    )
    if scope.account_ids is not None:
        return query.where(t.Post.account_id.in_(scope.account_ids))
    return query.join(t.Account, t.Account.id == t.Post.account_id).where(
        t.Account.jurisdiction == scope.jurisdiction, t.Account.status.in_(OFFICIAL_STATUSES)
    )


def comment_texts(session: Session, scope: Scope, start: dt.datetime, end: dt.datetime) -> list[CommentText]:
    """The scope's citizen comments created in ``[start, end)``, oldest first."""
    if scope.account_ids is not None and not scope.account_ids:
        return []
    c = t.Comment
    query = _scoped(select(c.id, c.post_id, c.created_at, c.text, t.Post.source), scope).where(
        c.created_at >= start.astimezone(dt.UTC), c.created_at < end.astimezone(dt.UTC)
    )
    rows = session.execute(query.order_by(c.created_at, c.id))
    return [
        CommentText(i, p, utc(at), text, source == SAMPLE_SOURCE)
        for i, p, at, text, source in rows
        if text and text.strip()
    ]


def latest_comment_time(session: Session, scope: Scope) -> dt.datetime | None:
    """When the scope's newest citizen comment was made (None if there is none)."""
    if scope.account_ids is not None and not scope.account_ids:
        return None
    newest = session.scalar(_scoped(select(func.max(t.Comment.created_at)), scope))
    return utc(newest) if newest is not None else None


def data_version(
    session: Session, scope: Scope, start: dt.datetime, end: dt.datetime
) -> tuple[str, int, int, int]:
    """``(database, count, oldest id, newest id)`` of the scope's comments in ``[start, end)``: it
    changes when comments come in or go."""
    bind = str(session.get_bind().engine.url)
    if scope.account_ids is not None and not scope.account_ids:
        return (bind, 0, 0, 0)
    c = t.Comment
    query = _scoped(select(func.count(), func.min(c.id), func.max(c.id)), scope).where(
        c.created_at >= start.astimezone(dt.UTC), c.created_at < end.astimezone(dt.UTC)
    )
    count, oldest, newest = session.execute(query).one()
    return (bind, int(count or 0), int(oldest or 0), int(newest or 0))


def post_texts(session: Session, post_ids: Sequence[int]) -> dict[int, PostText]:
    """The posts with these ids, by id."""
    if not post_ids:
        return {}
    p, a = t.Post, t.Account
    rows = session.execute(
        select(p.id, p.account_id, p.platform, p.post_id, p.created_at, p.text, p.url, p.source, a.status)
        .join(a, a.id == p.account_id)
        .where(p.id.in_(post_ids))
    )
    found: dict[int, PostText] = {}
    for pid, account_id, platform, post_id, created_at, text, url, source, status in rows:
        official = status == t.AccountStatus.PUBLISHED
        found[pid] = PostText(
            pid, account_id, platform, post_id, utc(created_at), text, url, official, source == SAMPLE_SOURCE
        )
    return found
