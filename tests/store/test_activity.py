"""Batch upserts of comments: what each row's outcome is, on both backends and on every path.

On SQLite, a page whose first comment is not stored yet is inserted without looking its rows up
first (``activity._insert_new``); other pages, and PostgreSQL, look the rows up first. Both paths
must store the same rows with the same ids and report the same outcomes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, cast

import pandas as pd
import pytest
from sqlalchemy import Engine, Table, select
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from govsocial.registry.load import load_registry
from govsocial.settings import PROJECT_ROOT
from govsocial.store import activity
from govsocial.store import tables as t

T0 = dt.datetime(2026, 10, 1, 8, 0, tzinfo=dt.UTC)


def _post(engine: Engine, session: Session) -> int:
    load_registry(engine, PROJECT_ROOT / "data" / "registry", actor="test", only="hk")
    account_id = session.scalars(select(t.Account.id).where(t.Account.handle == "cfs.hk")).one()
    row = {
        "account_id": account_id,
        "platform": "facebook",
        "post_id": "p1",
        "created_at": T0,
        "created_at_raw": None,
        "format": "text",
        "text": "post",
        "url": None,
        "link": None,
        "media": [],
        "followers_at_posting": None,
        "source": "test",
        "first_seen_at": T0,
        "last_seen_at": T0,
        "raw_id": None,
    }
    _, ids = activity.upsert_posts(session, [row])
    session.commit()
    return ids[("facebook", "p1")]


def _comment(post_id: int, n: int, text: str = "hello") -> dict[str, Any]:
    return {
        "post_id": post_id,
        "platform": "facebook",
        "comment_id": f"c{n}",
        "parent_comment_id": None,
        "created_at": T0 + dt.timedelta(seconds=n, microseconds=n % 3),
        "author": f"a{n % 5}",
        "is_page_reply": n % 4 == 0,
        "text": text,
        "likes": n,
        "replies": None,
        "source": "test",
    }


def _upsert(session: Session, rows: list[dict[str, Any]]) -> dict[str, int]:
    outcome = activity.upsert_comments(session, rows)
    session.commit()
    return dict(outcome)


def _stored(session: Session) -> list[tuple[Any, ...]]:
    query = select(
        t.Comment.id,
        t.Comment.comment_id,
        t.Comment.created_at,
        t.Comment.is_page_reply,
        t.Comment.text,
        t.Comment.likes,
        t.Comment.replies,
        t.Comment.content_hash,
    ).order_by(t.Comment.id)
    session.expire_all()
    return [tuple(row) for row in session.execute(query)]


def test_a_new_page_is_inserted_and_the_same_again_is_noop(engine: Engine, session: Session) -> None:
    post_id = _post(engine, session)
    assert _upsert(session, [_comment(post_id, n) for n in range(5)]) == {"insert": 5}
    first = _stored(session)
    assert [row[1] for row in first] == [f"c{n}" for n in range(5)]  # ids in the page's order
    expected = T0 + dt.timedelta(seconds=1, microseconds=1)
    assert first[1][2].replace(tzinfo=None) == expected.replace(tzinfo=None)
    assert _upsert(session, [_comment(post_id, n) for n in range(5)]) == {"noop": 5}
    assert _stored(session) == first


def test_a_page_whose_first_row_is_new_and_others_are_stored(engine: Engine, session: Session) -> None:
    """The insert-first path on SQLite: some rows conflict; they are updated or noops."""
    post_id = _post(engine, session)
    _upsert(session, [_comment(post_id, n) for n in (2, 3, 4)])
    page = [_comment(post_id, 1), _comment(post_id, 2), _comment(post_id, 3, "edited"), _comment(post_id, 5)]
    assert _upsert(session, page) == {"insert": 2, "update": 1, "noop": 1}
    stored = {row[1]: row for row in _stored(session)}
    assert stored["c3"][4] == "edited" and stored["c2"][4] == "hello"
    assert sorted(stored) == ["c1", "c2", "c3", "c4", "c5"]
    # New rows take the next ids, in the page's order, whichever path stored them.
    assert stored["c1"][0] < stored["c5"][0] and stored["c1"][0] > stored["c4"][0]
    assert _upsert(session, page) == {"noop": 4}


def test_a_page_whose_first_row_is_stored_looks_rows_up(engine: Engine, session: Session) -> None:
    post_id = _post(engine, session)
    _upsert(session, [_comment(post_id, 0)])
    page = [_comment(post_id, 0), _comment(post_id, 1, "new"), _comment(post_id, 0, "last wins")]
    assert _upsert(session, page) == {"update": 1, "insert": 1}
    assert {row[1]: row[4] for row in _stored(session)} == {"c0": "last wins", "c1": "new"}


def test_both_paths_store_the_same(engine: Engine, session: Session) -> None:
    """A page stored at once (insert first on SQLite) and the same rows stored one page per row
    after a stored first row (looked up) leave the same rows, hashes and times."""
    post_id = _post(engine, session)
    rows = [_comment(post_id, n, text=f"text {n}") for n in range(6)]
    _upsert(session, rows[:3])
    at_once = [row[1:] for row in _stored(session)]
    session.execute(t.Comment.__table__.delete())
    session.commit()
    _upsert(session, [rows[0]])
    _upsert(session, [rows[0], *rows[1:3]])  # first row stored: the lookup path
    assert [row[1:] for row in _stored(session)] == at_once


def test_content_hash_is_stable() -> None:
    """The digests of rows already stored must not change (or every row would be an update)."""
    row = _comment(7, 3)
    assert activity.content_hash(row, activity.COMMENT_FIELDS) == "8c858022df2ea3bc83a6fb6e7bb25d7c"
    del row["likes"]
    assert activity.content_hash(row, activity.COMMENT_FIELDS) == "30f3b66e52727c1cb09aa50481d6f01f"
    assert activity.content_hash(row, list(activity.COMMENT_FIELDS)) == "30f3b66e52727c1cb09aa50481d6f01f"


def test_rows_that_give_different_columns(engine: Engine, session: Session) -> None:
    """Rows of one page that give other columns (as many, or fewer) are stored all the same."""
    post_id = _post(engine, session)
    other = _comment(post_id, 1)
    del other["replies"]
    other["deleted_at"] = None  # as many keys as the first row, not the same ones
    fewer = _comment(post_id, 2)
    del fewer["likes"]
    assert _upsert(session, [_comment(post_id, 0), other, fewer]) == {"insert": 3}
    assert [row[1] for row in _stored(session)] == ["c0", "c1", "c2"]
    assert _upsert(session, [_comment(post_id, 0), other, fewer]) == {"noop": 3}


def test_a_failed_transaction_leaves_no_row(engine: Engine, session: Session) -> None:
    """Rows stored through the driver (SQLite) belong to the session's transaction."""
    post_id = _post(engine, session)
    activity.upsert_comments(session, [_comment(post_id, n) for n in range(3)])
    session.rollback()
    assert _stored(session) == []
    assert _upsert(session, [_comment(post_id, n) for n in range(3)]) == {"insert": 3}


