"""The import form's and the admin API's options as ``govsocial collect import`` has them: an account
the registry does not have is refused before a run is recorded, with the command's message, and
"Dates in the file" (automatic, day first, month first) is ``--day-first`` / ``--month-first`` for a
Meta Business Suite export re-saved by Excel, whose refusal names the form's field (or the API's)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from govsocial.cli.main import app as cli
from govsocial.settings import Settings
from govsocial.store import tables as t
from govsocial.store.db import session_factory
from tests.web.admin.conftest import page_token, sign_in, token_for

HK = ZoneInfo("Asia/Hong_Kong")
CFS = "https://www.facebook.com/cfs.hk"
UNKNOWN = "https://www.youtube.com/@not-a-government-channel"
STUDIO = b"Content,Video title,Video publish time,Views\nvid00000001,a,2024-05-01,1\n"
MBS = ["Post ID", "Page ID", "Page name", "Title", "Publish time", "Post type", "Reactions", "Comments"]
#: Every date ambiguous (no field past 12) and not as Business Suite writes them (zero-padded):
#: a file re-saved by Excel, whose order only the person importing it can tell.
AMBIGUOUS = ("6/5/2026 10:00", "1/7/2026 9:30")


def _mbs(*times: str) -> bytes:
    """A Meta Business Suite export of the Centre for Food Safety's page (named by ``account``)."""
    buffer = io.StringIO()
    rows = [[f"77{n}", "", "CFS", f"post {n}", when, "Photos", "1", "0"] for n, when in enumerate(times)]
    csv.writer(buffer, lineterminator="\n").writerows([MBS, *rows])
    return buffer.getvalue().encode("utf-8-sig")


def _runs(engine: Engine) -> int:
    with session_factory(engine)() as session:
        return session.scalar(select(func.count()).select_from(t.CollectionRun)) or 0


def _post_days(engine: Engine) -> dict[str, dt.date]:
    with session_factory(engine)() as session:
        found = session.execute(select(t.Post.post_id, t.Post.created_at)).all()
    return {post_id: created.replace(tzinfo=dt.UTC).astimezone(HK).date() for post_id, created in found}


def _import_form(client: TestClient, files: dict[str, Any], **options: str) -> httpx.Response:
    token = page_token(client, "/admin/import")
    return client.post("/admin/import", files=files, data={"csrf_token": token, **options})


def _api_import(client: TestClient, engine: Engine, files: dict[str, Any], **options: str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token_for(engine, 'editor', 'import options')}"}
    return client.post("/admin/api/import", files=files, data=options, headers=headers)


def _cli_refusal(settings: Settings, tmp_path: Path, account: str) -> str:
    """What ``govsocial collect import --account ACCOUNT`` says of an account it refuses."""
    path = tmp_path / "Table data.csv"
    path.write_bytes(STUDIO)
    args = [
        "collect",
        "import",
        str(path),
        "--format",
        "youtube_studio",
        "--account",
        account,
        "--no-metrics",
    ]
    result = CliRunner().invoke(
        cli, args, env={"GOVSOCIAL_DATABASE_URL": settings.database_url, "COLUMNS": "500"}
    )
    assert result.exit_code == 2, result.output
    return " ".join(result.output.split())


# --- an account the registry does not have -------------------------------------------------------


def test_the_form_refuses_an_unknown_account_before_a_run_with_the_commands_message(
    web: TestClient, admin_engine: Engine, admin_settings: Settings, people: dict[str, int], tmp_path: Path
) -> None:
    sign_in(web, "editor")
    account = UNKNOWN + "?a=1&b=<i>"  # escaped on the form, in the message and in the field
    before = _runs(admin_engine)
    files = {"file": ("Table data.csv", STUDIO, "text/csv")}
    answer = _import_form(web, files, format="youtube_studio", account=account, date_order="day_first")
    assert answer.status_code == 400, answer.text
    assert _runs(admin_engine) == before  # nothing recorded, nothing to reload
    message = f"--account {account}: no youtube account with this address or platform id is in the registry"
    assert str(escape(message)) in answer.text and "<i>" not in answer.text
    assert message in _cli_refusal(admin_settings, tmp_path, account)  # the same words as the command's
    assert _runs(admin_engine) == before
    # The form again, as sent, the choice of date order too.
    assert f'name="account" value="{escape(account)}"' in answer.text
    assert 'name="date_order" value="day_first" checked' in answer.text
    with session_factory(admin_engine)() as session:
        assert session.scalar(select(func.count()).select_from(t.Post)) == 0


def test_the_api_refuses_an_unknown_account_with_a_422_before_a_run(
    web: TestClient, admin_engine: Engine, people: dict[str, int]
) -> None:
    before = _runs(admin_engine)
    files = {"file": ("Table data.csv", STUDIO, "text/csv")}
    answer = _api_import(web, admin_engine, files, format="youtube_studio", account=UNKNOWN)
    assert answer.status_code == 422 and answer.headers["content-type"] == "application/json"
    detail = answer.json()["detail"]
    assert detail.startswith(f"--account {UNKNOWN}: no youtube account") and "nothing was imported" in detail
    assert _runs(admin_engine) == before


