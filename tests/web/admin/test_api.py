"""The admin API: bearer tokens only, roles, audited changes, imports and their size limit."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from markupsafe import escape
from pydantic import SecretStr
from sqlalchemy import Engine, func, select

from govsocial.settings import Settings
from govsocial.store import tables as t
from govsocial.store.db import session_factory
from govsocial.web.app import create_app
from tests.web.admin.conftest import PASSWORD, page_token, sign_in, token_for

CHP = "https://www.facebook.com/CentreforHealthProtection"
POSTS_CSV = (
    "platform,account,post_id,created_at,format,text,likes,comments,shares\n"
    f"facebook,{CHP},9001_1,2026-11-01 10:00,text,Flu vaccination starts today.,120,4,9\n"
    f"facebook,{CHP},9001_2,2026-11-02T09:30:00+08:00,image,Hand hygiene reminder,80,,2\n"
    "facebook,https://www.facebook.com/not.in.the.registry,9001_3,2026-11-03 10:00,text,Who?,1,1,1\n"
)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _audit_actions(engine: Engine) -> list[str]:
    with session_factory(engine)() as session:
        return list(session.scalars(select(t.AuditEntry.action).order_by(t.AuditEntry.id)).all())


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Basic YWRtaW46eA=="},
        {"Authorization": "Bearer gsa_wrong"},
    ],
)
def test_without_a_valid_token_it_is_401(
    web: TestClient, people: dict[str, int], headers: dict[str, str]
) -> None:
    response = web.get("/admin/api/whoami", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.headers["cache-control"] == "no-store"


def test_a_token_says_who_it_is_and_stops_when_revoked(
    web: TestClient, admin_engine: Engine, people: dict[str, int]
) -> None:
    token = token_for(admin_engine, "viewer")
    assert web.get("/admin/api/whoami", headers=bearer(token)).json() == {
        "username": "viewer",
        "role": "viewer",
        "via": "token",
    }
    admin = token_for(admin_engine, "admin")
    with session_factory(admin_engine)() as session:
        token_id = session.scalars(select(t.ApiToken.id).where(t.ApiToken.user_id == people["viewer"])).one()
    assert web.post(f"/admin/api/tokens/{token_id}/revoke", headers=bearer(admin)).status_code == 200
    assert web.get("/admin/api/whoami", headers=bearer(token)).status_code == 401
    with session_factory(admin_engine)() as session:
        used = session.scalars(select(t.ApiToken.last_used_at).where(t.ApiToken.id == token_id)).one()
    assert used is not None


def test_the_api_ignores_session_cookies(web: TestClient, people: dict[str, int]) -> None:
    sign_in(web, "admin")
    assert web.get("/admin/").status_code == 200
    assert web.get("/admin/api/whoami").status_code == 401  # a signed-in browser is not a token


def test_roles_are_enforced(web: TestClient, admin_engine: Engine, people: dict[str, int]) -> None:
    viewer, editor = token_for(admin_engine, "viewer"), token_for(admin_engine, "editor")
    body = {"status": "under_review", "reason": "Checking a report of a fake"}
    assert web.post("/admin/api/accounts/2/status", json=body, headers=bearer(viewer)).status_code == 403
    assert web.get("/admin/api/audit", headers=bearer(viewer)).status_code == 200
    assert web.get("/admin/api/users", headers=bearer(editor)).status_code == 403
    assert (
        web.post("/admin/api/users/1/tokens", json={"name": "x"}, headers=bearer(editor)).status_code == 403
    )


def test_an_editor_changes_a_status_and_the_audit_log_shows_it(
    web: TestClient, admin_engine: Engine, people: dict[str, int]
) -> None:
    editor = token_for(admin_engine, "editor")
    body = {"status": "under_review", "reason": "Checking a report of a fake"}
    response = web.patch("/admin/api/accounts/2/status", json=body, headers=bearer(editor))
    assert response.status_code == 200 and response.json()["status"] == "under_review"
    bad = web.post(
        "/admin/api/accounts/2/status", json={"status": "gone", "reason": "x"}, headers=bearer(editor)
    )
    assert bad.status_code == 422
    assert web.post("/admin/api/accounts/999999/status", json=body, headers=bearer(editor)).status_code == 404
    log = web.get("/admin/api/audit", headers=bearer(editor)).json()
    entry = log["data"][0]
    assert (entry["user"], entry["action"], entry["target"]) == ("editor", "account.status", "account:2")
    assert entry["details"]["before"]["status"] == "published"
    assert entry["details"]["reason"] == "Checking a report of a fake"


def test_schedules_pause_and_resume(web: TestClient, admin_engine: Engine, people: dict[str, int]) -> None:
    editor = token_for(admin_engine, "editor")
    paused = web.post("/admin/api/accounts/2/schedule/pause", headers=bearer(editor))
    assert paused.status_code == 200 and paused.json()["enabled"] is False
    resumed = web.post("/admin/api/accounts/2/schedule/resume", headers=bearer(editor))
    assert resumed.json()["enabled"] is True
    assert web.post("/admin/api/accounts/2/schedule/delete", headers=bearer(editor)).status_code == 422
    assert _audit_actions(admin_engine)[-2:] == ["schedule.pause", "schedule.resume"]


def test_an_import_stores_the_rows_and_reports_counts(
    web: TestClient, admin_engine: Engine, people: dict[str, int]
) -> None:
    editor = token_for(admin_engine, "editor")
    files = {"file": ("posts.csv", POSTS_CSV.encode(), "text/csv")}
    response = web.post("/admin/api/import", files=files, data={"format": "generic"}, headers=bearer(editor))
    assert response.status_code == 200, response.text
    summary = response.json()
    assert summary["status"] == "partial"  # the third row names an account the registry does not have
    assert summary["counts"]["posts.insert"] == 2 and summary["counts"]["quarantined"] == 1
    with session_factory(admin_engine)() as session:
        posts = session.scalars(select(t.Post.post_id).order_by(t.Post.post_id)).all()
        run = session.get(t.CollectionRun, summary["run_id"])
    assert list(posts) == ["9001_1", "9001_2"]
    assert run is not None and run.kind == "import" and run.trigger == "admin"
    assert _audit_actions(admin_engine)[-1] == "import"
    again = web.post("/admin/api/import", files=files, headers=bearer(editor)).json()  # recognised as generic
    assert again["counts"].get("posts.insert", 0) == 0 and again["counts"]["posts.noop"] == 2


def test_an_upload_over_the_limit_is_413(
    admin_settings: Settings, admin_engine: Engine, people: dict[str, int]
) -> None:
    small = create_app(admin_settings.model_copy(update={"admin_upload_max_bytes": 200}), admin_engine)
    editor = token_for(admin_engine, "editor")
    with TestClient(small) as client:
        files = {"file": ("posts.csv", POSTS_CSV.encode(), "text/csv")}  # over 200 bytes
        assert client.post("/admin/api/import", files=files, headers=bearer(editor)).status_code == 413
        huge = {"file": ("big.csv", b"x" * (200 + 70 * 1024), "text/csv")}  # refused before it is read
        assert client.post("/admin/api/import", files=huge, headers=bearer(editor)).status_code == 413
        # The page form too, with its CSRF token.
        sign_in(client, "editor")
        token = page_token(client, "/admin/import")
        assert client.post("/admin/import", files=files, data={"csrf_token": token}).status_code == 413
    with session_factory(admin_engine)() as session:
        assert session.scalar(select(func.count()).select_from(t.Post)) == 0


def _import_form(client: TestClient, files: dict[str, Any], **options: str) -> httpx.Response:
    """POST the import page's form, as the browser does."""
    token = page_token(client, "/admin/import")
    return client.post("/admin/import", files=files, data={"csrf_token": token, **options})


