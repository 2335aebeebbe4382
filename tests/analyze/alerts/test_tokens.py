"""Token expiry read from the platform: the Graph API ``debug_token`` answers recorded in
tests/fixtures/payloads/facebook (a valid token, and error 190/463 "Session has expired") served by
``httpx.MockTransport``; the answer stored without the token; the ``token_expiry`` rule firing on the
earlier of the two expiry times, or at once for a token the platform refuses."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from govsocial.analyze.alerts import deliver, tokens
from govsocial.analyze.alerts.params import ParamError, clean_params
from govsocial.analyze.alerts.rules import evaluate
from govsocial.cli.main import app
from govsocial.collect.errors import TransientError
from govsocial.collect.facebook.token import debug_token, parse
from govsocial.settings import Settings
from govsocial.store import alerts as store
from govsocial.store import tables as t
from govsocial.store.db import session_factory

PAYLOADS = Path(__file__).parents[2] / "fixtures" / "payloads" / "facebook"
TOKEN = "fake-graph-token-under-test-0123456789abcdef"
ROOT = "https://graph.test/v23.0"
NOW = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)


def _recorded(name: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((PAYLOADS / name).read_text(encoding="utf-8"))
    return body


VALID = _recorded("pyfacebook_base_token_info.json")
EXPIRED = _recorded("issue_error_190_463_session_expired.json")


def _graph(
    body: dict[str, Any], status: int = 200, seen: list[httpx.Request] | None = None
) -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        assert request.url.path == "/v23.0/debug_token"
        return httpx.Response(status, json=body)

    return httpx.MockTransport(answer)


def _shifted(expires: dt.datetime | None, data_access: dt.datetime | None) -> dict[str, Any]:
    """The recorded answer with other expiry times (None: 0, never)."""
    data = dict(VALID["data"])
    data["expires_at"] = int(expires.timestamp()) if expires else 0
    data["data_access_expires_at"] = int(data_access.timestamp()) if data_access else 0
    return {"data": data}


def _settings() -> Settings:
    return Settings.load(database_url="sqlite://", facebook_token=TOKEN, api_base_urls={"facebook": ROOT})


def _ask(transport: httpx.MockTransport) -> Any:
    async def go() -> Any:
        async with httpx.AsyncClient(transport=transport) as client:
            return await debug_token(client, ROOT, TOKEN)

    return asyncio.run(go())


def test_the_recorded_answer_reads_as_both_expiry_times() -> None:
    info = parse(VALID)
    assert info.is_valid is True and info.error is None
    assert info.expires_at == dt.datetime(2019, 12, 26, 8, 0, tzinfo=dt.UTC)  # 1577347200
    assert info.data_access_expires_at == dt.datetime.fromtimestamp(1585040349, dt.UTC)
    never = parse(_shifted(None, None))
    assert never.expires_at is None and never.data_access_expires_at is None


def test_only_json_true_is_valid_and_the_platforms_message_loses_any_token() -> None:
    data = dict(VALID["data"])
    for odd in ("false", "true", 1, None):
        assert parse({"data": {**data, "is_valid": odd}}).is_valid is False, odd
    message = f"Error validating access token: input_token={TOKEN}&access_token={TOKEN} is invalid"
    info = parse({"data": {**data, "is_valid": False, "error": {"code": 190, "message": message}}})
    assert info.is_valid is False and info.error is not None
    assert TOKEN not in info.error and "input_token=***" in info.error
    # An app token (the app secret behind the public app id) and the token asked about, bare.
    app = "123456789012345|AbCdEfGhIjKlMnOpQrStUvWxYz012345"
    echoed = {"code": 190, "message": f"The token {app} cannot check {TOKEN[::-1]}"}
    info = parse({"data": {**data, "is_valid": False, "error": echoed}}, TOKEN[::-1])
    assert info.error is not None and "AbCdEf" not in info.error and TOKEN[::-1] not in info.error
    assert "123456789012345|***" in info.error


def test_debug_token_asks_about_the_token_and_reads_error_190_as_invalid() -> None:
    seen: list[httpx.Request] = []
    info = _ask(_graph(VALID, seen=seen))
    assert info.is_valid and seen[0].url.params["input_token"] == TOKEN
    expired = _ask(_graph(EXPIRED, status=400))
    assert expired.is_valid is False
    assert expired.error is not None and "Graph error 190/463" in expired.error
    assert "Session has expired" in expired.error and TOKEN not in expired.error


def test_an_outage_is_a_failure_not_an_answer_and_never_names_the_token() -> None:
    with pytest.raises(TransientError) as raised:
        _ask(_graph({"error": {"message": "down", "code": 2}}, status=500))
    assert TOKEN not in str(raised.value)


def _rule(session: Session, days: int = 14, **params: Any) -> t.AlertRule:
    rule = store.add_rule(session, "hk", "government", "hk", "token_expiry", {"days": days, **params},
                          None, "ops@gov.test")  # fmt: skip
    session.flush()
    return rule


def _check(session: Session, transport: httpx.MockTransport, now: dt.datetime = NOW) -> tokens.Outcome:
    [outcome] = tokens.check(session, _settings(), ["facebook"], now, transport)
    return outcome


def test_the_rule_fires_on_the_earlier_expiry(engine: Engine) -> None:
    with session_factory(engine)() as session:
        rule = _rule(session)
        assert evaluate(session, rule, NOW) == []  # never checked: nothing to say yet
        soon, later = NOW + dt.timedelta(days=10), NOW + dt.timedelta(days=40)
        _check(session, _graph(_shifted(later, soon)))  # the data access ends first
        [fired] = evaluate(session, rule, NOW)
        assert fired.event_key == f"token_expiry:facebook:{soon.date().isoformat()}"
        assert fired.details["which"] == "data_access_expires_at" and fired.details["days_left"] == 10
        _check(session, _graph(_shifted(later, None)))  # renewed: 40 days is beyond the 14
        assert evaluate(session, rule, NOW) == []
        _check(session, _graph(_shifted(None, None)))  # a token that never expires
        assert evaluate(session, rule, NOW) == []
        _check(session, _graph(VALID))  # the recorded token expired in 2019
        [old] = evaluate(session, rule, NOW)
        assert old.event_key == "token_expiry:facebook:2019-12-26" and old.details["which"] == "expires_at"
        assert "has expired" in old.title


def test_an_invalid_token_fires_at_once_and_once(engine: Engine) -> None:
    with session_factory(engine)() as session:
        rule = _rule(session, days=0)
        first = _check(session, _graph(EXPIRED, status=400))
        assert first.check is not None and first.check.is_valid is False
        [fired] = evaluate(session, rule, NOW)
        assert fired.event_key == "token_expiry:facebook:invalid:2026-11-27"
        assert "190" in str(fired.details["error"])
        _check(session, _graph(EXPIRED, status=400), NOW + dt.timedelta(days=2))  # still invalid
        assert [f.event_key for f in evaluate(session, rule, NOW)] == [fired.event_key]
        _check(session, _graph(_shifted(NOW + dt.timedelta(days=60), None)))  # renewed
        assert evaluate(session, rule, NOW) == []


def test_a_failed_check_keeps_the_last_answer(engine: Engine) -> None:
    with session_factory(engine)() as session:
        _check(session, _graph(VALID))
        outcome = _check(session, _graph({"error": {"message": "down", "code": 2}}, status=503))
        assert outcome.failure and "Graph error 2" in outcome.failure
        assert outcome.check is not None and outcome.check.is_valid  # the earlier answer stands


def test_alerts_run_checks_the_token_a_rule_needs_and_alerts_once(engine: Engine) -> None:
    asked: list[httpx.Request] = []
    transport = _graph(EXPIRED, status=400, seen=asked)
    with session_factory(engine)() as session:
        _rule(session)
        _rule(session, expires_on="2099-01-01")  # a dated rule needs no check
        session.commit()
        report = deliver.run(session, _settings(), NOW, transport=transport)
        assert [a.event_key for a in report.new] == ["token_expiry:facebook:invalid:2026-11-27"]
        assert len(asked) == 1 and report.tokens[0].check is not None
        again = deliver.run(session, _settings(), NOW + dt.timedelta(hours=1), transport=transport)
        assert again.new == [] and len(asked) == 2
        stored = session.scalars(select(t.TokenCheck)).one()
        assert stored.platform == "facebook" and stored.is_valid is False


def test_a_dry_run_reports_the_token_check_and_stores_nothing(engine: Engine) -> None:
    """A dry run rolls back what it wrote; the token checks it reports must still be readable (they
    were detached from the session by the rollback: `alerts run --dry-run` crashed printing them)."""
    transport = _graph(EXPIRED, status=400)
    with session_factory(engine)() as session:
        _rule(session)
        session.commit()
        report = deliver.run(session, _settings(), NOW, dry_run=True, transport=transport)
        [outcome] = report.tokens
        assert outcome.check is not None and outcome.check.is_valid is False
        assert outcome.check.platform == "facebook" and outcome.check.checked_at is not None
        assert [a.event_key for a in report.new] == ["token_expiry:facebook:invalid:2026-11-27"]
        assert session.scalars(select(t.TokenCheck)).all() == []
        assert session.scalars(select(t.Alert)).all() == []
        # With an answer stored by a real run before, which the dry run's check replaces; read once
        # the session is closed, as the command prints it.
        deliver.run(session, _settings(), NOW, transport=transport)
        later = NOW + dt.timedelta(hours=1)
        [outcome] = deliver.run(session, _settings(), later, dry_run=True, transport=transport).tokens
    assert outcome.check is not None and outcome.check.checked_at is not None
    assert outcome.check.is_valid is False and outcome.check.expires_at is None


def test_a_rule_without_a_date_is_only_for_platforms_that_tell() -> None:
    assert clean_params("token_expiry", {"platform": "instagram"}) == {"platform": "instagram"}
    with pytest.raises(ParamError, match="needs expires_on"):
        clean_params("token_expiry", {"platform": "youtube"})
    assert clean_params("token_expiry", {"platform": "youtube", "expires_on": "2027-01-31"})["expires_on"]


def test_the_command_stores_the_answer_and_never_the_token(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    monkeypatch.setattr(tokens, "TRANSPORT", _graph(VALID))
    url = str(sqlite_engine.url)
    env = {"GOVSOCIAL_DATABASE_URL": url, "GOVSOCIAL_FACEBOOK_TOKEN": TOKEN,
           "GOVSOCIAL_API_BASE_URLS": json.dumps({"facebook": ROOT})}  # fmt: skip
    invoke: Callable[..., Any] = CliRunner().invoke
    result = invoke(app, ["alerts", "tokens", "--json"], env=env)
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.output)["data"]
    assert row["platform"] == "facebook" and row["is_valid"] is True
    assert row["expires_at"].startswith("2019-12-26") and row["data_access_expires_at"].startswith(
        "2020-03-24"
    )
    database = Path(url.removeprefix("sqlite:///"))
    stored = b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*"))  # and its WAL
    with session_factory(sqlite_engine)() as session:
        assert session.scalars(select(t.TokenCheck.platform)).all() == ["facebook"]
    assert TOKEN.encode() not in stored
    assert "input_token=***" in caplog.text  # httpx logged the request, scrubbed
    assert TOKEN not in result.output + caplog.text
    refused = invoke(app, ["alerts", "tokens", "--platform", "youtube"], env=env)
    assert refused.exit_code == 2
