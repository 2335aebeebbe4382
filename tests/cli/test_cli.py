"""The ``govsocial`` command line, run in-process with Typer's runner over a temporary store."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from govsocial.cli.main import app
from govsocial.store import tables as t

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GOVSOCIAL_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    return tmp_path


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_every_command_has_help() -> None:
    def walk(command, path):  # type: ignore[no-untyped-def]
        yield path
        for name, sub in getattr(command, "commands", {}).items():
            yield from walk(sub, [*path, name])

    for path in walk(get_command(app), []):
        code, output = run(*path, "--help")
        assert code == 0 and "Usage" in output, path


def test_load_then_verify_exit_codes(env: Path) -> None:
    assert run("db", "upgrade")[0] == 0
    code, output = run("registry", "load", "--json")
    assert code == 0, output
    assert json.loads(output)["accounts"]["insert"] > 0
    assert run("registry", "verify", "https://fb.com/cfs.hk")[0] == 0
    assert run("registry", "verify", "https://www.facebook.com/carrielam.hksar")[0] == 3
    assert run("registry", "verify", "https://t.me/hkfightcovid2020")[0] == 4
    code, output = run("registry", "verify", "https://faceb00k.com/cfs.hk")
    assert code == 2 and "faceb00k.com" in output
    code, output = run("registry", "verify", "@cfs.hk", "--platform", "facebook", "--json")
    assert code == 0 and json.loads(output)["status"] == "official"


def test_a_command_on_a_database_behind_the_migrations_says_what_to_run(env: Path) -> None:
    """A command that reads the store of an empty database, or of one an older govsocial left
    behind, says which migration it is at and what to run, not a traceback of the missing table."""
    code, output = run("metrics", "show")
    said = " ".join(output.split())
    assert code == 2, output
    assert f"there is no database at {env / 'cli.db'}" in said and "govsocial db upgrade" in said
    assert not (env / "cli.db").exists()  # asking made no empty file
    assert run("db", "current") == (0, "no database file yet (run: govsocial db upgrade)\n")
    assert not (env / "cli.db").exists()
    sqlite3.connect(env / "cli.db").close()  # a file with no tables
    code, output = run("metrics", "show")
    said = " ".join(output.split())
    assert code == 2, output
    assert "at migration none (it is empty)" in said and "govsocial db upgrade" in said
    assert run("db", "upgrade", "0009")[0] == 0  # before the alerts tables (0010)
    code, output = run("alerts", "rules", "list")
    said = " ".join(output.split())
    assert code == 2, output
    assert "at migration 0009" in said and "govsocial db upgrade" in said


def test_a_database_error_on_a_current_database_is_not_hidden(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database error is not mistaken for an old schema when the migrations are current, nor
    when it comes from migrating: it is raised as it is, with its traceback."""
    from sqlalchemy.exc import OperationalError

    from govsocial.store import metric_queries

    def broken(*args: object, **kwargs: object) -> None:
        raise OperationalError("SELECT", {}, Exception("disk I/O error"))

    from govsocial.store import db

    # A migration that fails on an empty database: its own error, not "run govsocial db upgrade".
    with monkeypatch.context() as patched:
        patched.setattr(db, "upgrade", broken)
        result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 1 and isinstance(result.exception, OperationalError)

    assert run("db", "upgrade")[0] == 0
    engine = db.make_engine(f"sqlite:///{env / 'cli.db'}")
    with db.session_factory(engine)() as session, session.begin():
        session.add(t.Jurisdiction(code="hk", name_en="Hong Kong"))  # `metrics show` checks it first
    engine.dispose()
    monkeypatch.setattr(metric_queries, "list_values", broken)
    result = runner.invoke(app, ["metrics", "show"])
    assert result.exit_code == 1 and isinstance(result.exception, OperationalError)


def test_lint_does_not_create_a_database_that_is_not_there(env: Path) -> None:
    """Lint reads the store's platform catalogue when there is a store; without one it must not
    leave an empty database file behind (SQLite creates the file on connecting)."""
    assert run("registry", "lint")[0] == 0
    assert not (env / "cli.db").exists()


