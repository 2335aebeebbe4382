"""The frames come in an order of their own, not the store's, on SQLite and PostgreSQL alike.

Unordered, SQLite gives rows in the order of its join and PostgreSQL in that of its heap (where an
updated row moves to the end), and DuckDB adds floats in the order it gets them: the same activity
gave mean sentiment scores and response times that differed in the last digits between the stores.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from govsocial.analyze.extract import extract
from govsocial.store import tables as t
from tests.analyze.store_rows import Store, hk


def _stored_out_of_order(session: Session) -> None:
    s = Store(session)
    s.jurisdiction("hk", domains=[])
    org = s.organisation("hk-hko")
    # The first account comes last in the indexes a join may walk: by status, by platform and key.
    first = s.account("x", [org], status=t.AccountStatus.UNDER_REVIEW)
    second = s.account("facebook", [org])
    # Later snapshots and the second account's first: neither the order of the ids nor a join's.
    s.followers(second, hk(2026, 10, 3), 30)
    s.followers(first, hk(2026, 10, 2), 20)
    s.followers(first, hk(2026, 10, 1), 10)
    s.followers(second, hk(2026, 10, 1), 10)
    old, new = s.post(first, hk(2026, 10, 1), "old"), s.post(first, hk(2026, 10, 2), "new")
    other = s.post(second, hk(2026, 10, 1), "other")
    s.comment(other, hk(2026, 10, 1, 13), "a")
    s.comment(new, hk(2026, 10, 2, 13), "b")
    s.comment(old, hk(2026, 10, 3, 13), "c")  # an old post's comment after a newer post's
    s.comment(old, hk(2026, 10, 1, 14), "d")
    s.comment(new, hk(2026, 10, 2, 12), "e")
    # An update moves a row to the end of PostgreSQL's heap: a plain scan no longer gives ids in order.
    session.execute(update(t.ProfileSnapshot).where(t.ProfileSnapshot.followers == 20).values(followers=21))
    session.execute(update(t.Comment).where(t.Comment.text == "b").values(text="b!"))
    session.commit()


def _keys(table: Any, *columns: str) -> list[tuple[Any, ...]]:
    return list(zip(*(table[c].to_pylist() for c in columns), strict=True))


def test_followers_come_account_by_account_in_time_order(engine: Engine, session: Session) -> None:
    _stored_out_of_order(session)
    keys = _keys(extract(engine, "hk").tables["followers"], "account_id", "ts", "followers")
    assert len(keys) == 4
    assert keys == sorted(keys)
    assert keys[0][0] == min(k[0] for k in keys)


def test_comments_come_account_by_account_in_time_order(engine: Engine, session: Session) -> None:
    _stored_out_of_order(session)
    keys = _keys(extract(engine, "hk").tables["comments"], "account_id", "ts", "comment_id")
    assert len(keys) == 5
    assert keys == sorted(keys)
    assert keys != sorted(keys, key=lambda k: k[2])  # not the order they were stored in
