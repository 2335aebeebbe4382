"""Alerts delivered once when things go wrong: a run killed half way does not send again what it
sent, an SMTP server that fails ``QUIT`` after accepting the message does not get it twice, a run
given a time in another zone keeps the hourly cap, a bad stored rule or a token check that fails in
an unexpected way does not stop the other rules."""

from __future__ import annotations

import datetime as dt
import smtplib
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from govsocial.analyze.alerts import deliver
from govsocial.settings import Settings
from govsocial.store import alerts as store
from govsocial.store import tables as t
from govsocial.store.db import session_factory
from tests.analyze.alerts.loopback import Mailbox, webhook

NOW = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)
TOKEN = "fake-graph-token-under-test-0123456789abcdef"


class Killed(BaseException):
    """The process stopping (a signal, an out-of-memory kill): nothing after it runs."""


def _settings(port: int, **extra: Any) -> Settings:
    return Settings.load(
        **{"database_url": "sqlite://", "smtp_host": "127.0.0.1", "smtp_port": port,
           "smtp_starttls": False, "alert_email_max_per_hour": 20, **extra},
    )  # fmt: skip


def _fire(session: Session, names: list[str], hook: str | None = None) -> t.AlertRule:
    # account_missing on a government without collection runs finds nothing by itself.
    rule = store.add_rule(session, "hk", "government", "hk", "account_missing", {}, hook, "desk@gov.test")
    fired = [store.Fired(rule.id, rule.kind, n, f"test:{n}", f"Alert {n}", {}) for n in names]
    store.add_new(session, fired, NOW)
    session.commit()
    return rule


def _undelivered(engine: Engine, column: Any) -> list[str]:
    """What a fresh session (another process) sees as not yet delivered by a channel."""
    with session_factory(engine)() as session:
        query = select(t.Alert.entity).where(column.is_(None)).order_by(t.Alert.id)
        return list(session.scalars(query).all())


