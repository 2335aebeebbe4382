"""Sign-in lock-outs in the audit log: one ``login.locked`` row when a lock-out starts, however many
attempts it refuses, a new one for a lock-out after the window, and nothing of an unknown username."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from govsocial.settings import Settings
from govsocial.store import audit
from govsocial.store import tables as t
from govsocial.store.db import session_factory, transaction
from tests.web.admin.conftest import START, Clock, sign_in

ADDRESS = "203.0.113.7"
WRONG = "wrong password!"


def _locks(engine: Engine) -> list[t.AuditEntry]:
    with session_factory(engine)() as session:
        query = select(t.AuditEntry).where(t.AuditEntry.action == "login.locked").order_by(t.AuditEntry.id)
        return list(session.scalars(query).all())


@pytest.fixture
def office(app: FastAPI) -> Iterator[TestClient]:
    """A browser at a real address, so the log has a network to keep."""
    with TestClient(app, follow_redirects=False, client=(ADDRESS, 50000)) as client:
        yield client


def _lock(client: TestClient, settings: Settings, username: str) -> None:
    for _ in range(settings.admin_login_max_failures):
        assert sign_in(client, username, WRONG).status_code == 401


def test_a_lock_out_is_logged_once_however_many_attempts_it_refuses(
    office: TestClient, admin_engine: Engine, admin_settings: Settings, people: dict[str, int]
) -> None:
    _lock(office, admin_settings, "admin")
    assert _locks(admin_engine) == []  # failures are logged as failures, not yet as a lock-out
    for password in [WRONG] * 30 + ["correct horse battery"]:
        assert sign_in(office, "admin", password).status_code == 429
    [row] = _locks(admin_engine)
    assert row.target == "user:admin" and row.user_id == people["admin"] and row.ip == "203.0.113.0/24"
    window = dt.timedelta(minutes=admin_settings.admin_login_window_minutes)
    limit = admin_settings.admin_login_max_failures
    assert row.details == {
        "by": "username",
        "failures": limit,
        "limit": limit,
        "until": (START + window).isoformat(),
    }
    assert WRONG not in str(row.details) and "correct horse" not in str(row.details)


def test_a_new_lock_out_after_the_window_is_logged_again(
    office: TestClient, clock: Clock, admin_engine: Engine, admin_settings: Settings, people: dict[str, int]
) -> None:
    _lock(office, admin_settings, "editor")
    for _ in range(3):
        assert sign_in(office, "editor", WRONG).status_code == 429
    assert len(_locks(admin_engine)) == 1
    clock.advance(minutes=admin_settings.admin_login_window_minutes, seconds=1)
    _lock(office, admin_settings, "editor")
    for _ in range(3):
        assert sign_in(office, "editor", WRONG).status_code == 429
    first, second = _locks(admin_engine)
    assert first.target == second.target == "user:editor" and second.at > first.at


def test_an_unknown_username_is_logged_in_no_form(
    office: TestClient, admin_engine: Engine, admin_settings: Settings, people: dict[str, int]
) -> None:
    typed = "Tr0ub4dor&3-my-real-password"  # a password typed into the username field
    _lock(office, admin_settings, typed)
    for _ in range(5):
        assert sign_in(office, typed, WRONG).status_code == 429
    [row] = _locks(admin_engine)
    assert row.target == "user:(unknown)" and row.user_id is None
    with session_factory(admin_engine)() as session:
        log = str([(e.target, e.details) for e in session.scalars(select(t.AuditEntry)).all()])
    digest = hashlib.sha256(typed.encode()).hexdigest()
    assert typed not in log and typed.lower() not in log and digest[:8] not in log


def test_an_address_lock_out_is_logged_once_by_its_network(
    office: TestClient, admin_engine: Engine, admin_settings: Settings, people: dict[str, int]
) -> None:
    limit = admin_settings.admin_login_max_failures
    for i in range(limit * 4):
        assert sign_in(office, f"guess{i % (limit - 1)}", WRONG).status_code == 401
    for username in ("viewer", "editor", "someone-else", "viewer"):
        assert sign_in(office, username, WRONG).status_code == 429
    [row] = _locks(admin_engine)
    assert row.target == "network:203.0.113.0/24" and row.user_id is None
    assert row.details["by"] == "address" and row.details["limit"] == limit * 4
    assert ADDRESS not in str(row.details) and row.ip == "203.0.113.0/24"


def test_a_username_and_an_address_locked_together_are_one_row_each(
    office: TestClient, admin_engine: Engine, admin_settings: Settings, people: dict[str, int]
) -> None:
    # Three guessed names and then "viewer" reach their limit as the address reaches its own.
    for username in ("guess0", "guess1", "guess2", "viewer"):
        _lock(office, admin_settings, username)
    for _ in range(3):
        assert sign_in(office, "viewer", WRONG).status_code == 429
    assert sorted(r.target for r in _locks(admin_engine)) == ["network:203.0.113.0/24", "user:viewer"]
    assert sign_in(office, "guess0", WRONG).status_code == 429  # an unknown name's first lock-out row
    assert sorted(r.target for r in _locks(admin_engine)) == [
        "network:203.0.113.0/24",
        "user:(unknown)",
        "user:viewer",
    ]


# --- The store: record_once, on both backends and under concurrency ------------------------------


def test_record_once_writes_one_row_per_target_and_window(engine: Engine) -> None:
    window = dt.timedelta(minutes=15)
    sessions = session_factory(engine)

    def once(target: str, now: dt.datetime) -> bool:
        with transaction(sessions) as session:
            return (
                audit.record_once(session, now - window, None, "login.locked", target, {}, None, now)
                is not None
            )

    assert once("user:a", START) and not once("user:a", START + dt.timedelta(minutes=5))
    assert once("user:b", START + dt.timedelta(minutes=5))
    assert not once("user:a", START + window) and once("user:a", START + window + dt.timedelta(seconds=1))


def test_record_once_under_concurrent_requests(engine: Engine) -> None:
    sessions = session_factory(engine)
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def attempt() -> None:
        try:
            barrier.wait()
            with transaction(sessions) as session:
                audit.record_once(session, START, None, "login.locked", "user:(unknown)", {}, None, START)
        except BaseException as exc:  # reported by the assertion below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(_locks(engine)) == 1
