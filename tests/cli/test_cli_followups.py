"""The command line catching up with the library: ``report --publish`` of a period still under way
refused, the report's language the portal's default, ``registry lint`` across jurisdictions,
``registry verify`` per jurisdiction, ``serve`` refusing a jurisdiction the store does not hold,
and metric parameters that are not finite or not sensible refused."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, update
from typer.testing import CliRunner, Result

from govsocial.cli import serve as serve_command
from govsocial.cli.main import app
from govsocial.registry.load import load_registry
from govsocial.store import tables as t
from govsocial.store.db import session_factory
from tests.analyze.store_rows import Store
from tests.demo_store import KEY
from tests.registry.folders import account_row, with_xx

CFS = "https://www.facebook.com/cfs.hk"
XX_OWN = "https://www.facebook.com/xx.weather.example"


def _said(result: Result) -> str:
    """The output as one line, however the console wrapped it."""
    return " ".join(result.output.split())


def _env(url: str, **more: str) -> dict[str, str | None]:
    # None: a variable of the test run's own environment would choose for the command.
    env: dict[str, str | None] = {
        "GOVSOCIAL_DATABASE_URL": url,
        "GOVSOCIAL_PSEUDONYM_KEY": KEY,
        "GOVSOCIAL_DEFAULT_LOCALE": None,
        "GOVSOCIAL_JURISDICTION": None,
        "COLUMNS": None,
    }
    return env | more


def _invoke(url: str, *args: str, **env: str) -> Result:
    return CliRunner().invoke(app, list(args), env=_env(url, **env))


# --- report --publish of a period under way -------------------------------------------------------


@pytest.fixture
def hk_store(sqlite_engine: Engine) -> Engine:
    """A store holding Hong Kong (zh-hant by default, as its jurisdiction.toml says) and nothing else."""
    with session_factory(sqlite_engine)() as session:
        Store(session).jurisdiction()
        session.commit()
    return sqlite_engine


def test_publishing_the_month_under_way_is_refused_and_writes_nothing(
    hk_store: Engine, sqlite_url: str, tmp_path: Path
) -> None:
    this_month = dt.datetime.now(ZoneInfo("Asia/Hong_Kong")).strftime("%Y-%m")
    out, reports = tmp_path / "out", tmp_path / "reports"
    args = ["report", "--government", "--period", this_month, "--lang", "en", "--no-pdf", "--out", str(out)]
    env = {"GOVSOCIAL_REPORTS_DIR": str(reports)}

    refused = _invoke(sqlite_url, *args, "--publish", **env)

    assert refused.exit_code == 2, refused.output
    assert f"{this_month} has not ended yet" in _said(refused)
    assert not reports.exists() and not out.exists()
    # Looked at, not published, it may be.
    looked_at = _invoke(sqlite_url, *args, **env)
    assert looked_at.exit_code == 0, looked_at.output
    assert (out / f"government-hk-{this_month}-en.html").exists() and not reports.exists()


# --- report --lang: the portal's default language -------------------------------------------------


def _report(url: str, out: Path, jurisdiction: str, **env: str) -> str:
    """The language of the report of ``jurisdiction`` for September 2026 written without --lang."""
    args = ["report", "--government", "--jurisdiction", jurisdiction, "--period", "2026-09", "--no-pdf"]
    result = _invoke(url, *args, "--out", str(out), **env)
    assert result.exit_code == 0, result.output
    [written] = out.glob(f"government-{jurisdiction}-2026-09-*.html")
    lang = written.stem.rsplit("-2026-09-", 1)[1]
    assert f'<html lang="{"en" if lang == "en" else "zh-Hant"}' in written.read_text(encoding="utf-8")
    written.unlink()
    return lang


@pytest.mark.parametrize(
    ("locale", "expected"), [("en", "en"), ("zh-hant", "zh-hant"), ("zh-hans", "zh-hant")]
)
def test_the_report_is_in_the_jurisdictions_language_without_lang(
    hk_store: Engine, sqlite_url: str, tmp_path: Path, locale: str, expected: str
) -> None:
    with session_factory(hk_store)() as session:
        Store(session).jurisdiction("xx")
        session.execute(
            update(t.Jurisdiction).where(t.Jurisdiction.code == "xx").values(default_locale=locale)
        )
        session.commit()
    assert _report(sqlite_url, tmp_path, "xx") == expected
    assert _report(sqlite_url, tmp_path, "hk") == "zh-hant"


def test_the_default_locale_setting_chooses_before_the_jurisdiction(
    hk_store: Engine, sqlite_url: str, tmp_path: Path
) -> None:
    assert _report(sqlite_url, tmp_path, "hk", GOVSOCIAL_DEFAULT_LOCALE="en") == "en"
    assert _report(sqlite_url, tmp_path, "hk", GOVSOCIAL_DEFAULT_LOCALE="zh-hans") == "zh-hant"


# --- registry lint and verify across jurisdictions ------------------------------------------------


def _registry(tmp_path: Path, *urls: str) -> Path:
    """Hong Kong's bundled folder and a small jurisdiction ``xx`` listing ``urls`` as its accounts."""
    return with_xx(tmp_path, *map(account_row, urls))


