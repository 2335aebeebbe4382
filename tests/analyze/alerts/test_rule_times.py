"""What the rules say, as a communications officer in the jurisdiction reads it: days and times in
its time zone, the real length of a silence, spikes of recent periods only for a new rule, no
"underperforming" post where the account's posts usually get nothing; and emails a mail system
accepts (``Date:``, ``Message-ID:``), through the loopback SMTP server."""

from __future__ import annotations

import datetime as dt
from email.utils import parsedate_to_datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from govsocial.analyze.alerts import deliver
from govsocial.analyze.alerts.mail import sender_domain
from govsocial.analyze.alerts.rules import evaluate
from govsocial.settings import Settings
from govsocial.store import alerts as store
from govsocial.store import tables as t
from govsocial.store.db import session_factory
from tests.analyze.alerts import rows
from tests.analyze.alerts.loopback import Mailbox

#: 20:00 UTC on 30 November 2026: already 1 December, 04:00, in Hong Kong.
NOW = dt.datetime(2026, 11, 30, 20, 0, tzinfo=dt.UTC)
#: 02:30 on 1 October in Hong Kong: still 30 September in UTC.
LAST_POST = dt.datetime(2026, 9, 30, 18, 30, tzinfo=dt.UTC)


def _hong_kong(session: Session) -> None:
    session.add(
        t.Jurisdiction(code="hk", name_en="Hong Kong", name_zh_hant="香港", timezone="Asia/Hong_Kong")
    )
    session.add(t.Platform(key="facebook", name_en="Facebook", definition={}))
    session.flush()


def _rule(session: Session, kind: str, entity: str, **params: object) -> t.AlertRule:
    level = "government" if entity == "hk" else "account"
    return store.add_rule(session, "hk", level, entity, kind, dict(params), None, "desk@gov.test")


def test_a_dormant_account_is_told_with_its_real_silence_and_local_day(engine: Engine) -> None:
    with session_factory(engine)() as session:
        _hong_kong(session)
        account = rows.account(session)
        rows.post(session, account, 1, LAST_POST, 5)
        rule = _rule(session, "account_dormant", str(account.id), days=30)
        (fired,) = evaluate(session, rule, NOW)
    # 61 days and 1.5 hours of silence; the last post was on 1 October in Hong Kong.
    assert fired.title == "quiet_page (Facebook) has not posted for 61 days (last post: 2026-10-01)"
    assert fired.details["last_post"] == "2026-10-01"
    # The event keeps its key of before, so an alert stored by an earlier version does not fire again.
    assert fired.event_key == f"account_dormant:account:{account.id}:2026-09-30"


def test_an_account_that_never_posted_says_so(engine: Engine) -> None:
    with session_factory(engine)() as session:
        _hong_kong(session)
        account = rows.account(session)
        (fired,) = evaluate(session, _rule(session, "account_dormant", str(account.id)), NOW)
    assert fired.title == "quiet_page (Facebook) has never posted"


def test_token_expiry_counts_days_in_the_jurisdiction(engine: Engine) -> None:
    """On 1 December in Hong Kong, a token expiring on 15 December is 14 days away: a rule of 14
    days fires (in UTC it would still be 30 November, 15 days away, and it would not)."""
    with session_factory(engine)() as session:
        _hong_kong(session)
        rule = _rule(session, "token_expiry", "hk", platform="youtube", expires_on="2026-12-15", days=14)
        (fired,) = evaluate(session, rule, NOW)
    assert fired.details["days_left"] == 14
    assert fired.title == "The YouTube token expires in 14 day(s) (2026-12-15)"


def _settings(port: int) -> Settings:
    return Settings.load(
        database_url="sqlite://", smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False,
        smtp_from="GovSocial alerts <alerts@govsocial.test>",
    )  # fmt: skip


