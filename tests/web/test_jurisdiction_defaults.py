"""A portal configured for another jurisdiction than Hong Kong: its default language comes from its
``jurisdiction.toml`` unless the settings choose one, its examples and wording are its own, and
the verify page says when an address is another government's account (docs/portal.md)."""

from __future__ import annotations

import html
import re
import shutil
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from govsocial.registry.load import load_registry
from govsocial.settings import PROJECT_ROOT, Settings
from govsocial.store.db import make_engine, upgrade
from govsocial.web.app import create_app

#: A small registry of a government with no Chinese names, whose interface language is English.
UK = {
    "jurisdiction.toml": """code = "uk"
name_en = "UK Government"
default_locale = "en"
timezone = "Europe/London"
required_name_languages = ["en"]
source = "tests"
""",
    "organisations.csv": """code,org_type,parent_code,name_en,name_zh_hant,name_zh_hans,website,source
uk-gov,government,,UK Government,,,https://www.gov.uk,tests
uk-mo,department,uk-gov,Met Office,,,https://www.metoffice.gov.uk,tests
uk-dhsc,department,uk-gov,Department of Health and Social Care,,,https://www.gov.uk/dhsc,tests
""",
    "accounts.csv": """org_codes,platform,url,handle,platform_id,aliases,status,display_name_en,\
display_name_zh_hant,display_name_zh_hans,languages,tags,evidence_url,evidence_note,evidence_date,\
reviewed_on,first_seen_on,last_seen_on,archived_on,archived_reason,notes
uk-gov,x,https://x.com/GOVUK,,,,published,GOV.UK,,,en,,https://www.gov.uk/,listed,2026-01-01,2026-01-01,,,,,
uk-mo,facebook,https://www.facebook.com/metoffice,,,,published,Met Office,,,en,,https://www.metoffice.gov.uk/,\
listed,2026-01-01,2026-01-01,,,,,
uk-dhsc,facebook,https://www.facebook.com/DHSCgovuk,,,,published,DHSC,,,en,,https://www.gov.uk/,listed,\
2026-01-01,2026-01-01,,,,,
""",
}

CFS = "https://www.facebook.com/cfs.hk"  # published in hk
NIST = "https://twitter.com/TrustedIDsNIST"  # under review in us-doc (the bundled registry)
CARRIE_LAM = "https://www.facebook.com/carrielam.hksar"  # archived in hk
LANGS = ("en", "zh-hant", "zh-hans")


