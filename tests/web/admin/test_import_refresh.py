"""An import from the admin area recomputes the metrics of the jurisdictions it stored rows under,
in the background (``web/admin/refresh.py``): the answer comes at once saying "pending", the run's
page and the API then say done or failed, and a second import during a refresh leads to one more
refresh after it, never two at once; runs a stopped portal left pending are closed by the next
refresh of their jurisdiction that succeeds (docs/admin.md, "Imports")."""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from govsocial.analyze import pipeline
from govsocial.cli.main import app as cli_app
from govsocial.collect import runs
from govsocial.registry.load import load_registry
from govsocial.settings import PROJECT_ROOT, Settings
from govsocial.store import tables as t
from govsocial.store import users
from govsocial.store.db import session_factory, transaction
from govsocial.web.admin.refresh import MetricsRefresher, pipeline_refresh
from govsocial.web.app import create_app
from tests.web.admin.conftest import PASSWORD, START, page_token, sign_in, token_for

CHP = "https://www.facebook.com/CentreforHealthProtection"
#: The metrics the real refreshes here compute (a whole scorecard takes some 20 s).
QUICK_METRICS = ("accounts", "post_volume")
#: Long enough for a refresh on a loaded machine; a test that waits this long has failed.
WAIT = 120.0


def posts_csv(*ids: str) -> bytes:
    """A generic CSV export with one post of the Centre for Health Protection per id (counted at a
    fixed time, so that importing it again changes nothing)."""
    head = "platform,account,post_id,created_at,format,text,likes,comments,shares,counted_at\n"
    row = "facebook,{},{},2026-11-01 10:00,text,Flu vaccination starts today.,120,4,9,2026-11-02 10:00\n"
    return (head + "".join(row.format(CHP, post_id) for post_id in ids)).encode()


@pytest.fixture
def app(engine: Engine, database_url: str) -> FastAPI:
    """The portal on a store (SQLite, and PostgreSQL when the test command started one) holding
    Hong Kong's registry and an editor."""
    assert not load_registry(engine, PROJECT_ROOT / "data" / "registry", actor="test", only="hk").problems
    with transaction(session_factory(engine)) as session:
        users.create_user(session, "editor", "editor", PASSWORD, START)
    settings = Settings.load(database_url=database_url, admin_secure_cookies=False, page_cache_seconds=0)
    return create_app(settings, engine)


