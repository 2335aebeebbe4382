"""``govsocial collect sample`` of another jurisdiction than Hong Kong: activity for that
jurisdiction's own registry accounts, in its time zone, and a clear refusal when it has none to
invent activity for (docs/cli.md)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from govsocial.cli.main import app
from tests.registry.folders import account_row, with_xx

XX_PAGE = "https://www.facebook.com/xxmetoffice"


def _registry(tmp_path: Path, *rows: str) -> Path:
    """Hong Kong's folder and ``xx``'s, in London time, with ``rows`` as its accounts."""
    root = with_xx(tmp_path, *rows)
    toml = root / "xx" / "jurisdiction.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + 'timezone = "Europe/London"\n', encoding="utf-8")
    return root


def _sample(root: Path, out: Path, *args: str) -> tuple[int, str]:
    env = {"GOVSOCIAL_REGISTRY_DIR": str(root), "GOVSOCIAL_JURISDICTION": "hk"}
    command = ["collect", "sample", "--out", str(out), "--months", "1", "--json", *args]
    result = CliRunner().invoke(app, command, env=env)
    return result.exit_code, result.output


def test_the_sample_of_another_jurisdiction_is_of_its_own_accounts(tmp_path: Path) -> None:
    code, output = _sample(
        _registry(tmp_path, account_row(XX_PAGE)), tmp_path / "out", "--jurisdiction", "xx"
    )
    assert code == 0, output
    assert [f["rows"] > 0 for f in json.loads(output)["files"]] == [True, True, True]
    with (tmp_path / "out" / "posts.csv").open(encoding="utf-8") as f:
        posts = list(csv.DictReader(f))
    assert {row["account"] for row in posts} == {XX_PAGE}  # none of Hong Kong's accounts
    # September in London is British Summer Time; Hong Kong's would be +08:00.
    assert {row["created_at"][-6:] for row in posts} == {"+01:00"}


def test_a_jurisdiction_without_accounts_to_invent_activity_for_is_refused(tmp_path: Path) -> None:
    code, output = _sample(_registry(tmp_path), tmp_path / "out", "--jurisdiction", "xx")
    assert code != 0
    assert "no published or under-review account with an address" in output
    code, output = _sample(
        _registry(tmp_path / "b", account_row(XX_PAGE)), tmp_path / "out", "--jurisdiction", "zz"
    )
    assert code != 0 and "no registry folder" in output and "'zz'" in output
