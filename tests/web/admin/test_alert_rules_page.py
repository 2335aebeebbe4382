"""Alert rules kept at ``/admin/alerts``: editors add (checked as the command checks them), disable,
enable and delete rules with CSRF-protected forms, each change audited; a refused rule is shown again
with its message linked to the field; viewers read but cannot change."""

from __future__ import annotations

import re

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from govsocial.store import tables as t
from govsocial.store.db import session_factory
from tests.web.admin.conftest import page_token, sign_in

PAGE = "/admin/alerts"


def _rules(engine: Engine) -> list[t.AlertRule]:
    with session_factory(engine)() as session:
        return list(session.scalars(select(t.AlertRule).order_by(t.AlertRule.id)).all())


def _audit(engine: Engine) -> list[tuple[str, str, int | None]]:
    with session_factory(engine)() as session:
        rows = session.execute(
            select(t.AuditEntry.action, t.AuditEntry.target, t.AuditEntry.user_id)
            .where(t.AuditEntry.action.like("alert_rule.%"))
            .order_by(t.AuditEntry.id)
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


def _add(web: TestClient, token: str, **fields: str) -> httpx.Response:
    data = {"csrf_token": token, "kind": "account_dormant", "level": "government", "entity": "",
            "params": "", "webhook_url": "", "email": "", **fields}  # fmt: skip
    answer: httpx.Response = web.post(f"{PAGE}/rules", data=data)
    return answer


def test_an_editor_adds_disables_enables_and_deletes_a_rule(
    web: TestClient, admin_engine: Engine, people: dict[str, int]
) -> None:
    assert sign_in(web, "editor").status_code == 303
    token = page_token(web, PAGE)
    page = web.get(PAGE).text
    assert '<label for="rule-params">Parameters</label>' in page and 'action="/admin/alerts/rules"' in page
    answer = _add(web, token, kind="unanswered_comments", params="hours=12\n\ndays=3", email="desk@gov.test")
    assert answer.status_code == 303 and answer.headers["location"] == PAGE
    [rule] = _rules(admin_engine)
    assert (rule.kind, rule.level, rule.entity, rule.params) == ("unanswered_comments", "government", "hk",
                                                                 {"hours": 12, "days": 3})  # fmt: skip
    assert rule.email == "desk@gov.test" and rule.webhook_url is None and rule.enabled
    listed = web.get(PAGE).text
    assert f"Disable rule {rule.id}" in listed and "desk@gov.test" in listed

    off = web.post(f"{PAGE}/rules/{rule.id}/enabled", data={"csrf_token": token, "enabled": "false"})
    assert off.status_code == 303 and not _rules(admin_engine)[0].enabled
    assert f"Enable rule {rule.id}" in web.get(PAGE).text
    on = web.post(f"{PAGE}/rules/{rule.id}/enabled", data={"csrf_token": token, "enabled": "true"})
    assert on.status_code == 303 and _rules(admin_engine)[0].enabled
    gone = web.post(f"{PAGE}/rules/{rule.id}/delete", data={"csrf_token": token})
    assert gone.status_code == 303 and _rules(admin_engine) == []
    missing = web.post(f"{PAGE}/rules/{rule.id}/delete", data={"csrf_token": token})
    assert missing.status_code == 404

    target = f"alert_rule:{rule.id}"
    editor = people["editor"]
    assert _audit(admin_engine) == [
        ("alert_rule.add", target, editor),
        ("alert_rule.disable", target, editor),
        ("alert_rule.enable", target, editor),
        ("alert_rule.remove", target, editor),
    ]


def test_a_bad_parameter_is_shown_beside_its_field_and_nothing_is_stored(
    web: TestClient, admin_engine: Engine, people: dict[str, int]
) -> None:
    sign_in(web, "editor")
    token = page_token(web, PAGE)
    bad = _add(web, token, kind="post_overperforming", params="ratio=lots", webhook_url="https://hook.test/x")
    assert bad.status_code == 422
    html = bad.text
    assert "ratio must be a number from 0 to 100,000, not &#39;lots&#39;" in html
    field = re.search(r"<textarea id=\"rule-params\"[^>]*>", html)
    assert field and 'aria-describedby="rule-params-hint rule-params-error"' in field.group(0)
    assert 'aria-invalid="true"' in field.group(0)
    assert 'id="rule-params-error"' in html and 'href="#rule-params"' in html and 'role="alert"' in html
    assert "ratio=lots</textarea>" in html  # what was typed is kept
    assert 'value="https://hook.test/x"' in html
    cases = [
        ({"kind": "no_such_kind", "email": "a@b.test"}, "rule-kind"),
        ({"params": "weeks=3", "email": "a@b.test"}, "rule-params"),
        ({"params": "days", "email": "a@b.test"}, "rule-params"),
        ({"level": "account", "entity": "isd", "email": "a@b.test"}, "rule-entity"),
        ({}, "rule-webhook_url"),  # nowhere to send it
        ({"webhook_url": "ftp://x.test/"}, "rule-webhook_url"),
        ({"email": "not an address"}, "rule-email"),
        ({"email": "a@b.test,x@y.test"}, "rule-email"),  # one address, not a list
        ({"email": "Desk <a@b.test>"}, "rule-email"),
        ({"kind": "token_expiry", "params": "platform=youtube", "email": "a@b.test"}, "rule-params"),
    ]
    for fields, field_id in cases:
        answer = _add(web, token, **fields)
        assert answer.status_code == 422, fields
        assert f'id="{field_id}-error"' in answer.text, fields
    assert _rules(admin_engine) == [] and _audit(admin_engine) == []


def test_viewers_cannot_change_rules_and_forms_need_the_csrf_token(
    web: TestClient, admin_engine: Engine, people: dict[str, int]
) -> None:
    sign_in(web, "editor")
    token = page_token(web, PAGE)
    assert _add(web, token, email="desk@gov.test").status_code == 303
    assert _add(web, "forged", email="x@gov.test").status_code == 403
    [rule] = _rules(admin_engine)
    web.post("/admin/logout", data={"csrf_token": token})

    sign_in(web, "viewer")
    viewer_token = page_token(web, PAGE)
    page = web.get(PAGE).text
    assert "desk@gov.test" in page and "Add a rule" not in page and "Delete rule" not in page
    assert _add(web, viewer_token, email="v@gov.test").status_code == 403
    for path, data in [(f"{PAGE}/rules/{rule.id}/enabled", {"enabled": "false"}),
                       (f"{PAGE}/rules/{rule.id}/delete", {})]:  # fmt: skip
        assert web.post(path, data={"csrf_token": viewer_token, **data}).status_code == 403
    assert [(r.id, r.enabled) for r in _rules(admin_engine)] == [(rule.id, True)]
    assert [a[0] for a in _audit(admin_engine)] == ["alert_rule.add"]


def test_an_editor_without_the_forms_token_changes_nothing(
    web: TestClient, admin_engine: Engine, people: dict[str, int]
) -> None:
    sign_in(web, "editor")
    token = page_token(web, PAGE)
    assert _add(web, token, email="desk@gov.test").status_code == 303
    [rule] = _rules(admin_engine)
    for path, data in [(f"{PAGE}/rules/{rule.id}/enabled", {"enabled": "false"}),
                       (f"{PAGE}/rules/{rule.id}/delete", {})]:  # fmt: skip
        assert web.post(path, data=data).status_code == 403
        assert web.post(path, data={"csrf_token": "forged", **data}).status_code == 403
    assert [(r.id, r.enabled) for r in _rules(admin_engine)] == [(rule.id, True)]
    assert [a[0] for a in _audit(admin_engine)] == ["alert_rule.add"]


def test_numbers_a_run_could_not_use_and_odd_account_ids_are_refused(
    web: TestClient, admin_engine: Engine, people: dict[str, int]
) -> None:
    sign_in(web, "editor")
    token = page_token(web, PAGE)
    for fields, field_id in [
        ({"params": "days=1e308"}, "rule-params"),
        ({"params": "days=Infinity"}, "rule-params"),
        ({"kind": "post_overperforming", "params": "ratio=NaN"}, "rule-params"),
        ({"level": "account", "entity": "²"}, "rule-entity"),
        ({"level": "account", "entity": "99999999999999999999"}, "rule-entity"),
    ]:
        answer = _add(web, token, email="desk@gov.test", **fields)
        assert answer.status_code == 422, fields
        assert f'id="{field_id}-error"' in answer.text, fields
    assert _rules(admin_engine) == [] and _audit(admin_engine) == []


def test_a_webhooks_address_is_shown_and_audited_without_its_secret_path(
    web: TestClient, admin_engine: Engine, people: dict[str, int]
) -> None:
    """Webhook addresses (Slack's, Teams') are secrets in their path: every role sees only the host."""
    assert sign_in(web, "editor").status_code == 303
    token = page_token(web, PAGE)
    secret = "https://hooks.example.org/services/T000/B000/XXXXsecretXXXX"
    assert _add(web, token, webhook_url=secret).status_code == 303
    [rule] = _rules(admin_engine)
    assert rule.webhook_url == secret  # kept whole: it is where alerts are sent
    page = web.get(PAGE).text
    assert "XXXXsecretXXXX" not in page and "https://hooks.example.org/…" in page
    with session_factory(admin_engine)() as session:
        details = session.scalars(
            select(t.AuditEntry.details).where(t.AuditEntry.action == "alert_rule.add")
        ).one()
    assert "XXXXsecretXXXX" not in str(details) and "hooks.example.org" in str(details)
