"""``govsocial serve``: the portal and the API, in one process or in several worker processes.

SIGHUP restarts the server with the code and settings now installed, after a graceful stop. With
several workers, uvicorn's supervisor replaces the workers one at a time. In one process (the only
way to run ``--collect``), the server stops as on SIGTERM: it stops listening, answers the requests
in progress, lets the scheduler finish its collection round and closes the application, then the
process starts itself again (``exec``, same pid).
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer
import uvicorn
from fastapi import FastAPI
from sqlalchemy import Engine, select
from uvicorn.config import STARTUP_FAILURE

from govsocial.analyze.topics.segment import default_segmenter
from govsocial.cli.common import (
    console,
    friendly_errors,
    missing_database,
    schema_problem,
    settings_of,
    unreachable,
)
from govsocial.errors import ConfigurationError
from govsocial.settings import CONFIG_ENV
from govsocial.store import tables as t
from govsocial.store.db import make_engine
from govsocial.web.app import create_app

#: The application factory each worker process imports (see ``govsocial.web.asgi``).
ASGI_FACTORY = "govsocial.web.asgi:app"
#: Logged (to uvicorn's log) when a one-process server has stopped on SIGHUP and starts again.
RESTARTING = "Restarting on SIGHUP with the code and settings now installed"
#: uvicorn's logger, so that the line reads like the server's own around it.
log = logging.getLogger("uvicorn.error")

COLLECT_NEEDS_ONE_PROCESS = (
    "--collect cannot be combined with --workers above 1: the collection scheduler must run in exactly "
    "one process (each worker would collect every account again). Serve with --workers alone and run "
    "one `govsocial serve --collect` on another port, or schedule `govsocial collect --all` "
    "(see docs/deploying.md)"
)


@friendly_errors
def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="Address to listen on (default from settings).")] = None,
    port: Annotated[
        int | None, typer.Option(min=1, max=65535, help="Port, 1 to 65535 (default from settings).")
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Worker processes. More than one: each worker reads its settings from the environment "
            "and the --config file itself.",
        ),
    ] = 1,
    collect: Annotated[
        bool,
        typer.Option(
            help="Also run the collection scheduler (per-account intervals) while serving; one worker only."
        ),
    ] = False,
) -> None:
    """Serve the portal and the API until Ctrl-C."""
    # Read (and so check) the settings here, before any worker starts, so that a bad setting is one
    # clear error instead of one traceback per worker.
    settings = settings_of(ctx)
    if collect and workers > 1:
        raise ConfigurationError(COLLECT_NEEDS_ONE_PROCESS)
    _check_store(settings.database_url, settings.jurisdiction)
    host = host or settings.host
    port = port or settings.port
    processes = f" with {workers} worker processes" if workers > 1 else ""
    console.print(f"govsocial portal at [bold]http://{host}:{port}[/bold]{processes} (Ctrl-C stops it)")
    if collect:
        console.print("collection scheduler on: accounts are collected when their interval has passed")
    if workers > 1:
        _config_for_workers(ctx)
        uvicorn.run(
            ASGI_FACTORY,
            factory=True,
            workers=workers,
            host=host,
            port=port,
            log_level="info",
            access_log=False,
        )
        return
    # The segmenter's dictionary takes about a second to load: load it while the server starts, so
    # that the first page with a topics section does not wait for it.
    threading.Thread(target=default_segmenter, name="warm-segmenter", daemon=True).start()
    if _serve_one(create_app(settings, collect=collect), host, port):
        _restart()


def _serve_one(app: FastAPI, host: str, port: int) -> bool:
    """Serve ``app`` in this process until SIGINT, SIGTERM or SIGHUP; whether it was SIGHUP.

    uvicorn stops gracefully on SIGINT and SIGTERM (and then raises the signal again, so the
    process ends by it, as a process manager expects) but leaves SIGHUP alone, whose default kills
    the process at once: a collection round of ``--collect`` cut off, the lifespan never closed.
    SIGHUP here asks the server for the same graceful stop, and the caller then starts again. The
    server is built here, as ``uvicorn.run`` builds it, so that the handler can reach it."""
    config = uvicorn.Config(app, host=host, port=port, log_level="info", access_log=False)
    server = uvicorn.Server(config)
    hangups: list[int] = []

    def hang_up(signum: int, _frame: FrameType | None) -> None:
        # Only flags, as uvicorn's own handler (its main loop sees ``should_exit`` within 0.1 s); no
        # logging here: a handler that writes can interrupt a write to the same stream.
        hangups.append(signum)
        server.should_exit = True

    main = threading.current_thread() is threading.main_thread()  # signals go to the main thread only
    previous = signal.signal(signal.SIGHUP, hang_up) if main else None
    try:
        server.run()
    except KeyboardInterrupt:  # as uvicorn.run: a second Ctrl+C during the graceful stop
        pass
    finally:
        if main:
            signal.signal(signal.SIGHUP, previous)
    if not server.started and not hangups:
        sys.exit(STARTUP_FAILURE)  # as uvicorn.run: the server could not start (port taken...)
    return bool(hangups)


def _restart() -> None:
    """Start this command again in this process, with the same arguments and environment.

    ``exec`` rather than a loop: the upgraded code and the settings file are read afresh, as a new
    worker reads them, and the pid stays the one systemd watches."""
    log.info(RESTARTING)
    for handler in logging.getLogger("uvicorn.error").handlers:
        handler.flush()
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [sys.executable, *sys.orig_argv[1:]])  # noqa: S606 (this command, again)


def _check_store(database_url: str, jurisdiction: str) -> None:
    """Refuse to serve a database the migrations have not brought up to this code (every page
    would fail with a missing table or column), or one that does not hold the configured
    jurisdiction (every page would be an empty portal of it, named by its code). An SQLite file that
    is not there is said so before connecting, which would make it, empty."""
    if problem := missing_database(database_url):
        raise problem
    engine = make_engine(database_url)
    try:
        problem = unreachable(engine) or schema_problem(engine) or _jurisdiction_problem(engine, jurisdiction)
    finally:
        engine.dispose()
    if problem is not None:
        raise problem


def _jurisdiction_problem(engine: Engine, code: str) -> ConfigurationError | None:
    """The error for a configured jurisdiction the store does not hold (a typo, or a registry not
    loaded yet); None when it holds it."""
    # As `metrics refresh` and the other commands check a jurisdiction (govsocial.cli.known).
    with engine.connect() as connection:
        held = list(connection.scalars(select(t.Jurisdiction.code).order_by(t.Jurisdiction.code)))
    if code in held:
        return None
    holds = f"it holds {', '.join(held)}" if held else "it holds none"
    return ConfigurationError(
        f"the configured jurisdiction {code!r} is not in the store ({holds}): run "
        "`govsocial registry load` to load its registry, or set the jurisdiction setting "
        "(GOVSOCIAL_JURISDICTION) to one it holds"
    )


def _config_for_workers(ctx: typer.Context) -> None:
    """Hand ``govsocial --config FILE`` to the worker processes, which inherit the environment."""
    root = ctx.find_root()
    config: Path | None = (root.obj or {}).get("config")
    if config is not None:
        # Absolute, so that it names the same file whatever a worker's working directory.
        os.environ[CONFIG_ENV] = str(config.resolve())
