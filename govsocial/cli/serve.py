"""``govsocial serve``: the portal and the API."""

from __future__ import annotations

import threading
from typing import Annotated

import typer
import uvicorn

from govsocial.analyze.topics.segment import default_segmenter
from govsocial.cli.common import console, settings_of
from govsocial.web.app import create_app


def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="Address to listen on (default from settings).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default from settings).")] = None,
    collect: Annotated[
        bool, typer.Option(help="Also run the collection scheduler (per-account intervals) while serving.")
    ] = False,
) -> None:
    """Serve the portal and the API until Ctrl-C."""
    settings = settings_of(ctx)
    host = host or settings.host
    port = port or settings.port
    console.print(f"govsocial portal at [bold]http://{host}:{port}[/bold] (Ctrl-C stops it)")
    if collect:
        console.print("collection scheduler on: accounts are collected when their interval has passed")
    # The segmenter's dictionary takes about a second to load: load it while the server starts, so
    # that the first page with a topics section does not wait for it.
    threading.Thread(target=default_segmenter, name="warm-segmenter", daemon=True).start()
    uvicorn.run(
        create_app(settings, collect=collect), host=host, port=port, log_level="info", access_log=False
    )
