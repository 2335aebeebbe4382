"""The metrics API: definitions, stored values with filters and paging, the scorecard, and 404s.

The store is built from code: the bundled registry plus ``metric_values`` rows inserted directly,
so these tests check the read side alone. One end-to-end test runs the pipeline on sample data.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert

from govsocial.analyze.metrics.model import registry
from govsocial.analyze.metrics.params import MetricParams
from govsocial.settings import Settings
from govsocial.store import tables as t
from govsocial.store.db import make_engine
from govsocial.web.app import create_app
from tests.cli.sample_store import refresh, sample_store

DIGEST = MetricParams().digest()
AT = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


def value(metric: str, level: str, entity: str, period: str, v: float | None, **extra: Any) -> dict[str, Any]:
    inputs = extra.pop("inputs", {})
    row = {"metric": metric, "level": level, "entity": entity, "period_kind": "month", "period": period}
    return {**row, "value": v, "inputs": inputs, "params": DIGEST, "computed_at": AT, **extra}


ROWS = [
    value("post_volume", "government", "hk", "2026-08", 8.0, inputs={"posts": 8}),
    value("post_volume", "government", "hk", "2026-09", 10.0, inputs={"posts": 10}),
    value("post_volume", "government", "hk", "2026-10", 12.0, inputs={"posts": 12}),
    value(
        "interactions_per_post", "government", "hk", "2026-10", 16.0, inputs={"interactions": 32, "posts": 2}
    ),
    value(
        "interactions_per_post", "government", "hk", "2026-09", None, inputs={"interactions": 0, "posts": 0}
    ),
    value("post_volume", "government", "hk", "2026-W40", 3.0, period_kind="week", inputs={"posts": 3}),
    value("post_volume", "account", "2", "2026-10", 5.0, inputs={"posts": 5}),
    value("post_volume", "organisation", "cfs", "2026-10", 4.0, inputs={"posts": 4}),
    value("post_volume", "platform", "facebook", "2026-10", 7.0, inputs={"posts": 7}),
    # The same number under another parameter set: never mixed into the default view.
    value("post_volume", "government", "hk", "2026-10", 99.0, params="0123456789ab", inputs={"posts": 99}),
]


@pytest.fixture(scope="module")
def metrics_db(registry_db: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A copy of the registry store with the rows above in ``metric_values``."""
    target = tmp_path_factory.mktemp("metrics") / "govsocial.db"
    with sqlite3.connect(registry_db.removeprefix("sqlite:///")) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    url = f"sqlite:///{target}"
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(insert(t.MetricValue), [{"jurisdiction": "hk", **row} for row in ROWS])
    engine.dispose()
    return url


@pytest.fixture
def api(metrics_db: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings.load(database_url=metrics_db))) as test_client:
        yield test_client


def test_every_metric_is_listed_with_its_definition(api: TestClient) -> None:
    body = api.get("/api/v1/metrics").json()
    assert body["count"] == len(registry()) == len(body["data"])
    by_name = {m["name"]: m for m in body["data"]}
    assert list(by_name) == list(registry())
    volume = by_name["post_volume"]
    assert volume["goal"] == "presence" and volume["unit"] == "count"
    assert volume["definition"] == registry()["post_volume"].definition != ""
    assert volume["inputs"] == ["posts"] and "government" in volume["levels"]
    assert volume["docs"] == "/how-we-measure#post_volume"


def test_values_are_newest_first_under_the_default_parameters(api: TestClient) -> None:
    body = api.get(
        "/api/v1/metrics/post_volume", params={"level": "government", "period_kind": "month"}
    ).json()
    assert set(body) == {"metric", "time_zone", "data", "count"}
    assert body["metric"]["name"] == "post_volume"
    assert [(v["period"], v["value"]) for v in body["data"]] == [
        ("2026-10", 12.0),
        ("2026-09", 10.0),
        ("2026-08", 8.0),
    ]
    assert body["data"][0]["inputs"] == {"posts": 12} and body["data"][0]["params"] == DIGEST
    other = api.get("/api/v1/metrics/post_volume", params={"level": "government", "params": "0123456789ab"})
    assert [v["value"] for v in other.json()["data"]] == [99.0]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"level": "account", "entity": "2"}, [("account", "2", "2026-10")]),
        ({"entity": "cfs"}, [("organisation", "cfs", "2026-10")]),
        ({"level": "platform"}, [("platform", "facebook", "2026-10")]),
        ({"period_kind": "week"}, [("government", "hk", "2026-W40")]),
        ({"level": "government", "period": "2026-09"}, [("government", "hk", "2026-09")]),
        (
            {"level": "government", "period_kind": "month", "from": "2026-09", "to": "2026-10"},
            [("government", "hk", "2026-10"), ("government", "hk", "2026-09")],
        ),
    ],
)
def test_value_filters(api: TestClient, params: dict[str, str], expected: list[tuple[str, str, str]]) -> None:
    body = api.get("/api/v1/metrics/post_volume", params=params).json()
    assert [(v["level"], v["entity"], v["period"]) for v in body["data"]] == expected
    assert body["count"] == len(expected)


