"""Organisations side by side: ``/{lang}/compare`` and ``/api/v1/compare`` over a demo store with its
monthly metrics; the two agree, and the best value of each metric is marked in words."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from govsocial.settings import Settings
from govsocial.store import rankings
from govsocial.web.app import create_app
from tests.demo_store import demo_store


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """Two months of sample activity with monthly metrics."""
    url = demo_store(tmp_path_factory.mktemp("compare"), months=2, refresh=True)
    with TestClient(create_app(Settings.load(database_url=url))) as client:
        yield client


@pytest.fixture(scope="module")
def codes(demo: TestClient) -> list[str]:
    """Three organisations with values: the top of the post volume board."""
    rows = demo.get("/api/v1/leaderboards/post_volume").json()["data"]
    assert len(rows) >= 3
    return [row["entity"] for row in rows[:3]]


def _compare(client: TestClient, codes: list[str], **params: Any) -> dict[str, Any]:
    response = client.get("/api/v1/compare", params={"organisation": codes, **params})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_api_compares_the_leaderboard_metrics_in_the_latest_period(
    demo: TestClient, codes: list[str]
) -> None:
    body = _compare(demo, codes)
    assert [m["name"] for m in body["metrics"]] == list(rankings.LEADERBOARD_METRICS)
    assert body["count"] == 3 and [o["organisation"]["code"] for o in body["data"]] == codes
    assert body["period"] == demo.get("/api/v1/leaderboards/post_volume").json()["period"]
    volumes = {o["organisation"]["code"]: o["values"][0] for o in body["data"]}
    board = demo.get("/api/v1/leaderboards/post_volume").json()["data"]
    assert volumes[codes[0]]["value"] == board[0]["value"] and volumes[codes[0]]["best"]
    assert volumes[codes[0]]["inputs"] == board[0]["inputs"]


def test_api_best_follows_the_direction_of_each_metric(demo: TestClient, codes: list[str]) -> None:
    body = _compare(demo, codes)
    for index, metric in enumerate(rankings.LEADERBOARD_METRICS):
        column = {o["organisation"]["code"]: o["values"][index] for o in body["data"]}
        known = {code: v["value"] for code, v in column.items() if v["value"] is not None}
        marked = {code for code, v in column.items() if v["best"]}
        if len(known) > 1:
            top = min(known.values()) if rankings.lower_is_better(metric) else max(known.values())
            assert marked == {code for code, v in known.items() if v == top}, metric
        else:
            assert not marked


def test_api_period_metrics_and_repeats(demo: TestClient, codes: list[str]) -> None:
    months = demo.get("/api/v1/leaderboards/post_volume").json()["periods"]
    older = _compare(demo, [codes[0], codes[1], codes[0]], period=months[-1], metric=["response_rate"])
    assert older["period"] == months[-1] and older["count"] == 2
    assert [m["name"] for m in older["metrics"]] == ["response_rate"]
    assert [len(o["values"]) for o in older["data"]] == [1, 1]
    nothing = _compare(demo, codes[:2], period_kind="year")
    assert nothing["period"] is None and all(v["value"] is None for o in nothing["data"] for v in o["values"])


def test_api_refuses_bad_input(demo: TestClient, codes: list[str]) -> None:
    assert demo.get("/api/v1/compare", params={"organisation": codes[:1]}).status_code == 422
    assert demo.get("/api/v1/compare").status_code == 422
    assert demo.get("/api/v1/compare", params={"organisation": [codes[0], "no-such-org"]}).status_code == 404
    unknown_metric = demo.get("/api/v1/compare", params={"organisation": codes[:2], "metric": "nope"})
    assert unknown_metric.status_code == 404 and "nope" in unknown_metric.json()["detail"]


def test_page_without_a_choice_shows_the_form(demo: TestClient, codes: list[str]) -> None:
    response = demo.get("/en/compare")
    assert response.status_code == 200
    html = response.text
    assert "Choose at least two organisations to compare." in html
    assert html.count('name="org"') == 4
    for code in codes:
        assert f'<option value="{code}">' in html
    assert 'href="/en/leaderboards" aria-current="page"' in html


def test_page_agrees_with_the_api_and_marks_the_best(demo: TestClient, codes: list[str]) -> None:
    body = _compare(demo, codes)
    html = demo.get("/en/compare", params={"org": codes}).text
    assert f"Side by side · {body['period']}" in html
    for code in codes:
        assert f'<option value="{code}" selected>' in html
        assert f'href="/en/organisations/hk/{code}"' in html
    cells = re.findall(r'<td class="num( best)?" data-label="[^"]*">', html)
    expected = [
        v["best"]
        for metric in range(len(body["metrics"]))
        for v in (o["values"][metric] for o in body["data"])
    ]
    assert [bool(c) for c in cells] == expected
    assert html.count("</span> Best</strong>") == sum(expected) and sum(expected) > 0
    assert 'href="/en/how-we-measure#response_time_median"' in html and "Lower is better" in html
    assert "Sample data" in html
    assert f'href="/api/v1/compare?organisation={codes[0]}' in html


def test_page_reports_unknown_codes_and_falls_back_to_the_latest_period(
    demo: TestClient, codes: list[str]
) -> None:
    html = demo.get(
        "/en/compare", params={"org": [codes[0], "zz-nothing", codes[1]], "period": "1999-01"}
    ).text
    assert "No organisation has the code: zz-nothing" in html
    latest = demo.get("/api/v1/leaderboards/post_volume").json()["period"]
    assert f"Side by side · {latest}" in html
    alone = demo.get("/en/compare", params={"org": [codes[0], "", codes[0]]}).text
    assert "Choose at least two organisations to compare." in alone


def test_period_selector(demo: TestClient, codes: list[str]) -> None:
    months = demo.get("/api/v1/leaderboards/post_volume").json()["periods"]
    html = demo.get("/en/compare", params={"org": codes[:2], "period": months[-1]}).text
    assert f'<option value="{months[-1]}" selected>' in html and f"Side by side · {months[-1]}" in html
    weekly = demo.get("/en/compare", params={"org": codes[:2], "period_kind": "week"}).text
    assert "None of these organisations has any values for this period length yet." in weekly


def test_page_in_traditional_chinese(demo: TestClient, codes: list[str]) -> None:
    html = demo.get("/zh-hant/compare", params={"org": codes[:2]}).text
    assert "<h1>比較機構</h1>" in html and "並排比較" in html and "最佳" in html
    assert "Best" not in html and "Side by side" not in html