def test_lint_passes_on_the_bundled_registry(env: Path) -> None:
    code, output = run("registry", "lint", "--json")
    assert code == 0, output
    assert json.loads(output)["ok"] is True
    assert run("registry", "lint", "--strict")[0] == 1  # the known missing Chinese names are warnings


def test_import_reports_bad_rows_and_export_round_trips(env: Path) -> None:
    run("db", "upgrade")
    run("registry", "load")
    bad = env / "new.csv"
    bad.write_text(
        "org_codes,platform,url,status,evidence_url\n"
        "hk-hko,facebook,https://www.facebook.com/hko.example,under_review,https://www.hko.gov.hk\n"
        "hk-hko,facebook,https://faceb00k.com/hko,published,https://www.hko.gov.hk\n",
        encoding="utf-8",
    )
    code, output = run("registry", "import", str(bad))
    assert code == 1 and "new.csv, line 3" in output
    out = env / "accounts.csv"
    assert run("registry", "export", "--bom", "-o", str(out))[0] == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    code, output = run("registry", "import", str(out), "--json")
    assert code == 0, output
    assert "insert" not in json.loads(output)["accounts"]


def test_archive_then_verify_says_archived(env: Path) -> None:
    run("db", "upgrade")
    bad = env / "one.csv"
    bad.write_text(
        "org_codes,platform,url,evidence_url\nhk-hko,x,https://x.com/hko_example,https://www.hko.gov.hk\n",
        encoding="utf-8",
    )
    run("registry", "load")
    assert run("registry", "import", str(bad))[0] == 0
    assert run("registry", "verify", "https://twitter.com/HKO_example")[0] == 0
    assert run("registry", "archive", "x.com/hko_example", "--reason", "handle retired")[0] == 0
    assert run("registry", "verify", "https://twitter.com/HKO_example")[0] == 3


def test_review_due_lists_unreviewed_accounts(env: Path) -> None:
    run("db", "upgrade")
    run("registry", "load")
    code, output = run("registry", "review-due", "--json")
    assert code == 0
    assert json.loads(output)["count"] > 0


def test_bad_database_url_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVSOCIAL_DATABASE_URL", "nonsense://")
    code, output = run("db", "upgrade")
    assert code == 2 and "nonsense" in output


def test_platform_catalogue_is_editable_at_run_time(env: Path) -> None:
    run("db", "upgrade")
    run("registry", "load")
    assert run("registry", "verify", "https://social.gov.example/hkpf")[0] == 2  # unknown host
    definition = {
        "key": "govsocial_example",
        "name_en": "Example",
        "name_zh_hant": "範例",
        "name_zh_hans": "范例",
        "hosts": ["social.gov.example"],
        "rules": [{"pattern": r"/(?P<value>[a-z]+)", "kind": "handle"}],
        "canonical": {"handle": "https://social.gov.example/{value}"},
        "icon": "generic.svg",
    }
    path = env / "platform.json"
    path.write_text(json.dumps(definition), encoding="utf-8")
    code, output = run("registry", "platform-set", str(path))
    assert code == 0, output
    assert run("registry", "verify", "https://social.gov.example/hkpf")[0] == 4  # understood, not listed
    code, output = run("registry", "platforms", "--json")
    assert "govsocial_example" in [p["key"] for p in json.loads(output)["data"]]


def test_platform_set_refuses_a_host_claimed_twice(env: Path) -> None:
    run("db", "upgrade")
    run("registry", "load")
    definition = {
        "key": "fake",
        "name_en": "Fake",
        "name_zh_hant": "假",
        "name_zh_hans": "假",
        "hosts": ["facebook.com"],
        "icon": "generic.svg",
    }
    path = env / "fake.json"
    path.write_text(json.dumps([definition]), encoding="utf-8")
    code, output = run("registry", "platform-set", str(path))
    assert code == 2 and "catalogue would not work" in output
    assert run("registry", "verify", "https://fb.com/cfs.hk")[0] == 0
