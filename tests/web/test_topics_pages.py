"""The topics API and the portal's topic section, over the store ``tests.analyze.test_topics.seed`` builds."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from govsocial.analyze.topics import view as tv
from govsocial.settings import Settings
from govsocial.store.db import session_factory
from govsocial.web.app import create_app
from tests.analyze.test_topics import DELAY, POST_NOW, seed


@pytest.fixture
def seeded(engine: Engine, database_url: str) -> Iterator[tuple[TestClient, dict[str, int]]]:
    tv.clear_cache()
    with session_factory(engine)() as session:
        ids = seed(session)
    with TestClient(create_app(Settings.load(database_url=database_url))) as client:
        yield client, ids
    tv.clear_cache()


def test_api_gives_rising_terms_with_their_posts(seeded: tuple[TestClient, dict[str, int]]) -> None:
    client, ids = seeded
    body = client.get("/api/v1/topics", params={"account": ids["account"], "at": "2026-09-16"}).json()
    assert body["subject"] == {"level": "account", "jurisdiction": "hk", "entity": str(ids["account"])}
    assert body["period"]["label"] == "2026-W38" and body["previous"]["label"] == "2026-W37"
    assert (body["comments_now"], body["comments_before"]) == (35, 19)
    terms = {x["term"]: x for x in body["rising"]}
    assert terms["延誤"]["comments_now"] == 25 and terms["延誤"]["comments_before"] == 0
    assert terms["延誤"]["z"] >= 1.96
    assert terms["延誤"]["posts"][0]["excerpt"] == POST_NOW
    assert DELAY not in str(body)  # counts and terms, never a citizen's comment


def test_api_month_organisation_and_jurisdiction(seeded: tuple[TestClient, dict[str, int]]) -> None:
    client, _ = seeded
    body = client.get("/api/v1/topics", params={"organisation": "td", "period": "month"}).json()
    assert body["period"]["label"] == "2026-09" and body["subject"]["entity"] == "td"
    whole = client.get("/api/v1/topics", params={"at": "2026-09-16", "limit": 1}).json()
    assert whole["subject"]["level"] == "jurisdiction" and whole["comments_now"] == 40
    assert len(whole["top"]) == 1 and len(whole["rising"]) <= 1


def test_api_refuses_unknown_subjects_and_bad_periods(seeded: tuple[TestClient, dict[str, int]]) -> None:
    client, ids = seeded
    assert client.get("/api/v1/topics", params={"account": 99999}).status_code == 404
    missing = client.get("/api/v1/topics", params={"organisation": "nope"})
    assert missing.status_code == 404 and "nope" in missing.json()["detail"]
    assert client.get("/api/v1/topics", params={"period": "day"}).status_code == 422
    both = client.get("/api/v1/topics", params={"account": ids["account"], "organisation": "td"})
    assert both.status_code == 422 and "not both" in both.json()["detail"]
    assert client.get("/api/v1/topics", params={"at": "yesterday"}).status_code == 422


@pytest.mark.parametrize(
    ("lang", "heading"), [("en", "What people are talking about"), ("zh-hant", "市民在談論甚麼")]
)
def test_account_page_shows_the_topic_section(
    seeded: tuple[TestClient, dict[str, int]], lang: str, heading: str
) -> None:
    client, ids = seeded
    html = client.get(f"/{lang}/accounts/{ids['account']}").text
    assert heading in html
    section = html[html.index('id="topics-heading"') :]
    assert "延誤" in section and "<caption>" in section and 'scope="row"' in section
    assert POST_NOW in section
    assert DELAY not in html  # no citizen's comment is shown


def test_organisation_page_shows_the_section_and_a_quiet_account_none(
    seeded: tuple[TestClient, dict[str, int]],
) -> None:
    client, ids = seeded
    assert 'id="topics-heading"' in client.get("/en/organisations/hk/td").text
    # 5 comments in all: too few to say what people talk about
    assert 'id="topics-heading"' not in client.get(f"/en/accounts/{ids['elsewhere']}").text


def test_a_day_before_the_calendar_can_hold_its_history_is_refused(client: TestClient) -> None:
    # Found by schemathesis: the view reaches back several weeks, which from 0001-01-08 is before year 1.
    response = client.get("/api/v1/topics", params={"at": "0001-01-08"})
    assert response.status_code == 422 and "1990-01-01" in response.json()["detail"]
