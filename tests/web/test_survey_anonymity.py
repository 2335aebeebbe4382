"""The survey's export and results single no one out (k-anonymity, ``analysis.release``).

Month, age band and district together could identify a respondent (the only 65+ respondent from
Islands in March), so every combination of them the export publishes is shared by at least k rows,
suppressed cells (``*``) counting as a value of their own; while there are fewer than k responses in
all, nothing is published and the header says how many are held back. The results are computed from
exactly the released rows and bands, so no figure can be subtracted from the export to recover a
suppressed cell, and an age band of fewer than k is not shown. With every combination already shared
by k or more, the export is what it was before.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from govsocial.analyze import survey as analysis
from govsocial.report import periods
from govsocial.report.survey import survey_section
from govsocial.store import survey as store
from govsocial.store import tables as t
from govsocial.store.db import session_factory
from govsocial.web.api import survey as api
from tests.web.survey_support import open_portal

K = analysis.MIN_GROUP
S = analysis.SUPPRESSED
MARCH = dt.date(2026, 3, 10)
QI = ("month", "age_band", "district")


@pytest.fixture
def portal(sqlite_engine: Engine, sqlite_url: str) -> Iterator[TestClient]:
    """The portal over an empty migrated store (each test saves the responses it needs)."""
    with open_portal(sqlite_url) as client:
        yield client


def save(engine: Engine, people: list[tuple[dt.date, str | None, str | None, int]]) -> None:
    """Store responses (day, age band, district, explaining_policy rating), each from its own browser,
    and release them when they are a batch (at least k)."""
    with session_factory(engine)() as session:
        for i, (day, band, district, rating) in enumerate(people):
            answers = store.Answers(
                ratings={"explaining_policy": rating},
                channels=["friends_shares"],
                age_band=band,
                district=district,
            )
            store.save(session, f"browser-{i}", answers, day)
        last = max(day for day, *_ in people)
        analysis.release_due(session, "hk", dt.datetime.combine(last, dt.time(12), dt.UTC))
        session.commit()


def export(portal: TestClient) -> tuple[list[dict[str, str]], Any]:
    response = portal.get("/api/v1/survey/responses.csv")
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))), response.headers


def combinations(rows: list[dict[str, str]]) -> Counter[tuple[str, ...]]:
    return Counter(tuple(row[c] for c in QI) for row in rows)


def test_the_only_65_plus_respondent_from_islands_in_march_is_not_singled_out(
    portal: TestClient, sqlite_engine: Engine
) -> None:
    many = [(MARCH, "20-24", "sha_tin", 5)] * 12
    save(sqlite_engine, [*many, (MARCH, "65+", "islands", 0)])
    rows, headers = export(portal)
    assert not [r for r in rows if r["district"] == "islands" or r["age_band"] == "65+"]
    assert min(combinations(rows).values()) >= K
    assert len(rows) == 13 and headers[api.WITHHELD_HEADER] == "0"  # every response is still there
    # The lone respondent's row is among k with nothing that tells them apart.
    assert combinations(rows)[(S, S, S)] == K
    assert combinations(rows)[("2026-03", "20-24", "sha_tin")] == 12 - (K - 1)


def test_age_bands_of_fewer_than_k_are_not_in_the_results(portal: TestClient, sqlite_engine: Engine) -> None:
    save(sqlite_engine, [(MARCH, "20-24", "sha_tin", 4)] * 10 + [(MARCH, "65+", "sha_tin", 9)] * (K - 1))
    results = portal.get("/api/v1/survey/results").json()
    groups = {g["group"]: g for g in results["groups"]}
    assert set(groups) == {"all", "20-24"} and results["min_group"] == K and results["withheld"] == 0
    assert groups["all"]["respondents"] == 10 + K - 1
    html = portal.get("/en/survey/results").text
    assert '<th scope="row">65+</th>' not in html and '<th scope="row">20-24</th>' in html
    assert 'id="survey-bands-rule"' in html and 'id="survey-withheld"' not in html


def test_the_results_follow_from_the_export_so_nothing_can_be_subtracted(
    portal: TestClient, sqlite_engine: Engine
) -> None:
    # Bands and districts spread thin over two months: much is suppressed. Were the results of the
    # stored bands, a band's respondents and mean minus the export's rows of that band would give
    # away the answers of those whose band the export leaves out.
    people = [
        (dt.date(2026, 3 + i % 2, 1 + i % 28), store.AGE_BANDS[i % 3], store.DISTRICTS[i % 4], i % 11)
        for i in range(40)
    ]
    save(sqlite_engine, people)
    rows, _ = export(portal)
    assert len(rows) == 40 and min(combinations(rows).values()) >= K
    results = portal.get("/api/v1/survey/results").json()
    for group in results["groups"]:
        members = [r for r in rows if group["group"] in ("all", r["age_band"])]
        ratings = [int(r["explaining_policy"]) for r in members]
        figure = group["ratings"]["explaining_policy"]
        assert group["respondents"] == len(members) >= K
        assert figure["n"] == len(ratings) and figure["mean"] == pytest.approx(sum(ratings) / len(ratings))
    published = {r["age_band"] for r in rows} & set(store.AGE_BANDS)
    assert {g["group"] for g in results["groups"]} == {"all"} | {
        band for band in published if sum(r["age_band"] == band for r in rows) >= K
    }


def test_nothing_is_lost_when_every_combination_has_k(portal: TestClient, sqlite_engine: Engine) -> None:
    people = [(MARCH, "20-24", "sha_tin", 3)] * K + [(MARCH, None, None, 7)] * K
    people += [(dt.date(2026, 4, 2), "65+", "islands", 1)] * K
    save(sqlite_engine, people)
    rows, headers = export(portal)
    assert combinations(rows) == {
        ("2026-03", "20-24", "sha_tin"): K,
        ("2026-03", "", ""): K,
        ("2026-04", "65+", "islands"): K,
    }
    groups = {g["group"]: g["respondents"] for g in portal.get("/api/v1/survey/results").json()["groups"]}
    assert groups == {"all": 3 * K, "20-24": K, "65+": K}
    assert headers[api.WITHHELD_HEADER] == "0"


def test_fewer_than_k_responses_are_withheld_and_said_to_be(
    portal: TestClient, sqlite_engine: Engine
) -> None:
    save(sqlite_engine, [(MARCH, "20-24", "sha_tin", 6)] * (K - 1))
    rows, headers = export(portal)
    assert rows == [] and headers[api.WITHHELD_HEADER] == str(K - 1)
    results = portal.get("/api/v1/survey/results").json()
    assert results["withheld"] == K - 1
    [everyone] = results["groups"]
    assert everyone["respondents"] == 0 and everyone["ratings"]["explaining_policy"]["mean"] is None
    html = portal.get("/en/survey/results").text
    assert f"Responses so far: {K - 1}." in html and 'id="survey-withheld"' in html
    assert f"at least {K} people have answered" in html
    assert f"至少有 {K} 人作答後才會顯示數字" in portal.get("/zh-hant/survey/results").text
    assert f"至少有 {K} 人作答后才会显示数据" in portal.get("/zh-hans/survey/results").text
    with session_factory(sqlite_engine)() as session:
        section = survey_section(session, periods.parse("2026-03"))
    # Nothing released: the report has no figures, and does not count what waits either.
    assert section.withheld and section.respondents == section.in_period == 0
    assert all(r.estimate.mean is None and r.estimate.n == 0 for r in section.ratings)


# --- the guarantee, over random response sets ---------------------------------------------------------

MONTHS = (dt.date(2026, 1, 5), dt.date(2026, 2, 5), dt.date(2027, 1, 5))
response_sets = st.lists(
    st.tuples(
        st.sampled_from(MONTHS),
        st.sampled_from((None, "15-19", "20-24", "65+")),
        st.sampled_from((None, "islands", "sha_tin", "wan_chai")),
        st.integers(0, 10),
    ),
    max_size=60,
)


def responses(people: list[tuple[dt.date, str | None, str | None, int]]) -> list[t.SurveyResponse]:
    return [
        t.SurveyResponse(
            token_hash=store.digest(f"browser-{i}"), submitted_on=day, age_band=band, district=district,
            explaining_policy=rating, channels=[], reactions={},
        )
        for i, (day, band, district, rating) in enumerate(people)
    ]  # fmt: skip


def generalises(published: str | None, true: str | None) -> bool:
    return published in (true, S)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(response_sets)
def test_every_published_combination_is_shared_by_k(people: list[Any]) -> None:
    rows = responses(people)
    released = analysis.release(reversed(rows))
    assert released == analysis.release(rows)  # the same release whatever order the store gives
    if len(rows) < K:
        assert released.rows == [] and released.withheld == len(rows)
        return
    assert released.withheld == 0 and len(released.rows) == len(rows)
    assert sorted(p.response.token_hash for p in released.rows) == sorted(r.token_hash for r in rows)
    counts = Counter((p.month, p.age_band, p.district) for p in released.rows)
    assert min(counts.values()) >= K
    for p in released.rows:
        month = p.response.submitted_on.strftime("%Y-%m")
        assert p.month in (month, month[:4], S)
        assert generalises(p.age_band, p.response.age_band) and generalises(p.district, p.response.district)
        # The hierarchy: a district is shown only with its band, a band only with its full month.
        assert p.district == S or p.age_band != S
        assert p.age_band == S or p.month == month
    true = Counter(analysis.quasi_identifiers(r) for r in rows)
    if min(true.values()) >= K:  # nothing to protect: nothing changed
        assert counts == true
    groups = analysis.by_age_band(released)
    assert groups[analysis.EVERYONE].respondents == len(rows)
    for band, results in groups.items():
        if band != analysis.EVERYONE:
            assert results.respondents == sum(p.age_band == band for p in released.rows) >= K
