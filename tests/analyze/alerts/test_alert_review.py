"""What reviewing the alerts as a communications officer found, on the demo store: a dormancy's
length counted in the jurisdiction's days (two pages whose last posts fell on one day are silent as
long), posts told apart in their alerts' titles (an inbox of "3 comment(s) unanswered" for one page
said nothing of which post), and counts shown as counts."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from govsocial.analyze.alerts import message
from govsocial.analyze.alerts.rules import evaluate
from govsocial.store import alerts as store
from govsocial.store import tables as t
from govsocial.store.db import session_factory
from tests.analyze.alerts import rows

#: 20:00 UTC on 30 November 2026: 1 December, 04:00, in Hong Kong.
NOW = dt.datetime(2026, 11, 30, 20, 0, tzinfo=dt.UTC)


def _hkt(*when: int) -> dt.datetime:
    """A Hong Kong time, in UTC as the store keeps times."""
    return dt.datetime(*when, tzinfo=dt.timezone(dt.timedelta(hours=8))).astimezone(dt.UTC)  # type: ignore[misc]


def _hong_kong(session: Session) -> None:
    session.add(t.Jurisdiction(code="hk", name_en="Hong Kong", name_zh_hant="香港",
                               timezone="Asia/Hong_Kong", default_locale="en"))  # fmt: skip
    session.add(t.Platform(key="facebook", name_en="Facebook", definition={}))
    session.flush()


def test_pages_last_posting_on_one_day_have_been_silent_as_long(engine: Engine) -> None:
    """Both last posted on 1 October in Hong Kong, at 00:30 and at 23:30: 61 days before 1 December
    for both (counted in hours, the second had been silent 60 days and a bit, and said so beside
    the same "last post: 2026-10-01")."""
    with session_factory(engine)() as session:
        _hong_kong(session)
        early, late = rows.account(session, "early_page"), rows.account(session, "late_page")
        rows.post(session, early, 1, _hkt(2026, 10, 1, 0, 30), 5)
        rows.post(session, late, 1, _hkt(2026, 10, 1, 23, 30), 5)
        rule = store.add_rule(session, "hk", "government", "hk", "account_dormant", {}, None, "d@gov.test")
        fired = evaluate(session, rule, NOW)
    assert [f.title for f in fired] == [
        "early_page (Facebook) has not posted for 61 days (last post: 2026-10-01)",
        "late_page (Facebook) has not posted for 61 days (last post: 2026-10-01)",
    ]
    # Keys as before: the UTC day of the last post.
    assert [f.event_key.rsplit(":", 1)[1] for f in fired] == ["2026-09-30", "2026-10-01"]


def _comment(session: Session, post: t.Post, n: int, at: dt.datetime) -> None:
    session.add(t.Comment(
        post_id=post.id, platform="facebook", comment_id=f"{post.id}_{n}", created_at=at,
        is_page_reply=False, source="test", content_hash="x",
    ))  # fmt: skip


def test_unanswered_comments_name_the_post_they_are_on(engine: Engine) -> None:
    with session_factory(engine)() as session:
        _hong_kong(session)
        page = rows.account(session, "busy_page")
        # 30 November 00:30 in Hong Kong is still 29 November in UTC: the title says the local day.
        first = rows.post(session, page, 1, _hkt(2026, 11, 29, 9, 0), 5)
        second = rows.post(session, page, 2, _hkt(2026, 11, 30, 0, 30), 5)
        first.text, second.text = "Vaccination   centres\nopen on Sunday", "Heavy rain: " + "stay safe " * 30
        for post in (first, second):
            _comment(session, post, 1, post.created_at + dt.timedelta(hours=1))
        session.flush()
        rule = store.add_rule(session, "hk", "account", str(page.id), "unanswered_comments", {"hours": 12},
                              None, "d@gov.test")  # fmt: skip
        fired = evaluate(session, rule, NOW)
        reader = message.Reader(names=message.names_of(session, [page]))
        alerts = [t.Alert(id=n, kind=f.kind, event_key=f.event_key, title=f.title, details=f.details,
                          fired_at=NOW) for n, f in enumerate(fired, 1)]  # fmt: skip
        shown = [message.text(alert, rule, reader) for alert in alerts]
    assert [f.title for f in fired] == [
        "1 comment(s) unanswered for over 12 hours on busy_page (Facebook)'s post of 2026-11-29",
        "1 comment(s) unanswered for over 12 hours on busy_page (Facebook)'s post of 2026-11-30",
    ]
    assert [f.event_key for f in fired] == [
        f"unanswered_comments:post:{first.id}",
        f"unanswered_comments:post:{second.id}",
    ]
    assert "Post's text: Vaccination centres open on Sunday" in shown[0]
    quoted = shown[1].split("Post's text: ")[1].split("\n")[0]
    assert quoted.startswith("Heavy rain: stay safe") and quoted.endswith("…") and len(quoted) == 100


def test_a_spikes_count_is_shown_as_a_count() -> None:
    details = {"period_kind": "week", "period": "2026-W38", "value": 146.0, "baseline": 33.5}
    alert = t.Alert(id=1, kind="comment_volume", event_key="k", title="Spike", fired_at=NOW, details=details)
    rule = t.AlertRule(id=1, kind="comment_volume", level="account", entity="2")
    text = message.text(alert, rule)
    assert (
        "Value: 146\n" in text and "Usual value (median): 33.50" in text and "Period: week 38 of 2026" in text
    )


def test_a_token_expiring_today_says_so() -> None:
    details = {"platform": "youtube", "expires_on": "2026-12-01", "days_left": 0, "source": "rule"}
    names = message.Names(
        platforms={"youtube": {"en": "YouTube", "zh-hant": "YouTube", "zh-hans": "YouTube"}}
    )
    assert (
        message.title("token_expiry", details, "en", names) == "The YouTube token expires today (2026-12-01)"
    )
    assert (
        message.title("token_expiry", details, "zh-hant", names) == "YouTube 存取權杖今日到期（2026-12-01）"
    )
