"""The portal's pages over the bundled Hong Kong registry: languages, directory, organisation, verify.

Besides what each page shows, every HTML answer is checked for what the CSP forbids (inline
scripts and styles) and for user input echoed unescaped.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from govsocial.web.app import CSP

XSS = "<script>alert(1)</script>"


class _Scan(HTMLParser):
    """Collects what the checks below look at: scripts, style attributes, headings, links."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.script_text: list[str] = []
        self.style_attrs = 0
        self.style_tags = 0
        self.h1 = 0
        self.links: list[dict[str, str | None]] = []
        self.images: list[dict[str, str | None]] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.style_attrs += "style" in attributes
        if tag == "script":
            self.scripts.append(attributes)
            self._in_script = True
        self.style_tags += tag == "style"
        self.h1 += tag == "h1"
        if tag == "a":
            self.links.append(attributes)
        if tag == "img":
            self.images.append(attributes)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.script_text.append(data)


def scan(response: Response) -> _Scan:
    """Parse an HTML answer and check what every page must satisfy."""
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-security-policy"] == CSP
    parsed = _Scan()
    parsed.feed(response.text)
    assert not parsed.script_text, "inline script"
    assert all(s.get("src") for s in parsed.scripts), "script without src"
    assert parsed.style_attrs == 0 and parsed.style_tags == 0, "inline style"
    assert parsed.h1 == 1, "one h1 per page"
    for image in parsed.images:
        assert image.get("alt"), f"image without alt text: {image}"
    return parsed


def html_lang(response: Response) -> str:
    match = re.search(r'<html lang="([^"]+)"', response.text)
    assert match
    return match.group(1)


def main_text(response: Response) -> str:
    """The ``<main>`` element only, so the header, footer and forms do not count as results."""
    text = response.text
    return text[text.index("<main") : text.index("</main>")]


def results(response: Response) -> str:
    """The directory's result list."""
    text = response.text
    start = text.index('<ol class="directory">')
    return text[start : text.index("</ol>", start)]


# Root and languages


def test_root_redirects_to_the_default_language(client: TestClient) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"] == "/zh-hant/"


@pytest.mark.parametrize(
    ("lang", "html", "name"),
    [
        ("zh-hant", "zh-Hant-HK", "食物安全中心"),
        ("zh-hans", "zh-Hans", "食物安全中心"),
        ("en", "en", "Centre for Food Safety"),
    ],
)
def test_home_in_each_language(client: TestClient, lang: str, html: str, name: str) -> None:
    response = client.get(f"/{lang}/")
    assert response.status_code == 200
    scan(response)
    assert html_lang(response) == html
    assert name in response.text


def test_home_shows_headline_figures_and_skip_link(client: TestClient) -> None:
    text = client.get("/en/").text
    assert '<a class="skip-link" href="#main">' in text and 'id="main"' in text
    for landmark in ("<header", "<nav", "<main", "<footer"):
        assert landmark in text
    assert "Official accounts" in text and "Organisations" in text
    assert re.search(r"<dd>\d+</dd>", text)
    assert 'href="/en/api"' in text.split("<footer", 1)[1], "footer links the API page"


def test_names_fall_back_to_english(client: TestClient) -> None:
    # The Simplified page shows a derived Simplified name (衞 -> 卫) where the registry wrote none.
    response = client.get("/zh-hans/organisations/hk/chp")
    assert "卫生防护中心" in response.text
    assert "衞生防護中心" in client.get("/zh-hant/organisations/hk/chp").text


def test_language_switcher_keeps_path_and_query(client: TestClient) -> None:
    text = client.get("/en/?q=police&platform=facebook").text
    assert 'href="/zh-hant/?q=police&amp;platform=facebook"' in text
    assert 'href="/zh-hans/?q=police&amp;platform=facebook"' in text
    page = client.get("/zh-hant/organisations/hk/cfs").text
    assert 'href="/en/organisations/hk/cfs"' in page and 'href="/zh-hans/organisations/hk/cfs"' in page


def test_unknown_language_is_a_404_page(client: TestClient) -> None:
    response = client.get("/fr/")
    assert response.status_code == 404
    scan(response)
    assert html_lang(response) == "zh-Hant-HK"  # the default: "fr" names no language we have
    assert client.get("/fr/verify").status_code == 404


