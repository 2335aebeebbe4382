"""Engines, sessions and schema migrations.

SQLite is the embedded default and runs in WAL mode with foreign keys on, so the portal can read
while a collector writes. PostgreSQL is used through psycopg 3. The schema is only ever created by
Alembic migrations (``upgrade``), on both.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker

from govsocial.errors import ConfigurationError, GovsocialError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


#: The databases govsocial runs on, as their URLs are written (the error for any other names them).
SUPPORTED_URLS = "sqlite:///PATH or postgresql+psycopg://USER@HOST:PORT/NAME"
SUPPORTED_BACKENDS = ("sqlite", "postgresql")


def make_engine(database_url: str, **kwargs: Any) -> Engine:
    """Create an engine for ``database_url``; for SQLite, create the folder and set pragmas.

    A URL of another database (``mysql://``...), or of a driver that is not installed, is a
    ``ConfigurationError`` naming the supported ones, not SQLAlchemy's import error.

    The engine hides statements' parameters from its errors and logs (``hide_parameters``): they
    are comments' text, pseudonyms and tokens, and a database error's message reaches run records,
    the admin pages, stderr and logs (the statement, which names the table and columns, stays)."""
    kwargs = {"hide_parameters": True, **kwargs}
    try:
        url = make_url(database_url)
        backend = url.get_backend_name()
        if backend not in SUPPORTED_BACKENDS:
            raise ConfigurationError(
                f"database URL {shown_url(database_url)!r}: {backend} is not supported; govsocial "
                f"runs on {' and '.join(SUPPORTED_BACKENDS)} ({SUPPORTED_URLS})"
            )
        if backend != "sqlite":
            return create_engine(url, pool_pre_ping=True, **_postgres_args(url, kwargs))
    except (ArgumentError, NoSuchModuleError) as exc:  # SQLAlchemy's own messages are terse
        raise ConfigurationError(
            f"database URL {shown_url(database_url)!r} is not usable: expected sqlite:///PATH or "
            "postgresql+psycopg://USER@HOST:PORT/NAME"
        ) from exc
    except ImportError as exc:  # a driver SQLAlchemy knows but that is not installed (psycopg2)
        raise ConfigurationError(
            f"database URL {shown_url(database_url)!r}: its driver {url.get_driver_name()} is not "
            f"installed (no module {exc.name}); use {SUPPORTED_URLS}"
        ) from exc
    if url.database and url.database != ":memory:":
        folder = Path(url.database).parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:  # a file in the way, a folder the user may not write
            reason = os.strerror(exc.errno) if exc.errno else str(exc)
            if isinstance(exc, FileExistsError | NotADirectoryError):
                reason = f"{_file_in_the_way(folder)} is a file, not a folder"
            raise ConfigurationError(
                f"cannot open the database {shown_url(database_url)}: cannot make its folder {folder}: "
                f"{reason}"
            ) from exc
    engine = create_engine(url, **kwargs)
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "connect", _sqlite_functions)
    return engine


def _file_in_the_way(folder: Path) -> Path:
    """The first of ``folder`` and its parents that is there (a file, where ``mkdir`` failed)."""
    while not folder.exists() and folder.parent != folder:
        folder = folder.parent
    return folder


def shown_url(database_url: str) -> str:
    """``database_url`` fit for a message: its password, if any, replaced by ``***``."""
    try:
        return make_url(database_url).render_as_string(hide_password=True)
    except ArgumentError:  # not a URL SQLAlchemy reads: hide what sits between "user:" and "@"
        return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", database_url)


def _postgres_args(url: URL, kwargs: dict[str, Any]) -> dict[str, Any]:
    """``kwargs`` with PostgreSQL sessions pinned to UTC: times then come back in UTC, as SQLite's
    (taken as UTC) do, whatever the server's ``TimeZone``, so both stores print the same times."""
    if url.get_backend_name() != "postgresql" or url.get_driver_name() != "psycopg":
        return kwargs
    connect_args = dict(kwargs.get("connect_args") or {})
    options = str(connect_args.get("options", ""))
    if "timezone" not in options.lower():
        connect_args["options"] = f"{options} -c timezone=UTC".strip()
    return {**kwargs, "connect_args": connect_args}


def sqlite_file_missing(database_url: str) -> bool:
    """Whether ``database_url`` names an SQLite file that does not exist (yet): opening it would
    create it, empty. False for other databases and for URLs that cannot be read."""
    try:
        url = make_url(database_url)
    except ArgumentError:
        return False
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return False
    return not Path(url.database).exists()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers and one writer work at once; busy_timeout makes a writer wait for the
    # lock instead of failing with "database is locked"; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    # A checkpoint every 10,000 WAL pages (about 40 MB) instead of 1,000: a collection's commits
    # stop paying for frequent checkpoints (ingest 1.05x, bench/ingest.py); readers are not slowed.
    cursor.execute("PRAGMA wal_autocheckpoint=10000")
    cursor.close()


#: SQLite's own ``lower()`` changes ASCII letters only; this one changes every letter, as
#: PostgreSQL's does (``store.queries.unicode_lower``).
UNICODE_LOWER = "govsocial_lower"


def _sqlite_functions(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.create_function(UNICODE_LOWER, 1, _unicode_lower, deterministic=True)


def _unicode_lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory whose objects stay readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    with factory() as session, session.begin():
        yield session


def alembic_config(engine: Engine) -> Config:
    """An Alembic configuration that migrates ``engine``'s database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


class MigrationError(GovsocialError):
    """A migration that cannot be run as asked: an unknown revision, a target on the wrong side."""


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to ``revision`` (the newest by default)."""
    with _revision_errors(engine):
        command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Take the schema back to ``revision`` (``base`` removes every table)."""
    with _revision_errors(engine):
        command.downgrade(alembic_config(engine), revision)


@contextmanager
def _revision_errors(engine: Engine) -> Iterator[None]:
    """Alembic's ``CommandError`` (``Can't locate revision identified by 'x'``, ``Destination 0013
    is not a valid downgrade target``...) as a ``MigrationError`` naming the revisions there are.
    Only Alembic's refusals: a database error inside a migration stays as it is."""
    try:
        yield
    except CommandError as exc:
        raise MigrationError(f"{exc}; the revisions are {_revisions(engine)}, head and base") from None


def _revisions(engine: Engine) -> str:
    from alembic.script import ScriptDirectory

    names = [s.revision for s in ScriptDirectory.from_config(alembic_config(engine)).walk_revisions()]
    return f"{names[-1]} to {names[0]}" if names else "none"


@contextmanager
def sqlite_migration(connection: Connection) -> Iterator[None]:
    """On SQLite, migrate in one transaction with foreign keys off, as Alembic's batch mode needs.

    A batch migration copies a table and drops the old one. With foreign keys on, SQLite first
    deletes the old table's rows: that fails when other tables' rows point at them (``db
    downgrade base`` on a database with data stopped at 0003 with "FOREIGN KEY constraint
    failed"), or deletes those rows too where a key cascades. Off, the copy takes the old
    table's place and the references hold again; ``check_foreign_keys`` makes sure of it before
    the commit. The driver would begin a transaction only at the first statement that writes
    rows, leaving the DDL before it committed on its own: one explicit transaction holds every
    statement instead, so a migration that fails leaves the database as it was. Other databases
    are untouched (PostgreSQL's DDL is transactional, and Alembic runs it in a transaction).
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    driver = connection.connection.driver_connection
    assert isinstance(driver, sqlite3.Connection)
    legacy = driver.isolation_level
    # The pragma does nothing inside a transaction: set it before the one below begins.
    connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    driver.isolation_level = None  # no implicit BEGIN: the explicit one holds every statement
    connection.exec_driver_sql("BEGIN")
    try:
        yield
    finally:
        connection.rollback()  # nothing is left after the commit; after a failure, undo it all
        driver.isolation_level = legacy
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")  # the pooled connection is used again
        connection.commit()


def check_foreign_keys(connection: Connection) -> None:
    """On SQLite, refuse a migration that left rows pointing at rows that are not there (with
    foreign keys off nothing else would notice); call it before committing."""
    if connection.dialect.name != "sqlite":
        return
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        pairs = sorted({f"{row[0]} -> {row[2]}" for row in broken})
        raise MigrationError(
            f"the migration would leave {len(broken)} row(s) referring to rows that are not there "
            f"({', '.join(pairs[:5])}); nothing was committed"
        )


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision(engine: Engine) -> str | None:
    """The newest revision of the migrations this code ships."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


#: Collations that sort text by code point, as SQLite does (libc's C locale, and PostgreSQL 17's
#: built-in provider in its C and C.UTF-8 locales).
CODE_POINT_COLLATIONS = frozenset({"c", "posix", "c.utf-8", "c.utf8"})


def collation_warning(engine: Engine) -> str | None:
    """On PostgreSQL, a warning when the database sorts text by a language's rules rather than by
    code point, as SQLite does; None otherwise.

    The store's lists ordered by name or handle then come out in another order than on SQLite (the
    same rows): ``en_US.UTF-8`` puts "Labour and Welfare Bureau" before "Labour Department". A
    database keeps the collation it was created with, so this can only be said, not changed here
    (docs/deploying.md says how to create the database)."""
    if engine.dialect.name != "postgresql":
        return None
    # The row as JSON: its columns differ between versions (datlocprovider from 15, datlocale 17).
    query = "SELECT to_jsonb(d) FROM pg_database d WHERE datname = current_database()"
    with engine.connect() as connection:
        row: dict[str, Any] = connection.exec_driver_sql(query).scalar_one()
    provider = {"i": "ICU", "b": "builtin"}.get(str(row.get("datlocprovider") or "c"), "libc")
    locale = (row.get("daticulocale") or row.get("datlocale")) if provider != "libc" else None
    collation = str(locale or row.get("datcollate") or "")
    if provider != "ICU" and collation.lower() in CODE_POINT_COLLATIONS:
        return None
    return (
        f"the database sorts text by the {provider} collation {collation!r}, not by code point as "
        "SQLite does: lists ordered by name come out in another order (the same rows). Create the "
        "database with --locale-provider=libc --locale=C.UTF-8 --template=template0 (PostgreSQL 15 "
        "and later; before 15, without --locale-provider) to sort as SQLite: see docs/deploying.md."
    )