def test_a_run_killed_half_way_keeps_what_it_sent(
    engine: Engine, box: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = deliver.send_email
    sent: list[str] = []

    def send_then_die(settings: Settings, to: str, subject: str, text: str) -> None:
        if sent:
            raise Killed
        real(settings, to, subject, text)
        sent.append(subject)

    monkeypatch.setattr(deliver, "send_email", send_then_die)
    with session_factory(engine)() as session:
        _fire(session, ["a", "b", "c"])
        with pytest.raises(Killed):
            deliver.run(session, _settings(box.port), NOW)
    assert sent == ["[govsocial] Alert a"]
    # The email that went out is recorded: the next run sends only the other two.
    assert _undelivered(engine, t.Alert.delivered_email_at) == ["b", "c"]
    monkeypatch.undo()
    with session_factory(engine)() as session:
        report = deliver.run(session, _settings(box.port), NOW + dt.timedelta(minutes=5))
    assert report.emails == 2
    assert sorted(str(m["Subject"]) for m in box.messages) == [f"[govsocial] Alert {n}" for n in "abc"]


def test_a_webhook_taken_before_the_run_is_killed_is_not_posted_again(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = deliver.post_webhook
    posts: list[str] = []

    def post_then_die(url: str, body: dict[str, Any], timeout: float) -> None:
        if posts:
            raise Killed
        real(url, body, timeout)
        posts.append(body["entity"])

    with webhook() as hook, session_factory(engine)() as session:
        rule = _fire(session, ["a", "b"], hook=hook.url)
        session.execute(update(t.AlertRule).where(t.AlertRule.id == rule.id).values(email=None))
        session.commit()
        monkeypatch.setattr(deliver, "post_webhook", post_then_die)
        with pytest.raises(Killed):
            deliver.run(session, _settings(1), NOW)
        assert _undelivered(engine, t.Alert.delivered_webhook_at) == ["b"]
        monkeypatch.undo()
        session.rollback()
        deliver.run(session, _settings(1), NOW)
        assert [b["entity"] for b in hook.received] == ["a", "b"]


def test_a_failed_quit_after_the_server_took_the_email_is_a_delivery(
    engine: Engine, box: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    docmd = smtplib.SMTP.docmd

    def refuse_quit(self: smtplib.SMTP, cmd: str, args: str = "") -> tuple[int, bytes]:
        if cmd.upper() == "QUIT":
            raise smtplib.SMTPResponseException(451, b"try again later")
        return docmd(self, cmd, args)

    monkeypatch.setattr(smtplib.SMTP, "docmd", refuse_quit)
    settings = _settings(box.port)
    with session_factory(engine)() as session:
        _fire(session, ["a"])
        first = deliver.run(session, settings, NOW)
        again = deliver.run(session, settings, NOW + dt.timedelta(minutes=5))
    assert (first.emails, first.failures, again.emails) == (1, [], 0)
    assert len(box.messages) == 1
    assert _undelivered(engine, t.Alert.delivered_email_at) == []


def test_the_hourly_cap_holds_whatever_zone_the_run_is_given(engine: Engine, box: Mailbox) -> None:
    settings = _settings(box.port, alert_email_max_per_hour=1)
    hong_kong = dt.timezone(dt.timedelta(hours=8))
    with session_factory(engine)() as session:
        _fire(session, ["a", "b"])
        first = deliver.run(session, settings, NOW.astimezone(hong_kong))
        assert (first.emails, first.held) == (1, 1)
        # 61 minutes later, in UTC: the hour is over, so the held alert goes out in a digest.
        later = deliver.run(session, settings, NOW + dt.timedelta(minutes=61))
        assert (later.emails, later.digests) == (1, 1)
        sent = session.scalars(select(t.AlertEmail.sent_at).order_by(t.AlertEmail.id)).all()
    first_sent = sent[0] if sent[0].tzinfo else sent[0].replace(tzinfo=dt.UTC)
    assert first_sent == NOW  # stored as the UTC time it was


def test_a_bad_stored_rule_does_not_stop_the_others(engine: Engine, box: Mailbox) -> None:
    with session_factory(engine)() as session:
        good = _fire(session, ["a"])
        # Stored before the checks refused such numbers (or written to the database by hand).
        bad = store.add_rule(session, "hk", "government", "hk", "account_dormant", {"days": 10**300}, None,
                             "desk@gov.test")  # fmt: skip
        session.commit()
        report = deliver.run(session, _settings(box.port), NOW)
    assert report.emails == 1 and good.id != bad.id
    assert len(report.failures) == 1 and report.failures[0].startswith(f"rule {bad.id}: not evaluated")


def test_a_token_check_failing_in_httpx_is_reported_and_the_run_goes_on(engine: Engine, box: Mailbox) -> None:
    def broken(request: httpx.Request) -> httpx.Response:
        raise httpx.DecodingError(f"cannot decode the answer to {request.url}")

    settings = _settings(
        box.port, facebook_token=TOKEN, api_base_urls={"facebook": "https://graph.test/v23.0"}
    )
    with session_factory(engine)() as session:
        _fire(session, ["a"])
        store.add_rule(session, "hk", "government", "hk", "token_expiry", {}, None, "ops@gov.test")
        session.commit()
        report = deliver.run(session, settings, NOW, transport=httpx.MockTransport(broken))
    assert report.emails == 1
    [failure] = report.failures
    assert failure.startswith("token facebook:") and "DecodingError" in failure
    assert TOKEN not in failure


def test_a_run_that_finds_another_under_way_stores_and_sends_nothing(engine: Engine, box: Mailbox) -> None:
    settings = _settings(box.port)
    with session_factory(engine)() as other, store.run_lock(other) as held:
        assert held
        with session_factory(engine)() as session:
            _fire(session, ["a"])
            busy = deliver.run(session, settings, NOW)
        assert busy.failures == [deliver.BUSY] and busy.emails == 0 and box.messages == []
        assert _undelivered(engine, t.Alert.delivered_email_at) == ["a"]
    with session_factory(engine)() as session:
        report = deliver.run(session, settings, NOW)
        assert (report.emails, report.failures) == (1, [])
        with store.run_lock(session) as again:
            assert again  # let go when the run ended
    assert [str(m["Subject"]) for m in box.messages] == ["[govsocial] Alert a"]
