"""A database error never quotes the values of the statement that failed.

Its message reaches run records (an import's "database" error), the admin pages, stderr and logs,
and the values are what citizens wrote, their pseudonyms and tokens (``db.make_engine`` sets
``hide_parameters``). The statement itself, which names the table, is kept: it is what helps.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from govsocial.store import tables as t
from govsocial.store.db import make_engine, session_factory

WRITTEN = "my number is 9123 4567, I live at 1 Secret Road"


def test_a_failed_insert_does_not_quote_what_it_inserted(engine: Engine) -> None:
    with session_factory(engine)() as session:
        session.add(
            t.Comment(
                post_id=987_654_321, platform="facebook", comment_id="c1", text=WRITTEN,
                created_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC), is_page_reply=False,
                source="test", content_hash="x",
            )
        )  # fmt: skip
        with pytest.raises(IntegrityError) as raised:
            session.commit()  # no such post: the foreign key refuses it
    said = str(raised.value)
    assert WRITTEN not in said and "9123" not in said
    assert "comments" in said  # the statement is still named
    assert "hide_parameters" in said  # and the message says why the values are missing


def test_the_caller_may_still_ask_for_the_values() -> None:
    """A developer debugging locally can turn it off (``make_engine(url, hide_parameters=False)``)."""
    engine = make_engine("sqlite://", hide_parameters=False)
    assert engine.hide_parameters is False
    assert make_engine("sqlite://").hide_parameters is True
