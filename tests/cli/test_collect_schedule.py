"""``govsocial collect schedule URL``: shows the account's schedule when asked with no option (it used
to turn a schedule that was off back on), sets it with ``--every``, stops it with ``--off``."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from govsocial.cli.main import app
from govsocial.registry.load import load_registry
from govsocial.settings import PROJECT_ROOT
from govsocial.store.db import make_engine, upgrade

ACCOUNT = "https://www.facebook.com/cfs.hk"


def test_schedule_is_shown_set_and_stopped(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'govsocial.db'}"
    engine = make_engine(url)
    upgrade(engine)
    load_registry(engine, PROJECT_ROOT / "data" / "registry", actor="test", only="hk")
    engine.dispose()
    env = {"GOVSOCIAL_DATABASE_URL": url, "GOVSOCIAL_COLLECT_INTERVAL_MINUTES": "360"}

    def run(*options: str) -> tuple[int, str]:
        result = CliRunner().invoke(app, ["collect", "schedule", ACCOUNT, *options], env=env)
        return result.exit_code, " ".join(result.output.split())

    assert run() == (0, "facebook cfs.hk: every 360 minutes (the default)")
    assert run("--every", "60") == (0, "facebook cfs.hk: every 60 minutes")
    assert run("--off") == (0, "facebook cfs.hk: off")
    assert run() == (0, "facebook cfs.hk: off")  # asking changes nothing
    assert run("--every", "90") == (0, "facebook cfs.hk: every 90 minutes")  # on again
    code, said = run("--every", "30", "--off")
    assert code == 2 and "not both" in said
    assert run() == (0, "facebook cfs.hk: every 90 minutes")
