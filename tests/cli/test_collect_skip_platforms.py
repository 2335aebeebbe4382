"""``collect_skip_platforms``: whole runs (``--all``, ``--org``) leave those platforms out, as the
scheduler does; a platform named with ``--platform``, or one account by its address, is collected
all the same (docs/collectors.md)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from govsocial.cli import collect as collect_cli
from govsocial.cli.main import app
from govsocial.collect.base import Target
from govsocial.collect.runs import RunSummary
from govsocial.registry.load import load_registry
from govsocial.settings import PROJECT_ROOT
from govsocial.store.db import make_engine, upgrade


@pytest.fixture
def collected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., set[str]]:
    """Run ``govsocial collect ARGS`` over the bundled registry; the platforms it would collect."""
    url = f"sqlite:///{tmp_path / 'govsocial.db'}"
    engine = make_engine(url)
    upgrade(engine)
    load_registry(engine, PROJECT_ROOT / "data" / "registry", actor="test", only="hk")
    engine.dispose()
    seen: list[Target] = []

    async def fake(_engine: Any, _settings: Any, targets: Sequence[Target], *_: Any, **__: Any) -> RunSummary:
        seen.extend(targets)
        return RunSummary(run_id=1, accounts=len(targets))

    monkeypatch.setattr(collect_cli.in_processes, "collect", fake)

    def run(*args: str, skip: str = "[]") -> set[str]:
        seen.clear()
        env = {"GOVSOCIAL_DATABASE_URL": url, "GOVSOCIAL_COLLECT_SKIP_PLATFORMS": skip}
        result = CliRunner().invoke(app, ["collect", *args, "--no-metrics", "--json"], env=env)
        assert result.exit_code == 0, result.output
        return {target.platform for target in seen}

    return run


def test_whole_runs_leave_out_the_skipped_platforms(collected: Callable[..., set[str]]) -> None:
    everything = collected("--all")
    assert {"facebook", "instagram"} <= everything
    assert collected("--all", skip='["instagram"]') == everything - {"instagram"}
    assert collected("--all", skip='["instagram", "facebook"]') == everything - {"instagram", "facebook"}


def test_a_platform_or_an_account_asked_for_by_name_is_collected_anyway(
    collected: Callable[..., set[str]],
) -> None:
    assert collected("--all", "--platform", "instagram", skip='["instagram"]') == {"instagram"}
    assert collected("--account", "https://www.instagram.com/cyberdefender.hk/", skip='["instagram"]') == {
        "instagram"
    }