def test_values_for_the_driver_are_what_sqlalchemy_binds() -> None:
    """The SQLite plan's own bind processors give SQLAlchemy's values: times to the same text,
    booleans to the same numbers, and anything else handed on (refused as SQLAlchemy refuses it)."""
    dialect = sqlite.dialect()
    table = cast(Table, t.Comment.__table__)
    keys = tuple(_comment(1, 0))
    plan = activity._driver_insert(dialect, table, "comment_id", keys)
    assert plan is not None and {keys[p] for p, _ in plan.processors} == {"created_at", "is_page_reply"}
    given = {keys[p]: process for p, process in plan.processors}
    sqlalchemy: dict[str, Callable[[Any], Any]] = {}
    for name in given:
        bind = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        assert bind is not None
        sqlalchemy[name] = bind
    times: list[Any] = [
        dt.datetime(1, 1, 1),
        dt.datetime(999, 12, 31, 23, 59, 59, 999_999),
        T0,
        T0.astimezone(dt.timezone(dt.timedelta(hours=8))),
        dt.datetime(2026, 2, 3, 4, 5, 6, 7),
        dt.date(2026, 1, 2),
        None,
        pd.Timestamp("2026-01-02 03:04:05.123456789"),
    ]
    assert [given["created_at"](v) for v in times] == [sqlalchemy["created_at"](v) for v in times]
    flags: list[Any] = [True, False, None, 0, 1]
    assert [given["is_page_reply"](v) for v in flags] == [sqlalchemy["is_page_reply"](v) for v in flags]
    for process in (given["created_at"], sqlalchemy["created_at"]):
        with pytest.raises(TypeError):
            process("2026-01-02")
    for process in (given["is_page_reply"], sqlalchemy["is_page_reply"]):
        with pytest.raises(TypeError):
            process("yes")


