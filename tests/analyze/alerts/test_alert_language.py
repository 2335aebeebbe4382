"""Alerts as a department's communications officer receives them: in the rule's language (the
jurisdiction's by default, or the rule's ``lang``), the account named by its display name in that
language and its platform by the platform's; links to the portal with ``portal_url``; and an event
stored by an earlier version, whose title was "platform handle" in English, never stored or sent
again, since its identity (``event_key``) is the same."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from govsocial.analyze.alerts import deliver
from govsocial.analyze.alerts.params import ParamError, clean_params
from govsocial.settings import Settings
from govsocial.store import alerts as store
from govsocial.store import tables as t
from govsocial.store.db import session_factory
from tests.analyze.alerts import rows
from tests.analyze.alerts.loopback import Mailbox, webhook

#: 20:00 UTC on 30 November 2026: 1 December, 04:00, in Hong Kong.
NOW = dt.datetime(2026, 11, 30, 20, 0, tzinfo=dt.UTC)
LAST_POST = dt.datetime(2026, 9, 30, 18, 30, tzinfo=dt.UTC)
PORTAL = "https://social.example.gov.hk"


def _settings(port: int, **extra: Any) -> Settings:
    return Settings.load(
        **{"database_url": "sqlite://", "smtp_host": "127.0.0.1", "smtp_port": port,
           "smtp_starttls": False, **extra},
    )  # fmt: skip


def _dormant_page(session: Session) -> t.Account:
    """Hong Kong (Traditional Chinese by default), Facebook, and a page with names in each language
    that last posted on 1 October (Hong Kong time)."""
    session.add(t.Jurisdiction(code="hk", name_en="Hong Kong", name_zh_hant="香港",
                               timezone="Asia/Hong_Kong", default_locale="zh-hant"))  # fmt: skip
    session.add(t.Platform(key="facebook", name_en="Facebook", name_zh_hant="臉書", name_zh_hans="脸书",
                           definition={}))  # fmt: skip
    session.flush()
    page = rows.account(session, "chp_page")
    page.display_name_en = "Centre for Health Protection"
    page.display_name_zh_hant = "衞生防護中心"
    page.display_name_zh_hans = "卫生防护中心"
    rows.post(session, page, 1, LAST_POST, 5)
    return page


def _run(engine: Engine, box: Mailbox, hook: str, **params: Any) -> tuple[int, deliver.RunReport]:
    with session_factory(engine)() as session:
        page = _dormant_page(session)
        store.add_rule(
            session, "hk", "account", str(page.id), "account_dormant", params, hook, "desk@gov.test"
        )
        session.commit()
        return page.id, deliver.run(session, _settings(box.port, portal_url=f"{PORTAL}/"), NOW)


def test_a_chinese_officer_reads_the_accounts_chinese_name_and_the_platforms(
    engine: Engine, box: Mailbox
) -> None:
    with webhook() as hook:
        page_id, report = _run(engine, box, hook.url)
    assert report.failures == [] and report.emails == 1 and report.webhooks == 1
    title = "衞生防護中心（臉書）已 61 日沒有發帖（最後一帖：2026-10-01）"
    [mail] = box.messages
    assert str(mail["Subject"]) == f"[govsocial] {title}"
    text = str(mail.get_content())  # type: ignore[attr-defined]
    assert text.startswith(title) and "最後一帖：2026-10-01" in text and "沒有發帖日數：61" in text
    assert "帳戶：衞生防護中心（臉書）, chp_page" in text
    assert f"平台頁面：{PORTAL}/zh-hant/accounts/{page_id}" in text
    assert f"所有警示：{PORTAL}/admin/alerts" in text
    assert "facebook chp_page" not in text
    [body] = hook.received
    assert body["title"] == title and body["language"] == "zh-hant"
    assert body["links"] == {
        "account": f"{PORTAL}/zh-hant/accounts/{page_id}",
        "alerts": f"{PORTAL}/admin/alerts",
    }
    # The event's identity is as before; the stored title is English, for the admin area.
    assert body["event_key"] == f"account_dormant:account:{page_id}:2026-09-30"
    [stored] = report.new
    assert (
        stored.title
        == "Centre for Health Protection (Facebook) has not posted for 61 days (last post: 2026-10-01)"
    )


@pytest.mark.parametrize(
    ("lang", "title"),
    [
        ("en", "Centre for Health Protection (Facebook) has not posted for 61 days (last post: 2026-10-01)"),
        ("zh-hans", "卫生防护中心（脸书）已 61 天没有发帖（最后一帖：2026-10-01）"),
    ],
)
def test_a_rules_lang_chooses_another_language(engine: Engine, box: Mailbox, lang: str, title: str) -> None:
    with webhook() as hook:
        page_id, report = _run(engine, box, hook.url, lang=lang)
    assert report.failures == []
    assert str(box.messages[0]["Subject"]) == f"[govsocial] {title}"
    assert hook.received[0]["title"] == title
    assert f"{PORTAL}/{lang}/accounts/{page_id}" in str(box.messages[0].get_content())  # type: ignore[attr-defined]


def test_lang_is_a_parameter_of_every_kind_and_checked() -> None:
    assert clean_params("account_dormant", {"lang": "ZH-HANT"}) == {"lang": "zh-hant"}
    assert clean_params("token_expiry", {"lang": "en", "platform": "facebook"})["lang"] == "en"
    with pytest.raises(ParamError, match="lang must be one of zh-hant, zh-hans, en"):
        clean_params("comment_volume", {"lang": "fr"})


def _old_alert(session: Session, rule: t.AlertRule, page: t.Account, delivered: bool) -> None:
    """The row an earlier version stored for this event: its English "platform handle" title, its
    details without the silence's length."""
    when = NOW - dt.timedelta(days=1) if delivered else None
    session.add(t.Alert(
        rule_id=rule.id, kind="account_dormant", entity=str(page.id),
        event_key=f"account_dormant:account:{page.id}:2026-09-30",
        title="facebook chp_page has not posted for 60 days (last post: 2026-10-01)",
        details={"account_id": page.id, "last_post": "2026-10-01"}, fired_at=NOW - dt.timedelta(days=1),
        delivered_webhook_at=when, delivered_email_at=when,
    ))  # fmt: skip
    session.commit()


