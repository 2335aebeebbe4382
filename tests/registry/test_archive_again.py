"""Archiving an account that is archived already: the day it was retired (shown publicly) stays,
and archiving it again with the same reason changes and logs nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from govsocial.cli.main import app
from govsocial.registry.addresses import PlatformCatalogue
from govsocial.registry.load import load_registry
from govsocial.registry.review import archive
from govsocial.store import tables as t
from tests.registry.folders import REGISTRY

CATALOGUE = PlatformCatalogue.default()
URL = "https://m.facebook.com/cfs.hk/"


def _changes(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(t.Change).where(t.Change.action == "archive")) or 0


def test_the_retirement_day_stays_and_a_rerun_is_a_noop(engine: Engine, session: Session) -> None:
    load_registry(engine, REGISTRY, actor="tests", only="hk")
    first = archive(session, CATALOGUE, URL, "page closed", "cli:archive", today=dt.date(2026, 1, 5))
    session.commit()
    assert (first.status, first.archived_on) == (t.AccountStatus.ARCHIVED, dt.date(2026, 1, 5))
    assert _changes(session) == 1

    again = archive(session, CATALOGUE, URL, "page closed", "cli:archive", today=dt.date(2026, 3, 1))
    session.commit()
    assert again.archived_on == dt.date(2026, 1, 5)
    assert _changes(session) == 1  # nothing changed, nothing logged

    archive(
        session, CATALOGUE, URL, "page closed by the department", "cli:archive", today=dt.date(2026, 3, 1)
    )
    session.commit()
    assert (
        again.archived_on == dt.date(2026, 1, 5) and again.archived_reason == "page closed by the department"
    )
    change = session.scalars(
        select(t.Change).where(t.Change.action == "archive").order_by(t.Change.id)
    ).all()[-1]
    assert change.before == {
        "archived_reason": "page closed",
        "archived_on": "2026-01-05",
        "status": "archived",
    }
    assert change.after["archived_reason"] == "page closed by the department"


def test_the_command_warns_when_the_files_list_the_account(engine: Engine, tmp_path: Path) -> None:
    """``registry load`` sets an account back as its row says: archived in the store only, a closed
    account of the bundled files would be published again, and verify as official."""
    load_registry(engine, REGISTRY, actor="tests", only="hk")
    env = {"GOVSOCIAL_DATABASE_URL": engine.url.render_as_string(hide_password=False)}
    path = tmp_path / "accounts.csv"
    path.write_text(
        "org_codes,platform,url,status,evidence_url\n"
        "cfs,facebook,https://www.facebook.com/cfs.campaign.example,published,https://www.cfs.gov.hk/\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    assert runner.invoke(app, ["registry", "import", str(path)], env=env).exit_code == 0

    bundled = runner.invoke(app, ["registry", "archive", URL, "--reason", "closed"], env=env)
    assert bundled.exit_code == 0, bundled.output
    assert "the registry files list this account (hk/accounts.csv, line " in bundled.stderr

    imported = runner.invoke(
        app, ["registry", "archive", "https://fb.com/cfs.campaign.example", "--reason", "over"], env=env
    )
    assert imported.exit_code == 0, imported.output
    assert imported.stderr == ""
