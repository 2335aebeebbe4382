"""Serving benchmark: the portal and the API under load, against datasette and a bare FastAPI page.

    .venv/bin/python -m bench.serve [--duration 10] [--connections 64] [--quick] [--no-docs]

Over the store of ``bench.serve_data`` (10,000 accounts, 1,000 organisations, the scorecard of a
year with 10 million comments), each server in turn runs alone on a loopback port, is warmed up,
then loaded by ``wrk -t2 -c64 -d<N>s --latency`` (Debian's wrk; ``scripts/bench-deps.sh``):

* calibration: a bare FastAPI page (one line of HTML) under uvicorn with 2 workers, as the portal
  runs: the most this machine gives a Python ASGI app, measured in the same run;
* the portal, ``govsocial serve --workers 2``, with its page cache off (``page_cache_seconds=0``:
  every request renders) and on (the default of ``govsocial serve``): the home page ``/zh-hant/``,
  an organisation page (one with as many accounts as the 90th percentile) and
  ``/api/v1/accounts?limit=50``;
* the reference: datasette serving the same SQLite file, its ``accounts`` table page and its JSON
  (``?_size=50``).

Requests per second, p50 and p99 latency and errors (socket errors, timeouts, non-2xx/3xx
answers) go to the console, to ``var/bench/serve-results.json`` and, between the markers of the
"Serving the portal" section, to ``docs/performance.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select

from bench import serve_data
from govsocial.settings import PROJECT_ROOT
from govsocial.store import tables as t
from govsocial.store.db import make_engine

console = Console()
BIN = Path(sys.executable).parent
DOCS = PROJECT_ROOT / "docs" / "performance.md"
RESULTS = serve_data.OUT / "serve-results.json"
WRK_LOG = serve_data.OUT / "serve-wrk.txt"
SECTION = "## Serving the portal (issue 6)"
BEGIN, END = "<!-- bench-serve figures: begin -->", "<!-- bench-serve figures: end -->"
#: The page cache's lifetime when it is on (``govsocial serve``'s default).
CACHE_ON = 10


def hello_app() -> FastAPI:
    """The calibration: a bare FastAPI app with one small HTML page (``uvicorn --factory``)."""
    app = FastAPI()

    @app.get("/", response_class=HTMLResponse)
    def hello() -> str:
        return "<!doctype html><title>hello</title><p>Hello, world.</p>"

    return app


@dataclass(frozen=True)
class Target:
    """A URL to load; with ``spread``, each request asks for one of those paths at random instead
    (so most miss the page cache), and ``path`` only names them."""

    what: str
    path: str
    spread: tuple[str, ...] = ()

    def script(self) -> Path | None:
        """The wrk Lua script that picks a path of ``spread`` per request (None without one)."""
        if not self.spread:
            return None
        script = serve_data.OUT / f"serve-{re.sub(r'[^a-z0-9]+', '-', self.what.lower())}.lua"
        paths = ", ".join(json.dumps(p) for p in self.spread)
        script.write_text(
            f"local paths = {{{paths}}}\nmath.randomseed(1)\n"
            "request = function()\n  return wrk.format(nil, paths[math.random(#paths)])\nend\n"
        )
        return script


@dataclass(frozen=True)
class Server:
    """A server to start: its command, environment and the URLs to load it with."""

    name: str
    command: list[str]
    env: dict[str, str]
    targets: list[Target]
    processes: int = 2

    @property
    def slug(self) -> str:
        """The server's name as a file name."""
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")


@dataclass(frozen=True)
class Result:
    """What wrk measured for one URL."""

    server: str
    target: str
    path: str
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    non_2xx: int


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def running(server: Server, port: int) -> Iterator[str]:
    """The server started on ``port`` (in its own process group), until the block ends."""
    env = {**os.environ, **server.env}
    command = [part.replace("{port}", str(port)) for part in server.command]
    log_path = serve_data.OUT / f"serve-{server.slug}.log"
    log = log_path.open("w")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base + server.targets[0].path, process)
        _wait_started(log_path, server.processes, process)
        yield base
    finally:
        # The whole group: uvicorn's supervisor and its workers.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def _wait_ready(url: str, process: subprocess.Popen[bytes] | None, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} (see {serve_data.OUT}/serve-*.log)")
        with (
            contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError),
            urllib.request.urlopen(url, timeout=30) as answer,  # noqa: S310 (http on loopback)
        ):
            if answer.status == 200:
                return
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer 200 within {timeout:.0f} s")


