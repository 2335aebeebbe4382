"""What the API reads from an address (web/inputs.py, web/deps.py), over a demo store built as
``make demo-data`` builds it (a month of sample activity, metrics by week, month and year):

- an empty query parameter is an omitted one, on every parameter of every endpoint of the OpenAPI
  document (so a new endpoint is covered as soon as it exists);
- numbers are ASCII digits only, days ``YYYY-MM-DD`` only, in the path and in the query;
- a platform ``verify`` does not know is a 404 like everywhere else; a ``params`` digest may be
  written in capitals; CORS lets scripts read the headers the API documents;
- values without a period kind come newest first by the period's end.

Control characters and the search's full-width letters are checked on both stores in
``test_api_inputs_stores.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from govsocial.analyze.metrics.params import MetricParams
from govsocial.settings import Settings
from govsocial.store.events import period_end
from govsocial.web.app import create_app
from tests.demo_store import account_id, demo_store, run
from tests.web.openapi_doc import openapi_document

DIGEST = MetricParams().digest()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = demo_store(tmp_path_factory.mktemp("inputs"), months=1)
    run(url, "metrics", "refresh")  # weeks, months and years, as make demo-data
    return url


@pytest.fixture(scope="module")
def api(demo: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings.load(database_url=demo))) as client:
        yield client


@pytest.fixture(scope="module")
def cfs(demo: str) -> int:
    """The id of the Centre for Food Safety's Facebook account (it has posts and values)."""
    return account_id(demo)


# --- an empty parameter is an omitted one ----------------------------------------------------------


#: Path parameters that name something in the demo store ("{cfs}": the account id found at run time).
PATH_VALUES = {
    "account_id": "{cfs}",
    "jurisdiction": "hk",
    "code": "cfs",
    "name": "post_volume",
    "metric": "post_volume",
    "dataset": "organisations",
    "fmt": "json",
}
#: The required query parameters of the operations that have some.
REQUIRED: dict[str, dict[str, Any]] = {
    "/api/v1/compare": {"organisation": ["cfs", "chp"]},
    "/api/v1/verify": {"url": "fb.com/cfs.hk"},
}


def _optional_query_parameters() -> list[tuple[str, str]]:
    """(path, name) of every optional query parameter of every GET operation of the API."""
    found = []
    for path, item in openapi_document()["paths"].items():
        for parameter in item.get("get", {}).get("parameters", []):
            if parameter["in"] == "query" and not parameter.get("required"):
                found.append((path, parameter["name"]))
    return found


OPTIONAL = _optional_query_parameters()


def _path(template: str, cfs: int) -> str:
    path = template
    for name, value in PATH_VALUES.items():
        path = path.replace("{" + name + "}", value.format(cfs=cfs))
    assert "{" not in path, f"give {template}'s path parameters a value in PATH_VALUES"
    return path


def test_every_endpoint_and_parameter_is_covered() -> None:
    """Guards the test below: it sees the endpoints and parameters it is meant to, and each required
    query parameter has a value."""
    paths = {path for path, _ in OPTIONAL}
    assert {"/api/v1/scorecard", "/api/v1/topics", "/api/v1/metrics/{name}", "/api/v1/events"} <= paths
    names = {name for _, name in OPTIONAL}
    assert {"entity", "level", "period", "period_kind", "limit", "offset", "account", "since", "at"} <= names
    for path, item in openapi_document()["paths"].items():
        required = {p["name"] for p in item.get("get", {}).get("parameters", []) if p["in"] == "query"
                    and p.get("required")}  # fmt: skip
        assert required <= set(REQUIRED.get(path, {})), f"give {path}'s {required} a value in REQUIRED"


@pytest.mark.parametrize(("template", "name"), OPTIONAL)
def test_an_empty_parameter_means_the_default(api: TestClient, cfs: int, template: str, name: str) -> None:
    path, fixed = _path(template, cfs), REQUIRED.get(template, {})
    omitted = api.get(path, params=fixed)
    empty = api.get(path, params={**fixed, name: ""})
    assert (empty.status_code, empty.content) == (omitted.status_code, omitted.content), empty.text[:300]


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/api/v1/metrics/post_volume", {"entity": ""}, 200),
        ("/api/v1/scorecard", {"level": "organisation", "entity": ""}, 400),  # a missing entity
        ("/api/v1/topics", {"organisation": ""}, 200),
        ("/api/v1/verify", {"url": "fb.com/cfs.hk", "platform": ""}, 200),
        ("/api/v1/events", {"since": "", "kind": "", "account": ""}, 200),
        ("/api/v1/accounts", {"limit": "", "offset": "", "status": "", "org_type": ""}, 200),
    ],
)
def test_the_reviewers_empty_parameters(
    api: TestClient, path: str, params: dict[str, str], status: int
) -> None:
    answer = api.get(path, params=params)
    assert answer.status_code == status, answer.text[:300]
    assert answer.content == api.get(path, params={k: v for k, v in params.items() if v}).content


def test_a_name_without_a_value_is_omitted_too(api: TestClient) -> None:
    bare = api.get("/api/v1/metrics/post_volume?level=government&entity&period_kind&limit=5")
    plain = api.get("/api/v1/metrics/post_volume?level=government&limit=5")
    assert bare.status_code == 200 and bare.json() == plain.json() and plain.json()["count"] > 0


# --- numbers are digits, days are YYYY-MM-DD -------------------------------------------------------

LOOSE_NUMBERS = ["1_4", "+14", "14.0", " 14", "14 ", "１４", "0x0e", "1e1"]


