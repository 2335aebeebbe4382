"""The portal in several worker processes on PostgreSQL: every worker answers, and answers the same.

``govsocial --config FILE serve --workers 2`` runs as a subprocess on a free loopback port over a
PostgreSQL store holding the bundled registry and a month of sample posts. The database is named
only in the TOML file, so the pages being served at all shows that ``--config`` reached the
workers. Which worker accepts a connection is the kernel's choice; to make each of them answer,
the test pauses one worker (SIGSTOP) while it asks, so that every new connection goes to the
other, and then the other way round. The answers of both, and those given while both ran, must be
the same bytes, and the pages must show what the API gives.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from typer.testing import CliRunner

from govsocial.cli import serve as serve_command
from govsocial.cli.main import app as cli_app
from govsocial.settings import CONFIG_ENV
from govsocial.store import tables as t
from govsocial.store.db import make_engine, session_factory
from govsocial.web import asgi
from govsocial.web.state import AppState
from tests.analyze.store_rows import Store
from tests.cli.sample_store import cli

WORKERS = 2
STARTED = "Started server process ["
READY = "Application startup complete."
#: (status, body, ETag) of one answer.
Answer = tuple[int, bytes, str | None]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _store(url: str, folder: Path) -> int:
    """Migrate, load the registry and import a month of sample posts; the account with most posts."""
    sample = ("collect", "sample", "--months", "1", "--out", str(folder))
    # Posts only: the pages and API calls below show posts; comments would only cost seconds.
    posts = ("collect", "import", str(folder / "posts.csv"), "--format", "generic", "--sample")
    posts += ("--no-metrics",)
    for args in (("db", "upgrade"), ("registry", "load"), sample, posts):
        code, output = cli(url, *args)
        assert code == 0, output
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            busiest = sa.select(t.Post.account_id).group_by(t.Post.account_id)
            busiest = busiest.order_by(sa.func.count().desc(), t.Post.account_id).limit(1)
            account_id: int = connection.execute(busiest).scalar_one()
    finally:
        engine.dispose()
    return account_id


def _config(folder: Path, database_url: str) -> Path:
    """A TOML settings file: the store, and English as the language of ``/``."""
    path = folder / "govsocial.toml"
    # A JSON string is a valid TOML string.
    path.write_text(f'database_url = {json.dumps(database_url)}\ndefault_locale = "en"\n', encoding="utf-8")
    return path


def _hold_hk(engine: Engine) -> None:
    """The configured jurisdiction in the store: `serve` refuses a store without it."""
    with session_factory(engine)() as session:
        Store(session).jurisdiction()
        session.commit()


def _log(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


def _wait_for_workers(server: subprocess.Popen[bytes], log: Path) -> list[int]:
    """The worker pids, once every worker has started its app (the socket is already listening)."""
    deadline = time.monotonic() + 60
    while _log(log).count(READY) < WORKERS:
        assert server.poll() is None, f"the server exited early:\n{_log(log)}"
        assert time.monotonic() < deadline, f"the workers did not start:\n{_log(log)}"
        time.sleep(0.1)
    lines = _log(log).splitlines()
    return [int(line.split(STARTED, 1)[1].split("]", 1)[0]) for line in lines if STARTED in line]


def _parent_of(pid: int) -> int:
    # /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces, so split after its ")".
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def _stop(server: subprocess.Popen[bytes]) -> None:
    """SIGTERM: the supervisor stops its workers and waits for them; anything left is killed."""
    if server.poll() is None:
        server.terminate()
        with suppress(subprocess.TimeoutExpired):
            server.wait(timeout=20)
    # The server leads its own session, so its group holds every process it started.
    with suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGKILL)
    server.wait()


@contextmanager
def _serving(config: Path, folder: Path, port: int) -> Iterator[tuple[subprocess.Popen[bytes], list[int]]]:
    """``govsocial --config CONFIG serve --workers 2`` on ``port``; the server and its worker pids."""
    command = Path(sys.executable).with_name("govsocial")
    args = [str(command), "--config", str(config), "serve", "--workers", str(WORKERS), "--port", str(port)]
    # Only the config file names the store: no GOVSOCIAL_* variable of the test run gets in.
    env = {name: value for name, value in os.environ.items() if not name.startswith("GOVSOCIAL_")}
    log = folder / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            args, cwd=folder, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield server, _wait_for_workers(server, log)
    finally:
        _stop(server)


@contextmanager
def _paused(pid: int) -> Iterator[None]:
    """Stop one worker, so the kernel hands every new connection to the others."""
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        # Gone already when the supervisor replaced it as hung: nothing to continue then.
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGCONT)


def _ask(base_url: str, paths: list[str]) -> dict[str, Answer]:
    # No keep-alive: each request is a new connection, accepted by whichever worker is running.
    limits = httpx.Limits(max_keepalive_connections=0)
    with httpx.Client(base_url=base_url, limits=limits, timeout=30) as client:
        answers = {path: client.get(path) for path in paths}
    return {path: (r.status_code, r.content, r.headers.get("etag")) for path, r in answers.items()}


def _paths(account_id: int) -> list[str]:
    return [
        "/",
        "/en/",
        "/zh-hant/",
        "/en/organisations/hk/cfs",
        f"/en/accounts/{account_id}",
        "/en/verify?url=https://fb.com/cfs.hk",
        "/api/v1/accounts?limit=500",
        "/api/v1/accounts?organisation=cfs",
        "/api/v1/organisations/hk/cfs",
        f"/api/v1/accounts/{account_id}/posts?limit=5",
        "/api/v1/verify?url=https://fb.com/cfs.hk",
    ]


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_workers_on_postgresql_answer_alike(database_url: str, tmp_path: Path) -> None:
    account_id = _store(database_url, tmp_path)
    config = _config(tmp_path, database_url)
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    paths = _paths(account_id)
    with _serving(config, tmp_path, port) as (server, workers):
        assert len(set(workers)) == WORKERS, workers
        assert all(_parent_of(pid) == server.pid for pid in workers)
        both = _ask(base_url, paths)
        with _paused(workers[0]):
            second = _ask(base_url, paths)
        with _paused(workers[1]):
            first = _ask(base_url, paths)
        assert server.poll() is None
    assert server.returncode == 0, _log(tmp_path / "server.log")
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers), "a worker outlived the server"

    for path in paths:
        assert first[path] == second[path] == both[path], path
    assert both["/"][0] == 307  # the default language of the config file: the redirect is to /en/
    assert all(status == 200 for path, (status, _, _) in both.items() if path != "/"), both
    accounts = json.loads(both["/api/v1/accounts?limit=500"][1])
    directory = both["/en/"][1].decode()
    assert accounts["count"] == len(accounts["data"]) >= 10
    assert all(f'href="/en/accounts/{account["id"]}"' in directory for account in accounts["data"])
    owned = json.loads(both["/api/v1/accounts?organisation=cfs"][1])
    organisation_page = both["/en/organisations/hk/cfs"][1].decode()
    assert owned["count"] >= 1
    assert all(f'href="/en/accounts/{account["id"]}"' in organisation_page for account in owned["data"])
    posts = json.loads(both[f"/api/v1/accounts/{account_id}/posts?limit=5"][1])
    account_page = both[f"/en/accounts/{account_id}"][1].decode()
    assert posts["count"] >= 1
    assert all(post["url"] in account_page for post in posts["data"])
    verdict = json.loads(both["/api/v1/verify?url=https://fb.com/cfs.hk"][1])
    assert verdict["status"] == "official"
    assert verdict["account"]["id"] in {account["id"] for account in owned["data"]}


def test_collect_is_refused_with_several_workers() -> None:
    result = CliRunner().invoke(cli_app, ["serve", "--workers", "2", "--collect"])
    assert result.exit_code == 2
    assert "exactly one process" in " ".join(result.output.split())  # however the console wrapped it


def test_workers_read_the_config_file_the_command_was_given(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sqlite_url: str, sqlite_engine: Engine
) -> None:
    _hold_hk(sqlite_engine)
    config = _config(tmp_path, sqlite_url)
    calls: list[tuple[object, dict[str, object]]] = []
    monkeypatch.setattr(serve_command.uvicorn, "run", lambda app, **kw: calls.append((app, kw)))
    # Recorded so that the variable the command sets is removed again after the test.
    monkeypatch.setenv(CONFIG_ENV, "")
    monkeypatch.delenv("GOVSOCIAL_DATABASE_URL", raising=False)
    monkeypatch.delenv("GOVSOCIAL_DEFAULT_LOCALE", raising=False)

    args = ["--config", str(config), "serve", "--workers", "3", "--port", "8123"]
    result = CliRunner().invoke(cli_app, args)

    assert result.exit_code == 0, result.output
    [(target, options)] = calls
    assert target == serve_command.ASGI_FACTORY
    assert options["factory"] is True and options["workers"] == 3 and options["port"] == 8123
    assert os.environ[CONFIG_ENV] == str(config.resolve())
    # What a worker does: import the factory and call it.
    state = asgi.app().state.govsocial
    assert isinstance(state, AppState)
    assert state.settings.database_url == sqlite_url
    assert state.settings.default_locale == "en"


def test_one_worker_serves_the_app_object_in_process(
    monkeypatch: pytest.MonkeyPatch, sqlite_url: str, sqlite_engine: Engine
) -> None:
    _hold_hk(sqlite_engine)
    calls: list[object] = []
    monkeypatch.setattr(serve_command, "_serve_one", lambda app, host, port: bool(calls.append(app)))
    monkeypatch.setenv("GOVSOCIAL_DATABASE_URL", sqlite_url)

    result = CliRunner().invoke(cli_app, ["serve", "--port", "8123"])

    assert result.exit_code == 0, result.output
    [target] = calls
    assert not isinstance(target, str)  # the app built from the command's own settings, no re-import


def test_a_database_behind_the_migrations_is_refused_with_what_to_run(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls: list[object] = []
    monkeypatch.setattr(serve_command, "_serve_one", lambda app, host, port: bool(calls.append(app)))
    monkeypatch.setenv("GOVSOCIAL_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")

    result = CliRunner().invoke(cli_app, ["serve", "--port", "8123"])

    assert result.exit_code == 2 and not calls
    assert "govsocial db upgrade" in " ".join(result.output.split())
