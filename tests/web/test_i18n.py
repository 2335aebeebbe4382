"""The interface catalogues: every message of the templates and page modules is translated.

Messages are extracted the way ``pybabel extract`` does it, from ``govsocial/web/babel.cfg``, so a
new ``_("...")`` without a Traditional Chinese translation fails here rather than in production.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from fastapi.testclient import TestClient

from govsocial.web.pages.i18n import LANGUAGES, read_catalogue, translations

WEB = Path(__file__).resolve().parents[2] / "govsocial" / "web"

MessageId = str | tuple[str, ...] | list[str]


def extracted() -> dict[MessageId, str]:
    """Every message id of the portal, with where it was first found."""
    with (WEB / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)  # type: ignore[no-untyped-call]
    found: dict[MessageId, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(str(WEB), method_map, options_map):
        found.setdefault(message, f"{filename}:{lineno}")
    return found


def key(message: MessageId) -> str:
    return message if isinstance(message, str) else message[0]


def test_extraction_finds_templates_and_modules() -> None:
    places = set(extracted().values())
    assert any(p.startswith("templates/") for p in places)
    assert any(p.startswith("pages/") for p in places)


def test_every_message_has_a_traditional_chinese_translation() -> None:
    catalog = read_catalogue("zh_Hant")
    problems = []
    for message, where in extracted().items():
        entry = catalog.get(key(message))
        if entry is None:
            problems.append(f"missing: {message!r} ({where})")
        elif entry.fuzzy or not all(entry.string if isinstance(entry.string, tuple) else (entry.string,)):
            problems.append(f"untranslated: {message!r} ({where})")
    assert not problems, "\n".join(problems)


def test_every_message_is_in_the_english_catalogue() -> None:
    catalog = read_catalogue("en")
    missing = [f"{m!r} ({where})" for m, where in extracted().items() if catalog.get(key(m)) is None]
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize("name", ["en", "zh_Hant", "zh_Hans"])
def test_catalogues_are_well_formed(name: str) -> None:
    catalog: Catalog = read_catalogue(name)
    # Babel's checkers: placeholders such as %(government)s must survive translation.
    errors = [(m.id, [str(e) for e in errs]) for m, errs in catalog.check()]
    assert not errors
    stale = {key(m.id) for m in catalog if m.id} - {key(m) for m in extracted()}
    assert not stale, f"messages no template uses any more: {sorted(stale)}"


def test_simplified_is_derived_from_traditional() -> None:
    hant, hans = translations("zh-hant"), translations("zh-hans")
    assert hant.gettext("Account") == "帳戶"
    # Converted with OpenCC, not written in zh_Hans; 帐 (OpenCC's 帳) corrected to the mainland 账.
    assert hans.gettext("Account") == "账户"
    assert hans.gettext("Search") == "搜索"  # written: the mainland word, not 搜寻
    assert hant.gettext("Search") == "搜尋"
    assert translations("en").gettext("Account") == "Account"


def test_translations_are_loaded_once() -> None:
    assert translations("zh-hant") is translations("zh-hant")
    assert set(LANGUAGES) == {"zh-hant", "zh-hans", "en"}


def test_pages_render_in_their_script(client: TestClient) -> None:
    hant = client.get("/zh-hant/").text
    hans = client.get("/zh-hans/").text
    assert "帳戶" in hant and "搜尋" in hant
    assert "账户" in hans and "搜索" in hans
    assert "帳戶" not in hans and "搜尋" not in hans
    assert "Search" in client.get("/en/").text


def test_organisation_types_are_translated(client: TestClient) -> None:
    assert "部門" in client.get("/zh-hant/organisations/hk/hk-hkpf").text
    assert "Department" in client.get("/en/organisations/hk/hk-hkpf").text


def test_plural_count(client: TestClient) -> None:
    assert "1 organisation found." in client.get("/en/", params={"q": "cfs.hk"}).text
    assert "找到 1 個機構。" in client.get("/zh-hant/", params={"q": "cfs.hk"}).text