@pytest.fixture
def web(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as client:
        yield client


def refresher(app: FastAPI) -> MetricsRefresher:
    found: MetricsRefresher = app.state.metrics_refresher
    return found


def quick_pipeline(monkeypatch: pytest.MonkeyPatch) -> None:
    """The real refresh, of two metrics by year: which jurisdiction, and when, is the point."""
    real = pipeline.refresh

    def quick(engine: Engine, settings: Settings, code: str | None = None, *_: Any, **__: Any) -> Any:
        return real(engine, settings, code, period_kinds=("year",), metrics=QUICK_METRICS)

    monkeypatch.setattr(pipeline, "refresh", quick)


def gated(refresh: Callable[[Engine, Settings, str], str], gate: threading.Event) -> Callable[..., str]:
    """``refresh``, once ``gate`` is set."""

    def wait_then_refresh(engine: Engine, settings: Settings, code: str) -> str:
        assert gate.wait(WAIT), "the test never opened the gate"
        return refresh(engine, settings, code)

    return wait_then_refresh


def metric_values(engine: Engine) -> dict[str, int]:
    with session_factory(engine)() as session:
        query = select(t.MetricValue.jurisdiction, func.count()).group_by(t.MetricValue.jurisdiction)
        return {code: n for code, n in session.execute(query).all()}


def api_import(web: TestClient, token: str, content: bytes) -> dict[str, Any]:
    files = {"file": ("posts.csv", content, "text/csv")}
    headers = {"Authorization": f"Bearer {token}"}
    response = web.post("/admin/api/import", files=files, data={"format": "generic"}, headers=headers)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def api_run(web: TestClient, token: str, run_id: int) -> dict[str, Any]:
    response = web.get(f"/admin/api/runs/{run_id}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def test_an_import_answers_at_once_and_its_jurisdictions_metrics_follow(
    app: FastAPI, web: TestClient, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    quick_pipeline(monkeypatch)
    gate = threading.Event()
    refresher(app).refresh = gated(pipeline_refresh, gate)
    token = token_for(engine, "editor")

    answer = api_import(web, token, posts_csv("9001_1", "9001_2"))
    # Answered while the refresh waits for the gate: the import did not wait for it.
    assert answer["counts"]["posts.insert"] == 2
    assert answer["metrics_refresh"]["status"] == "pending"
    assert answer["metrics_refresh"]["jurisdictions"] == {"hk": {"status": "pending"}}
    assert metric_values(engine) == {}
    assert sign_in(web, "editor").status_code == 303
    assert "Pending: the metrics are being recomputed" in web.get(f"/admin/runs/{answer['run_id']}").text

    gate.set()
    assert refresher(app).wait(WAIT)
    assert metric_values(engine).get("hk", 0) > 0
    run = api_run(web, token, answer["run_id"])
    assert run["metrics_refresh"]["status"] == "done", run
    assert run["metrics_refresh"]["jurisdictions"]["hk"]["summary"].startswith("metrics (hk, year)")
    page = web.get(f"/admin/runs/{answer['run_id']}").text
    assert "Done: the metrics were recomputed." in page and "metrics (hk, year)" in page


def test_imports_during_a_refresh_lead_to_one_more_refresh_after_it(
    app: FastAPI, web: TestClient, engine: Engine
) -> None:
    gate, running, calls, overlapping = threading.Event(), threading.Semaphore(1), [], []

    def counting(_engine: Engine, _settings: Settings, code: str) -> str:
        if not running.acquire(blocking=False):
            overlapping.append(code)
        try:
            calls.append(code)
            assert gate.wait(WAIT)
            return f"refresh {len(calls)}"
        finally:
            running.release()

    refresher(app).refresh = counting
    token = token_for(engine, "editor")
    first = api_import(web, token, posts_csv("1"))
    while not calls:  # the first refresh has begun (and waits for the gate)
        threading.Event().wait(0.01)
    second, third = api_import(web, token, posts_csv("2")), api_import(web, token, posts_csv("3"))
    gate.set()
    assert refresher(app).wait(WAIT)

    assert calls == ["hk", "hk"] and overlapping == []
    outcomes = {
        n: api_run(web, token, r["run_id"])["metrics_refresh"] for n, r in enumerate([first, second, third])
    }
    assert outcomes[0]["jurisdictions"]["hk"] == {"status": "done", "summary": "refresh 1"}
    # One refresh after the first covers both imports that came during it.
    assert outcomes[1]["jurisdictions"]["hk"] == outcomes[2]["jurisdictions"]["hk"]
    assert outcomes[2]["jurisdictions"]["hk"] == {"status": "done", "summary": "refresh 2"}


def test_a_failing_refresh_is_reported_and_the_import_kept(
    app: FastAPI, web: TestClient, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    def failing(_engine: Engine, _settings: Settings, _code: str) -> str:
        raise MemoryError("DuckDB ran out of memory\nwhile computing the scorecard")

    refresher(app).refresh = failing
    assert sign_in(web, "editor").status_code == 303
    token = page_token(web, "/admin/import")
    files = {"file": ("posts.csv", posts_csv("7_1", "7_2"), "text/csv")}
    with caplog.at_level(logging.WARNING, logger="govsocial.web.admin.refresh"):
        made = web.post("/admin/import", files=files, data={"csrf_token": token, "format": "generic"})
        assert made.status_code == 303
        assert refresher(app).wait(WAIT)
    error = "MemoryError: DuckDB ran out of memory while computing the scorecard"
    page = web.get(made.headers["location"]).text
    assert "Failed: the import is stored" in page and f"hk: failed: {error}" in page
    assert any(error in record.getMessage() for record in caplog.records)
    with session_factory(engine)() as session:
        assert session.scalar(select(func.count()).select_from(t.Post)) == 2


def test_an_import_that_changes_nothing_is_not_refreshed(
    app: FastAPI, web: TestClient, engine: Engine
) -> None:
    calls: list[str] = []

    def counting(_engine: Engine, _settings: Settings, code: str) -> str:
        calls.append(code)
        return "done"

    refresher(app).refresh = counting
    token = token_for(engine, "editor")
    api_import(web, token, posts_csv("5"))
    assert refresher(app).wait(WAIT)
    again = api_import(web, token, posts_csv("5"))
    assert again["metrics_refresh"] == {"status": "skipped", "reason": "no rows changed", "jurisdictions": {}}
    assert refresher(app).wait(WAIT)
    assert calls == ["hk"]


def test_a_run_reads_the_same_from_the_admin_api_and_the_cli(
    app: FastAPI, web: TestClient, engine: Engine, database_url: str
) -> None:
    """One record of a run (``runs.run_record``): times in UTC with their offset on either store
    (SQLite gives them back without a zone), the refresh after it, errors and gaps in the detail."""
    token = token_for(engine, "editor")
    run_id = api_import(web, token, posts_csv("7"))["run_id"]
    assert refresher(app).wait(WAIT)
    detail = api_run(web, token, run_id)
    assert detail["started_at"].endswith("+00:00") and detail["finished_at"].endswith("+00:00")
    assert detail["metrics_refresh"]["status"] == "done" and detail["errors"] == []
    listed = web.get("/admin/api/runs", headers={"Authorization": f"Bearer {token}"}).json()["data"]
    assert {k: v for k, v in detail.items() if k not in ("errors", "gaps")} == listed[0]
    result = CliRunner().invoke(
        cli_app, ["collect", "runs", "--json"], env={"GOVSOCIAL_DATABASE_URL": database_url}
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["data"][0] == detail


# --- Runs a stopped portal left pending ----------------------------------------------------------


def left_pending(app: FastAPI, web: TestClient, token: str, post_id: str) -> int:
    """An import whose refresh was queued by a portal that stopped before running it."""
    stopped = refresher(app)
    real_submit = stopped.submit
    stopped.submit = lambda _run_id, _codes: None  # type: ignore[method-assign,assignment]
    try:
        answer = api_import(web, token, posts_csv(post_id))
    finally:
        stopped.submit = real_submit  # type: ignore[method-assign]
    assert answer["metrics_refresh"]["status"] == "pending"
    run_id: int = answer["run_id"]
    return run_id


def cli_refresh(database_url: str, *args: str) -> None:
    result = CliRunner().invoke(
        cli_app, ["metrics", "refresh", *args], env={"GOVSOCIAL_DATABASE_URL": database_url}
    )
    assert result.exit_code == 0, result.output


def test_the_clis_whole_refresh_closes_runs_left_pending_and_a_partial_one_does_not(
    app: FastAPI, web: TestClient, engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    quick_pipeline(monkeypatch)
    token = token_for(engine, "editor")
    run_id = left_pending(app, web, token, "8101")

    cli_refresh(database_url, "--metric", "accounts")  # one metric: not the refresh the run waits for
    assert api_run(web, token, run_id)["metrics_refresh"]["status"] == "pending"
    cli_refresh(database_url, "--period-kind", "year")  # one period kind: neither
    assert api_run(web, token, run_id)["metrics_refresh"]["status"] == "pending"

    cli_refresh(database_url)
    record = api_run(web, token, run_id)["metrics_refresh"]
    assert record["status"] == "done"
    assert record["jurisdictions"]["hk"]["summary"].startswith("covered by the refresh started at ")


def test_the_portals_next_refresh_closes_runs_an_earlier_portal_left_pending(
    app: FastAPI, web: TestClient, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []

    def counting(_engine: Engine, _settings: Settings, code: str) -> str:
        calls.append(code)
        return "recomputed"

    refresher(app).refresh = counting
    token = token_for(engine, "editor")
    earlier = left_pending(app, web, token, "8201")
    later = api_import(web, token, posts_csv("8202"))["run_id"]
    assert refresher(app).wait(WAIT)
    assert calls == ["hk"]  # one refresh, for the later run: it read the earlier run's rows too
    assert api_run(web, token, later)["metrics_refresh"]["jurisdictions"]["hk"] == {
        "status": "done",
        "summary": "recomputed",
    }
    earlier_record = api_run(web, token, earlier)["metrics_refresh"]
    assert earlier_record["status"] == "done"
    assert earlier_record["jurisdictions"]["hk"]["summary"].endswith(": recomputed")


def test_a_run_waiting_since_after_the_refresh_started_is_not_covered(engine: Engine, app: FastAPI) -> None:
    """Rows stored after a refresh read the store are not in its figures: such a run stays pending,
    as does a run waiting for another jurisdiction."""
    sessions = session_factory(engine)
    started = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
    ids = [
        _run(sessions, at) for at in (started - dt.timedelta(seconds=1), started + dt.timedelta(seconds=1))
    ]
    runs.metrics_pending(sessions, ids[0], ["hk"], started - dt.timedelta(seconds=1))
    runs.metrics_pending(sessions, ids[1], ["hk"], started + dt.timedelta(seconds=1))
    other = _run(sessions, started)
    runs.metrics_pending(sessions, other, ["sg"], started - dt.timedelta(hours=1))

    assert runs.metrics_covered(sessions, "hk", started, "ok") == [ids[0]]
    states: list[dict[str, Any]] = [_state(sessions, run_id) for run_id in (*ids, other)]
    assert [s["status"] for s in states] == ["done", "pending", "pending"]
    assert runs.metrics_covered(sessions, "hk", started, "ok") == []  # nothing left to close


def _run(sessions: sessionmaker[Session], at: dt.datetime) -> int:
    with transaction(sessions) as session:
        row = t.CollectionRun(kind="import", trigger="test", scope="test", status="ok", started_at=at)
        session.add(row)
        session.flush()
        run_id: int = row.id
    return run_id


def _state(sessions: sessionmaker[Session], run_id: int) -> dict[str, Any]:
    with sessions() as session:
        row = session.get(t.CollectionRun, run_id)
        assert row is not None and row.metrics_refresh is not None
        state: dict[str, Any] = row.metrics_refresh
        return state