def _outcome(page: str) -> str:
    """What a run's page says of the run: its main part, without the links that depend on the role."""
    return page.split('<main id="main" class="wrap">')[1].split("<p><a href=")[0]


def test_the_page_import_redirects_to_its_run_which_a_reload_does_not_import_again(
    web: TestClient, app: FastAPI, admin_engine: Engine, people: dict[str, int]
) -> None:
    sign_in(web, "editor")
    hostile = "<b onmouseover=x>posts.csv"
    rows = POSTS_CSV + "facebook,<script>alert(1)</script>,9001_4,2026-11-03 10:00,text,Who?,1,1,1\n"
    made = _import_form(web, {"file": (hostile, rows.encode(), "text/csv")}, format="generic")
    assert made.status_code == 303 and made.headers["cache-control"] == "no-store"
    with session_factory(admin_engine)() as session:
        [run] = session.scalars(select(t.CollectionRun)).all()
    assert made.headers["location"] == f"/admin/runs/{run.id}" and run.kind == "import"
    # The metrics are recomputed in a background thread (instantly here, but it may not have recorded
    # "done" yet): wait for it, or the reload below may see "Pending" become "Done".
    assert app.state.metrics_refresher.wait(30)
    shown = web.get(made.headers["location"])
    assert shown.status_code == 200 and shown.headers["cache-control"] == "no-store"
    page = shown.text
    assert f"Run {run.id}: partial" in page and '<th scope="row">posts.insert</th><td>2</td>' in page
    assert '<th scope="row">quarantined</th><td>2</td>' in page and "met 2 record(s)" in page
    assert "https://www.facebook.com/not.in.the.registry" in page  # the quarantine's reasons and places
    assert "editor, from &lt;b onmouseover=x&gt;posts.csv (format generic)" in page
    assert "<script>" not in page and "<b onmouseover" not in page and "&lt;script&gt;" in page
    # A reload shows the stored run again: no second run, no second import, no second audit row.
    assert web.get(made.headers["location"]).text == page
    with session_factory(admin_engine)() as session:
        assert session.scalar(select(func.count()).select_from(t.CollectionRun)) == 1
        assert session.scalar(select(func.count()).select_from(t.Post)) == 2
    assert _audit_actions(admin_engine).count("import") == 1
    # Another session, even a viewer's, reads the same outcome (viewers read runs on the overview).
    with TestClient(app, follow_redirects=False) as other:
        sign_in(other, "viewer")
        assert _outcome(other.get(made.headers["location"]).text) == _outcome(page)
        assert f'href="/admin/runs/{run.id}"' in other.get("/admin/").text
        assert other.get("/admin/runs/999999").status_code == 404
    assert (
        web.post(
            "/admin/import", files={"file": ("a.csv", b"x", "text/csv")}, data={"csrf_token": "wrong"}
        ).status_code
        == 403
    )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "Choose a file to import."),
        ({"format": "<i>nope</i>"}, "unknown format &#39;&lt;i&gt;nope&lt;/i&gt;&#39;"),
        ({"timezone": "Mars/Olympus"}, "unknown time zone &#39;Mars/Olympus&#39;"),
    ],
)
def test_a_form_that_cannot_start_a_run_is_answered_again_with_400(
    web: TestClient, admin_engine: Engine, people: dict[str, int], options: dict[str, str], message: str
) -> None:
    sign_in(web, "editor")
    files = {} if not options else {"file": ("posts.csv", POSTS_CSV.encode(), "text/csv")}
    answer = _import_form(web, files, **options)
    assert answer.status_code == 400 and message in answer.text, answer.text
    assert '<form method="post" action="/admin/import"' in answer.text  # the form again, as sent
    for name, value in options.items():
        assert f'name="{name}" value="{escape(value)}"' in answer.text
    with session_factory(admin_engine)() as session:
        assert session.scalar(select(func.count()).select_from(t.CollectionRun)) == 0