def test_values_page_with_limit_and_offset(api: TestClient) -> None:
    query = {"level": "government", "period_kind": "month"}
    first = api.get("/api/v1/metrics/post_volume", params={**query, "limit": 2}).json()
    second = api.get("/api/v1/metrics/post_volume", params={**query, "limit": 2, "offset": 2}).json()
    assert first["count"] == second["count"] == 3
    assert [v["period"] for v in first["data"]] == ["2026-10", "2026-09"]
    assert [v["period"] for v in second["data"]] == ["2026-08"]


def test_page_size_is_capped_by_the_settings(metrics_db: str) -> None:
    app = create_app(Settings.load(database_url=metrics_db, page_size=1, max_page_size=2))
    with TestClient(app) as client:
        assert len(client.get("/api/v1/metrics/post_volume").json()["data"]) == 1
        assert len(client.get("/api/v1/metrics/post_volume", params={"limit": 100}).json()["data"]) == 2


def test_an_undefined_value_is_null_with_its_inputs(api: TestClient) -> None:
    body = api.get("/api/v1/metrics/interactions_per_post", params={"period": "2026-09"}).json()
    assert body["data"][0]["value"] is None and body["data"][0]["inputs"] == {"interactions": 0, "posts": 0}


@pytest.mark.parametrize(
    ("path", "params", "words"),
    [
        ("/api/v1/metrics/klout", {}, ["klout", "/api/v1/metrics"]),
        ("/api/v1/metrics/post_volume", {"level": "account", "entity": "999999"}, ["account", "999999"]),
        ("/api/v1/metrics/post_volume", {"entity": "nope"}, ["nope"]),
        ("/api/v1/scorecard", {"level": "organisation", "entity": "nope"}, ["organisation", "nope"]),
        ("/api/v1/scorecard", {"entity": "atlantis"}, ["government", "atlantis"]),
    ],
)
def test_unknown_metric_or_entity_is_404_with_a_clear_message(
    api: TestClient, path: str, params: dict[str, str], words: list[str]
) -> None:
    response = api.get(path, params=params)
    assert response.status_code == 404
    assert all(word in response.json()["detail"] for word in words), response.json()


def test_a_known_entity_without_values_is_an_empty_page(api: TestClient) -> None:
    body = api.get("/api/v1/metrics/post_volume", params={"level": "account", "entity": "1"}).json()
    assert body == {**body, "data": [], "count": 0}


@pytest.mark.parametrize("metric", ["reaction_haha_share", "reaction_angry_share", "comment_negative_share"])
def test_mockery_protest_and_complaint_rank_the_smallest_share_first(api: TestClient, metric: str) -> None:
    # docs/metrics.md, Perception: on Hong Kong government posts "haha" is mostly mockery and
    # "angry" protest, read as the public's criticism. A board ranking the most mocked page first
    # (as "haha" once did, unlike "angry") would call it the best.
    body = api.get(f"/api/v1/leaderboards/{metric}").json()
    assert body["lower_is_better"] is True, body


def _values(card: dict[str, Any]) -> dict[str, tuple[str, Any, Any]]:
    return {
        m["metric"]["name"]: (g["goal"], m["value"], m["inputs"]) for g in card["goals"] for m in g["metrics"]
    }


