"""What the command line refuses since the CLI review: output paths that cannot be written, a
database that cannot be opened or is of an unsupported kind, a write command given no database,
``collect`` given no target or several, a period that is no period, an invalid number; each one
line (or, for a misused option, the parser's usage) with exit status 2, never a traceback. And
output that is not a terminal laid out wide, so that tables are not cut to 80 columns."""

from __future__ import annotations

import csv
import errno
import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner, Result

from govsocial.cli import common
from govsocial.cli.main import app
from govsocial.store import tables as t
from govsocial.store.db import make_engine, session_factory

runner = CliRunner()


def invoke(url: str, *args: str, stdin: str | None = None) -> Result:
    return runner.invoke(app, list(args), input=stdin, env={"GOVSOCIAL_DATABASE_URL": url, "COLUMNS": None})


def one_line_error(result: Result) -> str:
    """The error printed: one line on stderr, exit status 2, nothing on stdout, no traceback."""
    assert result.exit_code == 2, result.output
    assert result.stdout == "", result.stdout
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.output
    return result.stderr


def usage_error(result: Result) -> str:
    """A misused option: the parser's usage and message on stderr, exit status 2, nothing on stdout."""
    assert result.exit_code == 2, result.output
    assert result.stdout == "", result.stdout
    assert "Traceback" not in result.output
    return " ".join(result.stderr.replace("│", " ").split())


@pytest.fixture
def a_file(tmp_path: Path) -> Path:
    """A plain file, where a folder would be needed."""
    path = tmp_path / "a-file"
    path.write_text("not a folder\n", encoding="utf-8")
    return path


# --- 3: output paths that cannot be written ---------------------------------------------------


def _output_commands(tmp: Path, a_file: Path) -> list[tuple[list[str], Path]]:
    """Commands writing to ``(arguments, the output path)`` that cannot be written."""
    labelled = tmp / "labelled.csv"
    labelled.write_text("text,label\ngood,positive\nbad,negative\n", encoding="utf-8")
    return [
        (["registry", "export", "-o", str(tmp / "no-folder" / "a.csv")], tmp / "no-folder" / "a.csv"),
        (["registry", "export", "-o", str(tmp)], tmp),
        (["registry", "export", "-o", str(a_file / "a.csv")], a_file / "a.csv"),
        (["metrics", "compute", "--out", str(tmp / "no-folder" / "v.csv")], tmp / "no-folder" / "v.csv"),
        (["metrics", "compute", "--out", str(a_file / "v.parquet")], a_file / "v.parquet"),
        (["metrics", "export-frames", str(a_file / "frames")], a_file / "frames"),
        (["collect", "sample", "--out", str(a_file / "sample")], a_file / "sample"),
        (["sentiment", "train", str(labelled), "--out", str(a_file / "model")], a_file / "model"),
        (["sentiment", "train", str(labelled), "--out", str(a_file)], a_file),
    ]


def test_an_output_path_that_cannot_be_written_is_one_line(
    registry_db: str, tmp_path: Path, a_file: Path
) -> None:
    for args, path in _output_commands(tmp_path, a_file):
        said = one_line_error(invoke(registry_db, *args))
        assert str(path) in said and "cannot write" in said, (args, said)
    assert not (tmp_path / "no-folder").exists()  # a file's folder is not made


