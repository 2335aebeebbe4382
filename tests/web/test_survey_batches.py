"""The survey is published in batches of at least k new or changed responses (docs/survey.md,
"Released in batches").

Comparing what is published before and after one person answers must show nothing: the results,
the API and the export stay exactly as they were until the k-th change, which releases all k at
once. A browser that sends again replaces its answers, but the published version stays until a
batch releases the new one (its disappearance would give the new answers away too); a browser that
sends five times is one change. The reports show the last release before their period ended, read
from the release's own record, so a report built again after later releases and replacements
gives the same figures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from govsocial.analyze import survey as analysis
from govsocial.report import periods
from govsocial.report.survey import survey_section
from govsocial.store import survey as store
from govsocial.store import tables as t
from govsocial.store.db import session_factory
from govsocial.web.api import survey as api
from tests.web.survey_support import Clock, open_portal, send, show_form, stored

K = analysis.MIN_GROUP


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def portal(sqlite_engine: Engine, sqlite_url: str, clock: Clock) -> Iterator[TestClient]:
    with open_portal(sqlite_url, clock) as client:
        yield client


def answer(portal: TestClient, clock: Clock, browser: TestClient | None = None, **changes: Any) -> TestClient:
    """Send the survey from ``browser`` (a new one by default); the browser."""
    browser = browser or TestClient(portal.app)
    assert send(browser, show_form(browser, clock), **changes).status_code == 303
    return browser


def published(portal: TestClient) -> tuple[str, dict[str, Any]]:
    """What anyone can read: the export's text and the results' figures (without the two counts that
    say how much waits, which are meant to move)."""
    export = portal.get("/api/v1/survey/responses.csv").text
    results = portal.get("/api/v1/survey/results").json()
    return export, {k: v for k, v in results.items() if k not in ("pending", "withheld")}


def test_one_new_response_changes_nothing_until_the_kth_releases_all(
    portal: TestClient, clock: Clock
) -> None:
    empty = published(portal)
    for count in range(1, K):
        answer(portal, clock, explaining_policy=str(count))
        assert published(portal) == empty
        results = portal.get("/api/v1/survey/results").json()
        assert (results["pending"], results["withheld"], results["released_on"]) == (count, count, None)
        assert portal.get("/api/v1/survey/responses.csv").headers[api.WITHHELD_HEADER] == str(count)
    answer(portal, clock, explaining_policy="9")
    export, results = published(portal)
    assert len(export.splitlines()) == 1 + K and results["groups"][0]["respondents"] == K
    assert results["released_on"] == clock.now.date().isoformat()
    assert portal.get("/api/v1/survey/results").json()["pending"] == 0
    first = published(portal)
    html = portal.get("/en/survey/results").text
    # One more person: nothing published moves, on the page either.
    answer(portal, clock, explaining_policy="0")
    assert published(portal) == first
    after = portal.get("/en/survey/results").text
    assert after.replace(f"Responses so far: {K + 1}.", "") == html.replace(f"Responses so far: {K}.", "")


def test_a_replacement_changes_nothing_published_until_a_batch_releases_it(
    portal: TestClient, clock: Clock, sqlite_url: str
) -> None:
    first = answer(portal, clock, explaining_policy="1", age_band="65+")
    for _ in range(K - 1):
        answer(portal, clock, explaining_policy="5", age_band="65+")
    released = published(portal)
    assert "65+" in released[0]
    # The first person changes every answer: neither the old version goes nor the new one comes.
    answer(portal, clock, first, explaining_policy="10", age_band="20-24")
    assert published(portal) == released
    [row] = [r for r in stored(sqlite_url) if r.explaining_policy == 1]
    assert row.released_at is not None and row.pending is not None
    assert row.pending["ratings"]["explaining_policy"] == 10
    # Sending again from the same browser is still one change: no release after five of them.
    for rating in ("9", "8", "7", "10"):
        answer(portal, clock, first, explaining_policy=rating, age_band="20-24")
    assert published(portal) == released
    assert portal.get("/api/v1/survey/results").json()["pending"] == 1
    # Four more changes (new browsers) make the batch: all five are released at once.
    for _ in range(K - 1):
        answer(portal, clock, explaining_policy="5", age_band="20-24")
    export, results = published(portal)
    assert export != released[0]
    groups = {g["group"]: g for g in results["groups"]}
    assert groups["all"]["respondents"] == 2 * K - 1 and "65+" not in groups  # four left: too few
    ratings = sorted(r.explaining_policy for r in stored(sqlite_url))
    assert ratings == sorted([10] + [5] * (2 * K - 2)) and 1 not in ratings
    assert all(r.pending is None and r.released_at is not None for r in stored(sqlite_url))


def test_the_results_page_says_when_and_how_the_figures_are_released(
    portal: TestClient, clock: Clock
) -> None:
    thanks = portal.get("/en/survey/results?thanks=1").text
    assert "next batch of at least 5 new or changed responses" in thanks
    assert "updated in batches of at least 5 new or changed responses" in thanks
    assert "Last updated on" not in thanks
    for _ in range(K):
        answer(portal, clock)
    day = clock.now.date().isoformat()
    assert f"Last updated on {day}." in portal.get("/en/survey/results").text
    hant = portal.get("/zh-hant/survey/results?thanks=1").text
    assert f"上次更新日期：{day}。" in hant and "每累積至少 5 份新增或更改的回應" in hant
    assert "會在下一批至少 5 份新增或更改的回應公布時計入數字" in hant
    hans = portal.get("/zh-hans/survey/results?thanks=1").text
    assert "数据和文件每累积至少 5 份新增或修改的回应" in hans and "发布时计入数据" in hans


def test_the_thanks_say_whether_the_answers_wait_or_completed_a_batch(
    portal: TestClient, clock: Clock
) -> None:
    """Only the sender of the k-th change learns that their answers are published already."""
    senders = [TestClient(portal.app) for _ in range(K)]
    places = [send(b, show_form(b, clock)).headers["location"] for b in senders]
    assert places == ["/en/survey/results?thanks=1"] * (K - 1) + ["/en/survey/results?thanks=2"]
    made = portal.get(places[-1]).text
    assert "They completed a batch of at least 5 new or changed responses" in made
    assert "next batch" not in made
    assert "next batch" in portal.get(places[0]).text
    hant = portal.get("/zh-hant/survey/results?thanks=2").text
    assert "湊成了一批至少 5 份新增或更改的回應" in hant
    assert "survey-thanks" not in portal.get("/en/survey/results?thanks=7").text


# --- releases, as the reports read them --------------------------------------------------------------


def _save(session: Any, browser: str, rating: int, day: dt.date) -> None:
    store.save(session, browser, store.Answers(ratings={"explaining_policy": rating}), day)


def _release(session: Any, day: dt.date) -> t.SurveyRelease | None:
    return analysis.release_due(session, "hk", dt.datetime.combine(day, dt.time(12), dt.UTC))


def _mean(section: Any) -> float | None:
    mean: float | None = next(r.estimate.mean for r in section.ratings if r.key == "explaining_policy")
    return mean


def test_reports_are_cut_at_releases_and_a_rebuilt_report_gives_the_same_figures(
    sqlite_engine: Engine,
) -> None:
    march, april, may = dt.date(2026, 3, 10), dt.date(2026, 4, 5), dt.date(2026, 5, 20)
    with session_factory(sqlite_engine)() as session:
        for i in range(K):
            _save(session, f"b{i}", 2, march)
        _release(session, march)
        # Sent in March, released in April with the batch it completes: April's.
        _save(session, "late", 8, dt.date(2026, 3, 30))
        for i in range(K - 1):
            _save(session, f"c{i}", 8, april)
        _release(session, april)
        session.commit()
        sections = {label: survey_section(session, periods.parse(label)) for label in ("2026-03", "2026-04")}
    assert (sections["2026-03"].respondents, sections["2026-03"].in_period, _mean(sections["2026-03"])) == (
        K,
        K,
        pytest.approx(2.0),
    )
    assert (sections["2026-04"].respondents, sections["2026-04"].in_period, _mean(sections["2026-04"])) == (
        2 * K,
        K,
        pytest.approx(5.0),
    )
    assert sections["2026-04"].released_on == april
    # Later: everyone of March changes their answers, re-dated to May, and a batch releases them.
    with session_factory(sqlite_engine)() as session:
        for i in range(K):
            _save(session, f"b{i}", 10, may)
        _release(session, may)
        session.commit()
        again = {label: survey_section(session, periods.parse(label)) for label in sections}
        year = survey_section(session, periods.parse("2026"))
        assert session.scalar(select(func.count()).select_from(t.SurveyRelease)) == 3
    assert again == sections
    assert (year.respondents, year.in_period, _mean(year)) == (2 * K, 3 * K, pytest.approx(9.0))


def test_release_due_is_idempotent_and_needs_k_changes(sqlite_engine: Engine) -> None:
    day = dt.date(2026, 3, 10)
    with session_factory(sqlite_engine)() as session:
        assert _release(session, day) is None  # nothing at all
        for i in range(K - 1):
            _save(session, f"b{i}", 3, day)
        assert _release(session, day) is None and list(store.responses(session)) == []
        _save(session, f"b{K}", 3, day)
        made = _release(session, day)
        assert made is not None and (made.changed, made.respondents, made.made_on) == (K, K, day)
        assert _release(session, day) is None and _release(session, day) is None
        assert store.waiting_count(session) == 0 and len(list(store.responses(session))) == K
        assert analysis.release_ratings(made)["explaining_policy"] == analysis.Estimate(3.0, 3.0, 3.0, K)
