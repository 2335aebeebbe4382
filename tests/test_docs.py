"""Docs enforced by tests: every setting, command and API path is documented."""

from __future__ import annotations

import re

from typer.main import get_command

from govsocial.cli.main import app as cli
from govsocial.settings import PROJECT_ROOT, Settings
from govsocial.web.app import create_app

DOCS = PROJECT_ROOT / "docs"


def test_every_setting_is_documented() -> None:
    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"GOVSOCIAL_{name.upper()}" in text, name


def test_every_command_is_documented() -> None:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    root = get_command(cli)
    for group, command in root.commands.items():  # type: ignore[attr-defined]
        subs = getattr(command, "commands", None)
        for name in subs or [None]:
            usage = f"govsocial {group}" + (f" {name}" if name else "")
            assert usage in text, usage


def test_every_api_path_is_documented() -> None:
    text = (DOCS / "api.md").read_text(encoding="utf-8")
    paths = create_app(Settings.load(database_url="sqlite://")).openapi()["paths"]
    for path in paths:
        generic = re.sub(r"\{[^}]+\}", "{", path)
        assert any(re.sub(r"\{[^}]+\}", "{", p) == generic for p in re.findall(r"`GET (\S+)`", text)), path


def test_readme_starts_with_the_two_commands() -> None:
    head = "\n".join((PROJECT_ROOT / "README.md").read_text(encoding="utf-8").splitlines()[:40])
    assert "make demo" in head and "make test" in head


def test_every_metric_and_parameter_is_documented() -> None:
    from govsocial.analyze.metrics.model import registry
    from govsocial.analyze.metrics.params import MetricParams

    text = (DOCS / "metrics.md").read_text(encoding="utf-8")
    headings = set(re.findall(r"^#+ .*`([a-z0-9_]+)`", text, flags=re.MULTILINE))
    for name in registry():
        assert name in headings, f"metric {name} has no section in docs/metrics.md"
    for name in MetricParams.model_fields:
        assert f"`{name}`" in text, f"parameter {name} is not in docs/metrics.md"
