"""Control characters in the admin pages' forms, on SQLite and PostgreSQL (web/admin/actions.py,
web/admin/pages.py, store/users.py).

PostgreSQL refuses NUL in text, so a NUL typed into a form that reached a query was a 500 there:
signing in as ``a\\x00b`` (the user lookup), a note, a reason, a rule's organisation. Now a field
holding a control character (C0 but tab, line feed and carriage return; DEL) is refused as the form
refuses anything else, a 400 page naming the field, before anything is looked up or changed; and a
sign-in with such a username is a wrong username or password like any other, counted for the rate
limit.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from govsocial.registry.addresses import PlatformCatalogue
from govsocial.settings import Settings
from govsocial.store import tables as t
from govsocial.store import users
from govsocial.store.db import make_engine, session_factory, transaction, upgrade
from govsocial.web.app import create_app

NOW = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)
PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
CONTROLS = ["\x00", "\x01", "\x1b", "\x7f"]
ACCOUNT = 1
RULE = {"kind": "account_dormant", "level": "government", "entity": "", "params": "", "webhook_url": ""}


@dataclass
class Site:
    """The app on a store with one account, an organisation and an admin (cheap password hashes)."""

    client: TestClient
    engine: Engine
    settings: Settings

    def sign_in(self, username: str = "admin", password: str = PASSWORD) -> int:
        form = self.client.get("/admin/login")
        found = CSRF.search(form.text)
        assert found, form.text[:300]
        data = {"csrf_token": found.group(1), "username": username, "password": password}
        answer: httpx.Response = self.client.post("/admin/login", data=data)
        if answer.status_code == 401:
            assert "Wrong username or password." in answer.text
        return answer.status_code

    def post(self, path: str, **fields: str) -> tuple[int, str]:
        token = CSRF.search(self.client.get("/admin/").text)
        assert token, "not signed in"
        answer = self.client.post(path, data={"csrf_token": token.group(1), **fields})
        assert answer.headers["cache-control"] == "no-store"
        return answer.status_code, answer.text

    def count(self, table: type[t.Base]) -> int:
        with session_factory(self.engine)() as session:
            return session.scalar(select(func.count()).select_from(table)) or 0

    def notes(self) -> str | None:
        with session_factory(self.engine)() as session:
            account = session.get(t.Account, ACCOUNT)
            assert account is not None
            return account.notes


def _seed(engine: Engine) -> None:
    """One account (id 1) of one organisation (``cfs``) in jurisdiction ``hk``, and an admin."""
    with transaction(session_factory(engine)) as session:
        session.add(t.Jurisdiction(code="hk", name_en="Hong Kong"))
        x = PlatformCatalogue.default().get("x")
        session.add(t.Platform(key="x", name_en=x.name_en, definition=x.model_dump(mode="json")))
        session.flush()
        organisation = t.Organisation(
            jurisdiction="hk", code="cfs", org_type=t.OrgType.DEPARTMENT, name_en="Centre for Food Safety"
        )
        account = t.Account(
            id=ACCOUNT, jurisdiction="hk", platform="x", kind="profile", handle="cfs", key="cfs",
            status=t.AccountStatus.PUBLISHED,
        )  # fmt: skip
        session.add_all([organisation, account])
        users.create_user(session, "admin", "admin", PASSWORD, NOW)


@pytest.fixture
def site(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(users, "hasher", lambda: cheap)
    monkeypatch.setattr(users, "_dummy_hash", lambda: cheap.hash("unknown user"))
    engine = make_engine(database_url)
    upgrade(engine)
    _seed(engine)
    settings = Settings.load(database_url=database_url, admin_secure_cookies=False, page_cache_seconds=0)
    with TestClient(create_app(settings, engine), follow_redirects=False) as client:
        yield Site(client, engine, settings)
    engine.dispose()


# --- Signing in ----------------------------------------------------------------------------------


@pytest.mark.parametrize("character", CONTROLS)
def test_a_username_with_a_control_character_is_a_wrong_username_or_password(
    site: Site, character: str
) -> None:
    assert site.sign_in(f"a{character}b") == 401
    assert site.sign_in(f"admin{character}") == 401
    # Counted like any failure, and audited as a name that names nobody (never the name itself).
    assert site.count(t.LoginFailure) == 2
    with session_factory(site.engine)() as session:
        failures = session.scalars(select(t.AuditEntry.target).where(t.AuditEntry.action == "login.failure"))
        assert list(failures) == ["user:(unknown)", "user:(unknown)"]
    # In a password it is a wrong password (never stored: only checked against the hash).
    assert site.sign_in("admin", f"{PASSWORD}{character}") == 401
    assert site.sign_in() == 303  # the right name and password still sign in


def test_signing_in_with_a_nul_locks_the_name_out_as_any_failure_does(site: Site) -> None:
    for _ in range(site.settings.admin_login_max_failures):
        assert site.sign_in("a\x00b") == 401
    # The lock-out is audited (its user looked up by name) and answered, not a server error.
    assert site.sign_in("a\x00b") == 429
    with session_factory(site.engine)() as session:
        locked = session.scalars(select(t.AuditEntry.target).where(t.AuditEntry.action == "login.locked"))
        assert list(locked) == ["user:(unknown)"]


# --- The pages' forms ----------------------------------------------------------------------------

FORMS = [
    (f"/admin/accounts/{ACCOUNT}/status", {"status": "archived", "reason": "merged\x00"}, "reason"),
    (f"/admin/accounts/{ACCOUNT}/status", {"status": "archived\x7f", "reason": "merged"}, "status"),
    (f"/admin/accounts/{ACCOUNT}/note", {"note": "called\x00them"}, "note"),
    (f"/admin/accounts/{ACCOUNT}/schedule", {"action": "pause\x00"}, "action"),
    (
        "/admin/accounts/new",
        {"org_code": "cfs\x00", "url": "https://x.com/cfs2", "evidence_url": "https://gov.hk/"},
        "org_code",
    ),
    (
        "/admin/accounts/new",
        {
            "org_code": "cfs",
            "url": "https://x.com/cfs2",
            "evidence_url": "https://gov.hk/",
            "evidence_note": "\x1b",
        },
        "evidence_note",
    ),
    ("/admin/users", {"username": "a\x00b", "role": "viewer", "password": PASSWORD}, "username"),
    ("/admin/users", {"username": "ab", "role": "viewer\x00", "password": PASSWORD}, "role"),
    ("/admin/users", {"username": "ab", "role": "viewer", "password": PASSWORD + "\x00"}, "password"),
    ("/admin/users/1/tokens", {"name": "laptop\x00"}, "name"),
]

#: The alert-rule form answers a control character as it answers any refused rule: the form again
#: (422), the message beside the field (tests/web/admin/test_alert_rule_form_errors.py).
RULE_FORMS = [
    ({**RULE, "level": "organisation", "entity": "cfs\x00"}, "entity"),
    ({**RULE, "email": "desk@gov.test\x00"}, "email"),
    ({**RULE, "params": "days=3\x00", "email": "desk@gov.test"}, "params"),
]


@pytest.mark.parametrize(("path", "fields", "field"), FORMS)
def test_a_control_character_in_a_page_form_is_a_400_page_naming_the_field(
    site: Site, path: str, fields: dict[str, str], field: str
) -> None:
    assert site.sign_in() == 303
    before = (site.count(t.AuditEntry), site.count(t.Account), site.count(t.User), site.count(t.ApiToken))
    status, page = site.post(path, **fields)
    assert status == 400, page[:500]
    assert f"{field}: control characters such as U+" in page and "Not done" in page
    assert PASSWORD not in page  # a refused password is named, never shown
    # Nothing was changed, and nothing audited.
    assert before == (
        site.count(t.AuditEntry),
        site.count(t.Account),
        site.count(t.User),
        site.count(t.ApiToken),
    )
    assert site.count(t.AlertRule) == 0 and site.notes() is None


@pytest.mark.parametrize(("fields", "field"), RULE_FORMS)
def test_a_control_character_in_an_alert_rule_is_shown_beside_its_field(
    site: Site, fields: dict[str, str], field: str
) -> None:
    assert site.sign_in() == 303
    before = site.count(t.AuditEntry)
    status, page = site.post("/admin/alerts/rules", **fields)
    assert status == 422, page[:500]
    error = f'<p class="field-error" id="rule-{field}-error">{field}: control characters such as U+0000'
    assert error in page
    assert site.count(t.AlertRule) == 0 and site.count(t.AuditEntry) == before


def test_notes_with_tabs_and_line_breaks_are_still_taken(site: Site) -> None:
    assert site.sign_in() == 303
    assert site.post(f"/admin/accounts/{ACCOUNT}/note", note="called\tthem\r\nback")[0] == 303
    assert (site.notes() or "").endswith(" admin: called them back")


@pytest.mark.parametrize("field", ["format", "platform", "account", "timezone"])
def test_a_control_character_in_an_import_option_answers_the_import_form_again(
    site: Site, field: str
) -> None:
    assert site.sign_in() == 303
    token = CSRF.search(site.client.get("/admin/import").text)
    assert token
    files = {"file": ("posts.csv", b"post_id,created_at\n1,2026-01-01\n", "text/csv")}
    data = {"csrf_token": token.group(1), field: "a\x00b"}
    answer = site.client.post("/admin/import", files=files, data=data)
    assert answer.status_code == 400, answer.text[:500]
    assert f"{field}: control characters such as U+0000 are not allowed" in answer.text
    assert 'enctype="multipart/form-data"' in answer.text  # the form again, as for any refusal
    assert site.count(t.CollectionRun) == 0


def _multipart(filename: bytes, **fields: str) -> tuple[bytes, dict[str, str]]:
    """A multipart body with a file of that name, as sent raw: clients encode control characters
    in a file name (``%01``), but a hand-made request need not."""
    parts = [
        f'--b\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    parts.append(b'--b\r\nContent-Disposition: form-data; name="file"; filename="' + filename + b'"\r\n')
    parts.append(b"Content-Type: text/csv\r\n\r\npost_id,created_at\n1,2026-01-01\n\r\n--b--\r\n")
    return b"".join(parts), {"Content-Type": "multipart/form-data; boundary=b"}


@pytest.mark.parametrize("character", [b"\x00", b"\x7f"])
def test_a_control_character_in_an_uploaded_file_name_is_refused(site: Site, character: bytes) -> None:
    """The run and the audit log keep the name the browser sent (the saved file's name drops NUL)."""
    assert site.sign_in() == 303
    token = CSRF.search(site.client.get("/admin/import").text)
    assert token
    body, headers = _multipart(b"posts" + character + b".csv", csrf_token=token.group(1))
    answer = site.client.post("/admin/import", content=body, headers=headers)
    assert answer.status_code == 400, answer.text[:500]
    assert f"file: control characters such as U+{ord(character):04X} are not allowed" in answer.text
    assert 'enctype="multipart/form-data"' in answer.text
    assert site.count(t.CollectionRun) == 0 and site.count(t.AuditEntry) == 1  # the sign-in only


@pytest.mark.parametrize("character", [b"\x00", b"\x7f"])
def test_a_control_character_in_a_file_name_sent_to_the_admin_api_is_a_422_naming_it(
    site: Site, character: bytes
) -> None:
    with transaction(session_factory(site.engine)) as session:
        _row, token = users.create_token(session, users.get_user(session, "admin"), "tests", NOW)
    body, headers = _multipart(b"posts" + character + b".csv")
    answer = site.client.post(
        "/admin/api/import", content=body, headers={**headers, "Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 422, answer.text[:500]
    expected = f"file: control characters such as U+{ord(character):04X} are not allowed"
    assert answer.json() == {"detail": expected}
    assert site.count(t.CollectionRun) == 0
