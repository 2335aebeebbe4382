"""Settings: environment, TOML file, precedence, and nothing done at import time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from govsocial.errors import ConfigurationError
from govsocial.settings import Settings


def test_environment_overrides_toml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "govsocial.toml"
    config.write_text('jurisdiction = "uk"\nport = 9000\n', encoding="utf-8")
    monkeypatch.setenv("GOVSOCIAL_PORT", "9100")
    settings = Settings.load(config)
    assert settings.jurisdiction == "uk" and settings.port == 9100


def test_config_file_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "govsocial.toml"
    config.write_text('default_locale = "en"\n', encoding="utf-8")
    monkeypatch.setenv("GOVSOCIAL_CONFIG", str(config))
    assert Settings.load().default_locale == "en"


def test_unknown_setting_is_rejected(tmp_path: Path) -> None:
    config = tmp_path / "govsocial.toml"
    config.write_text('databse_url = "sqlite://"\n', encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"databse_url .*not a setting .*did you mean database_url"):
        Settings.load(config)


def test_secret_is_not_shown() -> None:
    settings = Settings.load(pseudonym_key="s3cret-key")
    assert "s3cret-key" not in repr(settings) and "s3cret-key" not in str(settings.model_dump())


def test_importing_creates_nothing(tmp_path: Path) -> None:
    code = "import govsocial.web.app, govsocial.cli.main, govsocial.store.db, govsocial.registry.sync"
    subprocess.run([sys.executable, "-c", code], cwd=tmp_path, check=True)
    assert list(tmp_path.iterdir()) == []


def test_an_interface_language_without_a_catalogue_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """The portal fell back to Traditional Chinese without a word when the language was unknown."""
    monkeypatch.setenv("GOVSOCIAL_DEFAULT_LOCALE", "fr")
    with pytest.raises(ConfigurationError) as refused:
        Settings.load()
    message = str(refused.value)
    assert "default_locale" in message and "GOVSOCIAL_DEFAULT_LOCALE" in message and "'en'" in message
    monkeypatch.setenv("GOVSOCIAL_DEFAULT_LOCALE", "zh-hans")
    assert Settings.load().default_locale == "zh-hans"


@pytest.mark.parametrize("value", ["0", "-3"])
def test_a_first_run_bound_of_no_days_is_refused(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("GOVSOCIAL_COLLECT_FIRST_RUN_DAYS", value)
    with pytest.raises(ConfigurationError) as refused:
        Settings.load()
    assert str(refused.value) == (
        "collect_first_run_days (from the environment variable GOVSOCIAL_COLLECT_FIRST_RUN_DAYS): "
        "must be greater than or equal to 1"
    )
    assert value not in str(refused.value)


def test_the_first_run_bound_is_unset_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOVSOCIAL_COLLECT_FIRST_RUN_DAYS", raising=False)
    assert Settings.load().collect_first_run_days is None  # the whole listing, as before
    config = tmp_path / "govsocial.toml"
    config.write_text("collect_first_run_days = 90\n", encoding="utf-8")
    assert Settings.load(config).collect_first_run_days == 90
    config.write_text("collect_first_run_days = 0\n", encoding="utf-8")
    with pytest.raises(
        ConfigurationError,
        match=r"^collect_first_run_days \(from settings file .*\): must be greater than or equal to 1$",
    ):
        Settings.load(config)


@pytest.mark.parametrize(
    ("value", "rule"), [("0", "greater than or equal to 1"), ("65536", "less than or equal to 65535")]
)
def test_a_port_outside_1_to_65535_is_refused(monkeypatch: pytest.MonkeyPatch, value: str, rule: str) -> None:
    """``port = 99999`` was accepted: the portal then said it was "running on" a port that cannot be."""
    monkeypatch.setenv("GOVSOCIAL_PORT", value)
    with pytest.raises(ConfigurationError) as refused:
        Settings.load()
    assert str(refused.value) == f"port (from the environment variable GOVSOCIAL_PORT): must be {rule}"
    for port in ("1", "65535"):
        monkeypatch.setenv("GOVSOCIAL_PORT", port)
        assert Settings.load().port == int(port)
