"""``opinion_events``: idempotent sync of detected spikes and the list read by the CLI, API and portal."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from govsocial.store import events
from govsocial.store import tables as t
from govsocial.store.db import session_factory
from govsocial.store.events import Detected, EventFilter, SyncScope
from tests.analyze.store_rows import Store

T0 = dt.datetime(2026, 5, 4, 9, tzinfo=dt.UTC)


def _accounts(engine: Engine) -> tuple[int, int]:
    with session_factory(engine)() as session, session.begin():
        store = Store(session)
        store.jurisdiction()
        health, police = store.organisation("dh"), store.organisation("police")
        return store.account("facebook", [health]), store.account("instagram", [police])


def _event(account: int, period: str = "2026-W18", value: float = 60.0, **changes: object) -> Detected:
    base = Detected(
        account,
        "comment_volume",
        "week",
        period,
        value,
        10.0,
        3.162278,
        15.811388,
        {"comments": int(value), "baseline_periods": 8},
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def _sync(engine: Engine, scope: SyncScope, found: list[Detected], now: dt.datetime) -> dict[str, int]:
    with engine.begin() as connection:
        return events.sync(connection, scope, found, now)


def _stored(engine: Engine) -> list[tuple[int, str, float, dt.datetime]]:
    with Session(engine) as session:
        rows = session.execute(
            select(
                t.OpinionEvent.account_id,
                t.OpinionEvent.period,
                t.OpinionEvent.value,
                t.OpinionEvent.detected_at,
            ).order_by(t.OpinionEvent.account_id, t.OpinionEvent.period)
        ).all()
    return [(a, p, v, d if d.tzinfo else d.replace(tzinfo=dt.UTC)) for a, p, v, d in rows]


def test_sync_is_idempotent_and_keeps_first_detection(engine: Engine) -> None:
    one, two = _accounts(engine)
    scope = SyncScope(
        "hk", frozenset({"comment_volume", "negative_share"}), frozenset({"week"}), frozenset({one, two})
    )
    found = [_event(one), _event(two, "2026-W17")]
    assert _sync(engine, scope, found, T0) == {"insert": 2, "update": 0, "noop": 0, "delete": 0}
    later = T0 + dt.timedelta(days=1)
    assert _sync(engine, scope, found, later) == {"insert": 0, "update": 0, "noop": 2, "delete": 0}
    # More comments arrived: the value changes, the first detection time stays.
    changed = [_event(one, value=75.0), _event(two, "2026-W17")]
    assert _sync(engine, scope, changed, later) == {"insert": 0, "update": 1, "noop": 1, "delete": 0}
    assert _stored(engine) == [(one, "2026-W18", 75.0, T0), (two, "2026-W17", 60.0, T0)]
    # The spike no longer holds for account two: its event goes.
    assert _sync(engine, scope, changed[:1], later) == {"insert": 0, "update": 0, "noop": 1, "delete": 1}
    assert [row[:2] for row in _stored(engine)] == [(one, "2026-W18")]


def test_sync_leaves_other_scopes_alone(engine: Engine) -> None:
    one, two = _accounts(engine)
    weeks = SyncScope("hk", frozenset({"comment_volume"}), frozenset({"week"}), frozenset({one, two}))
    _sync(engine, weeks, [_event(one), _event(two)], T0)
    # A detection of days, or of account one only, does not remove the weekly events of others.
    days = dataclasses.replace(weeks, period_kinds=frozenset({"day"}))
    assert _sync(engine, days, [], T0)["delete"] == 0
    only_one = dataclasses.replace(weeks, accounts=frozenset({one}))
    assert _sync(engine, only_one, [_event(one)], T0) == {"insert": 0, "update": 0, "noop": 1, "delete": 0}
    assert len(_stored(engine)) == 2


def test_list_events_filters(engine: Engine) -> None:
    one, two = _accounts(engine)
    scope = SyncScope("hk", frozenset({"comment_volume"}), frozenset({"week"}), frozenset({one, two}))
    _sync(engine, scope, [_event(one, "2026-W10"), _event(one, "2026-W18"), _event(two, "2026-W14")], T0)
    with Session(engine) as session:
        every = events.list_events(session, EventFilter("hk"))
        assert [(e.account_id, e.period) for e in every] == [
            (one, "2026-W18"),
            (two, "2026-W14"),
            (one, "2026-W10"),
        ]
        assert every[0].organisations == ("dh",) and every[0].platform == "facebook"
        assert every[0].detected_at == T0
        police = events.list_events(session, EventFilter("hk", organisation="police"))
        assert [e.account_id for e in police] == [two]
        mine = events.list_events(session, EventFilter("hk", account_ids=[one]))
        assert [e.period for e in mine] == ["2026-W18", "2026-W10"]
        # 2026-W14 is 30 March to 5 April: it touches 5 April, not 6 April.
        since = events.list_events(session, EventFilter("hk", since=dt.date(2026, 4, 5)))
        assert [e.period for e in since] == ["2026-W18", "2026-W14"]
        assert [
            e.period for e in events.list_events(session, EventFilter("hk", since=dt.date(2026, 4, 6)))
        ] == ["2026-W18"]
        assert events.list_events(session, EventFilter("other")) == []


def test_period_bounds() -> None:
    assert events.period_start("week", "2026-W01") == dt.date(2025, 12, 29)
    assert events.period_end("week", "2026-W01") == dt.date(2026, 1, 5)
    assert events.period_end("month", "2026-12") == dt.date(2027, 1, 1)
    assert events.period_end("day", "2026-02-28") == dt.date(2026, 3, 1)
    assert events.period_start("year", "2026") == dt.date(2026, 1, 1)


def test_a_deleted_event_never_gives_its_id_to_a_new_one(engine: Engine) -> None:
    """The API publishes an event's id. SQLite gives a new row the largest id plus one unless the
    table is AUTOINCREMENT (migration 0017), so the next event detected would take the id of the
    newest event a refresh deleted, on another account."""
    one, two = _accounts(engine)
    scope = SyncScope("hk", frozenset({"comment_volume"}), frozenset({"week"}), frozenset({one, two}))
    _sync(engine, scope, [_event(one), _event(two)], T0)
    with Session(engine) as session:
        gone = max(e.id for e in events.list_events(session, EventFilter("hk", account_ids=[two])))
    _sync(engine, scope, [_event(one)], T0)  # account two's spike no longer holds
    _sync(engine, scope, [_event(one), _event(one, "2026-W19")], T0)
    with Session(engine) as session:
        new = events.list_events(session, EventFilter("hk", account_ids=[one]))
    assert {e.period for e in new} == {"2026-W18", "2026-W19"}
    assert max(e.id for e in new) > gone