def test_unknown_page_under_a_language_is_an_html_404(client: TestClient) -> None:
    response = client.get("/zh-hans/no-such-page")
    assert response.status_code == 404
    scan(response)
    assert html_lang(response) == "zh-Hans"
    trailing = client.get("/en/verify/?url=x", follow_redirects=False)
    assert trailing.status_code == 307 and trailing.headers["location"] == "/en/verify?url=x"
    assert client.get("/static/portal.css").status_code == 200  # not caught by the 404 route


# Directory: search, filters, paging


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("警務處", "/en/organisations/hk/hk-hkpf"),
        ("police", "/en/organisations/hk/hk-hkpf"),
        ("cfs.hk", "/en/organisations/hk/cfs"),
    ],
)
def test_search_finds_organisations(client: TestClient, query: str, expected: str) -> None:
    response = client.get("/en/", params={"q": query})
    assert response.status_code == 200
    scan(response)
    assert expected in results(response)
    assert "found" in response.text


def test_search_with_no_result_offers_all_organisations(client: TestClient) -> None:
    text = client.get("/en/", params={"q": "no such organisation zzz"}).text
    assert "0 organisations found" in text
    assert "all=1" in text


def test_platform_filter_shows_only_that_platform(client: TestClient) -> None:
    response = client.get("/en/", params={"platform": "youtube"})
    listed = results(response)
    assert "youtube.com" in listed
    assert set(re.findall(r'src="/static/icons/([^"]+)"', listed)) == {"youtube.svg"}
    assert "facebook.com" not in listed
    assert '<option value="youtube" selected>' in response.text


def test_type_filter_and_bad_parameters(client: TestClient) -> None:
    listed = results(client.get("/en/", params={"type": "office", "all": "1"}))
    assert "/en/organisations/hk/cfs" in listed
    assert "/en/organisations/hk/hk-hkpf" not in listed  # a department
    # Nonsense is ignored, not answered with a JSON validation error.
    odd = ({"type": "nonsense", "page": "abc"}, {"page": "9" * 40}, {"page": "²"}, {"q": "po\x00lice"})
    for params in odd:
        response = client.get("/en/", params=params)
        assert response.status_code == 200, params


def test_paging(client: TestClient) -> None:
    first = client.get("/en/", params={"all": "1"})
    assert "Page 1 of" in first.text
    assert 'href="/en/?all=1&amp;page=2"' in first.text
    second = client.get("/en/", params={"all": "1", "page": "2"})
    assert results(second) != results(first)
    assert 'aria-current="page">2<' in second.text


def test_accounts_show_icon_handle_link_and_status(client: TestClient) -> None:
    listed = results(client.get("/en/", params={"q": "cfs.hk"}))
    assert '<img class="platform-icon" src="/static/icons/facebook.svg" alt="Facebook"' in listed
    link = '<a class="handle" href="https://www.facebook.com/cfs.hk" rel="noopener external">cfs.hk</a>'
    assert link in listed
    assert "Official</span>" in listed and "✓" in listed


# Organisation page


def test_organisation_page_shows_accounts_and_evidence(client: TestClient) -> None:
    response = client.get("/en/organisations/hk/cfs")
    assert response.status_code == 200
    scan(response)
    text = response.text
    assert "<h1>Centre for Food Safety</h1>" in text
    assert 'href="https://www.facebook.com/cfs.hk"' in text
    assert "http://government-world.com/cfs-alerts-public-to-fake-social-media-accounts-and-website/" in text
    assert "official link to its Facebook page" in text  # the evidence note, quoted
    assert 'lang="zh-Hant-HK">食物安全中心' in text
    assert "Food and Environmental Hygiene Department" in text  # the parent
    assert "<caption>" in text and '<th scope="col">' in text


def test_organisation_page_lists_unconfirmed_facts_without_links(client: TestClient) -> None:
    text = main_text(client.get("/en/organisations/hk/hk-hkpf"))
    section = text[text.index('class="unconfirmed"') :]
    assert "Accounts reported but not yet confirmed" in section
    assert "Unconfirmed" in section and "Not verified." in section
    assert "hongkongpoliceforce" in section
    assert "<a " not in section.split("</section>", 1)[0], "unconfirmed accounts are never links"


def test_only_official_accounts_are_links(client: TestClient) -> None:
    text = client.get("/en/organisations/hk/post-ce").text
    assert "carrielam.hksar" in text and "Archived" in text
    assert 'href="https://www.facebook.com/carrielam.hksar"' not in text