def _send_dormant(engine: Engine, box: Mailbox) -> str:
    """Fire and email one dormancy alert; the email's text."""
    with session_factory(engine)() as session:
        _hong_kong(session)
        account = rows.account(session)
        rows.post(session, account, 1, LAST_POST, 5)
        rule = _rule(session, "account_dormant", str(account.id), days=30)
        session.add(t.Alert(
            rule_id=rule.id, kind=rule.kind, entity=str(account.id), event_key="test:posted",
            title="A post", details={"posted_at": LAST_POST.isoformat(), "n": 3}, fired_at=NOW,
        ))  # fmt: skip
        session.commit()
        report = deliver.run(session, _settings(box.port), NOW)
    assert report.failures == [] and report.emails == 2
    return "\n".join(str(m.get_content()) for m in box.messages)  # type: ignore[attr-defined]


def test_emails_show_times_in_the_jurisdictions_zone(engine: Engine, box: Mailbox) -> None:
    text = _send_dormant(engine, box)
    assert "Posted: 2026-10-01 02:30 HKT (Asia/Hong_Kong)" in text
    assert "Fired: 2026-12-01 04:00 HKT (Asia/Hong_Kong)" in text
    assert "Last post: 2026-10-01" in text and "n: 3" in text
    assert "+00:00" not in text


def test_emails_carry_a_date_and_a_message_id(engine: Engine, box: Mailbox) -> None:
    _send_dormant(engine, box)
    ids = [str(m["Message-ID"]) for m in box.messages]
    assert all(i.startswith("<") and i.endswith("@govsocial.test>") for i in ids) and len(set(ids)) == 2
    for mail in box.messages:
        sent = parsedate_to_datetime(str(mail["Date"]))
        assert sent.utcoffset() == dt.timedelta(0)


def test_the_message_id_uses_the_senders_domain() -> None:
    assert sender_domain("GovSocial <alerts@isd.gov.hk>") == "isd.gov.hk"
    assert sender_domain("alerts@example.org") == "example.org"
    assert sender_domain("") is None


def _spike(session: Session, account: t.Account, kind: str, period_kind: str, period: str) -> None:
    session.add(
        t.OpinionEvent(
            jurisdiction="hk", account_id=account.id, kind=kind, period_kind=period_kind, period=period,
            value=90.0, baseline=10.0, spread=2.0, score=40.0, details={}, detected_at=NOW,
        )
    )  # fmt: skip
    session.flush()


def test_a_new_spike_rule_tells_of_recent_periods_only(engine: Engine) -> None:
    """A rule made on 1 December (Hong Kong) tells of November and week 48 (the last complete
    periods) and later ones, not of spikes months back."""
    with session_factory(engine)() as session:
        _hong_kong(session)
        account = rows.account(session)
        for kind, period in [("week", "2026-W25"), ("week", "2026-W47"), ("week", "2026-W48"),
                             ("week", "2026-W49"), ("month", "2026-10"), ("month", "2026-11"),
                             ("month", "2026-12")]:  # fmt: skip
            _spike(session, account, "comment_volume", kind, period)
        rule = _rule(session, "comment_volume", str(account.id))
        rule.created_at = NOW
        session.flush()
        fired = evaluate(session, rule, NOW + dt.timedelta(days=10))
        periods = sorted(f.details["period"] for f in fired)
        # An older rule still tells of what happened since it was made.
        rule.created_at = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
        session.flush()
        older = evaluate(session, rule, NOW + dt.timedelta(days=10))
    assert periods == ["2026-11", "2026-12", "2026-W48", "2026-W49"]
    assert len(older) == 7


def test_no_underperforming_post_where_posts_usually_get_nothing(engine: Engine) -> None:
    with session_factory(engine)() as session:
        _hong_kong(session)
        account = rows.account(session)
        for n in range(6):  # the account's posts of the last weeks: no interactions
            rows.post(session, account, n, NOW - dt.timedelta(days=10 + n), 0)
        rows.post(session, account, 10, NOW - dt.timedelta(days=3), 0)
        rule = _rule(session, "post_underperforming", str(account.id))
        assert evaluate(session, rule, NOW) == []
        # With a usual of 10 the same post underperforms.
        for n in range(20, 30):
            rows.post(session, account, n, NOW - dt.timedelta(days=20 + n), 10)
        assert [f.details["interactions"] for f in evaluate(session, rule, NOW)] == [0]
