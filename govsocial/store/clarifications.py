"""Reads for clarifications of misinformation: candidate posts, registry marks, and the counts of an
account's posts that a clarification's reach is compared with.

``analyze.clarifications`` decides which candidates are clarifications and computes their reach;
this module only reads the store (SQLAlchemy Core, the same SQL on SQLite and PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, and_, func, or_, select
from sqlalchemy.orm import Session

from govsocial.store import tables as t
from govsocial.store.times import utc

_posts = cast(Table, t.Post.__table__)
_snapshots = cast(Table, t.PostSnapshot.__table__)
_accounts = cast(Table, t.Account.__table__)
_owners = cast(Table, t.AccountOrganisation.__table__)
_organisations = cast(Table, t.Organisation.__table__)
_marks = cast(Table, t.ClarificationMark.__table__)

#: Platforms whose posts are press releases: they have no interactions to compare.
RELEASE_PLATFORMS = ("rss",)
REACTIONS = ("like", "love", "haha", "wow", "sad", "angry", "care")


@dataclass(frozen=True)
class Mark:
    """A registry mark (``clarifications.csv``)."""

    post_url: str
    rumour_first_seen_at: dt.datetime | None
    rumour_url: str | None
    note: str | None
    source: str


@dataclass(frozen=True)
class PostRow:
    """A post that may be a clarification, with its account."""

    id: int
    account_id: int
    platform: str
    handle: str
    account_status: str
    created_at: dt.datetime
    text: str | None
    url: str | None
    source: str


@dataclass(frozen=True)
class Counts:
    """A post's latest counts: all reactions (or likes), comments, shares, views; None: not given."""

    post_id: int
    account_id: int
    created_at: dt.datetime
    reactions: int | None
    comments: int | None
    shares: int | None
    views: int | None

    @property
    def interactions(self) -> int | None:
        """Reactions + comments + shares, or None when the source gives none of them."""
        parts = [n for n in (self.reactions, self.comments, self.shares) if n is not None]
        return sum(parts) if parts else None


def url_variants(url: str) -> tuple[str, str]:
    """A URL with and without its trailing slash, so a mark finds the post either way."""
    bare = url.rstrip("/")
    return bare, bare + "/"


def marks(session: Session, jurisdiction: str) -> dict[str, Mark]:
    """The jurisdiction's marks by post URL (without its trailing slash)."""
    rows = session.execute(
        select(_marks.c.post_url, _marks.c.rumour_first_seen_at, _marks.c.rumour_url, _marks.c.note,
               _marks.c.source).where(_marks.c.jurisdiction == jurisdiction)
    ).all()  # fmt: skip
    return {
        url_variants(r.post_url)[0]: Mark(
            r.post_url,
            utc(r.rumour_first_seen_at) if r.rumour_first_seen_at else None,
            r.rumour_url,
            r.note,
            r.source,
        )
        for r in rows
    }


def organisation_accounts(session: Session, jurisdiction: str, code: str) -> list[int]:
    """The accounts an organisation owns."""
    return list(
        session.scalars(
            select(_owners.c.account_id)
            .join(_organisations, _organisations.c.id == _owners.c.organisation_id)
            .where(_organisations.c.jurisdiction == jurisdiction, _organisations.c.code == code)
        )
    )


def candidates(
    session: Session,
    jurisdiction: str,
    terms: Sequence[str],
    urls: Collection[str],
    account_ids: Collection[int] | None = None,
    since: dt.datetime | None = None,
) -> list[PostRow]:
    """Social posts whose lower-cased text contains one of ``terms``, or whose URL is in ``urls``."""
    text = func.lower(_posts.c.text)
    wanted = [text.like(f"%{term.lower()}%") for term in terms]
    if urls:
        wanted.append(_posts.c.url.in_(sorted({v for u in urls for v in url_variants(u)})))
    statement = (
        select(_posts.c.id, _posts.c.account_id, _accounts.c.platform, _accounts.c.handle,
               _accounts.c.status, _posts.c.created_at, _posts.c.text, _posts.c.url, _posts.c.source)
        .join(_accounts, _accounts.c.id == _posts.c.account_id)
        .where(_accounts.c.jurisdiction == jurisdiction, _accounts.c.platform.not_in(RELEASE_PLATFORMS),
               or_(*wanted))
        .order_by(_posts.c.created_at.desc(), _posts.c.id.desc())
    )  # fmt: skip
    if account_ids is not None:
        statement = statement.where(_posts.c.account_id.in_(list(account_ids)))
    if since is not None:
        statement = statement.where(_posts.c.created_at >= since)
    return [
        PostRow(r.id, r.account_id, r.platform, r.handle, str(r.status), utc(r.created_at), r.text, r.url,
                r.source)
        for r in session.execute(statement)
    ]  # fmt: skip


def post_counts(session: Session, account_id: int, start: dt.datetime, end: dt.datetime) -> list[Counts]:
    """The account's posts created in ``[start, end]`` with their latest snapshot's counts."""
    latest = (
        select(_snapshots.c.post_id, func.max(_snapshots.c.taken_at).label("taken_at"))
        .join(_posts, _posts.c.id == _snapshots.c.post_id)
        .where(_posts.c.account_id == account_id)
        .group_by(_snapshots.c.post_id)
        .subquery("latest")
    )
    rows = session.execute(
        select(_posts.c.id, _posts.c.created_at, _snapshots.c.reactions, _snapshots.c.likes,
               _snapshots.c.comments, _snapshots.c.shares, _snapshots.c.views)
        .outerjoin(latest, latest.c.post_id == _posts.c.id)
        .outerjoin(_snapshots, and_(_snapshots.c.post_id == latest.c.post_id,
                                    _snapshots.c.taken_at == latest.c.taken_at))
        .where(_posts.c.account_id == account_id, _posts.c.created_at >= start, _posts.c.created_at <= end)
        .order_by(_posts.c.created_at)
    ).all()  # fmt: skip
    return [
        Counts(r.id, account_id, utc(r.created_at), _reactions(r.reactions, r.likes), r.comments, r.shares,
               r.views)
        for r in rows
    ]  # fmt: skip


def _reactions(by_type: dict[str, Any] | None, likes: int | None) -> int | None:
    # Facebook's reaction types summed; elsewhere the likes are the reactions (as in the frames).
    if by_type:
        values = [int(by_type[k]) for k in REACTIONS if by_type.get(k) is not None]
        if not values and by_type.get(t.REACTIONS_TOTAL) is not None:  # all reactions without their types
            return int(by_type[t.REACTIONS_TOTAL])
        return sum(values) if values else likes
    return likes