def test_a_registered_account_is_imported_as_before(
    web: TestClient, admin_engine: Engine, people: dict[str, int]
) -> None:
    answer = _api_import(
        web, admin_engine, {"file": ("export.csv", _mbs("06/05/2026 10:00"), "text/csv")}, account=CFS
    )
    assert answer.status_code == 200 and answer.json()["status"] == "ok", answer.text
    assert _post_days(admin_engine) == {"770": dt.date(2026, 6, 5)}


# --- Dates in the file ---------------------------------------------------------------------------


def test_the_form_has_the_dates_choice_as_a_labelled_radio_group(
    web: TestClient, people: dict[str, int]
) -> None:
    sign_in(web, "editor")
    page = web.get("/admin/import").text
    group = page.split("<fieldset")[1].split("</fieldset>")[0]
    assert "<legend>Dates in the file</legend>" in group
    for value, label in (("", "Automatic"), ("day_first", "Day first"), ("month_first", "Month first")):
        field = f"date_order-{value or 'auto'}"
        assert f'<input type="radio" id="{field}" name="date_order" value="{value}"' in group
        assert f'<label for="{field}">{label}' in group
    assert 'value="" checked' in group  # automatic unless told


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ("day_first", {"770": dt.date(2026, 5, 6), "771": dt.date(2026, 7, 1)}),
        ("month_first", {"770": dt.date(2026, 6, 5), "771": dt.date(2026, 1, 7)}),
    ],
)
def test_the_forms_choice_reads_an_ambiguous_file_in_that_order(
    web: TestClient, admin_engine: Engine, people: dict[str, int], order: str, expected: dict[str, dt.date]
) -> None:
    sign_in(web, "editor")
    made = _import_form(
        web, {"file": ("export.csv", _mbs(*AMBIGUOUS), "text/csv")}, account=CFS, date_order=order
    )
    assert made.status_code == 303, made.text
    assert "Run 1: ok" in web.get(made.headers["location"]).text
    assert _post_days(admin_engine) == expected


def test_the_apis_date_order_reads_an_ambiguous_file_day_first(
    web: TestClient, admin_engine: Engine, people: dict[str, int]
) -> None:
    files = {"file": ("export.csv", _mbs(*AMBIGUOUS), "text/csv")}
    answer = _api_import(web, admin_engine, files, account=CFS, date_order="day_first")
    assert answer.status_code == 200 and answer.json()["status"] == "ok", answer.text
    assert _post_days(admin_engine) == {"770": dt.date(2026, 5, 6), "771": dt.date(2026, 7, 1)}


def test_an_ambiguous_file_without_a_choice_is_refused_naming_the_forms_field(
    web: TestClient, admin_engine: Engine, people: dict[str, int]
) -> None:
    sign_in(web, "editor")
    made = _import_form(web, {"file": ("export.csv", _mbs(*AMBIGUOUS), "text/csv")}, account=CFS)
    assert made.status_code == 303, made.text
    page = web.get(made.headers["location"]).text
    assert "Run 1: failed" in page and "&#39;6/5/2026 10:00&#39; could be day/month or month/day" in page
    assert (
        "import again with &#34;Dates in the file&#34;: &#34;Day first&#34; or &#34;Month first&#34;" in page
    )
    assert "--day-first" not in page  # the form has no such option
    assert _post_days(admin_engine) == {}


def test_an_ambiguous_file_without_a_date_order_is_refused_naming_the_apis_field(
    web: TestClient, admin_engine: Engine, people: dict[str, int]
) -> None:
    answer = _api_import(
        web, admin_engine, {"file": ("export.csv", _mbs(*AMBIGUOUS), "text/csv")}, account=CFS
    )
    assert answer.status_code == 200 and answer.json()["status"] == "failed"
    [error] = answer.json()["errors"]
    assert error["message"].endswith("import again with date_order=day_first or date_order=month_first")


def test_an_unknown_date_order_is_refused_before_a_run(
    web: TestClient, admin_engine: Engine, people: dict[str, int]
) -> None:
    files = {"file": ("export.csv", _mbs(*AMBIGUOUS), "text/csv")}
    answer = _api_import(web, admin_engine, files, account=CFS, date_order="<b>sideways</b>")
    assert answer.status_code == 422
    assert answer.json()["detail"] == "unknown date order '<b>sideways</b>' (use day_first or month_first)"
    sign_in(web, "editor")
    page = _import_form(web, files, account=CFS, date_order="<b>sideways</b>")
    assert page.status_code == 400 and "unknown date order &#39;&lt;b&gt;sideways&lt;/b&gt;&#39;" in page.text
    assert _runs(admin_engine) == 0


# --- a platform the catalogue does not have -------------------------------------------------------


def test_an_unknown_platform_is_refused_before_a_run_as_the_command_refuses_it(
    web: TestClient, admin_engine: Engine, people: dict[str, int]
) -> None:
    """``collect import --platform facebok`` is refused before anything is recorded; so is the form's
    and the API's, with the same message naming the platforms there are."""
    sign_in(web, "editor")
    before = _runs(admin_engine)
    files = {"file": ("Table data.csv", STUDIO, "text/csv")}
    answer = _import_form(web, files, format="youtube_studio", platform="facebok")
    assert answer.status_code == 400, answer.text
    assert "unknown platform &#39;facebok&#39;; the platforms are " in answer.text
    api = _api_import(web, admin_engine, files, format="youtube_studio", platform="facebok")
    assert api.status_code == 422 and api.json()["detail"].startswith("unknown platform 'facebok'")
    assert _runs(admin_engine) == before
