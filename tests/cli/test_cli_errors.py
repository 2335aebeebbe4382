"""What the command line refuses, and how: one line on stderr and exit status 2 (docs/cli.md), never
a traceback, never a secret's value; and what it no longer accepts silently (a settings file that
is not there, a code or id that names nothing, a metric parameter out of its range)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import select
from typer.testing import CliRunner, Result

from govsocial.analyze import frames as F
from govsocial.analyze.metrics.engines import SparkError
from govsocial.analyze.metrics.params import MetricParams
from govsocial.cli import report as report_cli
from govsocial.cli.main import app
from govsocial.errors import ConfigurationError, GovsocialError
from govsocial.registry.load import load_registry
from govsocial.settings import Settings
from govsocial.store import tables as t
from govsocial.store.db import make_engine, session_factory, upgrade

runner = CliRunner()
SECRET = "s3cret-never-shown-4711"


def invoke(*args: str, stdin: str | None = None) -> Result:
    return runner.invoke(app, list(args), input=stdin)


def one_line_error(result: Result) -> str:
    """The error the command printed, checked to be one line, with exit status 2 and no traceback."""
    assert result.exit_code == 2, result.output
    assert result.output.startswith("error: ") and result.output.count("\n") == 1, result.output
    assert "Traceback" not in result.output
    return result.output


@pytest.fixture
def no_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder and the default database URL (``sqlite:///var/govsocial.db``, relative):
    a command that ran on the defaults would leave ``var/`` behind."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GOVSOCIAL_DATABASE_URL", raising=False)
    return tmp_path


@pytest.fixture(scope="module")
def store_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A store with the bundled registry (hk: organisations and accounts) and nothing else."""
    url = f"sqlite:///{tmp_path_factory.mktemp('errors') / 'govsocial.db'}"
    engine = make_engine(url)
    upgrade(engine)
    assert not load_registry(engine, Settings.load(database_url=url).registry_dir, actor="tests").problems
    engine.dispose()
    return url