@pytest.mark.parametrize("spelling", LOOSE_NUMBERS)
@pytest.mark.parametrize("where", ["/api/v1/accounts/{}", "/api/v1/accounts/{}/posts"])
def test_an_account_id_in_the_path_is_digits_only(
    api: TestClient, cfs: int, where: str, spelling: str
) -> None:
    assert api.get(where.format(cfs)).status_code == 200
    loose = spelling.replace("14", str(cfs)) if "14" in spelling else spelling
    answer = api.get(where.format(loose))
    assert answer.status_code == 422, answer.text[:300]
    assert answer.json()["detail"][0]["loc"] == ["path", "account_id"]


@pytest.mark.parametrize("spelling", LOOSE_NUMBERS)
@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/api/v1/events", "account"),
        ("/api/v1/clarifications", "account"),
        ("/api/v1/topics", "account"),
        ("/api/v1/accounts", "limit"),
        ("/api/v1/accounts", "offset"),
        ("/api/v1/topics", "limit"),
    ],
)
def test_a_number_in_the_query_is_digits_only(
    api: TestClient, cfs: int, path: str, name: str, spelling: str
) -> None:
    number = str(cfs) if name == "account" else "14"
    assert api.get(path, params={name: number}).status_code == 200
    answer = api.get(path, params={name: spelling.replace("14", number)})
    assert answer.status_code == 422, answer.text[:300]
    error = answer.json()["detail"][0]
    assert error["loc"] == ["query", name] and "digits 0-9 only" in error["msg"]


@pytest.mark.parametrize(
    "spelling", ["0", "20260901", "2026-W36-1", "2026-09-01T00:00:00", "1788220800", "2026-9-1"]
)
@pytest.mark.parametrize(("path", "name"), [("/api/v1/events", "since"), ("/api/v1/clarifications", "since"),
                                            ("/api/v1/topics", "at")])  # fmt: skip
def test_a_day_is_yyyy_mm_dd_only(api: TestClient, path: str, name: str, spelling: str) -> None:
    assert api.get(path, params={name: "2026-09-01"}).status_code == 200
    answer = api.get(path, params={name: spelling})
    assert answer.status_code == 422, answer.text[:300]
    error = answer.json()["detail"][0]
    assert error["loc"] == ["query", name] and "YYYY-MM-DD" in error["msg"] and spelling in error["msg"]


def test_a_day_not_in_the_calendar_is_said_so(api: TestClient) -> None:
    error = api.get("/api/v1/events", params={"since": "2026-02-30"}).json()["detail"][0]
    assert "'2026-02-30' is not a day of the calendar" in error["msg"]


# --- the nits ---------------------------------------------------------------------------------------


def test_an_unknown_platform_to_verify_is_a_404_naming_it(api: TestClient) -> None:
    answer = api.get("/api/v1/verify", params={"url": "@a", "platform": "nope"})
    assert answer.status_code == 404
    assert answer.json() == {"detail": "platform: no platform 'nope'; the list is at /api/v1/platforms"}
    # A platform's name or alias is still one; a bare handle without a platform still a 400.
    assert api.get("/api/v1/verify", params={"url": "@cfs.hk", "platform": "Facebook"}).status_code == 200
    assert api.get("/api/v1/verify", params={"url": "@a"}).status_code == 400
    responses = api.get("/api/v1/openapi.json").json()["paths"]["/api/v1/verify"]["get"]["responses"]
    assert {"400", "404"} <= set(responses)


def test_scripts_may_read_the_documented_headers(api: TestClient) -> None:
    answer = api.get("/api/v1/survey/responses.csv", headers={"Origin": "https://example.org"})
    exposed = {h.strip().lower() for h in answer.headers["access-control-expose-headers"].split(",")}
    assert {"etag", "x-withheld-rows", "content-disposition"} <= exposed
    assert {"x-withheld-rows", "content-disposition"} <= set(answer.headers)


def test_a_params_digest_may_be_in_capitals(api: TestClient) -> None:
    upper = api.get("/api/v1/scorecard", params={"params": DIGEST.upper()})
    assert upper.status_code == 200 and upper.json() == api.get("/api/v1/scorecard").json()
    assert upper.json()["params"] == DIGEST
    values = api.get("/api/v1/metrics/post_volume", params={"params": DIGEST.upper(), "limit": 1}).json()
    assert values["count"] > 0 and values["data"][0]["params"] == DIGEST
    bad = api.get("/api/v1/scorecard", params={"params": "C060BFE269BZ"})
    assert bad.status_code == 422 and bad.json()["detail"].startswith("params: 'C060BFE269BZ'")
    unknown = api.get("/api/v1/scorecard", params={"params": "0123456789AB"})
    assert unknown.status_code == 404 and unknown.json()["detail"].startswith("params: ")


# --- values of several kinds, newest first ------------------------------------------------------------


def test_values_of_every_kind_come_newest_first_by_the_periods_end(api: TestClient) -> None:
    params = {"level": "government", "limit": 500}
    body = api.get("/api/v1/metrics/post_volume", params=params).json()
    periods = [(v["period_kind"], v["period"]) for v in body["data"]]
    assert {kind for kind, _ in periods} == {"week", "month", "year"} and body["count"] == len(periods)
    rank = {"day": 0, "week": 1, "month": 2, "year": 3}
    assert periods == sorted(periods, key=lambda p: (-period_end(*p).toordinal(), rank[p[0]]))
    # As text, a week's label sorts after every month of its year ("2026-W40" > "2026-10").
    assert periods[0][0] == "year" and periods != sorted(periods, key=lambda p: p[1], reverse=True)
    # Paging keeps the order.
    pages = [api.get("/api/v1/metrics/post_volume", params={**params, "limit": 3, "offset": n}).json()["data"]
             for n in range(0, len(periods), 3)]  # fmt: skip
    assert [(v["period_kind"], v["period"]) for page in pages for v in page] == periods
