"""The admin alerts page shows when an alert fired and was delivered as staff read a time: to the
minute in the jurisdiction's zone, named, not the store's UTC with microseconds and no zone."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from govsocial.store import alerts
from govsocial.store.db import session_factory, transaction
from tests.web.admin.conftest import START, sign_in


def test_alert_times_are_shown_in_the_jurisdictions_zone(
    web: TestClient, admin_engine: Engine, people: dict[str, int]
) -> None:
    with transaction(session_factory(admin_engine)) as session:
        rule = alerts.add_rule(session, "hk", "government", "hk", "account_missing", {}, None, "d@gov.test")
        fired = alerts.Fired(rule.id, "account_missing", "1", "account_missing:account:1", "Gone", {})
        [alert] = alerts.add_new(session, [fired], START + dt.timedelta(seconds=1.5))
        alert.delivered_email_at = START + dt.timedelta(minutes=2)
    assert sign_in(web, "viewer").status_code == 303
    page = web.get("/admin/alerts").text
    # 09:00 UTC on 27 November is 17:00 in Hong Kong.
    assert "<td>2026-11-27 17:00 HKT (Asia/Hong_Kong)</td>" in page
    assert "<td>2026-11-27 17:02 HKT (Asia/Hong_Kong)</td>" in page
    assert "09:00:01" not in page and "2026-11-27 09:00" not in page