def test_unknown_organisation_is_an_html_404(client: TestClient) -> None:
    response = client.get("/en/organisations/hk/no-such-body")
    assert response.status_code == 404
    scan(response)
    assert html_lang(response) == "en"
    assert "Page not found" in response.text and "no-such-body" in response.text
    assert "Nothing is published at this address" in response.text


def test_error_pages_speak_the_language_of_the_url(client: TestClient) -> None:
    """The heading and explanation are translated; the server's English message is folded away,
    marked as English, so a Chinese page never shows an untranslated sentence as its content."""
    response = client.get("/zh-hant/organisations/hk/no-such-body")
    assert response.status_code == 404
    scan(response)
    main = main_text(response)
    assert "<h1>找不到網頁</h1>" in main and "這個網址沒有任何內容" in main
    details = re.search(r'<details class="error-details">(.*?)</details>', main, re.S)
    assert details is not None and 'lang="en"' in details.group(1) and "no-such-body" in details.group(1)
    assert "no-such-body" not in main.replace(details.group(0), "")


# Verify


def verdict(response: Response) -> str:
    match = re.search(r'class="verdict verdict-(\w+)"', response.text)
    assert match, "no verdict"
    return match.group(1)


def test_verify_form_alone(client: TestClient) -> None:
    response = client.get("/en/verify")
    assert response.status_code == 200
    scan(response)
    assert '<label for="url">' in response.text and 'id="url"' in response.text
    assert 'class="verdict' not in response.text


def test_verify_official(client: TestClient) -> None:
    response = client.get("/en/verify", params={"url": "https://fb.com/cfs.hk/"})
    assert response.status_code == 200
    scan(response)
    assert verdict(response) == "official"
    assert "this is an official account" in response.text
    assert 'href="/en/organisations/hk/cfs"' in main_text(response)


def test_verify_archived(client: TestClient) -> None:
    response = client.get("/zh-hant/verify", params={"url": "https://www.facebook.com/carrielam.hksar"})
    assert verdict(response) == "archived"
    assert "已封存" in response.text


def test_verify_unknown_fake_channel(client: TestClient) -> None:
    response = client.get("/en/verify", params={"url": "https://t.me/hkfightcovid2020"})
    assert verdict(response) == "unknown"
    assert "Not in the registry" in response.text
    assert 'href="https://t.me/hkfightcovid2020"' not in response.text, "never link an unknown account"


def test_verify_handle_with_platform(client: TestClient) -> None:
    response = client.get("/en/verify", params={"url": "@cfs.hk", "platform": "facebook"})
    assert verdict(response) == "official"
    assert '<option value="facebook" selected>' in response.text


def test_verify_bad_address_is_a_400_form(client: TestClient) -> None:
    response = client.get("/en/verify", params={"url": "https://faceb00k.com/cfs.hk"})
    assert response.status_code == 400
    scan(response)
    assert verdict(response) == "error"
    assert "faceb00k.com" in response.text
    assert 'aria-invalid="true"' in response.text
    assert '<label for="url">' in response.text  # the form is still there to correct the address


def test_user_input_is_escaped(client: TestClient) -> None:
    for response in (
        client.get("/en/", params={"q": XSS}),
        client.get("/en/verify", params={"url": XSS}),
        client.get("/en/verify", params={"url": f"https://www.facebook.com/{XSS}"}),
    ):
        assert XSS not in response.text
        assert "&lt;script&gt;" in response.text
        scan(response)


# API documentation


def test_api_page_documents_the_endpoints(client: TestClient) -> None:
    response = client.get("/en/api")
    assert response.status_code == 200
    scan(response)
    for name in ("organisations", "accounts", "verify", "platforms", "openapi.json"):
        assert f"/api/v1/{name}" in response.text
    assert '"count"' in response.text.replace("&#34;", '"') and "data" in response.text


def test_api_page_examples_work(client: TestClient) -> None:
    links = re.findall(r'href="(/api/v1/[^"]+)"', client.get("/en/api").text)
    assert links
    for link in links:
        assert client.get(link.replace("&amp;", "&")).status_code == 200, link


def test_pages_are_not_in_the_openapi_description(client: TestClient) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert all(path.startswith("/api/v1") for path in paths)