@pytest.fixture
def store(store_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("GOVSOCIAL_DATABASE_URL", store_url)
    yield store_url


# --- Settings ------------------------------------------------------------------------------------


def test_a_settings_file_that_is_not_there_is_refused_alike(
    no_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--config`` and ``GOVSOCIAL_CONFIG`` (what the systemd units set) are refused the same way,
    before anything runs on the defaults."""
    given = one_line_error(invoke("--config", "/nonexistent.toml", "db", "current"))
    monkeypatch.setenv("GOVSOCIAL_CONFIG", "/nonexistent.toml")
    named = one_line_error(invoke("db", "current"))
    assert given == "error: settings file /nonexistent.toml: no such file\n"
    assert named == "error: settings file /nonexistent.toml (named by GOVSOCIAL_CONFIG): no such file\n"
    one_line_error(invoke("metrics", "list"))  # even a command that reads no setting
    assert not (no_store / "var").exists()
    monkeypatch.setenv("GOVSOCIAL_CONFIG", str(no_store))
    assert "not a file" in one_line_error(invoke("db", "current"))
    with pytest.raises(ConfigurationError, match="no such file"):
        Settings.load(no_store / "missing.toml")


@pytest.mark.parametrize(
    ("toml", "said"),
    [
        ("pagesize = 3\n", "pagesize (in settings file {file}): not a setting (did you mean page_size?)"),
        ("page_size = \n", "settings file {file}: not valid TOML: Invalid value (at line 1, column 13)"),
        ("page_size = 0\n", "page_size (from settings file {file}): must be greater than or equal to 1"),
        ('port = "abc"\n', "port (from settings file {file}): must be a valid integer"),
    ],
)
def test_a_bad_settings_file_is_one_line(no_store: Path, toml: str, said: str) -> None:
    config = no_store / "bad.toml"
    config.write_text(toml, encoding="utf-8")
    assert said.format(file=config) in one_line_error(invoke("--config", str(config), "db", "current"))
    assert not (no_store / "var").exists()


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        (
            "GOVSOCIAL_PORT",
            "abc",
            "port (from the environment variable GOVSOCIAL_PORT): must be a valid integer",
        ),
        (
            "GOVSOCIAL_PAGE_SIZE",
            "0",
            "page_size (from the environment variable GOVSOCIAL_PAGE_SIZE): must be ",
        ),
        (
            "GOVSOCIAL_API_BASE_URLS",
            "{bad",
            "api_base_urls (from the environment variable GOVSOCIAL_API_BASE_URLS)",
        ),
    ],
)
def test_a_bad_environment_variable_is_one_line(
    no_store: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, said: str
) -> None:
    monkeypatch.setenv(variable, value)
    assert said in one_line_error(invoke("db", "current"))
    assert said in one_line_error(invoke("serve"))  # before a server or a worker starts


def test_a_bad_secrets_file_is_named(no_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secrets = no_store / "secrets"
    secrets.mkdir()
    (secrets / "govsocial_page_size").write_text("zzz\n", encoding="utf-8")
    monkeypatch.setenv("GOVSOCIAL_SECRETS_DIR", str(secrets))
    output = one_line_error(invoke("db", "current"))
    assert (
        f"page_size (from the secrets file {secrets / 'govsocial_page_size'}): must be a valid integer"
        in output
    )
    assert "zzz" not in output


def test_no_value_is_ever_shown(no_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """pydantic's own message holds every input value: a secret of the wrong type, or a token
    pasted into the wrong variable, must not reach the terminal or the logs."""
    config = no_store / "secret.toml"
    config.write_text(f"smtp_password = 12345678\nfacebook_token = ['{SECRET}']\n", encoding="utf-8")
    monkeypatch.setenv("GOVSOCIAL_API_BASE_URLS", f'{{"facebook": {SECRET}}}')  # not JSON: read first
    output = one_line_error(invoke("--config", str(config), "db", "current"))
    assert "api_base_urls (from the environment variable GOVSOCIAL_API_BASE_URLS): must be JSON" in output
    monkeypatch.delenv("GOVSOCIAL_API_BASE_URLS")
    monkeypatch.setenv("GOVSOCIAL_SMTP_PORT", SECRET)
    output += one_line_error(invoke("--config", str(config), "db", "current"))
    for said in (
        "smtp_port (from the environment variable",
        "smtp_password (from settings file",
        "facebook_token",
    ):
        assert said in output
    assert SECRET not in output and "12345678" not in output
    with pytest.raises(ConfigurationError) as raised:
        Settings.load(config)
    assert raised.value.__cause__ is None and raised.value.__suppress_context__  # no chained ValidationError


# --- Reports, frames, Spark -----------------------------------------------------------------------


def test_report_out_that_is_a_file_is_refused_before_the_report_is_built(no_store: Path) -> None:
    (no_store / "afile").write_text("", encoding="utf-8")
    output = one_line_error(
        invoke("report", "--org", "cfs", "--period", "2026-09", "--out", "afile", "--no-pdf")
    )
    assert output == "error: --out afile: a file, not a folder\n"
    output = one_line_error(invoke("report", "--org", "cfs", "--period", "2026-09", "--out", "afile/sub"))
    assert output == "error: --out afile/sub: under the file afile\n"
    assert not (no_store / "var").exists()  # refused before the store was opened


def test_report_out_that_cannot_be_written_is_one_line(
    no_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = SimpleNamespace(jurisdiction="hk", level="organisation", entity="cfs", period="2026-09")
    monkeypatch.setattr(report_cli, "build", lambda *args, **kwargs: report)
    monkeypatch.setattr(report_cli, "render_html", lambda *args: "<html></html>")
    monkeypatch.setattr(report_cli, "release_due", lambda *args: None)  # the survey's tables are not there

    def refused(path: Path, data: bytes) -> None:
        raise FileNotFoundError(2, "No such file or directory", str(path.parent))

    monkeypatch.setattr(report_cli, "write_atomic", refused)
    (no_store / "var").mkdir(exist_ok=True)
    (no_store / "var" / "govsocial.db").touch()  # report and release faked; the store is only opened
    output = one_line_error(
        invoke(
            "report", "--org", "cfs", "--period", "2026-09", "--lang", "zh-hant", "--out", "rp", "--no-pdf"
        )
    )
    assert output == "error: --out rp: cannot write hk~cfs-2026-09-zh-hant.html: No such file or directory\n"


def test_frames_folder_without_frames_is_named(no_store: Path) -> None:
    (no_store / "emptyframes").mkdir()
    output = one_line_error(invoke("metrics", "compute", "--frames", "emptyframes"))
    assert "--frames emptyframes: not a frames folder, it lacks meta.json, accounts.parquet" in output
    assert "govsocial metrics export-frames DIR" in output


def test_a_spark_master_spark_does_not_take_is_refused_before_a_jvm_starts(no_store: Path) -> None:
    frames = F.Frames(jurisdiction="hk", population=None, tables={name: F.empty(name) for name in F.SCHEMAS})
    frames.write_parquet(no_store / "frames")
    output = one_line_error(
        invoke("metrics", "compute", "--engine", "spark", "--spark-master", "bogus", "--frames", "frames")
    )
    assert output.startswith("error: 'bogus' is not a Spark master: give local, local[N], local[*]")
    assert issubclass(SparkError, GovsocialError) and issubclass(SparkError, RuntimeError)


# --- Metric parameters ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pair",
    [
        "business_hours=[25,3]",
        "business_hours=[9,9]",
        "business_hours=[18,9]",
        "business_hours=[-1,8]",
        "socially_devoted=1.5",
        "socially_devoted=-0.1",
        "timeliness_similarity=0",
    ],
)
def test_a_metric_parameter_out_of_its_range_is_refused(no_store: Path, pair: str) -> None:
    result = invoke("metrics", "compute", "--param", pair)
    assert result.exit_code == 2 and pair.split("=")[0] in result.output, result.output
    assert "Value error" not in result.output


def test_the_documented_parameter_ranges_hold_at_their_ends() -> None:
    assert MetricParams(
        business_hours=(0, 24), socially_devoted=0, timeliness_similarity=1
    ).business_hours == (0, 24)
    assert MetricParams(socially_devoted=1).digest() != MetricParams().digest()
    assert "0 <= start < end <= 24" in invoke("metrics", "compute", "--param", "business_hours=[25,3]").output


def test_json_and_out_together_are_refused(no_store: Path) -> None:
    result = invoke("metrics", "compute", "--json", "--out", "values.csv")
    assert result.exit_code == 2 and "not both" in result.output
    assert not (no_store / "values.csv").exists()


# --- Codes and ids that name nothing --------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["events", "list", "--organisation", "nosuch"], "no organisation 'nosuch' in jurisdiction 'hk'"),
        (
            ["clarifications", "list", "--organisation", "nosuch"],
            "no organisation 'nosuch' in jurisdiction 'hk'",
        ),
        (["events", "list", "--account", "99999"], "no account 99999 in jurisdiction 'hk'"),
        (["clarifications", "list", "--account", "99999999999"], "no account 99999999999 in jurisdiction"),
        (["events", "list", "--jurisdiction", "xx"], "no jurisdiction 'xx' in the store; it holds hk"),
        (["sentiment", "score", "--jurisdiction", "xx"], "no jurisdiction 'xx' in the store"),
        (["registry", "export", "--jurisdiction", "xx"], "no jurisdiction 'xx' in the store"),
        (["registry", "review-due", "--jurisdiction", "xx"], "no jurisdiction 'xx' in the store"),
        (["registry", "lint", "/nonexistent"], "/nonexistent: no such folder"),
        (["collect", "--org", "nosuch", "--no-metrics"], "no organisation 'nosuch' in jurisdiction 'hk'"),
    ],
)
def test_a_name_that_names_nothing_is_refused(store: str, args: list[str], said: str) -> None:
    assert said in one_line_error(invoke(*args))


def test_the_errors_say_where_the_valid_names_are(store: str, tmp_path: Path) -> None:
    assert (
        "govsocial registry export --kind organisations"
        in invoke("events", "list", "--organisation", "x").output
    )
    assert "govsocial registry verify URL" in invoke("events", "list", "--account", "99999").output
    output = one_line_error(invoke("registry", "lint", str(tmp_path)))
    assert "holds no registry: no jurisdiction.toml" in output
    result = invoke("events", "list", "--kind", "nosuch")
    assert result.exit_code == 2 and "comment_volume" in result.output and "negative_share" in result.output
    assert invoke("events", "list", "--organisation", "hk-isd", "--kind", "comment_volume").exit_code == 0


def test_an_alert_rule_on_nothing_is_not_stored(store: str) -> None:
    hook = ["--webhook", "http://127.0.0.1:9/x"]
    refused = {
        ("--level", "account", "--entity", "99999"): "no account 99999 in jurisdiction 'hk'",
        ("--level", "organisation", "--entity", "isd"): "no organisation 'isd' in jurisdiction 'hk'",
        ("--level", "government", "--entity", "zz"): "a government rule watches its jurisdiction 'hk'",
        ("--jurisdiction", "xx",): "no jurisdiction 'xx' in the store",
    }  # fmt: skip
    before = json.loads(invoke("alerts", "rules", "list", "--json").output)["count"]
    for args, said in refused.items():
        assert said in one_line_error(invoke("alerts", "rules", "add", "comment_volume", *args, *hook))
    assert json.loads(invoke("alerts", "rules", "list", "--json").output)["count"] == before
    result = invoke(
        "alerts", "rules", "add", "comment_volume", "--level", "organisation", "--entity", "hk-isd", *hook
    )
    assert result.exit_code == 0, result.output


# --- Ids and the audit log ------------------------------------------------------------------------


def test_verify_prints_the_account_id_alert_rules_take(store: str) -> None:
    found = json.loads(invoke("registry", "verify", "https://fb.com/cfs.hk", "--json").output)
    engine = make_engine(store)
    with session_factory(engine)() as session:
        account = session.get(t.Account, found["account_id"])
        assert account is not None and account.handle.lower() == "cfs.hk"
    engine.dispose()
    assert (
        f"account id: {found['account_id']}" in invoke("registry", "verify", "https://fb.com/cfs.hk").output
    )
    unknown = json.loads(invoke("registry", "verify", "https://t.me/hkfightcovid2020", "--json").output)
    assert unknown["account_id"] is None


def test_every_user_change_from_the_cli_is_audited_as_by_cli(store: str) -> None:
    assert invoke("users", "add", "auditor", stdin="a long enough password\n").exit_code == 0
    result = invoke("users", "token", "auditor", "--name", "ci")
    assert result.exit_code == 0, result.output
    token_id = result.output.split("token ")[1].split()[0]
    assert invoke("users", "revoke-token", token_id).exit_code == 0
    assert invoke("users", "disable", "auditor").exit_code == 0
    engine = make_engine(store)
    with session_factory(engine)() as session:
        rows = session.scalars(select(t.AuditEntry).where(t.AuditEntry.action.in_(
            ("user.add", "token.add", "token.revoke", "user.disable")))).all()  # fmt: skip
    engine.dispose()
    assert sorted(r.action for r in rows) == ["token.add", "token.revoke", "user.add", "user.disable"]
    assert all(r.details.get("by") == "cli" and r.user_id is None for r in rows), [r.details for r in rows]


# --- metrics show: newest first across period kinds -----------------------------------------------


def test_metrics_show_sorts_by_period_end_across_kinds(store: str) -> None:
    periods = {"week": ["2026-W40", "2026-W35"], "month": ["2026-09", "2026-08"], "year": ["2025"]}
    engine = make_engine(store)
    with session_factory(engine)() as session, session.begin():
        for kind, labels in periods.items():
            for label in labels:
                session.add(t.MetricValue(
                    jurisdiction="hk", metric="accounts", level="government", entity="hk", period_kind=kind,
                    period=label, value=1.0, inputs={}, params=MetricParams().digest(),
                ))  # fmt: skip
    engine.dispose()
    result = invoke("metrics", "show", "--metric", "accounts", "--json")
    assert result.exit_code == 0, result.output
    shown = [row["period"] for row in json.loads(result.output)]
    # The day after each: 2026-W40 5 October, September 1 October, August 1 September, 2026-W35
    # 31 August, 2025 1 January 2026.
    assert shown == ["2026-W40", "2026-09", "2026-08", "2026-W35", "2025"]
    limited = invoke("metrics", "show", "--metric", "accounts", "--limit", "2", "--json").output
    assert [row["period"] for row in json.loads(limited)] == ["2026-W40", "2026-09"]
    weeks = invoke("metrics", "show", "--metric", "accounts", "--period-kind", "week", "--json").output
    assert [row["period"] for row in json.loads(weeks)] == ["2026-W40", "2026-W35"]


def test_metrics_show_refuses_a_jurisdiction_it_knows_nothing_of(store: str) -> None:
    engine = make_engine(store)
    with session_factory(engine)() as session, session.begin():
        # Values refreshed from another store's frames: no registry row for "zz", still shown.
        session.add(t.MetricValue(
            jurisdiction="zz", metric="accounts", level="government", entity="zz", period_kind="month",
            period="2026-09", value=1.0, inputs={}, params=MetricParams().digest(),
        ))  # fmt: skip
        held = session.scalar(select(t.Jurisdiction.code).where(t.Jurisdiction.code == "zz"))
    engine.dispose()
    assert held is None
    unknown = invoke("metrics", "show", "--jurisdiction", "xx")
    assert unknown.exit_code == 2 and "no jurisdiction 'xx'" in unknown.output, unknown.output
    shown = invoke("metrics", "show", "--jurisdiction", "zz", "--json")
    assert shown.exit_code == 0, shown.output
    assert [row["entity"] for row in json.loads(shown.output)] == ["zz"]


def test_serve_on_a_database_file_that_is_not_there_says_so_and_makes_none(no_store: Path) -> None:
    """It connected first, which left an empty ``var/govsocial.db``, then said the database was empty."""
    said = one_line_error(invoke("serve"))
    assert "there is no database at var/govsocial.db" in said and "govsocial db upgrade" in said
    assert not (no_store / "var" / "govsocial.db").exists()
