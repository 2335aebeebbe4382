"""What every command shares: settings from the context, the store, output in text or JSON."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any, NoReturn, ParamSpec, TypeVar

import typer
from rich.console import Console, ConsoleDimensions
from rich.markup import escape
from sqlalchemy import Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from govsocial.analyze.metrics.params import configured
from govsocial.errors import ConfigurationError, GovsocialError
from govsocial.settings import Settings
from govsocial.store.db import (
    current_revision,
    head_revision,
    make_engine,
    session_factory,
    sqlite_file_missing,
    transaction,
)

P = ParamSpec("P")
R = TypeVar("R")

#: How wide output that is not a terminal (a pipe, a file, cron's mail) is laid out, unless
#: ``COLUMNS`` says otherwise: Rich would take 80 columns and wrap or cut the names in tables.
PIPED_WIDTH = 10_000


class _Console(Console):
    """A Rich console as wide as the terminal, and when it writes to no terminal as wide as
    ``COLUMNS`` if set, else ``PIPED_WIDTH``: a table as wide as its content, a line unbroken.
    Decided at each print, so that the stream the command writes to then, and ``COLUMNS`` then, are
    the ones asked (Rich would fix the width to ``COLUMNS`` as it was when the console was made)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._width = kwargs.get("width")

    @property
    def size(self) -> ConsoleDimensions:
        size = Console.size.fget(self)  # type: ignore[attr-defined]
        columns = self._environ.get("COLUMNS", "")
        if self._width is None and not columns.isdigit() and not self.is_terminal:
            return ConsoleDimensions(PIPED_WIDTH, size.height)
        return size  # type: ignore[no-any-return]

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        Console.size.fset(self, new_size)  # type: ignore[attr-defined]


console = _Console()
errors = _Console(stderr=True)

JsonOption = typer.Option(False, "--json", help="Print one JSON object instead of text.")


def settings_of(ctx: typer.Context) -> Settings:
    """The settings chosen by the global options (built once per invocation). Settings that
    cannot be read end the command with their one-line error, whether or not it is wrapped in
    ``friendly_errors``."""
    root = ctx.find_root()
    root.obj = root.obj or {}
    if "settings" not in root.obj:
        config: Path | None = root.obj.get("config")
        try:
            loaded = Settings.load(config)
            # Its rules live with the metrics (settings.py imports nothing above it): checked here
            # all the same, so that a bad one ends any command at once, not a refresh halfway.
            configured(loaded)
            root.obj["settings"] = loaded
        except ConfigurationError as exc:
            fail(exc)
    settings: Settings = root.obj["settings"]
    return settings


def engine_of(ctx: typer.Context, create: bool = False) -> Engine:
    """One engine per invocation. An SQLite file that is not there is an error (``missing_database``)
    before anything connects, which would leave an empty file behind: only ``create`` (``db
    upgrade``) makes the database."""
    root = ctx.find_root()
    root.obj = root.obj or {}
    if "engine" not in root.obj:
        url = settings_of(ctx).database_url
        if not create and (problem := missing_database(url)):
            raise problem
        root.obj["engine"] = make_engine(url)
    engine: Engine = root.obj["engine"]
    return engine


@contextmanager
def write_session(ctx: typer.Context) -> Iterator[Session]:
    """A session that commits when the block succeeds."""
    with transaction(session_factory(engine_of(ctx))) as session:
        yield session


@contextmanager
def read_session(ctx: typer.Context) -> Iterator[Session]:
    """A session for reading: an error, before connecting, when the SQLite file is not there
    (connecting would leave an empty database file behind and only then find no tables)."""
    if problem := missing_database(settings_of(ctx).database_url):
        raise problem
    with session_factory(engine_of(ctx))() as session:
        yield session


class OutputError(GovsocialError):
    """A file or folder the command was told to write that cannot be written."""


def output_file(path: Path) -> Path:
    """``path``, once it is known that a file can be written there: checked before the work that
    fills it, so that a folder that is not there, a path that is a folder, or one the user may not
    write is one line (``OutputError``) and not a traceback after the work. Its folder is not made."""
    if path.is_dir():
        raise OutputError(f"cannot write {path}: it is a folder, not a file")
    parent = path.absolute().parent
    if not parent.exists():
        ancestor = _existing_ancestor(parent)
        if not ancestor.is_dir():
            raise OutputError(f"cannot write {path}: {ancestor} is a file, not a folder")
        raise OutputError(f"cannot write {path}: there is no folder {parent}")
    if not parent.is_dir():
        raise OutputError(f"cannot write {path}: {parent} is a file, not a folder")
    if not os.access(path if path.exists() else parent, os.W_OK):
        raise OutputError(f"cannot write {path}: permission denied")
    return path


