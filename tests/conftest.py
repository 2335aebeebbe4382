"""Shared fixtures: settings, migrated databases (SQLite, and PostgreSQL when the test command
started one), the bundled registry loaded into them, and an in-process client for the web app.

The same builder (``govsocial.registry.load.load_registry``) loads the demo database.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

from govsocial.registry.load import load_registry
from govsocial.settings import PROJECT_ROOT, Settings
from govsocial.store.db import make_engine, session_factory, upgrade
from govsocial.web.admin import refresh as admin_refresh
from govsocial.web.app import create_app

#: Set by the test command (scripts/test-postgres.sh) to a server it started on loopback.
PG_ENV = "GOVSOCIAL_TEST_POSTGRES_URL"
# Tests write to the store and read the page again at once: no page cache (tests/web/test_page_cache.py
# builds its own). Subprocesses that keep the environment inherit it.
os.environ.setdefault("GOVSOCIAL_PAGE_CACHE_SECONDS", "0")
# The recorded payloads are years old and the demo data ends on a fixed day: with the retention
# period on, a refresh would purge their texts as the calendar moves on. The retention tests
# (tests/analyze/test_retention.py) turn it on with their own clock.
os.environ.setdefault("GOVSOCIAL_COMMENT_RETENTION_DAYS", "0")
SHARED = PROJECT_ROOT.parent / "shared"


@pytest.fixture(autouse=True)
def no_background_refresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """An import from the admin area recomputes the metrics in a background thread
    (``web/admin/refresh.py``): a whole scorecard, still running after the test that imported.
    Here it is recorded as done at once; tests/web/admin/test_import_refresh.py gives the
    refresher the real one."""
    monkeypatch.setattr(
        admin_refresh, "pipeline_refresh", lambda _engine, _settings, code: f"{code}: not in tests"
    )


def pytest_report_header() -> str:
    url = os.environ.get(PG_ENV)
    return (
        f"PostgreSQL: {url}" if url else "PostgreSQL: NOT AVAILABLE (postgres tests will fail; run make test)"
    )


def postgres_database(options: str = "") -> Iterator[str]:
    """A fresh, empty database on the test server (``options``: what ``CREATE DATABASE`` adds, such
    as its collation); dropped afterwards."""
    base = os.environ.get(PG_ENV)
    if not base:
        if os.environ.get("GOVSOCIAL_ALLOW_NO_POSTGRES") == "1":
            pytest.skip(f"{PG_ENV} is not set and GOVSOCIAL_ALLOW_NO_POSTGRES=1")
        pytest.fail(f"{PG_ENV} is not set: run the suite with `make test`, which starts PostgreSQL")
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" {options}'.strip()))
    try:
        yield base.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database on each supported backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'govsocial.db'}"
    else:
        yield from postgres_database()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """An empty SQLite database, for tests that need only one backend."""
    return f"sqlite:///{tmp_path / 'govsocial.db'}"


def _engine(url: str) -> Iterator[Engine]:
    engine = make_engine(url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """A migrated, empty store on each backend."""
    yield from _engine(database_url)


@pytest.fixture
def sqlite_engine(sqlite_url: str) -> Iterator[Engine]:
    """A migrated, empty SQLite store."""
    yield from _engine(sqlite_url)


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on the migrated store of each backend."""
    with session_factory(engine)() as session:
        yield session


@pytest.fixture
def settings(sqlite_url: str) -> Settings:
    """Settings pointing at a temporary SQLite store and the bundled registry."""
    return Settings.load(database_url=sqlite_url)


@pytest.fixture(scope="session")
def registry_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite store with the bundled registry loaded, built once per test session (read-only use)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('registry') / 'govsocial.db'}"
    engine = make_engine(url)
    upgrade(engine)
    report = load_registry(engine, Settings.load(database_url=url).registry_dir, actor="tests")
    assert not report.problems, report.problems
    engine.dispose()
    return url


@pytest.fixture
def client(registry_db: str) -> Iterator[TestClient]:
    """An in-process client of the web app over the loaded registry."""
    app = create_app(Settings.load(database_url=registry_db))
    with TestClient(app) as test_client:
        yield test_client
