"""The API's checks of its parameters (web/api/checks.py), the same on every endpoint: a value that
names nothing is a 404 and an ill-formed one a 422, each naming the parameter, never a 200 with
empty data or a 500; and the OpenAPI document's names and descriptions.

Over a demo store with a month of sample activity and its metrics by month and by week.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from govsocial.analyze.metrics.params import MetricParams
from govsocial.settings import Settings
from govsocial.web.app import create_app
from tests.demo_store import demo_store, run

DIGEST = MetricParams().digest()
BIG = "99999999999999999999"


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    url = demo_store(tmp_path_factory.mktemp("params"), months=1, refresh=True)
    run(url, "metrics", "refresh", "--period-kind", "week", "--period-kind", "month")
    with TestClient(create_app(Settings.load(database_url=url))) as client:
        yield client


def _detail(answer: Any) -> str:
    body = answer.json()
    assert set(body) == {"detail"}, body
    detail: str = body["detail"]
    return detail


# --- unknown values: 404 ------------------------------------------------------------------------

# (httpx replaces a query string in the path when params are given: fixed ones go in a tuple.)
JURISDICTION_PATHS: list[str | tuple[str, dict[str, Any]]] = [
    "/api/v1/organisations",
    "/api/v1/accounts",
    "/api/v1/timeline",
    "/api/v1/events",
    "/api/v1/clarifications",
    "/api/v1/topics",
    "/api/v1/metrics/post_volume",
    "/api/v1/leaderboards/post_volume",
    "/api/v1/scorecard",
    ("/api/v1/compare", {"organisation": ["cfs", "chp"]}),
    "/api/v1/downloads",
    "/api/v1/downloads/organisations.json",
]


@pytest.mark.parametrize("where", JURISDICTION_PATHS)
def test_an_unknown_jurisdiction_is_a_404_everywhere(
    api: TestClient, where: str | tuple[str, dict[str, Any]]
) -> None:
    path, fixed = where if isinstance(where, tuple) else (where, {})
    answer = api.get(path, params={**fixed, "jurisdiction": "bogus"})
    assert answer.status_code == 404
    assert _detail(answer) == "jurisdiction: no jurisdiction 'bogus' in the registry"


@pytest.mark.parametrize(
    ("path", "parameter", "value", "words"),
    [
        ("/api/v1/accounts", "organisation", "bogus", ["organisation 'bogus'", "'hk'"]),
        ("/api/v1/timeline", "organisation", "bogus", ["organisation 'bogus'"]),
        ("/api/v1/events", "organisation", "bogus", ["organisation 'bogus'"]),
        ("/api/v1/clarifications", "organisation", "bogus", ["organisation 'bogus'"]),
        ("/api/v1/topics", "organisation", "bogus", ["organisation 'bogus'"]),
        ("/api/v1/organisations", "platform", "nope", ["platform 'nope'", "/api/v1/platforms"]),
        ("/api/v1/accounts", "platform", "nope", ["platform 'nope'"]),
        ("/api/v1/timeline", "platform", "nope", ["platform 'nope'"]),
        ("/api/v1/leaderboards/post_volume", "platform", "nope", ["platform 'nope'"]),
        ("/api/v1/events", "account", "999999", ["account 999999"]),
        ("/api/v1/clarifications", "account", "999999", ["account 999999"]),
        ("/api/v1/topics", "account", "999999", ["account 999999"]),
        ("/api/v1/metrics/post_volume", "entity", BIG, [BIG]),
        ("/api/v1/scorecard", "entity", "nope", ["government 'nope'"]),
        ("/api/v1/metrics/post_volume", "entity", "nope", ["entity 'nope'"]),
        ("/api/v1/metrics/post_volume", "params", "0123456789ab", ["'0123456789ab'"]),
        ("/api/v1/leaderboards/post_volume", "params", "0123456789ab", ["'0123456789ab'"]),
    ],
)
def test_an_unknown_value_is_a_404_naming_the_parameter(
    api: TestClient, path: str, parameter: str, value: str, words: list[str]
) -> None:
    fixed = {"level": "account"} if parameter == "platform" and "leaderboards" in path else {}
    answer = api.get(path, params={**fixed, parameter: value})
    assert answer.status_code == 404
    detail = _detail(answer)
    assert detail.startswith(f"{parameter}: ") and all(w in detail for w in words), detail


def test_known_values_still_filter(api: TestClient) -> None:
    timeline = api.get("/api/v1/timeline", params={"organisation": "cfs", "platform": "facebook"})
    assert timeline.status_code == 200 and timeline.json()["count"] > 0
    assert all(p["platform"] == "facebook" for p in timeline.json()["data"])
    assert api.get("/api/v1/events", params={"kind": "comment_volume"}).status_code == 200
    assert api.get("/api/v1/scorecard", params={"params": DIGEST}).json()["params"] == DIGEST
    assert api.get("/api/v1/accounts", params={"jurisdiction": "us-doc"}).json()["count"] > 0
    # An empty value means "not given", as it always has.
    assert api.get("/api/v1/accounts", params={"organisation": "", "platform": ""}).status_code == 200


# --- ill-formed values: 422 ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params", "parameter"),
    [
        ("/api/v1/scorecard", {"period": "garbage"}, "period"),
        ("/api/v1/scorecard", {"params": "zzz"}, "params"),
        ("/api/v1/scorecard", {"period_kind": "week", "period": "2026-09"}, "period"),
        ("/api/v1/metrics/post_volume", {"period": "2026-13"}, "period"),
        ("/api/v1/metrics/post_volume", {"from": "2026-W54"}, "from"),
        ("/api/v1/metrics/post_volume", {"to": "2026-02-30"}, "to"),
        ("/api/v1/metrics/post_volume", {"from": "2026-01", "to": "2026-W03"}, "to"),
        ("/api/v1/metrics/post_volume", {"period_kind": "month", "from": "2026"}, "from"),
        ("/api/v1/metrics/post_volume", {"level": "account", "entity": BIG}, "entity"),
        ("/api/v1/scorecard", {"level": "account", "entity": BIG}, "entity"),
        ("/api/v1/scorecard", {"level": "account", "entity": "３"}, "entity"),
        ("/api/v1/scorecard", {"level": "account", "entity": "²"}, "entity"),
        ("/api/v1/leaderboards/post_volume", {"period": "garbage"}, "period"),
        ("/api/v1/leaderboards/post_volume", {"period_kind": "month", "period": "2026-W40"}, "period"),
        ("/api/v1/scorecard", {"level": "organisation", "entity": "cfs", "period": "2026-9"}, "period"),
        ("/api/v1/compare", {"organisation": ["cfs", "chp"], "period": "26-09"}, "period"),
        ("/api/v1/compare", {"organisation": ["cfs", "cfs"]}, "organisation"),
    ],
)
def test_an_ill_formed_value_is_a_422_naming_the_parameter(
    api: TestClient, path: str, params: dict[str, Any], parameter: str
) -> None:
    answer = api.get(path, params=params)
    assert answer.status_code == 422
    assert _detail(answer).startswith(f"{parameter}: ")


def test_an_unknown_enum_value_is_fastapis_422(api: TestClient) -> None:
    answer = api.get("/api/v1/events", params={"kind": "bogus"})
    assert answer.status_code == 422 and answer.json()["detail"][0]["loc"] == ["query", "kind"]


def test_compare_counts_different_organisations(api: TestClient) -> None:
    answer = api.get("/api/v1/compare", params={"organisation": ["cfs", "cfs"], "metric": "post_volume"})
    assert _detail(answer) == "organisation: compare two to 10 different organisations, not 1"
    repeated = api.get("/api/v1/compare", params={"organisation": ["cfs", "chp", "cfs"]}).json()
    assert repeated["count"] == 2 and [o["organisation"]["code"] for o in repeated["data"]] == ["cfs", "chp"]


def test_an_account_entity_is_read_as_an_id(api: TestClient) -> None:
    board = api.get("/api/v1/leaderboards/post_volume", params={"level": "account"}).json()
    entity = board["data"][0]["entity"]
    plain = api.get("/api/v1/metrics/post_volume", params={"level": "account", "entity": entity}).json()
    padded = api.get("/api/v1/metrics/post_volume", params={"level": "account", "entity": f"00{entity}"})
    assert plain["count"] > 0 and padded.json() == plain


# --- period kinds -------------------------------------------------------------------------------


@pytest.mark.parametrize(("label", "kind"), [("2026-01", "month"), ("2026-W01", "week")])
def test_from_alone_compares_labels_of_its_own_kind(api: TestClient, label: str, kind: str) -> None:
    params = {"level": "government", "from": label, "limit": 500}
    body = api.get("/api/v1/metrics/post_volume", params=params).json()
    assert body["count"] > 0 and {v["period_kind"] for v in body["data"]} == {kind}
    explicit = api.get("/api/v1/metrics/post_volume", params={**params, "period_kind": kind}).json()
    assert explicit == body


def test_a_period_says_its_kind(api: TestClient) -> None:
    weeks = api.get("/api/v1/metrics/post_volume", params={"level": "government", "period_kind": "week"})
    week = weeks.json()["data"][0]["period"]
    card = api.get("/api/v1/scorecard", params={"period": week}).json()
    assert card["period_kind"] == "week" and card["period"] == week
    board = api.get("/api/v1/leaderboards/post_volume", params={"period": week}).json()
    assert board["period_kind"] == "week" and board["count"] > 0


def test_days_are_accepted_and_said_to_need_their_own_refresh(api: TestClient) -> None:
    assert api.get("/api/v1/metrics/post_volume", params={"period_kind": "day"}).json()["count"] == 0
    operation = api.get("/api/v1/openapi.json").json()["paths"]["/api/v1/metrics/{name}"]["get"]
    kind = next(p for p in operation["parameters"] if p["name"] == "period_kind")
    assert "--period-kind day" in kind["description"]


# --- overflow and other former 500s ------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"entity": BIG},
        {"level": "account", "entity": BIG},
        {"entity": "３"},
        {"level": "account", "entity": "-1"},
        {"level": "account", "entity": "0"},
        {"from": "\x00"},
        {"period": "a" * 5000},
    ],
)
def test_no_parameter_value_is_a_server_error(api: TestClient, params: dict[str, str]) -> None:
    for path in ("/api/v1/metrics/post_volume", "/api/v1/scorecard"):
        answer = api.get(path, params=params)
        assert answer.status_code < 500, (path, answer.text)


# --- the OpenAPI document ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def document(api: TestClient) -> dict[str, Any]:
    body: dict[str, Any] = api.get("/api/v1/openapi.json").json()
    return body


def test_schema_names_are_clean_and_unique(document: dict[str, Any]) -> None:
    names = set(document["components"]["schemas"])
    assert not [n for n in names if "__" in n]
    assert {"PostPublic", "TopicPostPublic", "MetricPeriodKind", "TopicPeriodKind"} <= names


def test_post_ids_are_named_as_in_the_posts_api(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    assert {"id", "platform_post_id"} <= set(schemas["PostPublic"]["properties"])
    topic_post = schemas["TopicPostPublic"]["properties"]
    assert {"id", "platform_post_id"} <= set(topic_post) and "post_id" not in topic_post
    clarification = schemas["ClarificationPublic"]["properties"]
    assert clarification["id"]["type"] == "integer"
    assert (
        clarification["post_id"]["deprecated"] is True and "use id" in clarification["post_id"]["description"]
    )


def test_clarifications_give_the_post_id_under_both_names(api: TestClient) -> None:
    items = api.get("/api/v1/clarifications").json()["data"]
    assert items and all(c["id"] == c["post_id"] for c in items)
    post = api.get(f"/api/v1/accounts/{items[0]['account_id']}/posts", params={"limit": 500}).json()["data"]
    assert items[0]["id"] in {p["id"] for p in post}


def test_topic_posts_carry_the_platform_post_id(api: TestClient) -> None:
    view = api.get("/api/v1/topics", params={"period": "week"}).json()
    posts = [p for term in view["rising"] for p in term["posts"]]
    assert posts and all(isinstance(p["platform_post_id"], str) and "post_id" not in p for p in posts)


@pytest.mark.parametrize(
    ("path", "names"),
    [
        ("/api/v1/organisations/{jurisdiction}/{code}", {"jurisdiction", "code"}),
        ("/api/v1/metrics/{name}", {"name"}),
        ("/api/v1/leaderboards/{metric}", {"metric"}),
        ("/api/v1/downloads/{dataset}.{fmt}", {"dataset", "fmt"}),
    ],
)
def test_path_parameters_are_described(document: dict[str, Any], path: str, names: set[str]) -> None:
    parameters = document["paths"][path]["get"]["parameters"]
    described = {p["name"] for p in parameters if p["in"] == "path" and p.get("description")}
    assert names <= described


@pytest.mark.parametrize(
    ("schema", "fields"),
    [
        ("TopicsPublic", ["window_start", "method"]),
        ("EventPublic", ["id", "jurisdiction"]),
        ("Catalogue", ["count"]),
    ],
)
def test_fields_are_described(document: dict[str, Any], schema: str, fields: list[str]) -> None:
    properties = document["components"]["schemas"][schema]["properties"]
    assert all(properties[f].get("description") for f in fields)


def test_the_new_404s_and_422s_are_documented(document: dict[str, Any]) -> None:
    for path in ("/api/v1/timeline", "/api/v1/events", "/api/v1/accounts", "/api/v1/metrics/{name}"):
        responses = document["paths"][path]["get"]["responses"]
        assert {"404", "422"} <= set(responses), path
