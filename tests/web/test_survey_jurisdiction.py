"""The citizen survey on another government's portal: no Hong Kong districts, no Hong Kong baseline.

The district question lists Hong Kong's 18 districts, and the 2020 study the results are compared
with asked 1,028 young people (aged 15-34) in Hong Kong: both are asked and shown on Hong Kong's
portal only (the ``jurisdiction`` setting; docs/survey.md). Elsewhere the form has no district
question (a district sent anyway is refused and nothing is stored), and the results page and
``GET /api/v1/survey/results`` give the portal's own figures without the baseline.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from govsocial.analyze import survey as analysis
from govsocial.store import survey as store
from tests.web.survey_support import Clock, open_portal, send, show_form, stored


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def singapore(sqlite_engine: Any, sqlite_url: str, clock: Clock) -> Iterator[TestClient]:
    """Singapore's portal on an empty migrated store."""
    with open_portal(sqlite_url, clock, jurisdiction="sg") as client:
        yield client


@pytest.fixture
def hong_kong(sqlite_engine: Any, sqlite_url: str, clock: Clock) -> Iterator[TestClient]:
    """Hong Kong's portal (the default jurisdiction) on an empty migrated store."""
    with open_portal(sqlite_url, clock) as client:
        yield client


def _fill(client: TestClient, clock: Clock, **changes: Any) -> None:
    """``MIN_GROUP`` browsers answer, so that the figures are released."""
    for _ in range(analysis.MIN_GROUP):
        client.cookies.clear()
        assert send(client, show_form(client, clock), **changes).status_code == 303


def test_another_portals_form_asks_no_district(singapore: TestClient) -> None:
    page = singapore.get("/en/survey").text
    assert 'name="district"' not in page and "Sha Tin" not in page and "Central and Western" not in page
    assert "Age band is optional." in page and "Age band and district are optional." not in page
    assert "so the answers can be compared with it" not in page
    # The age band is asked everywhere.
    assert 'name="age_band"' in page


def test_another_portal_refuses_a_district(singapore: TestClient, clock: Clock, sqlite_url: str) -> None:
    response = send(singapore, show_form(singapore, clock), district="sha_tin")
    assert response.status_code == 400
    assert "Some answers are not among the choices" in response.text
    assert stored(sqlite_url) == []
    # Without the district the same answers are stored, with none.
    assert send(singapore, show_form(singapore, clock), district="").status_code == 303
    assert [row.district for row in stored(sqlite_url)] == [None]


def test_another_portals_results_have_no_baseline(singapore: TestClient, clock: Clock) -> None:
    _fill(singapore, clock, district="")
    page = html.unescape(singapore.get("/en/survey/results").text)
    assert "Responses so far: 5." in page
    for baseline in ("2020 mean", "2020 share", "2.35", "906", "Source of the 2020 figures", "Diamond (◇)"):
        assert baseline not in page, baseline
    assert "beside the 2020 study" not in page and "with the 2020 share" not in page
    assert "Its figures are not shown here: they describe young people in Hong Kong" in page
    assert "Mean rating with its 95 per cent confidence interval</caption>" in page
    # The export's link and its note stay.
    assert "/api/v1/survey/responses.csv" in page


@pytest.mark.parametrize(("lang", "words"), [("zh-hant", "香港青年"), ("zh-hans", "香港青年")])
def test_another_portals_results_say_why_in_chinese(singapore: TestClient, lang: str, words: str) -> None:
    page = singapore.get(f"/{lang}/survey/results").text
    assert words in page and "2.35" not in page


def test_another_portals_api_has_no_baseline(singapore: TestClient, clock: Clock) -> None:
    _fill(singapore, clock, district="")
    results = singapore.get("/api/v1/survey/results").json()
    assert results["baseline"] is None
    assert results["groups"][0]["respondents"] == analysis.MIN_GROUP


def test_hong_kong_keeps_its_districts_and_names_its_baseline(hong_kong: TestClient, clock: Clock) -> None:
    form = hong_kong.get("/en/survey").text
    assert form.count('<option value="') >= len(store.DISTRICTS)
    for code in store.DISTRICTS:
        assert f'<option value="{code}"' in form
    _fill(hong_kong, clock)
    page = html.unescape(hong_kong.get("/en/survey/results").text)
    assert "2020 mean" in page and "2.35" in page and "Source of the 2020 figures" in page
    assert "a sample of young people in Hong Kong: the study asked 1,028 people aged 15 to 34" in page
    zh = html.unescape(hong_kong.get("/zh-hant/survey/results").text)
    assert "香港青年的樣本" in zh and "1,028 名 15 至 34 歲人士" in zh
    assert hong_kong.get("/api/v1/survey/results").json()["baseline"]["source"]["respondents"] == 1028


def test_districts_are_hong_kongs_only(sqlite_engine: Any) -> None:
    # The districts are registry data now (districts.csv; migration 0019 writes Hong Kong's).
    with Session(sqlite_engine) as session:
        assert [d.code for d in store.districts_of(session, "hk")] == list(store.DISTRICTS)
        assert len(store.DISTRICTS) == 18
        assert store.districts_of(session, "sg") == [] and store.districts_of(session, "uk") == []
