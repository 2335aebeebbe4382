"""A period without any comment: the report says so plainly, not "0 this month, 0 last month"."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from govsocial.report import build as report_build
from govsocial.report.periods import parse
from govsocial.report.render import Words, render_html
from govsocial.store import tables as t
from govsocial.store.db import session_factory


def _jurisdiction(session: Session) -> None:
    session.add(
        t.Jurisdiction(code="hk", name_en="Hong Kong", name_zh_hant="香港", timezone="Asia/Hong_Kong")
    )
    session.commit()


def test_a_month_without_comments_has_no_topic_view(sqlite_engine: Any) -> None:
    with session_factory(sqlite_engine)() as session:
        _jurisdiction(session)
        view = report_build._topics(session, "hk", None, parse("2030-01"))
    assert view is None


def test_the_report_says_no_comments_for_such_a_month(sqlite_engine: Any) -> None:
    with session_factory(sqlite_engine)() as session:
        _jurisdiction(session)
        # On the month's last day: a month that has not started is refused.
        report = report_build.build(
            session, "hk", None, "2030-01", now=dt.datetime(2030, 1, 31, tzinfo=dt.UTC)
        )
    html = render_html(report, "en")
    words = Words("en")
    assert words("No comments from the public in {this}.", this=words.this("month")) in html
    assert "Comments from the public: 0" not in html
