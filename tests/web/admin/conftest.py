"""Fixtures of the admin tests: a store with the bundled registry, an app on it with a clock the tests
move, users of each role, and helpers that sign in and read a page's CSRF token."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from govsocial.registry.load import load_registry
from govsocial.settings import Settings
from govsocial.store import users
from govsocial.store.db import make_engine, session_factory, transaction, upgrade
from govsocial.web.app import create_app
from tests.demo_store import copy_database

PASSWORD = "correct horse battery"
START = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Clock:
    """A clock the tests move by hand."""

    def __init__(self, now: dt.datetime = START) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id with the smallest parameters: the same code path, a hundred times faster.

    The store tests (test_store.py) check the real parameters and the rehash on sign-in.
    """
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(users, "hasher", lambda: cheap)
    monkeypatch.setattr(users, "_dummy_hash", lambda: cheap.hash("unknown user"))


@pytest.fixture(scope="session")
def registry_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite store with the bundled registry, built once and copied for each test."""
    path = tmp_path_factory.mktemp("admin-registry") / "govsocial.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    report = load_registry(
        engine, Settings.load(database_url=f"sqlite:///{path}").registry_dir, actor="tests"
    )
    assert not report.problems
    engine.dispose()
    return path


@pytest.fixture
def admin_settings(tmp_path: Path, registry_file: Path) -> Settings:
    """Settings on a copy of the registry store; cookies not Secure (the test client speaks http)."""
    path = tmp_path / "govsocial.db"
    copy_database(registry_file, path)
    return Settings.load(database_url=f"sqlite:///{path}", admin_secure_cookies=False, page_cache_seconds=0)


@pytest.fixture
def admin_engine(admin_settings: Settings) -> Iterator[Engine]:
    engine = make_engine(admin_settings.database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(admin_settings: Settings, admin_engine: Engine, clock: Clock) -> FastAPI:
    app = create_app(admin_settings, admin_engine)
    app.state.admin_clock = clock
    return app


@pytest.fixture
def web(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as client:
        yield client


@pytest.fixture
def people(admin_engine: Engine) -> dict[str, int]:
    """One user of each role, named after it, all with ``PASSWORD``."""
    with transaction(session_factory(admin_engine)) as session:
        return {role: users.create_user(session, role, role, PASSWORD, START).id for role in users.ROLES}


def token_for(engine: Engine, username: str, name: str = "test") -> str:
    """A new API token of ``username``."""
    with transaction(session_factory(engine)) as session:
        _row, token = users.create_token(session, users.get_user(session, username), name, START)
    return token


def csrf_in(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> httpx.Response:
    """GET the form, POST it with its token; returns the POST's response."""
    form = client.get("/admin/login")
    assert form.status_code == 200
    data = {"csrf_token": csrf_in(form.text), "username": username, "password": password}
    return client.post("/admin/login", data=data)


def page_token(client: TestClient, path: str = "/admin/") -> str:
    """The signed-in session's CSRF token, as a page shows it."""
    page = client.get(path)
    assert page.status_code == 200, page.text
    return csrf_in(page.text)
