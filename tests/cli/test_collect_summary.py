"""What ``govsocial collect`` and ``collect import`` print after a run, in text mode: each error and
gap in one line naming where, its kind and what it says (not a Python dict), and what the operator
can do next: where the quarantined records are listed, and that a refused credential is renewed;
and what ``collect quarantine`` lists: the newest records, saying what it leaves out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from govsocial.cli import collect as collect_cli
from govsocial.cli.collect import QUARANTINE_LISTED
from govsocial.cli.main import app
from govsocial.collect.runs import RunSummary
from govsocial.store import tables as t
from govsocial.store.db import make_engine, session_factory


def printed(summary: RunSummary, capsys: pytest.CaptureFixture[str]) -> str:
    collect_cli._print_summary(summary, as_json=False)
    captured = capsys.readouterr()
    return " ".join((captured.out + captured.err).split())


def test_an_expired_token_is_one_line_and_says_to_renew_it(capsys: pytest.CaptureFixture[str]) -> None:
    error = {
        "account": "facebook cfs.hk",
        "kind": "auth",
        "message": "Graph error 190/463: Session has expired",
    }
    said = printed(RunSummary(run_id=7, errors=[error], accounts=1, failed_accounts=1), capsys)
    assert "error facebook cfs.hk (auth): Graph error 190/463: Session has expired" in said
    assert "renew the platform's token" in said and "resumes where it stopped" in said
    assert "{'" not in said


def test_the_advice_to_renew_a_token_names_where_it_is_set(capsys: pytest.CaptureFixture[str]) -> None:
    where = "setting facebook_token, environment variable GOVSOCIAL_FACEBOOK_TOKEN"
    errors = [
        {"account": f"facebook {page}", "kind": "auth", "message": "Graph error 190", "credential": where}
        for page in ("cfs.hk", "hkpost.official")
    ]
    said = printed(RunSummary(run_id=7, errors=errors, accounts=2, failed_accounts=2), capsys)
    assert f"renew the platform's token ({where}) (docs/collectors.md" in said
    assert said.count("GOVSOCIAL_FACEBOOK_TOKEN") == 1  # once, however many accounts it stopped


def test_a_gap_says_until_when(capsys: pytest.CaptureFixture[str]) -> None:
    gap = {
        "account": "facebook hkpost.official",
        "reason": "Graph error 32",
        "until": "2026-11-29T11:34:43+00:00",
    }
    said = printed(RunSummary(run_id=8, gaps=[gap], accounts=1), capsys)
    assert "gap facebook hkpost.official: Graph error 32 (until 2026-11-29T11:34:43+00:00)" in said
    assert "renew" not in said and "quarantine" not in said


def test_quarantined_records_name_the_command_that_lists_them(capsys: pytest.CaptureFixture[str]) -> None:
    summary = RunSummary(run_id=9, accounts=1)
    summary.counts.counts["quarantined"] = 3
    said = printed(summary, capsys)
    assert "3 record(s) quarantined: `govsocial collect quarantine --run 9` says where and why" in said


def _quarantine_store(registry_db: str, tmp_path: Path, records: int) -> str:
    """A copy of the registry store with ``records`` quarantined rows, line 1 the oldest."""
    copy = tmp_path / "store.db"
    copy.write_bytes(Path(registry_db.removeprefix("sqlite:///")).read_bytes())
    url = f"sqlite:///{copy}"
    engine = make_engine(url)
    try:
        with session_factory(engine).begin() as session:
            for line in range(1, records + 1):
                location, reason = f"old.csv, line {line}", "created_at is empty"
                fingerprint = t.QuarantinedRecord.fingerprint_of("import:generic", location, reason, "")
                session.add(t.QuarantinedRecord(source="import:generic", location=location, reason=reason,
                                                content="", fingerprint=fingerprint))  # fmt: skip
    finally:
        engine.dispose()
    return url


def test_the_quarantine_listing_shows_the_newest_records_and_says_what_it_leaves_out(
    registry_db: str, tmp_path: Path
) -> None:
    """It listed the first 1,000 records ever quarantined: once a store had more, what the last
    import refused was never shown, and nothing said so."""
    url = _quarantine_store(registry_db, tmp_path, QUARANTINE_LISTED + 3)
    env = {"GOVSOCIAL_DATABASE_URL": url, "COLUMNS": "300"}
    listing = CliRunner().invoke(app, ["collect", "quarantine", "--json"], env=env)
    data = json.loads(listing.stdout)
    assert (data["count"], data["total"]) == (QUARANTINE_LISTED, QUARANTINE_LISTED + 3)
    assert [row["location"] for row in data["data"]][-1] == f"old.csv, line {QUARANTINE_LISTED + 3}"
    assert data["data"][0]["location"] == "old.csv, line 4"
    text = CliRunner().invoke(app, ["collect", "quarantine"], env=env)
    said = " ".join(text.output.split())
    assert f"old.csv, line {QUARANTINE_LISTED + 3}: created_at is empty" in said
    assert "3 older record(s) not listed" in said and "old.csv, line 3:" not in said


def test_an_empty_quarantine_listing_says_so(registry_db: str, tmp_path: Path) -> None:
    url = _quarantine_store(registry_db, tmp_path, 0)
    result = CliRunner().invoke(
        app, ["collect", "quarantine", "--run", "5"], env={"GOVSOCIAL_DATABASE_URL": url}
    )
    assert result.exit_code == 0 and "no quarantined records met by run 5" in result.output