@pytest.fixture(scope="module")
def two_governments(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A store with the bundled Hong Kong registry and the small UK one beside it."""
    root = tmp_path_factory.mktemp("two")
    shutil.copytree(PROJECT_ROOT / "data" / "registry" / "hk", root / "registry" / "hk")
    (root / "registry" / "uk").mkdir()
    for name, text in UK.items():
        (root / "registry" / "uk" / name).write_text(text, encoding="utf-8")
    url = f"sqlite:///{root / 'govsocial.db'}"
    engine = make_engine(url)
    upgrade(engine)
    report = load_registry(engine, root / "registry", actor="tests")
    assert not report.problems, report.problems
    engine.dispose()
    return url


def portal(database_url: str, **settings: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings.load(database_url=database_url, **settings))) as client:
        yield client


@pytest.fixture
def uk(two_governments: str) -> Iterator[TestClient]:
    """The UK's portal, with no ``default_locale`` in its settings."""
    yield from portal(two_governments, jurisdiction="uk")


@pytest.fixture
def us_doc(registry_db: str) -> Iterator[TestClient]:
    """The portal of the second bundled jurisdiction, which has no published account."""
    yield from portal(registry_db, jurisdiction="us-doc")


def home_language(client: TestClient) -> str:
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 307
    return response.headers["location"]


def paragraph(page: str, css: str) -> str:
    """The text of the first ``<p class="{css}" ...>`` of ``page``."""
    found = re.search(rf'<p[^>]* class="{css}"[^>]*>(.*?)</p>', page, re.S)
    assert found, css
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip()


# The default language.


def test_the_jurisdictions_default_locale_applies_when_the_settings_set_none(uk: TestClient) -> None:
    assert home_language(uk) == "/en/"
    assert '<html lang="en"' in uk.get("/no-such-page").text  # pages without a language too


def test_the_setting_wins_over_the_jurisdiction(
    two_governments: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for client in portal(two_governments, jurisdiction="uk", default_locale="zh-hans"):
        assert home_language(client) == "/zh-hans/"
    monkeypatch.setenv("GOVSOCIAL_DEFAULT_LOCALE", "zh-hant")  # the built-in default, chosen explicitly
    for client in portal(two_governments, jurisdiction="uk"):
        assert home_language(client) == "/zh-hant/"


def test_without_either_the_built_in_default_applies(two_governments: str) -> None:
    for client in portal(two_governments, jurisdiction="nowhere"):  # not in the store
        assert home_language(client) == "/zh-hant/"


def test_hong_kongs_own_default_is_unchanged(client: TestClient) -> None:
    assert home_language(client) == "/zh-hant/"


# Examples and wording.


@pytest.mark.parametrize("lang", LANGS)
def test_examples_come_from_the_portals_own_registry(uk: TestClient, lang: str) -> None:
    home, verify = uk.get(f"/{lang}/").text, uk.get(f"/{lang}/verify").text
    for page in (home, verify, uk.get(f"/{lang}/api").text):
        assert "cfs.hk" not in page and "hk-hkpf" not in page and "/organisations/hk/" not in page
    assert "GOVUK" in paragraph(home, "hint")  # the UK's first published account with a handle
    assert "https://x.com/GOVUK" in paragraph(verify, "hint") and "@GOVUK" in paragraph(verify, "hint")


@pytest.mark.parametrize("lang", LANGS)
def test_the_home_page_names_no_hong_kong_bodies(uk: TestClient, lang: str) -> None:
    lead = paragraph(uk.get(f"/{lang}/").text, "lead")
    for word in ("bureau", "決策局", "决策局"):
        assert word not in lead


def test_the_api_examples_name_the_portals_organisations_and_work(uk: TestClient) -> None:
    page = uk.get("/en/api").text
    examples = [html.unescape(href) for href in re.findall(r'<a class="break" href="([^"]+)"', page)]
    assert "/api/v1/organisations/uk/uk-gov" in examples
    assert "/api/v1/compare?organisation=uk-gov&organisation=uk-mo" in examples
    assert "/api/v1/verify?url=https://x.com/GOVUK" in examples
    assert "&#34;code&#34;: &#34;uk-gov&#34;" in page  # the list answer's shape, with a UK organisation
    for example in examples:
        assert uk.get(example).status_code == 200, example


def test_with_no_published_account_the_hints_are_neutral(us_doc: TestClient) -> None:
    assert paragraph(us_doc.get("/en/").text, "hint") == "An organisation's name, or an account handle."
    hint = paragraph(us_doc.get("/en/verify").text, "hint")
    assert (
        hint == "For example the address of the account's page, or its handle with the platform chosen below."
    )
    page = us_doc.get("/en/api").text
    assert "cfs.hk" not in page and "/organisations/hk/" not in page
    examples = [html.unescape(href) for href in re.findall(r'<a class="break" href="([^"]+)"', page)]
    assert "/api/v1/accounts?platform=youtube" in examples and not any("verify" in e for e in examples)
    for example in examples:
        assert us_doc.get(example).status_code == 200, example


# The verify page and other governments' accounts.

ELSEWHERE = {
    "en": (
        "Not an official account here",
        "This address is an official account of the Hong Kong SAR Government",
    ),
    "zh-hant": ("並非本目錄的官方帳戶", "此地址是香港特別行政區政府的官方帳戶"),
    "zh-hans": ("并非本目录的官方账户", "此地址是香港特别行政区政府的官方账户"),
}


@pytest.mark.parametrize("lang", LANGS)
def test_another_governments_account_is_not_official_here(uk: TestClient, lang: str) -> None:
    response = uk.get(f"/{lang}/verify", params={"url": CFS})
    assert response.status_code == 200
    heading, verdict = ELSEWHERE[lang]
    assert 'class="verdict verdict-unknown"' in response.text
    assert heading in response.text and verdict in response.text
    assert "UK Government" in response.text or "英國政府" in response.text or "英国政府" in response.text
    help_text = {
        "en": "Another government's account",
        "zh-hant": "其他政府的帳戶",
        "zh-hans": "其他政府的账户",
    }
    assert help_text[lang] in uk.get(f"/{lang}/verify").text


def test_an_archived_or_unconfirmed_account_elsewhere_says_so(uk: TestClient, client: TestClient) -> None:
    archived = uk.get("/en/verify", params={"url": CARRIE_LAM}).text
    assert "belonged to an official account of the Hong Kong SAR Government that is now archived" in archived
    # Hong Kong's portal, asked about an account the U.S. registry lists under review.
    pending = client.get("/en/verify", params={"url": NIST}).text
    assert "The registry of the U.S. Department of Commerce" in pending and "still under review" in pending
    assert "Not an official account here" in pending


def test_the_portals_own_account_is_still_official(uk: TestClient) -> None:
    page = uk.get("/en/verify", params={"url": "https://x.com/GOVUK"}).text
    assert "Yes: this is an official account" in page and "Not an official account here" not in page
