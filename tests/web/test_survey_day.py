"""A survey response, and a release of the survey's answers, is dated by the day in the jurisdiction's
time zone, the zone reports cut their periods in: sent and released at 04:00 in Hong Kong on
1 November (20:00 UTC on 31 October), a batch is November's, so October's report does not show it
and November's does."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from govsocial.analyze import survey as analysis
from govsocial.report import periods
from govsocial.report.survey import survey_section
from govsocial.store import tables as t
from govsocial.store.db import session_factory
from tests.web.survey_support import Clock, open_portal, send, show_form, stored

#: A batch: the fewest responses released together.
K = analysis.MIN_GROUP

HONG_KONG_EARLY_MORNING = dt.datetime(2026, 10, 31, 20, 0, tzinfo=dt.UTC)  # 1 November, 04:00 HKT


@pytest.fixture
def hk_client(sqlite_engine: Engine, sqlite_url: str) -> Iterator[tuple[TestClient, Clock]]:
    with session_factory(sqlite_engine)() as session:
        session.add(t.Jurisdiction(code="hk", name_en="Hong Kong", timezone="Asia/Hong_Kong"))
        session.commit()
    clock = Clock()
    clock.now = HONG_KONG_EARLY_MORNING - dt.timedelta(minutes=5)
    with open_portal(sqlite_url, clock, jurisdiction="hk") as client:
        yield client, clock


def test_a_response_is_dated_in_the_jurisdictions_zone(
    hk_client: tuple[TestClient, Clock], sqlite_engine: Engine, sqlite_url: str
) -> None:
    client, clock = hk_client
    browsers = [TestClient(client.app) for _ in range(K)]  # a batch: the last one releases it
    stamps = [show_form(browser, clock) for browser in browsers]
    clock.now = HONG_KONG_EARLY_MORNING
    for browser, stamp in zip(browsers, stamps, strict=True):
        answer: Any = send(browser, stamp)
        assert answer.status_code == 303
    rows = stored(sqlite_url)
    assert {row.submitted_on for row in rows} == {dt.date(2026, 11, 1)} and len(rows) == K
    with session_factory(sqlite_engine)() as session:
        october = survey_section(session, periods.parse("2026-10"))
        november = survey_section(session, periods.parse("2026-11"))
    assert (october.withheld, october.respondents) == (True, 0)
    assert (november.respondents, november.in_period, november.released_on) == (K, K, dt.date(2026, 11, 1))
