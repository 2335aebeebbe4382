"""Rows the alert tests store: a published Facebook page of Hong Kong and its posts with one
snapshot each."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from govsocial.store import tables as t


def account(session: Session, handle: str = "quiet_page") -> t.Account:
    """A published Facebook page of ``hk``."""
    row = t.Account(
        jurisdiction="hk", platform="facebook", kind="page", handle=handle, key=handle,
        status=t.AccountStatus.PUBLISHED,
    )  # fmt: skip
    session.add(row)
    session.flush()
    return row


def post(
    session: Session,
    page: t.Account,
    n: int,
    created: dt.datetime,
    interactions: int,
    seen: dt.datetime | None = None,
) -> t.Post:
    """Post ``n`` of ``page``, made at ``created``, with ``interactions`` likes counted at ``seen``
    (default: when it was made)."""
    seen = seen or created
    row = t.Post(
        account_id=page.id, platform="facebook", post_id=f"{page.handle}_{n}", created_at=created,
        format="text", source="test", first_seen_at=created, last_seen_at=seen, content_hash="x",
        url=f"https://facebook.com/{page.handle}/posts/{n}",
    )  # fmt: skip
    session.add(row)
    session.flush()
    session.add(t.PostSnapshot(post_id=row.id, taken_at=seen, likes=interactions, comments=0, shares=0))
    session.flush()
    return row
