"""A token made on the users page: post/redirect/get, shown once, to the session that made it only.

The POST creates the token and answers 303 with no token in it; the GET it redirects to gives the
token its value and shows it, once, with ``no-store``; a second GET, another session, a late GET
or a revoked token show nothing. The value is kept nowhere: not in the store, a URL or a cookie.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from govsocial.settings import Settings
from govsocial.store import tables as t
from govsocial.store import users
from govsocial.store.db import session_factory, transaction
from tests.web.admin.conftest import PASSWORD, START, Clock, page_token, sign_in

SECRET = re.compile(r"gsa_[A-Za-z0-9_-]{20,}")


def _tokens(engine: Engine) -> list[t.ApiToken]:
    with session_factory(engine)() as session:
        return list(session.scalars(select(t.ApiToken).order_by(t.ApiToken.id)).all())


def _listed(engine: Engine) -> list[t.ApiToken]:
    """The tokens the lists show (``users.list_tokens``), oldest first."""
    with session_factory(engine)() as session:
        return sorted(users.list_tokens(session), key=lambda k: k.id)


def _actions(engine: Engine) -> list[str]:
    with session_factory(engine)() as session:
        return list(session.scalars(select(t.AuditEntry.action).order_by(t.AuditEntry.id)).all())


def _make(client: TestClient, user_id: int, name: str = "nightly import") -> httpx.Response:
    """POST the users page's new-token form, as the browser does."""
    token = page_token(client, "/admin/users")
    return client.post(f"/admin/users/{user_id}/tokens", data={"csrf_token": token, "name": name})


def _whoami(client: TestClient, token: str) -> int:
    return client.get("/admin/api/whoami", headers={"Authorization": f"Bearer {token}"}).status_code


@pytest.fixture
def other(app: FastAPI) -> Iterator[TestClient]:
    """A second browser."""
    with TestClient(app, follow_redirects=False) as client:
        yield client


def test_the_post_creates_one_token_and_redirects_without_it(
    web: TestClient, admin_engine: Engine, people: dict[str, int]
) -> None:
    sign_in(web, "admin")
    made = _make(web, people["editor"])
    assert made.status_code == 303
    [row] = _tokens(admin_engine)
    assert made.headers["location"] == f"/admin/tokens/{row.id}"
    assert made.headers["cache-control"] == "no-store"
    # Nothing in the answer holds a token: not its body, not a header (Location, Set-Cookie).
    assert not SECRET.search(made.text) and not SECRET.search(str(made.headers))
    # Until it is shown, the token has no value: no bearer matches its row.
    assert users.is_pending(row) and row.prefix == ""
    assert _actions(admin_engine)[-1] == "token.add"


def test_the_page_shows_the_token_once_with_no_store(
    web: TestClient, admin_engine: Engine, people: dict[str, int]
) -> None:
    sign_in(web, "admin")
    location = _make(web, people["editor"]).headers["location"]
    shown = web.get(location)
    assert shown.status_code == 200 and shown.headers["cache-control"] == "no-store"
    [secret] = SECRET.findall(shown.text)
    assert _whoami(web, secret) == 200
    [row] = _tokens(admin_engine)
    assert not users.is_pending(row) and row.prefix == secret[: users.SHOWN_CHARS]
    # A reload, or going back to the page: the token is not shown again, and no second one is made.
    again = web.get(location)
    assert again.status_code == 410 and "shown already" in again.text
    assert again.headers["cache-control"] == "no-store"
    assert secret not in again.text and not SECRET.search(again.text)
    assert len(_tokens(admin_engine)) == 1 and _whoami(web, secret) == 200
    assert _actions(admin_engine)[-2:] == ["token.add", "token.issue"]


def test_another_session_never_sees_it(
    web: TestClient, other: TestClient, admin_engine: Engine, people: dict[str, int]
) -> None:
    with transaction(session_factory(admin_engine)) as session:
        users.create_user(session, "second-admin", "admin", PASSWORD, START)
    sign_in(web, "admin")
    location = _make(web, people["viewer"]).headers["location"]
    for username in ("second-admin", "admin"):  # another admin, and the same admin signed in again
        sign_in(other, username)
        seen = other.get(location)
        assert seen.status_code == 403 and not SECRET.search(seen.text), username
        assert "session that created it" in seen.text
    # The other sessions' tries did not use it up: the session that made it still gets it, once.
    shown = web.get(location)
    assert shown.status_code == 200 and len(SECRET.findall(shown.text)) == 1
    assert other.get(location).status_code == 410


def test_signing_out_and_in_again_does_not_show_it(
    web: TestClient, admin_engine: Engine, people: dict[str, int]
) -> None:
    sign_in(web, "admin")
    location = _make(web, people["viewer"]).headers["location"]
    sign_in(web, "admin")  # a new session in the same browser
    assert web.get(location).status_code == 403
    [row] = _tokens(admin_engine)
    assert users.is_pending(row)


