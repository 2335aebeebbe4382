"""The admin alerts page (``/admin/alerts``): signed-in staff see the alerts and rules, escaped;
nobody else does."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from govsocial.store import alerts
from govsocial.store.db import session_factory, transaction
from tests.web.admin.conftest import START, sign_in


def test_viewers_see_alerts_and_rules(web: TestClient, admin_engine: Engine, people: dict[str, int]) -> None:
    assert web.get("/admin/alerts").status_code == 303  # signed out: to the sign-in page
    with transaction(session_factory(admin_engine)) as session:
        rule = alerts.add_rule(session, "hk", "government", "hk", "token_expiry",
                               {"expires_on": "2026-12-01"}, "http://127.0.0.1:9/hook", None)  # fmt: skip
        fired = alerts.Fired(rule.id, "token_expiry", "facebook", "token_expiry:facebook:2026-12-01",
                             "<b>The facebook token</b> expires soon", {})  # fmt: skip
        alerts.add_new(session, [fired, fired], START)  # the same event twice is stored once
    assert sign_in(web, "viewer").status_code == 303
    page = web.get("/admin/alerts")
    assert page.status_code == 200
    assert page.text.count("&lt;b&gt;The facebook token&lt;/b&gt; expires soon") == 1
    assert "<b>The facebook token" not in page.text
    # Only where the webhook goes: its path may be its secret.
    assert "http://127.0.0.1:9/…" in page.text and "/hook" not in page.text and "2026-12-01" in page.text
    assert page.headers["cache-control"] == "no-store"
    assert 'href="/admin/alerts"' in web.get("/admin/").text
