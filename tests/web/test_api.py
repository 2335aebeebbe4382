"""The open JSON API: envelopes, paging, filters, verify, errors and the OpenAPI document."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


def test_accounts_envelope_paging_and_urls(client: TestClient) -> None:
    first = client.get("/api/v1/accounts", params={"limit": 5}).json()
    assert set(first) == {"data", "count"}
    assert first["count"] > 5 and len(first["data"]) == 5
    assert all(item["url"].startswith("https://") for item in first["data"])
    second = client.get("/api/v1/accounts", params={"limit": 5, "offset": 5}).json()
    assert {a["id"] for a in first["data"]}.isdisjoint({a["id"] for a in second["data"]})
    assert second["count"] == first["count"]


@pytest.mark.parametrize(
    ("params", "check"),
    [
        ({"platform": "youtube"}, lambda a: a["platform"] == "youtube"),
        ({"status": "archived"}, lambda a: a["status"] == "archived"),
        ({"organisation": "cfs"}, lambda a: [o["code"] for o in a["organisations"]] == ["cfs"]),
        ({"org_type": "official_post"}, lambda a: a["organisations"][0]["org_type"] == "official_post"),
        ({"q": "守網者"}, lambda a: "守網者" in (a["display_name"]["zh_hant"] or "")),
    ],
)
def test_account_filters(client: TestClient, params: dict[str, str], check) -> None:  # type: ignore[no-untyped-def]
    body = client.get("/api/v1/accounts", params=params).json()
    assert body["count"] >= 1
    assert all(check(a) for a in body["data"]), body["data"]


def test_organisations_search_in_english_and_chinese(client: TestClient) -> None:
    for q in ("police", "警務處", "警务处", "hkpf"):
        body = client.get("/api/v1/organisations", params={"q": q}).json()
        assert "hk-hkpf" in [o["code"] for o in body["data"]], q


def test_organisations_filter_by_platform_keeps_only_owners(client: TestClient) -> None:
    body = client.get("/api/v1/organisations", params={"platform": "whatsapp", "limit": 500}).json()
    assert [o["code"] for o in body["data"]] == ["hk-hkpf"]


def test_organisation_detail_and_404(client: TestClient) -> None:
    body = client.get("/api/v1/organisations/hk/cfs").json()
    assert body["name"]["zh_hant"] == "食物安全中心" and body["parent"] == "hk-fehd"
    missing = client.get("/api/v1/organisations/hk/nope")
    assert missing.status_code == 404 and "nope" in missing.json()["detail"]


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("fb.com/cfs.hk", "official"),
        ("https://m.facebook.com/CFS.HK/?ref=share", "official"),
        ("https://www.instagram.com/carrielam.hksar/", "archived"),
        ("https://t.me/hkfightcovid2020", "unknown"),
        ("https://www.facebook.com/totally.unknown.page", "unknown"),
    ],
)
def test_verify(client: TestClient, url: str, status: str) -> None:
    response = client.get("/api/v1/verify", params={"url": url})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == status
    assert (body["account"] is None) == (status == "unknown")


def test_verify_official_names_owner_and_evidence(client: TestClient) -> None:
    body = client.get("/api/v1/verify", params={"url": "https://fb.com/hkpost.official"}).json()
    assert body["account"]["organisations"][0]["code"] == "hk-hkpo"
    assert "stheadline" in body["account"]["evidence"]["url"]


@pytest.mark.parametrize("url", ["https://faceb00k.com/cfs.hk", "hello", "https://www.facebook.com/groups/1"])
def test_verify_rejects_non_addresses_with_400(client: TestClient, url: str) -> None:
    response = client.get("/api/v1/verify", params={"url": url})
    assert response.status_code == 400
    assert response.json()["detail"]


def test_verify_needs_url(client: TestClient) -> None:
    assert client.get("/api/v1/verify").status_code == 422


def test_page_size_is_capped(client: TestClient) -> None:
    assert client.get("/api/v1/accounts", params={"limit": 0}).status_code == 422
    body = client.get("/api/v1/organisations", params={"limit": 100000}).json()
    assert len(body["data"]) <= 500


def test_openapi_document_and_cors(client: TestClient) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.headers["access-control-allow-origin"] == "*"
    paths = response.json()["paths"]
    for path in ("/api/v1/organisations", "/api/v1/accounts", "/api/v1/verify", "/api/v1/platforms"):
        assert path in paths
    assert client.get("/docs").status_code == 404  # Swagger UI would load a CDN


def test_platforms(client: TestClient) -> None:
    body = client.get("/api/v1/platforms").json()
    keys = [p["key"] for p in body["data"]]
    assert {"facebook", "instagram", "youtube", "x", "telegram", "whatsapp"} <= set(keys)
    assert body["count"] == len(keys)