def test_a_token_not_shown_in_time_is_never_made(
    web: TestClient, clock: Clock, admin_engine: Engine, people: dict[str, int]
) -> None:
    sign_in(web, "admin")
    location = _make(web, people["viewer"]).headers["location"]
    clock.advance(minutes=users.TOKEN_SHOW_MINUTES, seconds=1)
    late = web.get(location)
    assert late.status_code == 410 and "never made" in late.text and not SECRET.search(late.text)
    [row] = _tokens(admin_engine)
    assert users.is_pending(row)


def test_a_token_not_shown_in_time_leaves_the_list_with_an_audit_row(
    web: TestClient, clock: Clock, admin_engine: Engine, people: dict[str, int]
) -> None:
    sign_in(web, "admin")
    location = _make(web, people["viewer"], name="<i>late</i>").headers["location"]
    [row] = _tokens(admin_engine)
    waiting = web.get("/admin/users").text  # within the window: listed as waiting to be shown
    assert "not shown yet" in waiting and f"Revoke token {row.id}" in waiting
    clock.advance(minutes=users.TOKEN_SHOW_MINUTES, seconds=1)
    listing = web.get("/admin/users").text
    assert _listed(admin_engine) == [] and f"Revoke token {row.id}" not in listing
    [kept] = _tokens(admin_engine)  # retired, not deleted: its id is never another token's
    assert kept.id == row.id and kept.revoked_at is not None and users.is_pending(kept)
    assert "not shown yet" not in listing and "No API tokens." in listing
    with session_factory(admin_engine)() as session:
        entry = session.scalars(select(t.AuditEntry).where(t.AuditEntry.action == "token.expire")).one()
    assert entry.target == f"token:{row.id}" and entry.user_id is None  # nobody chose it
    assert entry.details == {
        "user": "viewer",
        "name": "<i>late</i>",
        "created_at": START.isoformat(),
        "reason": f"not shown within {users.TOKEN_SHOW_MINUTES} minutes",
    }
    gone = web.get(location)
    assert gone.status_code == 410 and "never shown" in gone.text and not SECRET.search(gone.text)
    web.get("/admin/users")  # read again: nothing more to remove, nothing more logged
    assert _actions(admin_engine).count("token.expire") == 1


def test_making_or_listing_tokens_removes_those_not_shown_in_time(
    web: TestClient, clock: Clock, admin_engine: Engine, people: dict[str, int]
) -> None:
    sign_in(web, "admin")
    _make(web, people["viewer"], name="forgotten")
    shown = web.get(_make(web, people["editor"], name="kept").headers["location"])
    [secret] = SECRET.findall(shown.text)
    clock.advance(minutes=users.TOKEN_SHOW_MINUTES, seconds=1)
    # The form's POST removes the stale one (page_token reads the CSRF token from another page).
    made = web.post(
        f"/admin/users/{people['viewer']}/tokens",
        data={"csrf_token": page_token(web, "/admin/"), "name": "again"},
    )
    assert made.status_code == 303
    assert [k.name for k in _listed(admin_engine)] == ["kept", "again"]  # the issued one stays
    clock.advance(minutes=users.TOKEN_SHOW_MINUTES, seconds=1)
    listed = web.get("/admin/api/users", headers={"Authorization": f"Bearer {secret}"})
    assert listed.status_code == 403  # an editor's token: the list is the admins'
    with transaction(session_factory(admin_engine)) as session:
        _row, bearer = users.create_token(session, users.get_user(session, "admin"), "ops", START)
    listed = web.get("/admin/api/users", headers={"Authorization": f"Bearer {bearer}"})
    names = [k["name"] for person in listed.json()["data"] for k in person["tokens"]]
    assert sorted(names) == ["kept", "ops"]
    assert _actions(admin_engine).count("token.expire") == 2


def test_a_token_revoked_or_of_a_disabled_user_before_it_is_shown_is_never_made(
    web: TestClient, admin_engine: Engine, people: dict[str, int]
) -> None:
    sign_in(web, "admin")
    location = _make(web, people["viewer"]).headers["location"]
    token = page_token(web, "/admin/users")
    assert web.post(f"/admin/users/{people['viewer']}/disable", data={"csrf_token": token}).status_code == 303
    gone = web.get(location)
    assert gone.status_code == 410 and "revoked" in gone.text and not SECRET.search(gone.text)


def test_only_admins_reach_the_page(
    web: TestClient, other: TestClient, admin_engine: Engine, people: dict[str, int]
) -> None:
    sign_in(web, "admin")
    location = _make(web, people["viewer"]).headers["location"]
    sign_in(other, "editor")
    assert other.get(location).status_code == 403
    assert TestClient(web.app, follow_redirects=False).get(location).status_code == 303  # not signed in
    assert web.get("/admin/tokens/999999").status_code == 404
    assert web.get(location).status_code == 200