def test_scorecard_defaults_to_the_government_latest_month(api: TestClient) -> None:
    card = api.get("/api/v1/scorecard").json()
    assert (card["level"], card["entity"], card["period_kind"], card["period"]) == (
        "government",
        "hk",
        "month",
        "2026-10",
    )
    got = _values(card)
    assert got["post_volume"] == ("presence", 12.0, {"posts": 12})
    assert got["interactions_per_post"] == ("penetration", 16.0, {"interactions": 32, "posts": 2})
    assert card["params"] == DIGEST
    # Every metric that applies is there, in goal order; the ones not stored are null, not missing.
    goals = [g["goal"] for g in card["goals"]]
    assert goals == sorted(goals, key=[str(m.goal) for m in registry().values()].index)
    assert set(got) == {name for name, m in registry().items() if "government" in m.levels}
    assert card["goals"][0]["metrics"][0]["metric"]["definition"]


def test_scorecard_of_a_chosen_period_entity_and_kind(api: TestClient) -> None:
    september = _values(api.get("/api/v1/scorecard", params={"period": "2026-09"}).json())
    assert september["post_volume"][1] == 10.0 and september["interactions_per_post"][1] is None
    week = api.get("/api/v1/scorecard", params={"period_kind": "week"}).json()
    assert week["period"] == "2026-W40" and _values(week)["post_volume"][1] == 3.0
    org = api.get("/api/v1/scorecard", params={"level": "organisation", "entity": "cfs"}).json()
    assert org["period"] == "2026-10" and _values(org)["post_volume"][1] == 4.0
    empty = api.get("/api/v1/scorecard", params={"level": "account", "entity": "1"}).json()
    assert empty["period"] is None and all(v[1] is None for v in _values(empty).values())


def test_scorecard_needs_an_entity_below_government(api: TestClient) -> None:
    response = api.get("/api/v1/scorecard", params={"level": "account"})
    assert response.status_code == 400 and "entity" in response.json()["detail"]
    assert api.get("/api/v1/scorecard", params={"level": "galaxy"}).status_code == 422


def test_metrics_paths_are_in_the_openapi_document(api: TestClient) -> None:
    paths = api.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/metrics", "/api/v1/metrics/{name}", "/api/v1/scorecard"} <= set(paths)
    names = {p["name"] for p in paths["/api/v1/metrics/{name}"]["get"]["parameters"]}
    assert {"level", "entity", "period_kind", "period", "from", "to", "limit", "offset"} <= names


def test_refresh_on_sample_data_then_the_api_serves_it(tmp_path: Path) -> None:
    """End to end: sample activity imported, ``pipeline.refresh`` materialises, the API reads."""
    url = sample_store(tmp_path)
    report = refresh(url, "--period-kind", "month")  # every metric, by month: what the scorecard shows
    assert report["counts"]["insert"] > 0 and not report["failed"], report
    with TestClient(create_app(Settings.load(database_url=url))) as client:
        card = client.get("/api/v1/scorecard").json()
        assert card["period"] is not None and card["params"] == report["params"] == DIGEST
        values = [m["value"] for g in card["goals"] for m in g["metrics"]]
        assert sum(v is not None for v in values) > len(values) / 2, card
        volume = _values(card)["post_volume"]
        assert volume[1] is not None and volume[1] > 0 and volume[2]["posts"] == volume[1]
        body = client.get("/api/v1/metrics/post_volume", params={"level": "account"}).json()
        assert body["count"] > 0


# --- the time zone of the periods -------------------------------------------------------------------


#: Every answer with metric values, by the path it is asked at (with what it needs to answer).
METRIC_ANSWERS = [
    ("/api/v1/metrics/post_volume", {}),
    ("/api/v1/scorecard", {}),
    ("/api/v1/leaderboards/post_volume", {}),
    ("/api/v1/compare", {"organisation": ["cfs", "chp"]}),
]


@pytest.mark.parametrize(("path", "params"), METRIC_ANSWERS)
@pytest.mark.parametrize(("jurisdiction", "zone"), [(None, "Asia/Hong_Kong"), ("us-doc", "America/New_York")])
def test_every_metric_answer_names_the_zone_of_its_periods(
    api: TestClient, path: str, params: dict[str, Any], jurisdiction: str | None, zone: str
) -> None:
    """A period is a calendar period of the jurisdiction (Hong Kong's September starts at
    2026-08-31T16:00Z): the answer says whose calendar, at its top level, beside its periods."""
    if jurisdiction is not None:
        params = {**params, "jurisdiction": jurisdiction}
        if "organisation" in params:
            codes = [o["code"] for o in api.get("/api/v1/organisations", params=params).json()["data"]]
            params["organisation"] = codes[:2]
    answer = api.get(path, params=params)
    assert answer.status_code == 200, answer.text
    assert answer.json()["time_zone"] == zone
