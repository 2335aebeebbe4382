"""HttpClient: retries only what is transient, waits out rate limits, never shows a secret."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable

import httpx
import pytest

from govsocial.collect.errors import (
    AuthError,
    CollectError,
    PayloadError,
    QuotaExceededError,
    RateLimitedError,
    TransientError,
)
from govsocial.collect.http import HttpClient, RetryPolicy, redact_url


def classify(response: httpx.Response) -> CollectError | None:
    if response.status_code == 429:
        reset = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=int(response.headers.get("reset", "5")))
        return RateLimitedError("slow down", retry_at=reset)
    if response.status_code == 403:
        return QuotaExceededError("quota", retry_at=None)
    if response.status_code == 401:
        return AuthError("expired")
    if response.status_code >= 500:
        return TransientError(f"server {response.status_code}")
    return None


def client(
    responses: list[httpx.Response | Exception],
) -> tuple[HttpClient, list[float], list[httpx.Request]]:
    waits: list[float] = []
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        item = responses.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    http = HttpClient(
        httpx.AsyncClient(transport=httpx.MockTransport(handler)),
        "test",
        classify,
        policy=RetryPolicy(attempts=3, base_backoff=0.01),
        sleep=sleep,
    )
    return http, waits, seen


def run(coro_factory: Callable[[], object]) -> object:
    return asyncio.run(coro_factory())  # type: ignore[arg-type]


def test_transient_faults_are_retried_then_succeed() -> None:
    http, waits, seen = client(
        [httpx.Response(502), httpx.ConnectTimeout("slow"), httpx.Response(200, json={"ok": 1})]
    )
    data, raw = asyncio.run(http.get_json("https://api.example/x", {"access_token": "SECRET"}))
    assert data == {"ok": 1} and len(seen) == 3 and len(waits) == 2
    assert "SECRET" not in raw.location and "access_token=***" in raw.location


def test_gives_up_after_the_attempts() -> None:
    http, _, seen = client([httpx.Response(500)] * 3)
    with pytest.raises(TransientError):
        asyncio.run(http.get_json("https://api.example/x"))
    assert len(seen) == 3


def test_rate_limit_waits_until_reset() -> None:
    http, waits, _ = client([httpx.Response(429, headers={"reset": "7"}), httpx.Response(200, json=[])])
    asyncio.run(http.get_json("https://api.example/x"))
    assert 5 < waits[0] <= 7


def test_quota_and_auth_are_not_retried() -> None:
    for status, error in ((403, QuotaExceededError), (401, AuthError)):
        http, waits, seen = client([httpx.Response(status)])
        with pytest.raises(error):
            asyncio.run(http.get_json("https://api.example/x"))
        assert len(seen) == 1 and waits == []


def test_truncated_json_is_a_payload_error_after_retries() -> None:
    http, _, seen = client([httpx.Response(200, text='{"data": [{"id": ')] * 3)
    with pytest.raises(PayloadError, match="not valid JSON"):
        asyncio.run(http.get_json("https://api.example/x"))
    assert len(seen) == 3


def test_redact_url_hides_every_secret_parameter() -> None:
    url = redact_url("https://g.example/v1/me?fields=id&access_token=EAAB123&key=AIza&appsecret_proof=abc")
    assert "EAAB123" not in url and "AIza" not in url and "abc" not in url and "fields=id" in url