def test_the_value_is_kept_nowhere(
    web: TestClient, admin_engine: Engine, admin_settings: Settings, people: dict[str, int]
) -> None:
    sign_in(web, "admin")
    location = _make(web, people["viewer"]).headers["location"]
    [secret] = SECRET.findall(web.get(location).text)
    admin_engine.dispose()  # every connection closed: what is in the files is all there is
    database = Path(admin_settings.database_url.removeprefix("sqlite:///"))
    stored = b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*"))
    assert secret.encode() not in stored and users.digest(secret).encode() in stored
    assert secret not in str(web.cookies.jar) and secret not in location


def test_the_api_still_answers_the_token_at_once(
    web: TestClient, admin_engine: Engine, people: dict[str, int]
) -> None:
    # Scripts have no page to be sent to: the API's answer is the one place the token is shown.
    with transaction(session_factory(admin_engine)) as session:
        _row, bearer = users.create_token(session, users.get_user(session, "admin"), "ops", START)
    made = web.post(
        f"/admin/api/users/{people['viewer']}/tokens",
        json={"name": "script"},
        headers={"Authorization": f"Bearer {bearer}"},
    )
    assert made.status_code == 201 and _whoami(web, made.json()["token"]) == 200
    with session_factory(admin_engine)() as session:
        assert session.scalar(select(func.count()).select_from(t.ApiToken)) == 2


# --- The sweep in the store: both backends, requests at the same time -----------------------------


def test_the_sweep_retires_each_stale_token_once_under_concurrent_requests(engine: Engine) -> None:
    sessions = session_factory(engine)
    late = START + dt.timedelta(minutes=users.TOKEN_SHOW_MINUTES, seconds=1)
    with transaction(sessions) as session:
        owner = users.create_user(session, "owner", "editor", PASSWORD, START)
        stale = [users.create_pending_token(session, owner, name, "cookie", START).id for name in "abc"]
        fresh = users.create_pending_token(session, owner, "fresh", "cookie", late).id
        issued, _token = users.create_token(session, owner, "issued", START)
        issued_id = issued.id
    barrier = threading.Barrier(6)
    retired: list[int] = []
    errors: list[BaseException] = []

    def sweep() -> None:
        try:
            barrier.wait()
            with transaction(sessions) as session:
                retired.extend(users.sweep_unshown_tokens(session, late))
        except BaseException as exc:  # reported by the assertion below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=sweep) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(retired) == stale  # each retired by one request only
    assert [k.id for k in _listed(engine)] == [fresh, issued_id]
    with sessions() as session:
        expired = select(t.AuditEntry.target).where(t.AuditEntry.action == "token.expire")
        targets = session.scalars(expired).all()
    assert sorted(targets) == sorted(f"token:{i}" for i in stale)


def test_a_retired_token_keeps_its_id_from_every_later_token(engine: Engine) -> None:
    """SQLite gives a new row the largest id of a deleted one: a deleted token's id, and its audit
    rows, would then name the next token, and a stale page could revoke it."""
    sessions = session_factory(engine)
    late = START + dt.timedelta(minutes=users.TOKEN_SHOW_MINUTES, seconds=1)
    with transaction(sessions) as session:
        owner = users.create_user(session, "owner", "editor", PASSWORD, START)
        first = users.create_pending_token(session, owner, "forgotten", "cookie", START).id
    with transaction(sessions) as session:
        assert users.sweep_unshown_tokens(session, late) == [first]
        second = users.create_pending_token(session, owner, "next", "cookie", late).id
    assert second > first
    assert [k.id for k in _listed(engine)] == [second]


def test_a_token_issued_in_time_is_never_swept(engine: Engine) -> None:
    sessions = session_factory(engine)
    with transaction(sessions) as session:
        owner = users.create_user(session, "owner", "editor", PASSWORD, START)
        token_id = users.create_pending_token(session, owner, "edge", "cookie", START).id
    edge = START + dt.timedelta(minutes=users.TOKEN_SHOW_MINUTES)
    with transaction(sessions) as session:
        assert users.sweep_unshown_tokens(session, edge) == []  # the last moment it may be shown
        since = edge - dt.timedelta(minutes=users.TOKEN_SHOW_MINUTES)
        assert users.issue_token(session, token_id, "cookie", since) is not None
    with transaction(sessions) as session:
        assert users.sweep_unshown_tokens(session, edge + dt.timedelta(days=1)) == []
    assert [k.id for k in _tokens(engine)] == [token_id]


def test_a_head_of_the_page_does_not_use_up_the_showing(
    web: TestClient, other: TestClient, admin_engine: Engine, people: dict[str, int]
) -> None:
    sign_in(web, "admin")
    location = _make(web, people["viewer"]).headers["location"]
    head = web.head(location)
    assert head.status_code == 200 and head.content == b"" and head.headers["cache-control"] == "no-store"
    [row] = _tokens(admin_engine)
    assert users.is_pending(row) and _actions(admin_engine)[-1] == "token.add"
    sign_in(other, "admin")
    assert other.head(location).status_code == 403  # as the GET would answer, and still nothing made
    shown = web.get(location)
    assert shown.status_code == 200 and len(SECRET.findall(shown.text)) == 1
    assert web.head(location).status_code == 410 and web.head("/admin/tokens/999999").status_code == 404
