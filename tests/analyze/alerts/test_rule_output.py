"""``govsocial alerts rules add/list``: the webhook's address is its secret, so output masks it."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from govsocial.analyze.alerts.deliver import RunReport
from govsocial.cli import alerts as cli_alerts
from govsocial.cli.alerts import rule_json
from govsocial.cli.main import app
from govsocial.store import tables as t


def test_rule_output_masks_the_webhook_path() -> None:
    rule = t.AlertRule(
        id=1, jurisdiction="hk", level="government", entity="hk", kind="account_dormant", params={},
        webhook_url="https://hooks.example.org/services/T000/B000/SECRET123", email=None, enabled=True,
    )  # fmt: skip
    data = rule_json(rule)
    assert data["webhook_url"] == "https://hooks.example.org/…"
    assert "SECRET123" not in str(data)


def test_a_rule_without_a_webhook_has_none() -> None:
    rule = t.AlertRule(
        id=2, jurisdiction="hk", level="government", entity="hk", kind="comment_volume", params={},
        webhook_url=None, email="ops@example.org", enabled=True,
    )  # fmt: skip
    assert rule_json(rule)["webhook_url"] is None


def test_a_delivery_error_with_square_brackets_is_printed_as_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Error texts are the server's or the system's: read as Rich markup, "[/hooks/x]" raised
    # MarkupError (a traceback instead of the run's summary) and "[bold]" vanished.
    env = {"GOVSOCIAL_DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}"}
    assert CliRunner().invoke(app, ["db", "upgrade"], env=env).exit_code == 0
    failed = RunReport(failures=["alert 3: webhook: HTTP 500 [bold] at [/hooks/x]"])
    monkeypatch.setattr(cli_alerts.deliver, "run", lambda *args, **kwargs: failed)
    result = CliRunner().invoke(app, ["alerts", "run"], env=env)
    assert "not delivered: alert 3: webhook: HTTP 500 [bold] at [/hooks/x]" in result.output