def test_an_output_the_user_may_not_write_is_one_line(
    registry_db: str, tmp_path: Path, a_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Permission denied (the tests may run as root, who may write anywhere: ``os.access`` says no)."""
    monkeypatch.setattr(common.os, "access", lambda *_args, **_kwargs: False)
    for args in (
        ["registry", "export", "-o", str(tmp_path / "a.csv")],
        ["metrics", "compute", "--out", str(tmp_path / "v.csv")],
        ["metrics", "export-frames", str(tmp_path / "frames")],
        ["collect", "sample", "--out", str(tmp_path / "sample")],
    ):
        assert "permission denied" in one_line_error(invoke(registry_db, *args)), args


def test_writing_turns_an_os_error_about_the_output_into_one_line(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    with (
        pytest.raises(common.OutputError, match=r"cannot write .*out.csv: No space left on device"),
        common.writing(out),
    ):
        raise OSError(errno.ENOSPC, "No space left on device", str(out))
    with (
        pytest.raises(common.OutputError, match=r"model/model.json: Permission denied"),
        common.writing(tmp_path / "model"),
    ):
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / "model" / "model.json"))
    with pytest.raises(FileNotFoundError), common.writing(out):  # another file (an input): left as is
        raise FileNotFoundError(errno.ENOENT, "No such file or directory", str(tmp_path / "in.csv"))


def test_registry_export_still_writes_a_file_and_stdout(registry_db: str, tmp_path: Path) -> None:
    out = tmp_path / "accounts.csv"
    result = invoke(registry_db, "registry", "export", "-o", str(out))
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8") as f:
        assert len(list(csv.reader(f))) > 1  # the header and the accounts
    assert json.loads(invoke(registry_db, "registry", "export", "--format", "json").stdout)["count"] > 0


# --- 11 and 9: a database that cannot be opened, or is of a kind govsocial does not run on -------


@pytest.mark.parametrize(
    "command", [["db", "current"], ["serve", "--port", "8123"], ["registry", "export"], ["db", "upgrade"]]
)
def test_an_sqlite_path_that_cannot_be_opened_is_one_line(tmp_path: Path, command: list[str]) -> None:
    folder = tmp_path / "a-folder.db"  # there, but a folder: SQLite cannot open it
    folder.mkdir()
    said = one_line_error(invoke(f"sqlite:///{folder}", *command))
    assert said.startswith(f"error: cannot connect to the database sqlite:///{folder}:"), said


def test_db_upgrade_where_a_file_stands_in_for_the_folder_is_one_line(a_file: Path) -> None:
    said = one_line_error(invoke(f"sqlite:///{a_file}/sub/x.db", "db", "upgrade"))
    assert f"{a_file} is a file, not a folder" in said
    # and the commands that only read say there is no database, without making anything
    assert "no database file yet" in invoke(f"sqlite:///{a_file}/x.db", "db", "current").stdout
    assert "there is no database" in one_line_error(invoke(f"sqlite:///{a_file}/x.db", "serve"))


@pytest.mark.parametrize(
    "command", [["db", "current"], ["db", "upgrade"], ["serve", "--port", "8123"], ["registry", "export"]]
)
@pytest.mark.parametrize(
    "url",
    [
        "mysql://gs:topsecret@localhost/govsocial",
        "oracle://gs:topsecret@db/x",
        "mssql+pyodbc://gs:topsecret@d",
    ],
)
def test_an_unsupported_database_url_names_the_supported_ones(url: str, command: list[str]) -> None:
    said = one_line_error(invoke(url, *command))
    assert "is not supported" in said and "sqlite" in said and "postgresql" in said
    assert "topsecret" not in said


def test_a_postgresql_driver_that_is_not_installed_is_one_line() -> None:
    pytest.importorskip("psycopg")
    try:
        import psycopg2  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("psycopg2 is installed here")
    said = one_line_error(invoke("postgresql+psycopg2://gs:topsecret@127.0.0.1/x", "db", "current"))
    assert "psycopg2 is not installed" in said and "postgresql+psycopg://" in said
    assert "topsecret" not in said


# --- 2: a write command leaves no SQLite file behind ---------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["registry", "load"],
        ["registry", "archive", "https://fb.com/cfs.hk", "--reason", "gone"],
        ["collect", "schedule", "https://fb.com/cfs.hk", "--every", "10"],
        ["collect", "--all"],
        ["metrics", "refresh"],
        ["sentiment", "score"],
        ["privacy", "purge"],
        ["collect", "import", "posts.csv", "--timezone", "UTC"],
        ["users", "add", "ann"],
        ["alerts", "run"],
        ["db", "downgrade", "base"],
    ],
    ids=lambda command: " ".join(command[:2]),
)
def test_a_write_command_makes_no_database(tmp_path: Path, command: list[str]) -> None:
    where = tmp_path / "var" / "govsocial.db"
    export = tmp_path / "posts.csv"
    export.write_text("platform,account,post_id,created_at,text\n", encoding="utf-8")
    command = [str(export) if arg == "posts.csv" else arg for arg in command]
    said = one_line_error(invoke(f"sqlite:///{where}", *command, stdin="a long enough password\n" * 2))
    assert "there is no database" in said and "govsocial db upgrade" in said
    assert not where.exists() and not where.parent.exists()


def test_db_upgrade_makes_the_database(tmp_path: Path) -> None:
    where = tmp_path / "var" / "govsocial.db"
    assert invoke(f"sqlite:///{where}", "db", "upgrade").exit_code == 0
    assert where.is_file()


# --- 5 and 6: collect's targets and platforms ----------------------------------------------------


def test_collect_without_a_target_is_an_error_naming_the_targets(registry_db: str) -> None:
    said = usage_error(invoke(registry_db, "collect"))
    assert "--account" in said and "--org" in said and "--all" in said


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--account", "https://fb.com/cfs.hk", "--org", "cfs"], "--account and --org"),
        (["--all", "--account", "https://fb.com/cfs.hk"], "--account and --all"),
        (["--org", "cfs", "--all"], "--org and --all"),
        (["--account", "https://fb.com/cfs.hk", "--platform", "facebook"], "--platform goes with"),
    ],
)
def test_collect_refuses_several_targets(registry_db: str, args: list[str], named: str) -> None:
    assert named in usage_error(invoke(registry_db, "collect", *args))


def test_collect_refuses_a_platform_it_cannot_collect(registry_db: str) -> None:
    said = one_line_error(invoke(registry_db, "collect", "--all", "--platform", "myspace"))
    assert "unknown platform 'myspace'" in said and "facebook" in said
    said = one_line_error(invoke(registry_db, "collect", "--all", "--platform", "weibo"))
    assert "'weibo' has no connector" in said


def test_collect_import_refuses_an_unknown_platform(registry_db: str, tmp_path: Path) -> None:
    export = tmp_path / "posts.csv"
    export.write_text("platform,account,post_id,created_at,text\n", encoding="utf-8")
    said = one_line_error(invoke(registry_db, "collect", "import", str(export), "--platform", "myspace"))
    assert "unknown platform 'myspace'" in said


# --- 7: metrics show --period --------------------------------------------------------------------


@pytest.mark.parametrize("period", ["2026-13", "2026-00", "2026-W54", "2026-02-30", "Oct 2026", "26"])
def test_metrics_show_refuses_a_period_that_is_no_period(registry_db: str, period: str) -> None:
    said = usage_error(invoke(registry_db, "metrics", "show", "--period", period))
    assert f"'{period}' is not a period label" in said


def test_metrics_show_takes_every_kind_of_label(registry_db: str) -> None:
    for period in ("2026-10-01", "2026-W40", "2026-10", "2026"):
        result = invoke(registry_db, "metrics", "show", "--period", period, "--json")
        assert result.exit_code == 0 and json.loads(result.stdout) == [], result.output


# --- 10: invalid numbers -------------------------------------------------------------------------


@pytest.mark.parametrize("c", ["-1", "0", "nan", "inf"])
def test_sentiment_train_refuses_a_c_that_is_not_positive(tmp_path: Path, c: str) -> None:
    labelled = tmp_path / "labelled.csv"
    labelled.write_text("text,label\ngood,positive\nbad,negative\n", encoding="utf-8")
    result = runner.invoke(app, ["sentiment", "train", str(labelled), "--out", str(tmp_path / "m"), "--c", c])
    assert "--c" in usage_error(result)
    assert not (tmp_path / "m").exists()


# --- 4: topics --account and --jurisdiction ------------------------------------------------------


def test_topics_refuses_an_account_of_another_jurisdiction(registry_db: str) -> None:
    with session_factory(make_engine(registry_db))() as session:
        other = session.scalar(select(t.Account.id).where(t.Account.jurisdiction != "hk").limit(1))
    assert other is not None, "the bundled registry has a second jurisdiction"
    said = one_line_error(invoke(registry_db, "topics", "--account", str(other)))
    assert f"no account {other} in jurisdiction 'hk'" in said
    with session_factory(make_engine(registry_db))() as session:
        code = session.scalar(select(t.Account.jurisdiction).where(t.Account.id == other))
    result = invoke(registry_db, "topics", "--account", str(other), "--jurisdiction", str(code), "--json")
    assert result.exit_code == 0, result.output


# --- 1: output that is not a terminal is not cut to 80 columns -----------------------------------


def test_piped_tables_are_not_cut_to_80_columns(registry_db: str) -> None:
    result = invoke(registry_db, "registry", "platforms")
    assert result.exit_code == 0, result.output
    pinterest = next(line for line in result.stdout.splitlines() if "pinterest" in line)
    # every host on the platform's one line: not wrapped into the next, not cut with an ellipsis
    assert "pinterest.com," in pinterest and "pinterest.pt" in pinterest and "…" not in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) > 80


def test_columns_still_sets_the_width(registry_db: str) -> None:
    result = runner.invoke(
        app, ["registry", "platforms"], env={"GOVSOCIAL_DATABASE_URL": registry_db, "COLUMNS": "100"}
    )
    assert result.exit_code == 0, result.output
    assert max(len(line) for line in result.stdout.splitlines()) <= 100