def test_times_read_back_as_written(engine: Engine, session: Session) -> None:
    post_id = _post(engine, session)
    rows = [_comment(post_id, n) for n in range(3)]
    rows[1]["created_at"] = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    assert _upsert(session, rows) == {"insert": 3}
    stored = [row[2].replace(tzinfo=dt.UTC) if row[2].tzinfo is None else row[2] for row in _stored(session)]
    assert stored == [row["created_at"] for row in rows]


def test_checkpoints_are_saved_inserted_left_and_updated(engine: Engine, session: Session) -> None:
    """``save_checkpoint`` (on SQLite through the driver) inserts, leaves a state that did not change
    alone, and updates one that did, with ``updated_at`` from the column's default and onupdate."""
    _post(engine, session)
    account_id = session.scalars(select(t.Account.id).where(t.Account.handle == "cfs.hk")).one()
    state = {"after": "QVFI", "complete": False, "n": [1, 2.5, None], "名": "值"}
    before = dt.datetime.now(dt.UTC)
    activity.save_checkpoint(session, account_id, "comments:p1", state)
    session.commit()
    assert activity.load_checkpoints(session, account_id) == {"comments:p1": state}
    first = _checkpoint_time(session, account_id, "comments:p1")
    assert before - dt.timedelta(seconds=1) <= first <= dt.datetime.now(dt.UTC)
    activity.save_checkpoint(session, account_id, "comments:p1", dict(state))  # the same: left alone
    session.commit()
    assert _checkpoint_time(session, account_id, "comments:p1") == first
    activity.save_checkpoint(session, account_id, "comments:p1", {"complete": True})
    activity.save_checkpoint(session, account_id, "posts", {"after": None})
    session.rollback()  # in the caller's transaction: gone with it
    assert activity.load_checkpoints(session, account_id) == {"comments:p1": state}
    activity.save_checkpoint(session, account_id, "comments:p1", {"complete": True})
    session.commit()
    assert activity.load_checkpoints(session, account_id) == {"comments:p1": {"complete": True}}
    assert _checkpoint_time(session, account_id, "comments:p1") >= first


def test_checkpoints_through_the_driver_are_stored_as_sqlalchemy_stores_them(
    sqlite_engine: Engine,
) -> None:
    """The same row text as SQLAlchemy's own statements give (the state's JSON, the time's form)."""
    with Session(sqlite_engine) as session:
        _post(sqlite_engine, session)
        account_id = session.scalars(select(t.Account.id).where(t.Account.handle == "cfs.hk")).one()
        state = {"after": "QVFI", "名": "值", "n": [1, 2.5, None]}
        activity.save_checkpoint(session, account_id, "driver", state)
        orm = {"account_id": account_id, "edge": "orm", "state": state}
        session.execute(activity._CHECKPOINT_INSERT, orm)
        activity.save_checkpoint(session, account_id, "driver", {"changed": True})
        changed = {"at_account": account_id, "at_edge": "orm", "state": {"changed": True}}
        session.execute(activity._CHECKPOINT_UPDATE, changed)
        session.commit()
        raw = (
            session.connection()
            .exec_driver_sql(
                "SELECT edge, state, updated_at, typeof(updated_at) FROM checkpoints ORDER BY edge"
            )
            .all()
        )
    (_, driver_state, driver_time, driver_kind), (_, orm_state, orm_time, orm_kind) = raw
    assert driver_state == orm_state == '{"changed": true}' and driver_kind == orm_kind == "text"
    assert len(driver_time) == len(orm_time) == len("2026-10-01 08:00:00.000000")
    assert driver_time[:10] == orm_time[:10] and driver_time[10] == orm_time[10] == " "
    plan = activity._checkpoint_plan(sqlite_engine.dialect)  # the update sets the time, as onupdate does
    assert plan.update.names[:2] == ("state", "updated_at") and "updated_at" in plan.insert.names


def _checkpoint_time(session: Session, account_id: int, edge: str) -> dt.datetime:
    session.expire_all()
    found = session.get(t.Checkpoint, (account_id, edge))
    assert found is not None
    return found.updated_at if found.updated_at.tzinfo else found.updated_at.replace(tzinfo=dt.UTC)