def _wait_started(log: Path, processes: int, process: subprocess.Popen[bytes], timeout: float = 90) -> None:
    """Wait until every worker process has said it started (one answering is not all of them)."""
    deadline = time.monotonic() + timeout
    while log.read_text().count("Application startup complete") < processes:
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"not every worker started: see {log}")
        time.sleep(0.5)


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()  # type: ignore[union-attr]
    return float(number) * UNITS[unit]


def parse_wrk(output: str) -> dict[str, float | int]:
    """Requests/s, p50/p99 in ms, requests, socket errors and non-2xx/3xx answers from wrk's report."""
    percent = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.M))
    if set(percent) != {"50", "99"}:
        raise RuntimeError(f"no latency distribution in wrk's report:\n{output}")
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        "p50_ms": _ms(percent["50"]),
        "p99_ms": _ms(percent["99"]),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),  # type: ignore[union-attr]
        "errors": sum(int(n) for n in errors.groups()) if errors else 0,
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
    }


def wrk(url: str, seconds: int, connections: int, script: Path | None = None) -> str:
    """wrk's report for ``url``; a 10 s timeout so that slow servers' latencies are measured, not dropped."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency", url]
    if script is not None:
        command[1:1] = ["-s", str(script)]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def measure(server: Server, args: argparse.Namespace) -> list[Result]:
    """Start ``server``, warm each target up, then load each one in turn."""
    results = []
    with running(server, free_port()) as base:
        for target in server.targets:
            first = target.spread[0] if target.spread else target.path
            # A slow server is still answering the last URL's queued requests: wait for it.
            _wait_ready(base + first, process=None, timeout=300)
            script = target.script()
            wrk(base + first, args.warmup, args.connections, script)
            report = wrk(base + first, args.duration, args.connections, script)
            with WRK_LOG.open("a") as log:
                log.write(f"== {server.name}: {target.what}\n{report}\n")
            figures = parse_wrk(report)
            result = Result(server.name, target.what, target.path, **figures)  # type: ignore[arg-type]
            errors = result.errors + result.non_2xx
            console.print(
                f"{server.name:28} {target.what:24} {result.requests_per_s:8,.0f}/s  "
                f"p50 {result.p50_ms:7.1f} ms  p99 {result.p99_ms:7.1f} ms  errors {errors}"
            )
            results.append(result)
    return results


def organisation_paths(path: Path) -> tuple[list[str], int]:
    """Every organisation's page (with accounts), the one with as many accounts as the 90th
    percentile first, and that number."""
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(t.Organisation.code, func.count(t.AccountOrganisation.account_id).label("n"))
                .join(t.AccountOrganisation)
                .group_by(t.Organisation.code)
                .order_by("n", t.Organisation.code)
            ).all()
    finally:
        engine.dispose()
    code, accounts = rows[int(len(rows) * 0.9)]
    codes = [code, *sorted(c for c, _ in rows if c != code)]
    return [f"/zh-hant/organisations/{serve_data.JURISDICTION}/{c}" for c in codes], accounts


def servers(path: Path, orgs: list[str]) -> list[Server]:
    """Every server of the run, in order: calibration, portal without and with its cache, datasette."""
    uvicorn = [str(BIN / "uvicorn"), "--host", "127.0.0.1", "--port", "{port}", "--workers", "2"]
    portal = [str(BIN / "govsocial"), "serve", "--host", "127.0.0.1", "--port", "{port}", "--workers", "2"]
    env = {"GOVSOCIAL_DATABASE_URL": f"sqlite:///{path}", "GOVSOCIAL_JURISDICTION": serve_data.JURISDICTION}
    api = "/api/v1/accounts?limit=50"
    pages = [
        Target("home page", "/zh-hant/"),
        Target("organisation page", orgs[0]),
        Target("accounts API", api),
        Target(
            "every organisation page", f"/zh-hant/organisations/hk/… ({len(orgs)}, at random)", tuple(orgs)
        ),
        Target(
            "every accounts API page",
            f"{api}&offset=… (200, at random)",
            tuple(f"{api}&offset={n * 50}" for n in range(200)),
        ),
    ]
    db = path.stem
    return [
        Server(
            "bare FastAPI (calibration)",
            [*uvicorn, "--factory", "bench.serve:hello_app", "--no-access-log"],
            {},
            [Target("hello page", "/")],
        ),
        Server("govsocial, page cache off", portal, {**env, "GOVSOCIAL_PAGE_CACHE_SECONDS": "0"}, pages),
        Server(
            f"govsocial, page cache {CACHE_ON} s",
            portal,
            {**env, "GOVSOCIAL_PAGE_CACHE_SECONDS": str(CACHE_ON)},
            pages,
        ),
        Server(
            "datasette (reference)",
            [str(BIN / "datasette"), "serve", str(path), "-h", "127.0.0.1", "-p", "{port}"],
            {},
            [
                Target("accounts table page", f"/{db}/accounts"),
                Target("accounts JSON", f"/{db}/accounts.json?_size=50"),
            ],
            processes=1,
        ),
    ]


def table(results: list[Result]) -> Table:
    """The figures as a console table."""
    out = Table("server", "URL", "requests/s", "p50 ms", "p99 ms", "errors")
    for r in results:
        out.add_row(
            r.server,
            f"{r.target} {r.path}",
            f"{r.requests_per_s:,.0f}",
            f"{r.p50_ms:.1f}",
            f"{r.p99_ms:.1f}",
            str(r.errors + r.non_2xx),
        )
    return out


def markdown(results: list[Result], context: dict[str, str]) -> str:
    """The figures as the Markdown block that goes between the markers in docs/performance.md."""
    lines = [
        BEGIN,
        f"Run of {context['date']} on {context['machine']}; load average (1 min) {context['load']} before "
        f"the run, {context['load_after']} after it; store: {context['store']}.",
        "",
        f"    {context['command']}",
        "",
        f"| server | URL | answered in {context['duration']} s | requests/s | p50 | p99 | errors |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        latency = f"{_shown(r.p50_ms)} | {_shown(r.p99_ms)}" if r.requests else "— | —"
        lines.append(
            f"| {r.server} | {r.target} `{r.path}` | {r.requests:,} | {r.requests_per_s:,.0f} | {latency} | "
            f"{r.errors + r.non_2xx} |"
        )
    return "\n".join([*lines, END])


def _shown(ms: float) -> str:
    return f"{ms / 1000:.1f} s" if ms >= 1000 else f"{ms:.1f} ms"


def update_docs(block: str, docs: Path = DOCS) -> None:
    """Put ``block`` between the markers of the section (added at the end, with the section, if absent)."""
    text = docs.read_text(encoding="utf-8")
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + f"\n\n{SECTION}\n\n{block}\n"
    docs.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    """Build (or find) the store, run every server in turn and report."""
    parser = argparse.ArgumentParser(prog="python -m bench.serve", description=__doc__.splitlines()[0])
    serve_data.size_arguments(parser)
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per URL (10)")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up load per URL (2)")
    parser.add_argument("--connections", type=int, default=64, help="concurrent connections (64)")
    parser.add_argument("--no-docs", action="store_true", help="do not update docs/performance.md")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: run scripts/bench-deps.sh")
    load = f"{os.getloadavg()[0]:.1f}"
    path = serve_data.build(serve_data.size_of(args), force=args.rebuild)
    WRK_LOG.write_text("")
    counts = serve_data.counts(path)
    orgs, org_accounts = organisation_paths(path)
    console.print(f"store {path.name}: {counts}; organisation page {orgs[0]} ({org_accounts} accounts)")
    results = [r for server in servers(path, orgs) for r in measure(server, args)]
    console.print(table(results))
    context = {
        "date": f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        "machine": f"{os.cpu_count()} CPU cores, Python {platform.python_version()}, {platform.platform()}",
        "load": load,
        "load_after": f"{os.getloadavg()[0]:.1f}",
        "duration": str(args.duration),
        "store": ", ".join(f"{n:,} {name}" for name, n in counts.items())
        + f"; organisation page with {org_accounts} accounts",
        "command": ".venv/bin/python -m bench.serve " + " ".join(sys.argv[1:] if argv is None else argv),
    }
    RESULTS.write_text(json.dumps({**context, "results": [asdict(r) for r in results]}, indent=2))
    if not args.no_docs:
        update_docs(markdown(results, context))


if __name__ == "__main__":
    main()
