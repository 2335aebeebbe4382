"""``govsocial serve`` in one process (the only way to run ``--collect``) on signals.

SIGHUP used to kill the process on the spot (its default action: uvicorn handles only SIGINT and
SIGTERM), cutting off the scheduler's collection round and never closing the application; a
systemd unit with ``ExecReload=kill -HUP`` did just that on every reload. It now stops gracefully
and starts again in the same process. The test runs ``govsocial --config FILE serve --collect`` as
a subprocess over a copy of the registry store, with the Facebook API pointed at a loopback fake
that holds its answers: SIGHUP is sent while the first round waits on it, and the round must
finish (its run recorded, not left ``running``) before the server restarts, answers again, and
ends on SIGTERM as before.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from govsocial.cli.main import app
from govsocial.cli.serve import RESTARTING

#: Logged once the socket listens (after the application has started).
LISTENING = "Uvicorn running on"
STARTED = "Started server process ["
#: What Graph answers for a token it refuses: each Facebook account of the round fails with ``auth``.
REFUSED = {"error": {"message": "Invalid OAuth access token", "type": "OAuthException", "code": 190}}


def _loopback_port() -> int:
    """A free loopback port of 18400-18499, the range tests on the shared development machine keep to."""
    for port in range(18400, 18500):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise AssertionError("no free port in 18400-18499")


class _HeldGraph(ThreadingHTTPServer):
    """A Graph API that answers every request only once ``release`` is set."""

    daemon_threads = True

    def __init__(self, port: int) -> None:
        super().__init__(("127.0.0.1", port), _Held)
        self.arrived = threading.Event()
        self.release = threading.Event()


class _Held(BaseHTTPRequestHandler):
    server: _HeldGraph

    def do_GET(self) -> None:
        self.server.arrived.set()
        self.server.release.wait(timeout=60)
        body = json.dumps(REFUSED).encode()
        self.send_response(400)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def _held_graph() -> Iterator[_HeldGraph]:
    graph = _HeldGraph(_loopback_port())
    thread = threading.Thread(target=graph.serve_forever, daemon=True)
    thread.start()
    try:
        yield graph
    finally:
        graph.release.set()
        graph.shutdown()
        graph.server_close()


def _log(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


def _wait(what: str, done: Callable[[], bool], server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while not done():
        assert server.poll() is None, f"the server exited while waiting for {what}:\n{_log(log)}"
        assert time.monotonic() < deadline, f"no {what}:\n{_log(log)}"
        time.sleep(0.05)


def _runs(database: Path) -> list[tuple[str, str, str]]:
    with closing(sqlite3.connect(database)) as connection:
        rows = connection.execute(
            "SELECT trigger, status, errors FROM collection_runs ORDER BY id"
        ).fetchall()
    return [(str(a), str(b), str(c)) for a, b, c in rows]


@pytest.fixture
def store(registry_db: str, tmp_path: Path) -> Path:
    """A copy of the session's registry store (SQLite's backup: whole even if the file is open)."""
    copy = tmp_path / "govsocial.db"
    source = sqlite3.connect(registry_db.removeprefix("sqlite:///"))
    with closing(source), closing(sqlite3.connect(copy)) as target:
        source.backup(target)
    return copy


def test_sighup_finishes_the_collection_round_then_restarts_the_server(store: Path, tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    with _held_graph() as graph:
        port = _loopback_port()  # once the fake holds its own
        config = tmp_path / "govsocial.toml"
        graph_url = f"http://127.0.0.1:{graph.server_address[1]}/v23.0"
        config.write_text(
            f"database_url = {json.dumps(f'sqlite:///{store}')}\n"
            f"api_base_urls = {{facebook = {json.dumps(graph_url)}}}\n",
            encoding="utf-8",
        )
        env = {name: value for name, value in os.environ.items() if not name.startswith("GOVSOCIAL_")}
        env["GOVSOCIAL_FACEBOOK_TOKEN"] = "refused-token"
        command = [str(Path(sys.executable).with_name("govsocial")), "--config", str(config)]
        command += ["serve", "--port", str(port), "--collect"]
        with log.open("wb") as out:
            server = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            _wait("start", lambda: LISTENING in _log(log), server, log)
            _wait("collection round", graph.arrived.is_set, server, log)
            server.send_signal(signal.SIGHUP)
            _wait("graceful stop", lambda: "Waiting for application shutdown." in _log(log), server, log)
            time.sleep(0.3)
            # The round is still waiting on the platform: the application cannot have closed yet.
            assert "Application shutdown complete." not in _log(log)
            assert [status for _, status, _ in _runs(store)] == ["running"]
            graph.release.set()

            _wait("restart", lambda: _log(log).count(LISTENING) == 2, server, log)
            answer = httpx.get(f"http://127.0.0.1:{port}/api/v1/platforms", timeout=10)
            assert answer.status_code == 200
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        finally:
            if server.poll() is None:
                server.kill()
                server.wait()

    text = _log(log)
    before, after = text.split(RESTARTING, 1)
    # Closed, then started again in the same process (exec), which ends on SIGTERM as before.
    assert "Application shutdown complete." in before and "Finished server process" in before
    assert {line.split(STARTED, 1)[1].split("]")[0] for line in text.splitlines() if STARTED in line} == {
        str(server.pid)
    }
    assert "Finished server process" in after and "Traceback" not in text
    assert server.returncode == -signal.SIGTERM
    # The round was finished, not cut off: its run is recorded with the platform's answers.
    ((trigger, status, errors),) = _runs(store)
    assert trigger == "scheduler" and status != "running"
    assert {error["kind"] for error in json.loads(errors)} >= {"auth"}


@pytest.mark.parametrize("port", ["0", "65536", "99999"])
def test_a_port_outside_1_to_65535_is_refused_before_serving(
    port: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``serve --port 99999`` printed the portal's address and "Uvicorn running on" it."""
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["serve", "--port", port])
    assert result.exit_code == 2, result.output
    said = " ".join(result.output.replace("│", " ").split())  # the error box, unwrapped
    assert "Invalid value for '--port'" in said and ("65535" in said or "greater than or equal to 1" in said)
    assert "portal at" not in result.output and not (tmp_path / "var").exists()
