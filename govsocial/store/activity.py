"""Batch upserts of activity rows (posts, snapshots, comments, profiles) that say what they did.

Each function takes plain dicts (already pseudonymised and redacted by the caller), looks up the
rows that exist by natural key in chunks, compares a content hash, and then inserts the new rows
and updates the changed ones with one executemany each. That keeps re-runs idempotent
(``noop``) and is what makes tens of thousands of comments per second possible on SQLite.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from govsocial.store import tables as t

CHUNK = 500
INSERT, UPDATE, NOOP = "insert", "update", "noop"


def content_hash(row: dict[str, Any], fields: Sequence[str]) -> str:
    """A short digest of the fields that matter for change detection."""
    data = json.dumps(
        [row.get(name) for name in fields], ensure_ascii=False, default=str, separators=(",", ":")
    )
    return hashlib.blake2b(data.encode("utf-8"), digest_size=16).hexdigest()


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


POST_FIELDS = ("account_id", "created_at", "format", "text", "url", "link", "media", "followers_at_posting")
COMMENT_FIELDS = (
    "post_id",
    "parent_comment_id",
    "created_at",
    "author",
    "is_page_reply",
    "text",
    "likes",
    "replies",
)


def _existing(
    session: Session, model: Any, key: str, platform_keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], tuple[int, str]]:
    """``(platform, natural key) -> (id, content_hash)`` for the rows that exist.

    One ``platform = ? AND key IN (...)`` query per platform and chunk, answered from the unique
    ``(platform, key)`` index: a row-value ``(platform, key) IN (VALUES ...)`` took 10x longer on
    SQLite (2.4 ms against 0.25 ms for 100 keys among 20,000 comments) and 3x on PostgreSQL.
    """
    by_platform: dict[str, list[str]] = {}
    for platform, natural in dict.fromkeys(platform_keys):
        by_platform.setdefault(platform, []).append(natural)
    table = model.__table__
    column = table.c[key]
    found: dict[tuple[str, str], tuple[int, str]] = {}
    for platform, naturals in by_platform.items():
        for chunk in _chunks(naturals):
            rows = session.execute(
                select(column, table.c.id, table.c.content_hash).where(
                    table.c.platform == platform, column.in_(chunk)
                )
            )
            for natural, row_id, digest in rows:
                found[(platform, natural)] = (row_id, digest)
    return found


def _same_keys(rows: Sequence[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """``rows`` grouped by the keys they give, in chunks (an executemany needs one set of keys)."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(row), []).append(row)
    for group in groups.values():
        for chunk in _chunks(group):
            yield list(chunk)


def _upsert(
    session: Session,
    model: Any,
    key: str,
    fields: Sequence[str],
    rows: list[dict[str, Any]],
    want_ids: bool = True,
) -> tuple[Counter[str], dict[tuple[str, str], int]]:
    rows = list({(r["platform"], r[key]): r for r in rows}.values())  # last one wins within a batch
    for row in rows:
        row["content_hash"] = content_hash(row, fields)
    existing = _existing(session, model, key, ((r["platform"], r[key]) for r in rows))
    outcome: Counter[str] = Counter()
    new = [r for r in rows if (r["platform"], r[key]) not in existing]
    changed = []
    for row in rows:
        found = existing.get((row["platform"], row[key]))
        if found is None:
            continue
        if found[1] == row["content_hash"]:
            outcome[NOOP] += 1
        else:
            changed.append({**row, "id": found[0]})
    ids = {k: v[0] for k, v in existing.items()}
    if new:
        # Core inserts on the table, not ORM bulk inserts: the ORM splits a batch into one
        # statement per run of rows with the same None columns (a reply among comments, say).
        table = model.__table__
        for chunk in _same_keys(new):
            if want_ids:
                returning = insert(table).returning(table.c.platform, table.c[key], table.c.id)
                for platform, natural, row_id in session.execute(returning, chunk):
                    ids[(platform, natural)] = row_id
            else:
                session.execute(insert(table), chunk)
        outcome[INSERT] += len(new)
    if changed:
        session.execute(update(model), [_without_first_seen(r) for r in changed])
        outcome[UPDATE] += len(changed)
    return outcome, ids


def _without_first_seen(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != "first_seen_at"}


def upsert_posts(
    session: Session, rows: list[dict[str, Any]]
) -> tuple[Counter[str], dict[tuple[str, str], int]]:
    """Insert or update posts; returns outcomes and ``(platform, post_id) -> posts.id``."""
    return _upsert(session, t.Post, "post_id", POST_FIELDS, rows)


def upsert_comments(session: Session, rows: list[dict[str, Any]]) -> Counter[str]:
    """Insert or update comments (``post_id`` is ``posts.id``)."""
    return _upsert(session, t.Comment, "comment_id", COMMENT_FIELDS, rows, want_ids=False)[0]


def _insert_ignore(session: Session, model: Any, rows: list[dict[str, Any]]) -> Counter[str]:
    """Insert rows whose unique key is new; an existing key is a noop (snapshots never change)."""
    if not rows:
        return Counter()
    dialect = session.get_bind().dialect.name
    factory = pg_insert if dialect == "postgresql" else sqlite_insert
    table = model.__table__
    statement = factory(table).on_conflict_do_nothing().returning(table.c.id)
    inserted = 0
    for chunk in _same_keys(rows):
        inserted += len(session.execute(statement, chunk).all())
    return Counter({INSERT: inserted, NOOP: len(rows) - inserted})


def insert_post_snapshots(session: Session, rows: list[dict[str, Any]]) -> Counter[str]:
    """Add engagement snapshots; the same post and time again is a noop."""
    return _insert_ignore(session, t.PostSnapshot, rows)


def insert_profile_snapshots(session: Session, rows: list[dict[str, Any]]) -> Counter[str]:
    """Add follower snapshots; the same account and time again is a noop."""
    return _insert_ignore(session, t.ProfileSnapshot, rows)


def post_ids(session: Session, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """``(platform, post_id) -> posts.id`` for the posts that exist."""
    return {k: v[0] for k, v in _existing(session, t.Post, "post_id", keys).items()}


def load_checkpoints(session: Session, account_id: int) -> dict[str, dict[str, Any]]:
    """Every edge's saved state for an account."""
    rows = session.execute(
        select(t.Checkpoint.edge, t.Checkpoint.state).where(t.Checkpoint.account_id == account_id)
    )
    return {edge: state for edge, state in rows}


def save_checkpoint(session: Session, account_id: int, edge: str, state: dict[str, Any]) -> None:
    """Set an edge's state (in the caller's transaction, with the rows it covers)."""
    row = session.get(t.Checkpoint, (account_id, edge))
    if row is None:
        session.add(t.Checkpoint(account_id=account_id, edge=edge, state=state))
    elif row.state != state:
        row.state = state