def output_folder(path: Path) -> Path:
    """``path``, once it is known that a folder can be made or written there (its missing parents
    are made with it): a file in the way or a folder the user may not write is one line
    (``OutputError``), checked before the work."""
    if path.exists() and not path.is_dir():
        raise OutputError(f"cannot write to {path}: it is a file, not a folder")
    ancestor = _existing_ancestor(path.absolute())
    if not ancestor.is_dir():
        raise OutputError(f"cannot write to {path}: {ancestor} is a file, not a folder")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write to {path}: permission denied on {ancestor}")
    return path


@contextmanager
def writing(path: Path) -> Iterator[None]:
    """Around the writing of ``path`` (a file, or a folder and what is in it): an ``OSError`` about
    it (the disk full, a folder removed since ``output_file`` checked...) as one line
    (``OutputError``); an error about another file is left as it is."""
    try:
        yield
    except OSError as exc:
        named = None if exc.filename is None else Path(os.fsdecode(exc.filename))
        if named is not None and not _within(named, path):
            raise
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        raise OutputError(f"cannot write {named or path}: {reason}") from None


def _existing_ancestor(path: Path) -> Path:
    while not path.exists() and path.parent != path:
        path = path.parent
    return path


def _within(named: Path, path: Path) -> bool:
    named, path = named.absolute(), path.absolute()
    return named == path or path in named.parents


def print_json(data: Any) -> None:
    """Machine-readable output on stdout."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=1, default=str) + "\n")


def missing_database(url: str) -> ConfigurationError | None:
    """The error for a store that is an SQLite file not made yet; None for any other store."""
    if not sqlite_file_missing(url):
        return None
    return ConfigurationError(
        f"there is no database at {make_url(url).database}: run `govsocial db upgrade` (and "
        "`govsocial registry load`) to make one, or set GOVSOCIAL_DATABASE_URL to the one you meant"
    )


def unreachable(engine: Engine) -> ConfigurationError | None:
    """The error for a database that cannot be connected to now (a server down or refusing, a wrong
    host, user or password, a file that cannot be opened), as one line with the URL its password
    hidden; None when a connection opens. A command that met a database error asks this first: its
    traceback would be hundreds of lines saying only this."""
    try:
        with engine.connect():
            return None
    except DBAPIError as exc:
        said = "; ".join(line.strip() for line in str(exc.orig).splitlines() if line.strip())
        # The password hidden, also one given as a query parameter (libpq reads ``?password=``).
        where = engine.url.difference_update_query(["password"]).render_as_string(hide_password=True)
        return ConfigurationError(
            f"cannot connect to the database {where}: {said or type(exc.orig).__name__}"
        )


def schema_problem(engine: Engine) -> ConfigurationError | None:
    """What to tell the user when the database is not at the migration this code needs (empty, or
    behind after an upgrade of govsocial): every query of a missing table or column would fail.
    None when it is current. (The URL is not shown: it may hold a password.)"""
    at, head = current_revision(engine), head_revision(engine)
    if at == head:
        return None
    return ConfigurationError(
        f"the database is at migration {at or 'none (it is empty)'}, this version of govsocial needs "
        f"{head}: run `govsocial db upgrade` (and `govsocial registry load` for a new database) first"
    )


def friendly_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn a ``GovsocialError`` into a one-line message and exit status 2, not a traceback; so
    too a database error when the database cannot be reached (``unreachable``) or is behind the
    migrations (``schema_problem``)."""
    return _friendly(func, schema_hint=True)


def friendly_migration_errors(func: Callable[P, R]) -> Callable[P, R]:
    """``friendly_errors`` for the commands that migrate the database: a database error in a
    migration is shown as it is (telling the user to migrate would hide it)."""
    return _friendly(func, schema_hint=False)


def _friendly(func: Callable[P, R], schema_hint: bool) -> Callable[P, R]:
    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except GovsocialError as exc:
            fail(exc)
        except DBAPIError:
            engine = _engine_in((*args, *kwargs.values()))
            problem = unreachable(engine) if engine is not None else None
            if problem is None and schema_hint:
                problem = _schema_problem_of(engine)
            if problem is None:
                raise  # a database error of another kind: its traceback is what helps
            fail(problem)

    return wrapper


def fail(exc: Exception) -> NoReturn:
    """End the command with ``exc`` as one line on stderr and exit status 2 (docs/cli.md)."""
    errors.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, markup=True, soft_wrap=True)
    raise typer.Exit(2) from None


def _engine_in(arguments: tuple[object, ...]) -> Engine | None:
    """The engine the command opened (``engine_of``), found through its context among its
    arguments (Typer hands a command its click context, whose root holds the invocation's)."""
    for argument in arguments:
        find_root = getattr(argument, "find_root", None)
        if find_root is not None:
            engine = (find_root().obj or {}).get("engine")
            return engine if isinstance(engine, Engine) else None
    return None


def _schema_problem_of(engine: Engine | None) -> ConfigurationError | None:
    """``schema_problem`` of ``engine``'s database, if there is an engine and it can say."""
    if engine is None:
        return None
    try:
        return schema_problem(engine)
    except DBAPIError:  # the database cannot even say its migration: keep the original error
        return None
