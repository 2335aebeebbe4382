"""``/api/v1/verify`` answers for one jurisdiction, the configured one unless ``jurisdiction`` is
given: another government's account is ``unknown`` here, with that government named in
``other_jurisdiction``; the fields the answer had before are all still there."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from govsocial.settings import Settings
from govsocial.web.app import create_app

CFS = "https://www.facebook.com/cfs.hk"  # published in hk
NIST = "https://twitter.com/TrustedIDsNIST"  # under review in us-doc
BEFORE = {"status", "query", "message", "address", "account"}


@pytest.fixture
def us_portal(registry_db: str) -> Iterator[TestClient]:
    """A portal configured for the second bundled jurisdiction, over the same store."""
    with TestClient(create_app(Settings.load(database_url=registry_db, jurisdiction="us-doc"))) as client:
        yield client


def test_the_configured_jurisdiction_answers_by_default(client: TestClient) -> None:
    body = client.get("/api/v1/verify", params={"url": CFS}).json()
    assert set(body) >= BEFORE
    assert body["status"] == "official" and body["account"]["jurisdiction"] == "hk"
    assert (body["jurisdiction"], body["other_jurisdiction"], body["other_status"]) == ("hk", None, None)


def test_another_portals_account_is_not_official_there(us_portal: TestClient) -> None:
    body = us_portal.get("/api/v1/verify", params={"url": CFS}).json()
    assert body["status"] == "unknown"
    assert body["account"] is None
    assert (body["jurisdiction"], body["other_jurisdiction"], body["other_status"]) == (
        "us-doc",
        "hk",
        "official",
    )
    assert "official account of jurisdiction 'hk'" in body["message"]


def test_the_jurisdiction_parameter_chooses_the_registry(client: TestClient) -> None:
    elsewhere = client.get("/api/v1/verify", params={"url": CFS, "jurisdiction": "us-doc"}).json()
    assert (elsewhere["status"], elsewhere["other_jurisdiction"]) == ("unknown", "hk")
    own = client.get("/api/v1/verify", params={"url": NIST, "jurisdiction": "us-doc"}).json()
    assert own["status"] == "unknown", "under review in its own jurisdiction"
    assert own["account"]["jurisdiction"] == "us-doc" and own["other_jurisdiction"] is None
    from_hk = client.get("/api/v1/verify", params={"url": NIST}).json()
    assert (from_hk["account"], from_hk["other_jurisdiction"], from_hk["other_status"]) == (
        None,
        "us-doc",
        "unknown",
    )


def test_an_unknown_jurisdiction_is_a_404(client: TestClient) -> None:
    response = client.get("/api/v1/verify", params={"url": CFS, "jurisdiction": "nope"})
    assert response.status_code == 404
    assert "nope" in response.json()["detail"]


def test_the_new_fields_are_in_the_openapi_document(client: TestClient) -> None:
    document = client.get("/api/v1/openapi.json").json()
    parameters = {p["name"] for p in document["paths"]["/api/v1/verify"]["get"]["parameters"]}
    assert {"url", "platform", "jurisdiction"} <= parameters
    schema = document["components"]["schemas"]["JurisdictionVerifyResult"]["properties"]
    assert BEFORE | {"jurisdiction", "other_jurisdiction", "other_status"} <= set(schema)