def test_a_runs_page_never_shows_what_a_quarantined_record_holds(
    admin_settings: Settings, admin_engine: Engine, people: dict[str, int]
) -> None:
    # A citizen's comment on a post the store does not have: quarantined with its words (its author's
    # id is not kept at all), which only the quarantine holds; the page gives the place and the reason.
    comments = (
        "platform,account,post_id,comment_id,parent_id,created_at,author_id,is_page_reply,text,likes\n"
        f"facebook,{CHP},9001_404,9001_404_1,,2026-11-03 10:00,77770001,false,"
        "I am Chan Siu-ming of Flat 9 and I am angry,1\n"
    )
    keyed = admin_settings.model_copy(update={"pseudonym_key": SecretStr("k" * 32)})
    app = create_app(keyed, admin_engine)
    with TestClient(app, follow_redirects=False) as web, TestClient(app) as other:
        sign_in(web, "editor")
        made = _import_form(web, {"file": ("comments.csv", comments.encode(), "text/csv")}, format="generic")
        assert made.status_code == 303, made.text
        sign_in(other, "viewer")
        pages = [client.get(made.headers["location"]).text for client in (web, other)]
    with session_factory(admin_engine)() as session:
        [record] = session.scalars(select(t.QuarantinedRecord)).all()
    assert "Chan Siu-ming" in json.loads(record.content)["text"] and "77770001" not in record.content
    for page in pages:
        assert "comment 9001_404_1" in page and "is not in the store" in page  # where and why
        assert "Chan Siu-ming" not in page and "Flat 9" not in page and "angry" not in page


