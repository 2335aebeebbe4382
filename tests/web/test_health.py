"""``GET /healthz``: 200 while the database answers, 503 as soon as it does not, never from a cache."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.pool import NullPool

from govsocial.settings import Settings
from govsocial.store.db import make_engine, upgrade
from govsocial.web.app import create_app


@pytest.fixture
def portal(sqlite_engine: Engine, sqlite_url: str) -> Iterator[TestClient]:
    """The portal with its page cache on (as deployed), over a migrated store."""
    settings = Settings.load(database_url=sqlite_url, page_cache_seconds=60)
    with TestClient(create_app(settings)) as client:
        yield client


def test_the_probe_answers_ok_and_is_never_kept(portal: TestClient) -> None:
    for method in ("GET", "HEAD", "GET"):
        answer = portal.request(method, "/healthz")
        assert answer.status_code == 200
        assert answer.headers["cache-control"] == "no-store"
        assert "etag" not in answer.headers and answer.headers.get("x-page-cache") != "HIT"
    assert portal.get("/healthz").json() == {"status": "ok", "database": "ok"}


def test_the_probe_says_503_at_once_when_the_database_is_gone(tmp_path: Path) -> None:
    """A cached answer still says 200 after the database went away; the probe does not."""
    path = tmp_path / "govsocial.db"
    url = f"sqlite:///{path}"
    engine = make_engine(url, poolclass=NullPool)  # a connection per request: nothing kept open
    upgrade(engine)
    settings = Settings.load(database_url=url, page_cache_seconds=60)
    with TestClient(create_app(settings, engine=engine)) as portal:
        assert portal.get("/api/v1/platforms").status_code == 200  # now in the page cache
        for name in ("govsocial.db", "govsocial.db-wal", "govsocial.db-shm"):
            (tmp_path / name).unlink(missing_ok=True)
        path.mkdir()  # where the database was, a folder: SQLite cannot open it
        cached = portal.get("/api/v1/platforms")
        assert cached.status_code == 200 and cached.headers["x-page-cache"] == "HIT"
        answer = portal.get("/healthz")
    assert answer.status_code == 503 and answer.headers["cache-control"] == "no-store"
    assert answer.json() == {"status": "unavailable", "database": "OperationalError"}
    assert str(tmp_path) not in answer.text  # the driver's message is not published
