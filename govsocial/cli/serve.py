"""``govsocial serve``: the portal and the API, in one process or in several worker processes."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Annotated

import typer
import uvicorn

from govsocial.analyze.topics.segment import default_segmenter
from govsocial.cli.common import console, friendly_errors, missing_database, schema_problem, settings_of
from govsocial.errors import ConfigurationError
from govsocial.settings import CONFIG_ENV
from govsocial.store.db import make_engine
from govsocial.web.app import create_app

#: The application factory each worker process imports (see ``govsocial.web.asgi``).
ASGI_FACTORY = "govsocial.web.asgi:app"

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
    port: Annotated[int | None, typer.Option(help="Port (default from settings).")] = None,
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
    _check_schema(settings.database_url)
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
    uvicorn.run(
        create_app(settings, collect=collect), host=host, port=port, log_level="info", access_log=False
    )


def _check_schema(database_url: str) -> None:
    """Refuse to serve a database the migrations have not brought up to this code: every page
    would fail with a missing table or column. An SQLite file that is not there is said so before
    connecting, which would make it, empty."""
    if problem := missing_database(database_url):
        raise problem
    engine = make_engine(database_url)
    try:
        problem = schema_problem(engine)
    finally:
        engine.dispose()
    if problem is not None:
        raise problem


def _config_for_workers(ctx: typer.Context) -> None:
    """Hand ``govsocial --config FILE`` to the worker processes, which inherit the environment."""
    root = ctx.find_root()
    config: Path | None = (root.obj or {}).get("config")
    if config is not None:
        # Absolute, so that it names the same file whatever a worker's working directory.
        os.environ[CONFIG_ENV] = str(config.resolve())
