"""The topic view shows what many people said, never one person's words taken apart."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from govsocial.analyze.topics import view as tv
from govsocial.cli.main import app
from govsocial.store.db import session_factory
from tests.analyze.store_rows import Store, hk

#: One citizen's comment, naming someone: its words must not be listed one by one.
ONE_PERSON = "陳大文成日喺後巷亂泊車"


@pytest.fixture(autouse=True)
def _fresh_views() -> Iterator[None]:
    tv.clear_cache()
    yield
    tv.clear_cache()


def test_most_mentioned_terms_need_as_many_comments_as_rising_ones(session: Session) -> None:
    s = Store(session)
    s.jurisdiction()
    account = s.account("facebook", [s.organisation("fehd")])
    post = s.post(account, hk(2026, 9, 15, 8), "街市清潔")
    for n in range(tv.MIN_TOP_COMMENTS):
        s.comment(post, hk(2026, 9, 15, 9, n), "街市好污糟")
    s.comment(post, hk(2026, 9, 15, 10), ONE_PERSON)
    session.commit()
    subject = tv.resolve_subject(session, "hk", account=account)
    view = tv.topics(session, subject, tv.PeriodKind.WEEK, dt.date(2026, 9, 16), limit=100)
    assert view is not None and view.comments_now == tv.MIN_TOP_COMMENTS + 1
    shown = {x.term for x in view.top} | {x.term for x in view.rising}
    assert "街市" in shown
    assert not any(term in ONE_PERSON for term in shown if term != "街市"), shown


def test_the_command_says_when_no_term_is_common_enough(sqlite_engine: Engine, sqlite_url: str) -> None:
    with session_factory(sqlite_engine)() as session:
        s = Store(session)
        s.jurisdiction()
        account = s.account("facebook", [s.organisation("fehd")])
        s.comment(s.post(account, hk(2026, 9, 15, 8), "街市清潔"), hk(2026, 9, 15, 9), ONE_PERSON)
        session.commit()
    result = CliRunner().invoke(
        app, ["topics", "--account", str(account)], env={"GOVSOCIAL_DATABASE_URL": sqlite_url}
    )
    assert result.exit_code == 0, result.output
    assert f"no term was mentioned in {tv.MIN_TOP_COMMENTS} comments or more" in result.output
    assert "陳大文" not in result.output
