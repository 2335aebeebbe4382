"""The API against its own OpenAPI document, with schemathesis: generated requests for every operation.

The app runs in process (ASGI, no network) over a store built as ``make demo-data`` builds it: the
bundled registry, a month of sample activity and its monthly metrics. For each operation
schemathesis generates valid and invalid requests (bounded and derandomised, so a run is
repeatable) and checks that none fails with a server error, that every status code is documented,
and that every body and content type conforms to the schema.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from govsocial.settings import Settings
from govsocial.web.app import create_app
from tests.cli.sample_store import refresh, sample_store
from tests.web.openapi_doc import openapi_document

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


# Collected at import, so pytest has one test per operation; requests go to the store built below.
schema = schemathesis.openapi.from_dict(openapi_document())
# Valid requests, and invalid ones (which must get a documented 4xx, never a 5xx).
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], deterministic=True)


@pytest.fixture(scope="module")
def contract_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The app over a store with the registry, a month of sample activity and its monthly metrics."""
    url = sample_store(tmp_path_factory.mktemp("contract"))
    refresh(url, "--period-kind", "month")
    with TestClient(create_app(Settings.load(database_url=url))) as client:
        yield client


@schema.parametrize()
@settings(
    max_examples=50,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_conforms_to_its_openapi_document(case: schemathesis.Case, contract_client: TestClient) -> None:
    kwargs = case.as_transport_kwargs(base_url=str(contract_client.base_url))
    kwargs.pop("cookies", None)  # none are generated: the API reads no cookies
    response = contract_client.request(**kwargs)
    case.validate_response(response, checks=CHECKS)


def test_served_document_is_the_one_checked(contract_client: TestClient) -> None:
    served = contract_client.get("/api/v1/openapi.json").json()
    assert served == openapi_document()
    paths = set(served["paths"])
    assert {"/api/v1/accounts/{account_id}/posts", "/api/v1/metrics/{name}", "/api/v1/topics"} <= paths
    assert all(path.startswith("/api/v1/") for path in paths)


def test_contract_store_has_activity(contract_client: TestClient) -> None:
    """Guard: the generated requests meet posts and metric values, not an empty store."""
    values = contract_client.get("/api/v1/metrics/post_volume", params={"level": "government"}).json()
    assert values["count"] >= 1
    accounts = contract_client.get("/api/v1/accounts", params={"limit": 500}).json()["data"]
    posts = [contract_client.get(f"/api/v1/accounts/{a['id']}/posts").json()["count"] for a in accounts[:50]]
    assert sum(posts) >= 1