def test_lint_finds_an_address_two_jurisdictions_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no store there: lint checks the files alone
    root = _registry(tmp_path, XX_OWN, CFS)

    result = _invoke("sqlite:///var/govsocial.db", "registry", "lint", str(root), "--json")

    assert result.exit_code == 1, result.output
    shared = [p for p in json.loads(result.stdout)["problems"] if "also an account of" in p["message"]]
    assert [(p["where"], p["line"], p["severity"]) for p in shared] == [("xx/accounts.csv", 3, "error")]
    assert "jurisdiction 'hk'" in shared[0]["message"]
    # Each folder alone is clean of it.
    alone = _invoke("sqlite:///var/govsocial.db", "registry", "lint", str(root / "xx"))
    assert "also an account of" not in _said(alone)


@pytest.fixture
def two_jurisdictions(sqlite_engine: Engine, sqlite_url: str, tmp_path: Path) -> str:
    """A store holding Hong Kong's registry and ``xx``'s one account."""
    assert not load_registry(sqlite_engine, _registry(tmp_path, XX_OWN), actor="test").problems
    return sqlite_url


def test_verify_asks_the_configured_jurisdiction_and_names_the_other(two_jurisdictions: str) -> None:
    url = two_jurisdictions
    assert _invoke(url, "registry", "verify", CFS).exit_code == 0  # hk's, asked of hk
    assert _invoke(url, "registry", "verify", XX_OWN, "--jurisdiction", "xx").exit_code == 0

    elsewhere = _invoke(url, "registry", "verify", CFS, "--jurisdiction", "xx")
    assert elsewhere.exit_code == 4, elsewhere.output
    assert "official in jurisdiction 'hk'" in _said(elsewhere)
    answer = json.loads(_invoke(url, "registry", "verify", XX_OWN, "--json").stdout)
    assert answer["status"] == "unknown" and answer["jurisdiction"] == "hk"
    assert (answer["other_jurisdiction"], answer["other_status"]) == ("xx", "official")
    assert answer["account_id"] is None and answer["organisations"] == []
    # The configured jurisdiction is the one asked without the option.
    configured = _invoke(url, "registry", "verify", XX_OWN, "--json", GOVSOCIAL_JURISDICTION="xx")
    assert json.loads(configured.stdout)["status"] == "official"
    unknown = _invoke(url, "registry", "verify", CFS, "--jurisdiction", "zz")
    assert unknown.exit_code == 2 and "no jurisdiction 'zz'" in _said(unknown)


# --- serve: a jurisdiction the store does not hold -----------------------------------------------


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """The apps ``serve`` would have served (none is)."""
    calls: list[object] = []
    monkeypatch.setattr(serve_command, "_serve_one", lambda app, host, port: bool(calls.append(app)))
    yield calls


def test_serve_refuses_a_jurisdiction_the_store_does_not_hold(registry_db: str, served: list[object]) -> None:
    result = _invoke(registry_db, "serve", "--port", "8123", GOVSOCIAL_JURISDICTION="sg-typo")

    assert result.exit_code == 2 and not served, result.output
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    said = _said(result)
    assert "the configured jurisdiction 'sg-typo' is not in the store (it holds hk" in said
    assert "govsocial registry load" in said
    # The same store, its own jurisdiction configured, is served.
    assert _invoke(registry_db, "serve", "--port", "8123").exit_code == 0 and len(served) == 1


def test_serve_refuses_a_store_with_no_registry_loaded(
    sqlite_engine: Engine, sqlite_url: str, served: list[object]
) -> None:
    result = _invoke(sqlite_url, "serve", "--port", "8123")
    assert result.exit_code == 2 and not served, result.output
    assert "'hk' is not in the store (it holds none): run `govsocial registry load`" in _said(result)


# --- metric parameters: finite and sensible ------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--response-hours", "inf"], "response_hours"),
        (["--response-hours", "nan"], "response_hours"),
        (["--response-hours", "100000"], "response_hours"),
        (["--active-days", "1000000000"], "active_days"),
        (["--param", "active_days=99999"], "active_days"),
        (["--param", "timeliness_max_hours=Infinity"], "timeliness_max_hours"),
        (["--param", "overperforming_posts=100000000"], "overperforming_posts"),
        (["--param", "overperforming_minimum=1e300"], "overperforming_minimum"),
    ],
)
def test_metrics_compute_refuses_parameters_out_of_bounds_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], named: str
) -> None:
    monkeypatch.chdir(tmp_path)
    result = _invoke("sqlite:///var/govsocial.db", "metrics", "compute", *args)
    assert result.exit_code == 2, result.output
    said = " ".join(result.output.replace("│", " ").split())  # the parser's box, however wrapped
    assert named in said and "Traceback" not in result.output, said
    assert not (tmp_path / "var").exists()
