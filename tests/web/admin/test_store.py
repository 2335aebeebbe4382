"""The admin store (store/users.py, store/audit.py) on SQLite and PostgreSQL: argon2id hashes and
their rehash, tokens and sessions kept as hashes, failed sign-ins counted in a window, the audit log."""

from __future__ import annotations

import datetime as dt

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from govsocial.store import audit, users
from govsocial.store import tables as t
from tests.web.admin.conftest import PASSWORD, START

LATER = START + dt.timedelta(hours=1)


@pytest.fixture(autouse=True)
def cheap_hashes() -> None:
    """Overrides the package fixture: these tests use the real parameters."""


def test_passwords_are_argon2id_and_verified(session: Session) -> None:
    user = users.create_user(session, "ada", "editor", PASSWORD, START)
    session.commit()
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    assert users.authenticate(session, "ada", PASSWORD) == user
    assert users.authenticate(session, "ada", PASSWORD + "!") is None
    assert users.authenticate(session, "nobody", PASSWORD) is None
    users.disable_user(session, user, LATER)
    assert users.authenticate(session, "ada", PASSWORD) is None


@pytest.mark.parametrize(
    ("username", "role", "password"),
    [
        ("", "viewer", PASSWORD),
        ("a b", "viewer", PASSWORD),
        ("ada", "root", PASSWORD),
        ("ada", "viewer", "short"),
    ],
)
def test_bad_users_are_refused(session: Session, username: str, role: str, password: str) -> None:
    with pytest.raises(users.UserError):
        users.create_user(session, username, role, password, START)


def test_a_hash_with_old_parameters_is_replaced_at_sign_in(session: Session) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)
    session.add(t.User(username="old", role="viewer", password_hash=weak, created_at=START))
    session.flush()
    user = users.authenticate(session, "old", PASSWORD)
    assert user is not None and user.password_hash != weak
    assert user.password_hash.startswith("$argon2id$") and "m=65536" in user.password_hash
    assert not users.hasher().check_needs_rehash(user.password_hash)


def test_tokens_are_stored_as_hashes_and_can_be_revoked(session: Session) -> None:
    user = users.create_user(session, "bot", "editor", PASSWORD, START)
    row, token = users.create_token(session, user, "nightly import", START)
    session.commit()
    assert token.startswith(users.TOKEN_PREFIX) and len(token) > 40
    assert row.token_hash == users.digest(token) and token not in row.token_hash and row.prefix == token[:12]
    found = users.user_for_token(session, token, LATER)
    assert found is not None and found[0].username == "bot"
    session.commit()
    session.refresh(row)
    assert row.last_used_at is not None
    assert users.user_for_token(session, token + "x", LATER) is None
    users.revoke_token(session, row.id, LATER)
    assert users.user_for_token(session, token, LATER) is None


def test_sessions_expire_and_end(session: Session) -> None:
    user = users.create_user(session, "eve", "viewer", PASSWORD, START)
    cookie, row = users.start_session(session, user, START, minutes=30)
    session.commit()
    assert row.id == users.digest(cookie) and len(row.csrf_token) >= 32
    assert users.signed_in(session, cookie, START + dt.timedelta(minutes=29)) is not None
    assert users.signed_in(session, cookie, START + dt.timedelta(minutes=30)) is None
    users.end_session(session, cookie)
    assert users.signed_in(session, cookie, START) is None
    # A new sign-in sweeps expired sessions away.
    users.start_session(session, user, START + dt.timedelta(hours=2), minutes=30)
    assert session.scalars(select(t.AdminSession.id).where(t.AdminSession.id == row.id)).first() is None


def test_failures_are_counted_in_their_window(session: Session) -> None:
    for minute in (0, 5, 10):
        users.record_failure(session, "ada", "192.0.2.7", START + dt.timedelta(minutes=minute))
    users.record_failure(session, "bob", "192.0.2.7", START + dt.timedelta(minutes=10))
    session.flush()
    now = START + dt.timedelta(minutes=16)
    counted = users.recent_failures(session, "ada", "192.0.2.7", now - dt.timedelta(minutes=15))
    assert counted == users.Failures(by_username=2, by_client=3)
    stored = session.scalars(select(t.LoginFailure.username_hash)).all()
    assert len(stored) == 3 and "ada" not in stored  # the older one is gone, the rest are hashes
    users.clear_failures(session, "ada")
    assert users.recent_failures(session, "ada", "192.0.2.7", START) == users.Failures(0, 1)


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("203.0.113.77", "203.0.113.0/24"),
        ("2001:db8:1234:5678::1", "2001:db8:1234::/48"),
        ("testclient", None),
        (None, None),
    ],
)
def test_the_audit_log_keeps_networks_not_addresses(address: str | None, network: str | None) -> None:
    assert audit.network_of(address) == network


def test_audit_rows_name_their_user(session: Session, engine: Engine) -> None:
    user = users.create_user(session, "ada", "admin", PASSWORD, START)
    audit.record(
        session, user.id, "account.status", "account:1", {"before": {"status": "published"}}, "203.0.113.9"
    )
    audit.record(session, None, "login.failure", "user:(unknown)", {}, None)
    session.commit()
    rows = audit.recent(session)
    assert [(e.action, name, e.ip) for e, name in rows] == [
        ("login.failure", None, None),
        ("account.status", "ada", "203.0.113.0/24"),
    ]
    assert audit.recent(session, action="account.status")[0][0].details == {"before": {"status": "published"}}
