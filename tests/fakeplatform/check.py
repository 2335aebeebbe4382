"""What the store holds after a collection, compared with what the fake platform served.

The fake knows every post and comment it serves (``FakeGraph.expected_*``), so a test can say
exactly what is missing, wrong or extra, not only count rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Engine, func, select

from govsocial.collect.privacy import Pseudonymiser, redact
from govsocial.store import tables as t
from govsocial.store.db import session_factory
from tests.fakeplatform.graph import FakeGraph


def _utc(value: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes for timezone-aware columns: they were stored as UTC.
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def stored_posts(engine: Engine) -> dict[str, dict[str, Any]]:
    """Stored posts by platform post id: platform, account handle, creation time, text, URL."""
    with session_factory(engine)() as session:
        rows = session.execute(
            select(
                t.Post.post_id,
                t.Post.platform,
                t.Account.handle,
                t.Post.created_at,
                t.Post.text,
                t.Post.url,
                t.Post.format,
            ).join(t.Account, t.Account.id == t.Post.account_id)
        ).all()
    return {
        r.post_id: {
            "platform": r.platform,
            "handle": r.handle,
            "created_at": _utc(r.created_at),
            "text": r.text,
            "url": r.url,
            "format": r.format,
        }
        for r in rows
    }


def stored_comments(engine: Engine) -> dict[str, dict[str, Any]]:
    """Stored comments by platform comment id: post, parent, author pseudonym, page reply, text."""
    with session_factory(engine)() as session:
        rows = session.execute(
            select(t.Comment, t.Post.post_id).join(t.Post, t.Post.id == t.Comment.post_id)
        ).all()
    return {
        c.comment_id: {
            "post_id": post_id,
            "parent_id": c.parent_comment_id,
            "author": c.author,
            "is_page_reply": c.is_page_reply,
            "text": c.text,
            "likes": c.likes,
        }
        for c, post_id in rows
    }


def stored_checkpoints(engine: Engine) -> dict[tuple[str, str], dict[str, Any]]:
    """Every checkpoint by (account handle, edge)."""
    with session_factory(engine)() as session:
        rows = session.execute(
            select(t.Account.handle, t.Checkpoint.edge, t.Checkpoint.state).join(
                t.Account, t.Account.id == t.Checkpoint.account_id
            )
        ).all()
    return {(handle, edge): state for handle, edge, state in rows}


def row_count(engine: Engine, model: Any) -> int:
    """How many rows a table holds."""
    with session_factory(engine)() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def problems(
    engine: Engine, fake: FakeGraph, pseudonymise: Pseudonymiser, handles: Iterable[str] | None = None
) -> list[str]:
    """Differences between the store and a complete collection of ``handles`` (or every page);
    rows of other accounts are ignored, rows nobody served are reported."""
    chosen = set(fake.pages if handles is None else handles)
    found: list[str] = []
    posts = {
        k: v for k, v in stored_posts(engine).items() if v["platform"] == "facebook" and v["handle"] in chosen
    }
    want_posts = fake.expected_posts(chosen)
    found += [f"post {p} missing" for p in want_posts.keys() - posts.keys()]
    found += [f"post {p} not served" for p in posts.keys() - want_posts.keys()]
    for post_id, post in want_posts.items():
        got = posts.get(post_id)
        if got and got["created_at"] != post.created:
            found.append(f"post {post_id}: created_at {got['created_at']} != {post.created}")
    comments = {k: v for k, v in stored_comments(engine).items() if k.split("_")[0] in _objs(want_posts)}
    want_comments = fake.expected_comments(chosen)
    found += [f"comment {c} missing" for c in want_comments.keys() - comments.keys()]
    found += [f"comment {c} not served" for c in comments.keys() - want_comments.keys()]
    for comment_id, want in want_comments.items():
        got = comments.get(comment_id)
        expect = {
            "post_id": want.post_id,
            "parent_id": want.parent_id,
            "author": pseudonymise("facebook", want.author_id),
            "is_page_reply": want.is_page_reply,
            "text": redact(want.text),
        }
        if got is not None and {k: got[k] for k in expect} != expect:
            found.append(f"comment {comment_id}: stored {got}, expected {expect}")
    return found


def _objs(posts: dict[str, Any]) -> set[str]:
    """The object part of post ids (``{page}_{object}``), which prefixes their comments' ids."""
    return {post_id.split("_", 1)[1] for post_id in posts}


def expected_checkpoints(fake: FakeGraph, handles: Iterable[str] | None = None) -> dict[tuple[str, str], Any]:
    """The checkpoints a complete collection leaves: posts done at the newest post, every comment
    listing of a post with comments done."""
    chosen = set(fake.pages if handles is None else handles)
    found: dict[tuple[str, str], Any] = {}
    for page in fake.pages.values():
        if page.handle not in chosen:
            continue
        newest = max(post.created for post in page.posts)
        found[(page.handle, "posts")] = {"newest": newest.isoformat(), "complete": True}
        for post in page.posts:
            if post.comments:
                found[(page.handle, f"comments:{post.post_id}")] = {"complete": True}
    return found


__all__ = [
    "expected_checkpoints",
    "problems",
    "row_count",
    "stored_checkpoints",
    "stored_comments",
    "stored_posts",
]
