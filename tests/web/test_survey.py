"""The citizen survey: form, submission, refusals (honeypot, too fast, cookie, rate limit), one
response per browser, the statistics against hand-computed figures, the results and the export."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from govsocial.analyze import survey as analysis
from govsocial.settings import Settings
from govsocial.store import survey as store
from govsocial.store import tables as t
from govsocial.web.api import survey as api
from govsocial.web.app import create_app
from govsocial.web.pages import survey as page
from tests.web.survey_support import ANSWERS, STAMP, START, Clock, open_portal, send, show_form, stored


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app_client(sqlite_engine: Any, sqlite_url: str, clock: Clock) -> Iterator[TestClient]:
    """The portal on an empty migrated store, with the test clock."""
    with open_portal(sqlite_url, clock) as client:
        yield client


def test_form_sets_a_private_token_cookie_and_is_never_cached(app_client: TestClient) -> None:
    response = app_client.get("/zh-hant/survey")
    assert response.status_code == 200
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{page.COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "no-store" in response.headers["cache-control"]
    # The study's own wording of a question, in Traditional Chinese.
    assert "掌握民情" in response.text
    assert 'tabindex="-1"' in response.text and 'aria-hidden="true"' in response.text
    # A browser that has its token keeps it: no new cookie.
    again = app_client.get("/zh-hant/survey")
    assert "set-cookie" not in again.headers


def test_submission_is_stored_anonymously_and_shows_the_results(
    app_client: TestClient, clock: Clock, sqlite_url: str
) -> None:
    response = send(app_client, show_form(app_client, clock))
    assert response.status_code == 303
    assert response.headers["location"] == "/en/survey/results?thanks=1"
    [row] = stored(sqlite_url)
    token = app_client.cookies[page.COOKIE]
    assert row.token_hash == store.digest(token) != token
    assert row.submitted_on == START.date()
    assert (row.explaining_policy, row.public_participation, row.clarifying_misinformation) == (3, None, None)
    assert row.channels == ["friends_shares", "government_app"]
    assert row.reactions == {"emoji": "often", "share": "never"}
    results = app_client.get("/en/survey/results?thanks=1")
    assert results.status_code == 200
    assert "Thank you" in results.text and 'id="chart-survey"' in results.text
    assert "2.35" in results.text  # the 2020 baseline beside this survey's figures


def test_a_second_submission_from_the_same_browser_replaces_the_first(
    app_client: TestClient, clock: Clock, sqlite_url: str
) -> None:
    assert send(app_client, show_form(app_client, clock)).status_code == 303
    form = app_client.get("/en/survey")
    assert 'id="survey-answered"' in form.text
    start = STAMP.search(form.text)
    assert start is not None
    clock.advance(seconds=10)
    assert send(app_client, start.group(1), explaining_policy="8").status_code == 303
    [row] = stored(sqlite_url)
    # The new answers wait for the next release (tests/web/test_survey_batches.py), replacing the
    # version that waited before: one row, one waiting version.
    assert row.pending is not None and row.pending["ratings"]["explaining_policy"] == 8
    assert row.released_at is None
    # Another browser (a new token) is another response.
    other = TestClient(app_client.app)
    assert send(other, show_form(other, clock)).status_code == 303
    assert len(stored(sqlite_url)) == 2


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({page.HONEYPOT: "http://spam.example"}, "could not be accepted"),
        ({"explaining_policy": "11"}, "not among the choices"),
        (
            {"channels": ["none", "friends_shares", "government_ads", "government_sms"]},
            "cannot be combined with other channels",
        ),
        ({"district": "atlantis"}, "not among the choices"),
        ({"start": "12345.forged"}, "out of date"),
    ],
)
def test_bad_submissions_are_refused_and_nothing_is_stored(
    app_client: TestClient, clock: Clock, sqlite_url: str, changes: dict[str, Any], message: str
) -> None:
    response = send(app_client, show_form(app_client, clock), **changes)
    assert response.status_code == 400
    assert message in response.text
    assert stored(sqlite_url) == []


def test_an_empty_form_is_refused(app_client: TestClient, clock: Clock, sqlite_url: str) -> None:
    start = show_form(app_client, clock)
    empty = {k: "" for k in ANSWERS if k != "channels"}
    response = app_client.post("/en/survey", data={**empty, "start": start}, follow_redirects=False)
    assert response.status_code == 400 and "at least one question" in response.text
    assert stored(sqlite_url) == []


def test_too_fast_and_too_old_submissions_are_refused(
    app_client: TestClient, clock: Clock, sqlite_url: str
) -> None:
    response = app_client.get("/en/survey")
    found = STAMP.search(response.text)
    assert found is not None
    clock.advance(seconds=page.MIN_SECONDS - 1)
    too_fast = send(app_client, found.group(1))
    assert too_fast.status_code == 400 and "too quickly" in too_fast.text
    # The answers come back in the form, so a person loses nothing.
    assert '<option value="3" selected>' in too_fast.text
    clock.advance(days=2)
    assert "out of date" in send(app_client, found.group(1)).text
    assert stored(sqlite_url) == []


def test_a_post_without_the_cookie_is_refused(app_client: TestClient, clock: Clock, sqlite_url: str) -> None:
    start = show_form(app_client, clock)
    app_client.cookies.clear()
    response = send(app_client, start)
    assert response.status_code == 400 and "cookie" in response.text
    assert stored(sqlite_url) == []


def test_submissions_are_rate_limited_per_client_address(
    app_client: TestClient, clock: Clock, sqlite_url: str
) -> None:
    for _ in range(page.MAX_PER_WINDOW):
        browser = TestClient(app_client.app)  # a new browser each time, from the same address
        assert send(browser, show_form(browser, clock)).status_code == 303
    browser = TestClient(app_client.app)
    refused = send(browser, show_form(browser, clock))
    assert refused.status_code == 429 and "Too many surveys" in refused.text
    assert len(stored(sqlite_url)) == page.MAX_PER_WINDOW
    clock.advance(hours=1, seconds=1)
    assert send(browser, show_form(browser, clock)).status_code == 303


def test_the_mean_interval_matches_a_hand_computed_example() -> None:
    # mean 5; s² = 32/7; s/√8 = 0.7559; t(0.975, 7) = 2.365; half-width 1.7877.
    e = analysis.mean_ci([2, 4, 4, 4, 5, 5, 7, 9])
    assert e.n == 8 and e.mean == pytest.approx(5.0)
    assert e.low == pytest.approx(3.2123, abs=1e-3)
    assert e.high == pytest.approx(6.7877, abs=1e-3)
    assert analysis.mean_ci([7]) == analysis.Estimate(7.0, None, None, 1)
    assert analysis.mean_ci([]).mean is None


def test_t_quantiles_are_conservative_between_table_rows() -> None:
    assert analysis.t_975(7) == 2.365
    assert analysis.t_975(35) == analysis.t_975(30) == 2.042
    assert analysis.t_975(5000) == 1.96


def test_the_share_interval_is_wilson() -> None:
    # 8 of 10: Wilson 95 % interval 49.0 % - 94.3 % (hand-computed with z = 1.96).
    e = analysis.share_ci(8, 10)
    assert e.mean == pytest.approx(80.0)
    assert e.low == pytest.approx(49.02, abs=0.05)
    assert e.high == pytest.approx(94.33, abs=0.05)


def test_the_baseline_is_the_studys() -> None:
    base = analysis.baseline()
    assert base.ratings["explaining_policy"] == (2.35, 906)
    assert base.ratings["understanding_sentiment"] == (1.53, 909)
    assert base.shares["channels"]["other_pages_media"] == 62.1
    assert base.source["respondents"] == 1028


def test_api_results_by_age_band_and_the_export_has_no_token_or_address(
    app_client: TestClient, clock: Clock
) -> None:
    # Five in each band: groups of fewer are not published (tests/web/test_survey_anonymity.py).
    people = [("20-24", r) for r in ("2", "4", "2", "4", "3")] + [("30-34", "9")] * 5
    for band, rating in people:
        browser = TestClient(app_client.app)
        answered = send(browser, show_form(browser, clock), age_band=band, explaining_policy=rating)
        assert answered.status_code == 303
    results = app_client.get("/api/v1/survey/results").json()
    groups = {g["group"]: g for g in results["groups"]}
    assert set(groups) == {"all", "20-24", "30-34"}
    young = groups["20-24"]["ratings"]["explaining_policy"]
    assert young["mean"] == pytest.approx(3.0) and young["n"] == 5
    assert young["low"] == pytest.approx(3 - 2.776 * 1 / 5**0.5, abs=1e-3)  # s = 1, n = 5
    assert groups["all"]["respondents"] == 10
    assert results["baseline"]["ratings"]["explaining_policy"] == {"mean": 2.35, "n": 906}

    response = app_client.get("/api/v1/survey/responses.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())  # Excel reads the Chinese answers as UTF-8
    text = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 10 and rows[0]["month"] == "2026-11"
    assert set(rows[0]) == set(api.COLUMNS)
    for cookie in (app_client.cookies.get(page.COOKIE) or "",):
        assert not cookie or (cookie not in text and store.digest(cookie) not in text)
    assert "testclient" not in text and store.digest("testclient") not in text
    assert not {"token_hash", "id", "client"} & set(rows[0])


def test_export_cells_are_formula_safe() -> None:
    row = t.SurveyResponse(
        token_hash="x" * 64,
        submitted_on=dt.date(2026, 11, 1),
        age_band="=cmd()",
        district=None,
        channels=["@sum"],
        reactions={},
        expectation=None,
        consideration=None,
    )
    cells = api.export_row(analysis.Published("2026-11", row.age_band, row.district, row))
    assert "'=cmd()" in cells and "'@sum" in cells


def test_a_body_larger_than_a_survey_form_is_refused_unread(app_client: TestClient, clock: Clock) -> None:
    start = show_form(app_client, clock)
    response = send(app_client, start, padding="x" * (page.BODY_MAX + 1))
    assert response.status_code == 413
    assert "text/html" in response.headers["content-type"]


def test_the_form_is_never_served_from_the_page_cache(sqlite_engine: Any, sqlite_url: str) -> None:
    app = create_app(Settings.load(database_url=sqlite_url, page_cache_seconds=30))
    clock = Clock()
    app.state.survey_clock = clock
    tokens, stamps = set(), set()
    for _ in range(2):
        with TestClient(app) as browser:  # a new browser: no cookie yet
            for _ in range(2):
                response = browser.get("/en/survey")
                assert response.headers.get("x-page-cache") != "HIT"
                found = STAMP.search(response.text)
                assert found is not None
                stamps.add(found.group(1))
                clock.advance(seconds=1)
            tokens.add(browser.cookies[page.COOKIE])
    assert len(tokens) == 2 and len(stamps) == 4
