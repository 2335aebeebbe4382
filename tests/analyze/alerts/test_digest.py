"""The hourly email cap and the digest, against the loopback SMTP server: alerts beyond the cap are
held, then sent together in one digest email by the next run the window allows, each alert exactly
once; webhooks are not held; the daily digest sends one email a day."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from govsocial.analyze.alerts import deliver
from govsocial.settings import Settings
from govsocial.store import alerts as store
from govsocial.store import tables as t
from govsocial.store.db import session_factory
from tests.analyze.alerts.loopback import Mailbox, webhook

NOW = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)
CAP = 2


def _settings(port: int, **extra: Any) -> Settings:
    return Settings.load(
        database_url="sqlite://", smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False,
        smtp_from="alerts@govsocial.test", alert_email_max_per_hour=CAP, default_locale="en", **extra,
    )  # fmt: skip


def _rule(session: Session, email: str = "Desk@Gov.test", hook: str | None = None) -> t.AlertRule:
    # account_missing on a government without collection runs: it finds nothing by itself, so the
    # alerts of these tests are exactly the ones they add.
    return store.add_rule(session, "hk", "government", "hk", "account_missing", {}, hook, email)


def _fire(session: Session, rule: t.AlertRule, names: list[str], at: dt.datetime) -> None:
    fired = [store.Fired(rule.id, rule.kind, n, f"test:{n}", f"Alert {n}", {"n": n}) for n in names]
    assert len(store.add_new(session, fired, at)) == len(names)
    session.commit()


def _texts(box: Mailbox) -> list[str]:
    return [str(m.get_content()) for m in box.messages]  # type: ignore[attr-defined]


def test_alerts_over_the_cap_arrive_once_in_one_digest(engine: Engine, box: Mailbox) -> None:
    settings = _settings(box.port)
    names = [f"a{n}" for n in range(5)]
    with session_factory(engine)() as session:
        rule = _rule(session)
        _fire(session, rule, names, NOW)

        first = deliver.run(session, settings, NOW)
        assert (first.emails, first.digests, first.held, first.failures) == (CAP, 0, 3, [])
        assert [str(m["Subject"]) for m in box.messages] == ["[govsocial] Alert a0", "[govsocial] Alert a1"]
        held = session.scalars(select(t.Alert).where(t.Alert.email_held_at.is_not(None))).all()
        assert sorted(a.entity for a in held) == ["a2", "a3", "a4"]
        assert all(a.delivered_email_at is None and a.last_error is None for a in held)

        later = deliver.run(session, settings, NOW + dt.timedelta(minutes=30))  # the hour is used up
        assert (later.emails, later.held, len(box.messages)) == (0, 3, CAP)

        window = deliver.run(session, settings, NOW + dt.timedelta(minutes=61))
        assert (window.emails, window.digests) == (1, 1)
        assert len(box.messages) == CAP + 1
        digest = box.messages[-1]
        assert str(digest["Subject"]) == "[govsocial] 3 alert(s) in one digest"
        assert str(digest["To"]) == "Desk@Gov.test"
        body = _texts(box)[-1]
        assert all(f"Alert {n}" in body for n in ("a2", "a3", "a4"))
        assert "Alert a0" not in body and "Alert a1" not in body

        again = deliver.run(session, settings, NOW + dt.timedelta(hours=5))  # nothing is sent twice
        assert (again.emails, again.held, len(box.messages)) == (0, 0, CAP + 1)
        alerts = session.scalars(select(t.Alert)).all()
        assert len(alerts) == 5 and all(a.delivered_email_at is not None for a in alerts)
        sent = session.execute(select(t.AlertEmail.alerts, t.AlertEmail.digest).order_by(t.AlertEmail.id))
        assert [tuple(r) for r in sent] == [(1, False), (1, False), (3, True)]
        assert session.scalar(select(func.count()).select_from(t.AlertEmail)) == 3


def test_held_alerts_go_first_and_new_ones_use_the_room_left(engine: Engine, box: Mailbox) -> None:
    settings = _settings(box.port)
    with session_factory(engine)() as session:
        rule = _rule(session)
        _fire(session, rule, ["a", "b", "c"], NOW)
        deliver.run(session, settings, NOW)  # a, b alone; c held
        _fire(session, rule, ["d", "e"], NOW + dt.timedelta(hours=2))
        report = deliver.run(session, settings, NOW + dt.timedelta(hours=2))
        # The digest of c, then d alone (the second email of the hour); e waits for the next digest.
        assert (report.emails, report.digests, report.held) == (2, 1, 1)
        subjects = [str(m["Subject"]) for m in box.messages[2:]]
        assert subjects == ["[govsocial] 1 alert(s) in one digest", "[govsocial] Alert d"]
        held = session.scalars(select(t.Alert.entity).where(t.Alert.delivered_email_at.is_(None))).all()
        assert list(held) == ["e"]


def test_the_cap_is_per_recipient_and_webhooks_are_not_held(engine: Engine, box: Mailbox) -> None:
    settings = _settings(box.port)
    with webhook() as hook, session_factory(engine)() as session:
        desk, other = _rule(session, hook=hook.url), _rule(session, email="other@gov.test")
        _fire(session, desk, ["a", "b", "c", "d"], NOW)
        _fire(session, other, ["x"], NOW)
        report = deliver.run(session, settings, NOW)
        assert len(hook.received) == 4  # every webhook at once
        assert (report.webhooks, report.emails, report.held) == (4, 3, 2)
        assert sorted(str(m["To"]) for m in box.messages) == ["Desk@Gov.test"] * 2 + ["other@gov.test"]


def test_a_failed_digest_keeps_its_alerts_held_and_is_sent_later(engine: Engine, box: Mailbox) -> None:
    settings = _settings(box.port)
    with session_factory(engine)() as session:
        rule = _rule(session)
        _fire(session, rule, ["a", "b", "c", "d"], NOW)
        deliver.run(session, settings, NOW)
        down = _settings(1)  # nothing listens on port 1
        failed = deliver.run(session, down, NOW + dt.timedelta(hours=1, minutes=1))
        assert failed.emails == 0 and len(failed.failures) == 2
        assert all("email:" in f for f in failed.failures)
        report = deliver.run(session, settings, NOW + dt.timedelta(hours=1, minutes=2))
        assert (report.emails, report.digests, report.failures) == (1, 1, [])
        assert len(box.messages) == CAP + 1
        assert session.scalar(select(func.count()).where(t.Alert.delivered_email_at.is_(None))) == 0


def test_the_daily_digest_sends_one_email_a_day(engine: Engine, box: Mailbox) -> None:
    settings = _settings(box.port, alert_email_daily_digest=True)
    with session_factory(engine)() as session:
        rule = _rule(session)
        _fire(session, rule, ["a", "b", "c"], NOW)
        first = deliver.run(session, settings, NOW)
        assert (first.emails, first.digests) == (1, 1)
        _fire(session, rule, ["d"], NOW + dt.timedelta(hours=3))
        waiting = deliver.run(session, settings, NOW + dt.timedelta(hours=3))
        assert (waiting.emails, waiting.held) == (0, 1)
        next_day = deliver.run(session, settings, NOW + dt.timedelta(hours=24, minutes=1))
        assert (next_day.emails, next_day.digests) == (1, 1)
        assert [str(m["Subject"]) for m in box.messages] == [
            "[govsocial] 3 alert(s) in one digest",
            "[govsocial] 1 alert(s) in one digest",
        ]
        assert "Alert d" in _texts(box)[1] and "Alert a" not in _texts(box)[1]
