"""Spikes through ``pipeline.refresh`` on a store (SQLite and PostgreSQL): detected, kept, removed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from govsocial.analyze import pipeline
from govsocial.analyze.metrics.model import PeriodKind
from govsocial.settings import Settings
from govsocial.store import tables as t
from govsocial.store.db import session_factory
from tests.analyze.store_rows import Store, hk

CALM = ["多謝分享資訊", "收到，謝謝", "Thanks for the update"]
ANGRY = ["太差喇，完全唔負責任", "搞乜鬼呀，咁都唔早啲講！😡", "浪費公帑，垃圾！"]


def _fill(engine: Engine) -> tuple[int, int]:
    """Eight calm weeks of about ten comments, then a week of 60 mostly angry ones; returns its post."""
    with session_factory(engine)() as session, session.begin():
        store = Store(session)
        store.jurisdiction()
        account = store.account("facebook", [store.organisation("dh")])
        monday = dt.date(2026, 3, 2)  # 2026-W10
        for week in range(9):
            day = monday + dt.timedelta(weeks=week, days=1)
            post = store.post(account, hk(day.year, day.month, day.day, 9), f"Notice {week}")
            angry = week == 8
            for i in range(60 if angry else 9 + week % 3):
                text = ANGRY[i % 3] if angry and i % 5 else CALM[i % 3]
                store.comment(post, hk(day.year, day.month, day.day, 10, i % 60), text, author=f"u{i}")
    return account, post


def _events(engine: Engine) -> list[tuple[str, str, dt.datetime]]:
    with Session(engine) as session:
        rows = session.execute(
            select(t.OpinionEvent.kind, t.OpinionEvent.period, t.OpinionEvent.detected_at).order_by(
                t.OpinionEvent.kind
            )
        ).all()
    return [(k, p, d) for k, p, d in rows]


def test_refresh_detects_keeps_and_removes_spikes(engine: Engine) -> None:
    _, spike_post = _fill(engine)
    settings = Settings.load(database_url=engine.url.render_as_string(hide_password=False))
    first = pipeline.refresh(engine, settings, period_kinds=[PeriodKind.WEEK])
    assert first.events == {"insert": 2, "update": 0, "noop": 0, "delete": 0}
    assert "2 opinion event(s), 2 new" in first.summary()
    stored = _events(engine)
    assert [(k, p) for k, p, _ in stored] == [("comment_volume", "2026-W18"), ("negative_share", "2026-W18")]
    second = pipeline.refresh(engine, settings, period_kinds=[PeriodKind.WEEK])
    assert second.events == {"insert": 0, "update": 0, "noop": 2, "delete": 0}
    assert _events(engine) == stored
    with engine.begin() as connection:
        connection.execute(delete(t.Comment).where(t.Comment.post_id == spike_post))
    third = pipeline.refresh(engine, settings, period_kinds=[PeriodKind.WEEK])
    assert third.events["delete"] == 2
    assert _events(engine) == []
