"""``jurisdiction.toml`` is checked before anything is loaded: its code is its folder's name, its
time zone an IANA zone (the metrics cut days in it), its default locale a language of the portal,
its required name languages those organisations have name columns for. Each error names the file
and the field; lint and load both refuse the folder."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

import pytest
from sqlalchemy import Engine

from govsocial.errors import RegistryError
from govsocial.registry.bundle import load_bundle, load_jurisdiction
from govsocial.registry.load import load_registry
from govsocial.registry.records import LOCALES, name_languages
from govsocial.settings import Settings


def _folder(tmp_path: Path, name: str, text: str) -> Path:
    folder = tmp_path / "registry" / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "jurisdiction.toml").write_text(text, encoding="utf-8")
    return folder


def _toml(code: str = "tw", extra: str = "") -> str:
    return f'code = "{code}"\nname_en = "Test"\n{extra}'


@pytest.mark.parametrize(
    ("line", "field", "reason"),
    [
        ('timezone = "Asia/Taipeh"', "timezone", "'Asia/Taipeh' is not an IANA time zone"),
        ('timezone = "../../etc/passwd"', "timezone", "is not an IANA time zone"),
        ('timezone = ""', "timezone", "is not an IANA time zone"),
        ('default_locale = "zh-TW"', "default_locale", "'zh-TW' is not a language of the portal"),
        ('required_name_languages = ["en", "zh_hans", "ms"]', "required_name_languages", "'ms'"),
    ],
)
def test_a_bad_field_is_refused_naming_the_file_and_the_field(
    tmp_path: Path, line: str, field: str, reason: str
) -> None:
    folder = _folder(tmp_path, "tw", _toml(extra=line + "\n"))
    with pytest.raises(RegistryError) as caught:
        load_bundle(folder)
    message = str(caught.value)
    assert message.startswith(f"{folder / 'jurisdiction.toml'}: {field}: ")
    assert reason in message


def test_a_code_that_is_not_the_folder_name_is_refused_by_lint_and_load(
    tmp_path: Path, sqlite_engine: Engine
) -> None:
    folder = _folder(tmp_path, "tw", _toml(code="taiwan"))
    expected = f"{folder / 'jurisdiction.toml'}: code: 'taiwan' is not the name of its folder 'tw'"
    with pytest.raises(RegistryError, match="^" + expected.replace(".", r"\.")):
        load_bundle(folder)
    with pytest.raises(RegistryError, match="'taiwan' is not the name of its folder 'tw'"):
        load_registry(sqlite_engine, folder.parent, actor="test")


def test_the_folder_name_is_read_from_a_relative_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _folder(tmp_path, "tw", _toml())
    monkeypatch.chdir(folder)
    assert load_jurisdiction(Path(".")).code == "tw"


@pytest.mark.parametrize("locale", LOCALES)
def test_every_portal_language_and_real_zone_is_accepted(tmp_path: Path, locale: str) -> None:
    text = _toml(extra=f'default_locale = "{locale}"\ntimezone = "Asia/Taipei"\n')
    text += 'required_name_languages = ["en", "zh_hant", "zh_hans"]\n'
    record = load_jurisdiction(_folder(tmp_path, "tw", text))
    assert (record.default_locale, record.timezone) == (locale, "Asia/Taipei")


def test_the_lists_are_the_portals_and_the_organisation_columns() -> None:
    assert set(LOCALES) == set(get_args(Settings.model_fields["default_locale"].annotation))
    assert set(LOCALES) == {"zh-hant", "zh-hans", "en"}
    assert set(name_languages()) == {"en", "zh_hant", "zh_hans"}
