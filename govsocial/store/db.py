"""Engines, sessions and schema migrations.

SQLite is the embedded default and runs in WAL mode with foreign keys on, so the portal can read
while a collector writes. PostgreSQL is used through psycopg 3. The schema is only ever created by
Alembic migrations (``upgrade``), on both.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker

from govsocial.errors import ConfigurationError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def make_engine(database_url: str, **kwargs: Any) -> Engine:
    """Create an engine for ``database_url``; for SQLite, create the folder and set pragmas."""
    try:
        url = make_url(database_url)
        if url.get_backend_name() != "sqlite":
            return create_engine(url, pool_pre_ping=True, **kwargs)
    except (ArgumentError, NoSuchModuleError) as exc:  # SQLAlchemy's own messages are terse
        raise ConfigurationError(
            f"database URL {database_url!r} is not usable: expected sqlite:///PATH or "
            "postgresql+psycopg://USER@HOST:PORT/NAME"
        ) from exc
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, **kwargs)
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


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


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to ``revision`` (the newest by default)."""
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Take the schema back to ``revision`` (``base`` removes every table)."""
    command.downgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision(engine: Engine) -> str | None:
    """The newest revision of the migrations this code ships."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
