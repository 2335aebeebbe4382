"""What every command shares: settings from the context, the store, output in text or JSON."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from govsocial.errors import GovsocialError
from govsocial.settings import Settings
from govsocial.store.db import make_engine, session_factory, transaction

P = ParamSpec("P")
R = TypeVar("R")

console = Console()
errors = Console(stderr=True)

JsonOption = typer.Option(False, "--json", help="Print one JSON object instead of text.")


def settings_of(ctx: typer.Context) -> Settings:
    """The settings chosen by the global options (built once per invocation)."""
    root = ctx.find_root()
    root.obj = root.obj or {}
    if "settings" not in root.obj:
        config: Path | None = root.obj.get("config")
        root.obj["settings"] = Settings.load(config)
    settings: Settings = root.obj["settings"]
    return settings


def engine_of(ctx: typer.Context) -> Engine:
    """One engine per invocation."""
    root = ctx.find_root()
    root.obj = root.obj or {}
    if "engine" not in root.obj:
        root.obj["engine"] = make_engine(settings_of(ctx).database_url)
    engine: Engine = root.obj["engine"]
    return engine


@contextmanager
def write_session(ctx: typer.Context) -> Iterator[Session]:
    """A session that commits when the block succeeds."""
    with transaction(session_factory(engine_of(ctx))) as session:
        yield session


@contextmanager
def read_session(ctx: typer.Context) -> Iterator[Session]:
    """A session for reading."""
    with session_factory(engine_of(ctx))() as session:
        yield session


def print_json(data: Any) -> None:
    """Machine-readable output on stdout."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=1, default=str) + "\n")


def friendly_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn a ``GovsocialError`` into a one-line message and exit status 2, not a traceback."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except GovsocialError as exc:
            errors.print(f"[red]error:[/red] {exc}", highlight=False, markup=True)
            raise typer.Exit(2) from None

    return wrapper
