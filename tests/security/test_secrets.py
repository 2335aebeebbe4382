"""Platform tokens come only from the environment or a secrets file, and are never logged or shown.

The collection runs here go through the real runner and connectors against the loopback fake
platforms (``tests.fakeplatform``) with faults injected, so that every error path that could put a
URL (Graph and YouTube carry the token in the query string) into a message, a log line or the
store runs at least once.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import click
import httpx
import pytest
from sqlalchemy import Engine, MetaData, inspect, select
from typer.main import get_command
from typer.testing import CliRunner

from govsocial.cli.main import app
from govsocial.collect.base import Target
from govsocial.collect.errors import CollectError, TransientError
from govsocial.collect.http import HttpClient, RetryPolicy
from govsocial.collect.targets import collectable
from govsocial.errors import ConfigurationError
from govsocial.registry.load import load_registry
from govsocial.settings import PROJECT_ROOT, SECRETS_DIR_ENV, Settings
from govsocial.store.db import make_engine, session_factory, upgrade
from tests.collect.test_end_to_end import (
    KEY,
    SQLITE_ONLY,
    TOKEN,
    X_TOKEN,
    YOUTUBE_KEY,
    channels,
    collect,
    fake,
    registry,
    targets,
    url,
    x_accounts,
    x_fake,
    x_url,
    youtube,
    youtube_url,
)
from tests.fakeplatform import (
    ExpiredToken,
    FakeGraph,
    RateLimited,
    ServerError,
    Truncated,
    build_pages,
    free_port,
    serve,
)
from tests.fakeplatform.x import FakeX, XError
from tests.fakeplatform.youtube import FakeYouTube, YouTubeError

# Fixtures shared with the end-to-end collection tests (imported, so that pytest finds them here).
__all__ = [
    "channels",
    "fake",
    "registry",
    "targets",
    "url",
    "x_accounts",
    "x_fake",
    "x_url",
    "youtube",
    "youtube_url",
]

SECRETS = (TOKEN, YOUTUBE_KEY, X_TOKEN, KEY)
ALL_SECRETS = {
    "facebook_token": "EAAFakeFacebook0123456789",
    "instagram_token": "IGQFakeInstagram0123456789",
    "youtube_api_key": "AIzaFakeYouTube0123456789",
    "x_bearer_token": "AAAAFakeX0123456789",
    "threads_token": "THFakeThreads0123456789",
    "pseudonym_key": "fake-pseudonym-key-0123456789",
}


def leaks(text: str) -> list[str]:
    """The secrets of the collection runs that ``text`` holds."""
    return [secret for secret in SECRETS if secret in text]


# --- where secrets come from --------------------------------------------------------------------


def test_settings_never_show_a_secret_in_repr_str_or_dumps() -> None:
    settings = Settings.load(database_url="sqlite://", **ALL_SECRETS)

    shown = [repr(settings), str(settings), settings.model_dump_json(), str(settings.model_dump())]
    assert all(secret not in text for secret in ALL_SECRETS.values() for text in shown)
    assert settings.facebook_token is not None
    assert settings.facebook_token.get_secret_value() == ALL_SECRETS["facebook_token"]


def test_secrets_are_read_from_the_secrets_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "GOVSOCIAL_FACEBOOK_TOKEN").write_text("from-a-file\n", encoding="utf-8")
    (tmp_path / "govsocial_pseudonym_key").write_text("key-from-a-file", encoding="utf-8")
    (tmp_path / "GOVSOCIAL_YOUTUBE_API_KEY").write_text("file-loses", encoding="utf-8")
    monkeypatch.setenv(SECRETS_DIR_ENV, str(tmp_path))
    monkeypatch.setenv("GOVSOCIAL_YOUTUBE_API_KEY", "environment-wins")

    settings = Settings.load()

    assert settings.facebook_token is not None and settings.pseudonym_key is not None
    assert settings.facebook_token.get_secret_value() == "from-a-file"  # the final newline dropped
    assert settings.pseudonym_key.get_secret_value() == "key-from-a-file"
    assert settings.youtube_api_key is not None
    assert settings.youtube_api_key.get_secret_value() == "environment-wins"
    assert "from-a-file" not in repr(settings)


def test_a_missing_secrets_folder_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SECRETS_DIR_ENV, str(tmp_path / "not-mounted"))
    with pytest.raises(ConfigurationError, match="not a folder"):
        Settings.load()

    result = CliRunner().invoke(app, ["db", "current"], env={SECRETS_DIR_ENV: str(tmp_path / "not-mounted")})
    assert result.exit_code == 2 and "not a folder" in result.output


def _parameters(command: click.Command, path: str = "govsocial") -> Iterator[tuple[str, click.Parameter]]:
    for parameter in command.params:
        yield path, parameter
    for name, sub in getattr(command, "commands", {}).items():
        yield from _parameters(sub, f"{path} {name}")


def test_no_command_takes_a_token_or_key_on_its_command_line() -> None:
    # A secret on a command line is visible to every user of the machine (ps) and kept in shell
    # histories: tokens and keys are read from the environment or the secrets folder only.
    words = ("token", "secret", "password", "api-key", "api_key", "pseudonym-key", "pseudonym_key")
    found = [
        f"{path} {opt}"
        for path, parameter in _parameters(get_command(app))
        for opt in [*getattr(parameter, "opts", []), parameter.name or ""]
        if any(word in opt.lower() for word in words) and not opt.lower().endswith(("_id", "-id"))
    ]  # (a token's id, e.g. ``users revoke-token TOKEN_ID``, is not a secret)
    assert found == []


# --- never logged or stored ---------------------------------------------------------------------


@SQLITE_ONLY
def test_no_secret_in_logs_errors_or_store_over_a_faulty_collection(
    engine: Engine,
    targets: list[Target],
    fake: FakeGraph,
    url: str,
    channels: list[Target],
    youtube: FakeYouTube,
    youtube_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    handles = [x.handle for x in targets]
    fake.control.add(ExpiredToken(), account=handles[0], calls=[3])
    fake.control.add(ServerError(), account=handles[1], calls=[2])
    fake.control.add(Truncated(), account=handles[2], calls=[4])
    fake.control.add(RateLimited(regain_minutes=1), account=handles[1], calls=[5])
    youtube.control.add(YouTubeError(500), calls=[2])
    caplog.set_level(logging.DEBUG)

    summary = collect(engine, url, targets + channels, youtube_url=youtube_url)

    assert summary.errors, "the expired token must have been reported"
    records = [*caplog.records]
    assert any("HTTP Request" in r.getMessage() for r in records), "httpx's request log was captured"
    assert leaks(caplog.text) == []
    assert [r.getMessage() for r in records if leaks(r.getMessage() + str(r.exc_text or ""))] == []
    assert leaks(json.dumps(summary.as_dict(), default=str)) == []
    assert leaks(_every_stored_value(engine)) == []


@SQLITE_ONLY
def test_no_x_bearer_token_in_logs_errors_or_store(
    engine: Engine,
    x_accounts: list[Target],
    x_fake: FakeX,
    x_url: str,
    url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    x_fake.control.add(XError(401), account=x_accounts[0].handle, calls=[1])
    caplog.set_level(logging.DEBUG)

    summary = collect(engine, url, x_accounts, x_url=x_url)

    assert summary.errors
    assert leaks(caplog.text) == []
    assert leaks(json.dumps(summary.as_dict(), default=str)) == []
    assert leaks(_every_stored_value(engine)) == []


def _every_stored_value(engine: Engine) -> str:
    """Every value of every column of every table, as text."""
    metadata = MetaData()
    metadata.reflect(engine)
    parts: list[str] = []
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            for row in connection.execute(select(table)):
                parts.extend(str(value) for value in row)
    assert inspect(engine).get_table_names()
    return "\n".join(parts)


def test_cli_output_of_a_failed_collection_shows_no_token(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'govsocial.db'}"
    engine = make_engine(url)
    upgrade(engine)
    assert not load_registry(engine, PROJECT_ROOT / "data" / "registry", actor="test", only="hk").problems
    with session_factory(engine)() as session:
        handles = [x.handle for x in collectable(session, {"facebook"}, "hk")][:2]
    engine.dispose()
    graph = graph_for(handles)
    graph.control.add(ExpiredToken(), account=handles[0], calls=[1])
    with serve(graph.app()) as root:
        env = {
            "GOVSOCIAL_DATABASE_URL": url,
            "GOVSOCIAL_FACEBOOK_TOKEN": TOKEN,
            "GOVSOCIAL_PSEUDONYM_KEY": KEY,
            "GOVSOCIAL_API_BASE_URLS": json.dumps({"facebook": root + "/v23.0"}),
        }
        one = ["collect", "--account", f"https://www.facebook.com/{handles[0]}", "--no-metrics"]
        for args in (one, [*one, "--json"], ["collect", "runs"], ["collect", "runs", "--json"]):
            result = CliRunner().invoke(app, args, env=env)
            assert leaks(result.output) == [], (args, result.output)
            assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert any(e.path for e in graph.control.log), "the fake was asked"


def graph_for(handles: list[str]) -> FakeGraph:
    """A fake Graph API for ``handles``, expecting ``TOKEN``."""
    return FakeGraph(build_pages(handles), TOKEN)


def _failing_client(answers: list[httpx.Response | Exception]) -> HttpClient:
    def handler(request: httpx.Request) -> httpx.Response:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    async def no_wait(seconds: float) -> None:
        return None

    def classify(response: httpx.Response) -> CollectError | None:
        return TransientError(f"server {response.status_code}") if response.status_code >= 500 else None

    transport = httpx.MockTransport(handler)
    return HttpClient(httpx.AsyncClient(transport=transport), "facebook", classify,
                      policy=RetryPolicy(attempts=2, base_backoff=0), sleep=no_wait)  # fmt: skip


@pytest.mark.parametrize(
    "answers",
    [
        [httpx.ReadTimeout("slow"), httpx.ReadTimeout("slow")],
        [httpx.ConnectError("refused"), httpx.ConnectError("refused")],
        [httpx.Response(200, text="{not json"), httpx.Response(200, text="{not json")],
        [httpx.Response(503), httpx.Response(503)],
    ],
    ids=["timeout", "transport", "bad-json", "5xx"],
)
def test_errors_of_failed_http_calls_hold_no_token(answers: list[httpx.Response | Exception]) -> None:
    http = _failing_client(answers)
    url = f"https://graph.example/v23.0/page/posts?access_token={TOKEN}&after=x"
    with pytest.raises(CollectError) as caught:
        asyncio.run(http.get_json(url, {"access_token": TOKEN, "key": YOUTUBE_KEY}))
    chain = [caught.value, caught.value.__cause__, caught.value.__context__]
    assert leaks(" ".join(str(e) for e in chain if e is not None)) == []


def test_a_real_refused_connection_names_no_token(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    port = free_port()  # nothing listens there

    async def call() -> None:
        async with httpx.AsyncClient() as client:
            http = HttpClient(
                client, "youtube", lambda r: None, policy=RetryPolicy(attempts=1, base_backoff=0)
            )
            await http.get_json(f"http://127.0.0.1:{port}/youtube/v3/videos", {"key": YOUTUBE_KEY})

    with pytest.raises(TransientError) as caught:
        asyncio.run(call())
    assert "key=***" in str(caught.value)
    assert leaks(str(caught.value) + caplog.text) == []