def test_an_import_that_fails_once_begun_leads_to_its_failed_run(
    web: TestClient, admin_engine: Engine, people: dict[str, int]
) -> None:
    """No pseudonym key is known only once comments are met: the run is recorded as failed, and the
    page leads to it (it used to answer the form, with no way to the run)."""
    comments = (
        "platform,account,post_id,comment_id,parent_id,created_at,author_id,is_page_reply,text,likes\n"
        f"facebook,{CHP},9001_1,9001_1_1,,2026-11-03 10:00,77770001,false,Hello,1\n"
    )
    sign_in(web, "editor")
    made = _import_form(web, {"file": ("comments.csv", comments.encode(), "text/csv")}, format="generic")
    with session_factory(admin_engine)() as session:
        [run] = session.scalars(select(t.CollectionRun)).all()
        [entry] = session.scalars(select(t.AuditEntry).where(t.AuditEntry.action == "import")).all()
    assert made.status_code == 303 and made.headers["location"] == f"/admin/runs/{run.id}"
    page = web.get(made.headers["location"]).text
    assert run.status == "failed" and f"Run {run.id}: failed" in page and "GOVSOCIAL_PSEUDONYM_KEY" in page
    assert entry.target == f"run:{run.id}" and "GOVSOCIAL_PSEUDONYM_KEY" in entry.details["error"]
    files = {"file": ("comments.csv", comments.encode(), "text/csv")}
    answer = web.post("/admin/api/import", files=files, headers=bearer(token_for(admin_engine, "editor")))
    assert answer.status_code == 422 and f"(run {run.id + 1}, recorded as failed)" in answer.json()["detail"]


PAYLOADS = Path(__file__).resolve().parents[2] / "fixtures" / "payloads"
YOUTUBE = "UCfakeHKObservatory000001"


@pytest.mark.parametrize(
    ("fixture", "options"),
    [
        ("generic/posts.csv", {"format": "generic"}),
        ("generic/comments.csv", {}),
        ("generic/followers.csv", {}),
        ("csv_exports/crowdtangle_hk_pages.csv", {"format": "crowdtangle"}),
        ("csv_exports/meta_business_suite_facebook_content.csv", {"format": "meta_business_suite"}),
        ("csv_exports/youtube_studio_table_data.csv", {"format": "youtube_studio", "account": YOUTUBE}),
        ("telegram/channel_result.json", {"format": "telegram"}),
    ],
)
def test_every_format_the_form_takes_leads_to_its_run(
    admin_settings: Settings,
    admin_engine: Engine,
    people: dict[str, int],
    fixture: str,
    options: dict[str, str],
) -> None:
    keyed = admin_settings.model_copy(update={"pseudonym_key": SecretStr("k" * 32)})  # comments need it
    path = PAYLOADS / fixture
    with TestClient(create_app(keyed, admin_engine), follow_redirects=False) as web:
        sign_in(web, "editor")
        made = _import_form(web, {"file": (path.name, path.read_bytes(), "text/plain")}, **options)
        assert made.status_code == 303, made.text
        page = web.get(made.headers["location"])
    with session_factory(admin_engine)() as session:
        [run] = session.scalars(select(t.CollectionRun)).all()
    assert page.status_code == 200 and f"Run {run.id}: {run.status}" in page.text
    assert run.counts and all(
        f'<th scope="row">{name}</th><td>{value}</td>' in page.text for name, value in run.counts.items()
    )
    assert all(str(escape(error["message"])) in page.text for error in run.errors)


def test_the_admin_api_is_not_in_the_public_openapi(app: FastAPI) -> None:
    paths = app.openapi()["paths"]
    assert paths and not any(p.startswith("/admin") for p in paths)


def test_no_password_or_token_in_clear_in_the_store_or_the_logs(
    web: TestClient, admin_engine: Engine, people: dict[str, int], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    token = token_for(admin_engine, "admin")
    sign_in(web, "admin")
    sign_in(web, "editor", "a wrong password here")
    web.get("/admin/api/whoami", headers=bearer(token))
    with session_factory(admin_engine)() as session:
        hashes = session.scalars(select(t.User.password_hash)).all()
        dump = "\n".join(
            str(row)
            for table in ("users", "api_tokens", "admin_sessions", "login_failures", "audit_log")
            for row in session.execute(select(t.Base.metadata.tables[table])).all()
        )
    assert all(h.startswith("$argon2id$") for h in hashes)
    for secret in (PASSWORD, "a wrong password here", token, web.cookies.get("gs_admin", path="/admin")):
        assert secret and secret not in dump
        assert secret not in caplog.text


def test_a_body_of_unknown_length_is_refused_before_it_is_read(
    web: TestClient, admin_engine: Engine, people: dict[str, int]
) -> None:
    editor = token_for(admin_engine, "editor")

    def chunks() -> Iterator[bytes]:
        yield b'{"status": "archived", '
        yield b'"reason": "chunked"}'

    headers = bearer(editor) | {"Content-Type": "application/json"}
    response = web.post("/admin/api/accounts/2/status", content=chunks(), headers=headers)
    assert response.status_code == 411
    assert _audit_actions(admin_engine) == []