def test_an_event_stored_by_the_old_code_is_not_stored_or_sent_again(engine: Engine, box: Mailbox) -> None:
    with webhook() as hook, session_factory(engine)() as session:
        page = _dormant_page(session)
        rule = store.add_rule(
            session, "hk", "account", str(page.id), "account_dormant", {}, hook.url, "d@gov.test"
        )
        _old_alert(session, rule, page, delivered=True)
        report = deliver.run(session, _settings(box.port), NOW)
        count = session.scalar(select(func.count()).select_from(t.Alert))
    assert (report.found, report.new, report.webhooks, report.emails, report.failures) == (1, [], 0, 0, [])
    assert count == 1 and box.messages == [] and hook.received == []


def test_an_old_undelivered_event_is_sent_once_with_the_title_it_was_stored_with(
    engine: Engine, box: Mailbox
) -> None:
    """Its details lack the silence's length: rather than guess, the stored title is shown."""
    with webhook() as hook, session_factory(engine)() as session:
        page = _dormant_page(session)
        rule = store.add_rule(
            session, "hk", "account", str(page.id), "account_dormant", {}, hook.url, "d@gov.test"
        )
        _old_alert(session, rule, page, delivered=False)
        first = deliver.run(session, _settings(box.port), NOW)
        again = deliver.run(session, _settings(box.port), NOW + dt.timedelta(hours=2))
    assert (first.new, first.webhooks, first.emails) == ([], 1, 1)
    assert (again.new, again.webhooks, again.emails) == ([], 0, 0)
    old = "facebook chp_page has not posted for 60 days (last post: 2026-10-01)"
    assert hook.received[0]["title"] == old and str(box.messages[0]["Subject"]) == f"[govsocial] {old}"
    # Left by an earlier run and read back from the store: still UTC with its offset, as documented.
    assert hook.received[0]["fired_at"] == "2026-11-29T20:00:00+00:00"
