"""The "How we measure" page and the metric words it shares with the other pages (metric_text).

The page reads only the metric registry, so these tests need the app and no collected data.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from govsocial.analyze.metrics.model import Goal, Level, Unit, registry
from govsocial.settings import Settings
from govsocial.web.app import create_app
from govsocial.web.pages import metric_text
from govsocial.web.pages.i18n import LANGUAGES, translations

LANGS = list(LANGUAGES)


class Outline(HTMLParser):
    """Element ids, heading levels, and the ids of the <article> elements of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: Counter[str] = Counter()
        self.headings: Counter[str] = Counter()
        self.articles: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids[str(found["id"])] += 1
        if tag in {"h1", "h2", "h3", "h4"}:
            self.headings[tag] += 1
        if tag == "article":
            self.articles.append(str(found.get("id")))


def outline(page: str) -> Outline:
    parser = Outline()
    parser.feed(page)
    return parser


# --- metric_text: the words other pages import ---------------------------------------------------


def test_titles_cover_exactly_the_registry_with_its_english_titles() -> None:
    metrics = registry()
    assert set(metric_text.TITLES) == set(metrics)
    wrong = {n: (t, metrics[n].title) for n, t in metric_text.TITLES.items() if t != metrics[n].title}
    assert not wrong
    assert metric_text.title("interaction_rate_post") == "Interaction rate per post"
    assert metric_text.title("no_such_metric") == "no_such_metric"


def test_every_metric_has_a_plain_definition() -> None:
    assert set(metric_text.DEFINITIONS) == set(registry())
    assert all(len(d) > 20 for d in metric_text.DEFINITIONS.values())
    assert metric_text.definition("no_such_metric") == ""


def test_labels_cover_every_goal_unit_and_level() -> None:
    assert list(metric_text.GOAL_LABELS) == list(Goal)
    assert set(metric_text.GOAL_EXPLANATIONS) == set(Goal)
    assert set(metric_text.UNIT_LABELS) == set(Unit)
    assert set(metric_text.LEVEL_LABELS) == set(Level)


def test_every_metric_word_is_translated_into_traditional_chinese() -> None:
    hant = translations("zh-hant")
    words = [
        *metric_text.TITLES.values(),
        *metric_text.DEFINITIONS.values(),
        *metric_text.GOAL_LABELS.values(),
        *metric_text.GOAL_EXPLANATIONS.values(),
        *metric_text.UNIT_LABELS.values(),
        *metric_text.LEVEL_LABELS.values(),
    ]
    untranslated = [w for w in words if hant.gettext(w) == w]
    assert not untranslated
    # Chinese titles are as distinct as the English ones: no two metrics read the same.
    titles = [hant.gettext(t) for t in metric_text.TITLES.values()]
    assert len(set(titles)) == len(titles)


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (None, Unit.PERCENT, "—"),
        (float("nan"), Unit.COUNT, "—"),
        (float("inf"), Unit.HOURS, "—"),
        (12.345, Unit.PERCENT, "12.3%"),
        (-3.25, Unit.PERCENT, "-3.2%"),
        (0.8512, Unit.PER_MILLE, "0.85‰"),
        (12.46, Unit.HOURS, "12.5 h"),
        (1234.0, Unit.COUNT, "1,234"),
        (2.345, Unit.COUNT, "2.3"),
        (0.123, Unit.SCORE, "0.12"),
        (56.78, Unit.SCORE, "56.8"),
        (1.0, Unit.RATIO, "1"),
        (0.6543, Unit.RATIO, "0.65"),
    ],
)
def test_format_value(value: float | None, unit: Unit, shown: str) -> None:
    assert metric_text.format_value(value, unit) == shown


def test_format_value_translates_only_the_hours() -> None:
    assert metric_text.format_value(1234.5, Unit.HOURS, "zh-hant") == "1,234.5 小時"
    assert metric_text.format_value(1234.5, Unit.HOURS, "en") == "1,234.5 h"
    assert metric_text.format_value(1234.5, Unit.HOURS, "xx") == "1,234.5 h"
    assert metric_text.format_value(12.0, Unit.PERCENT, "zh-hant") == "12.0%"


# --- the page -----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_every_metric_has_an_anchor_in_every_language(client: TestClient, lang: str) -> None:
    response = client.get(f"/{lang}/how-we-measure")
    assert response.status_code == 200
    found = outline(response.text)
    assert found.articles == list(registry())
    duplicated = [i for i, n in found.ids.items() if n > 1]
    assert not duplicated
    goals = [g for g in Goal if any(m.goal is g for m in registry().values())]
    assert found.headings["h1"] == 1
    assert found.headings["h3"] == len(registry())
    # Contents, "where the numbers come from", then one per goal.
    assert found.headings["h2"] == 2 + len(goals)
    for goal in goals:
        assert f'href="#goal-{goal.value}"' in response.text
        assert found.ids[f"goal-{goal.value}"] == 1


def test_titles_and_definitions_are_translated(client: TestClient) -> None:
    hant = client.get("/zh-hant/how-we-measure").text
    en = client.get("/en/how-we-measure").text
    hans = client.get("/zh-hans/how-we-measure").text
    assert ">每則帖文的互動率</h3>" in hant and ">Interaction rate per post</h3>" in en
    assert ">每条帖子的互动率</h3>" in hans
    for name in registry():
        heading = re.search(rf'<h3 id="{name}-heading">([^<]*)</h3>', hant)
        assert heading is not None
        assert html.unescape(heading.group(1)) != metric_text.title(name)
    assert "量度方法" in hant and "How we measure" in en
    assert metric_text.DEFINITIONS["bonson_p1"] in en and metric_text.DEFINITIONS["bonson_p1"] not in hant


def test_the_page_lists_formula_inputs_unit_and_source(client: TestClient) -> None:
    page = client.get("/en/how-we-measure").text
    metric = registry()["interaction_rate_post"]
    start = page.index('id="interaction_rate_post"')
    article = page[start : page.index("</article>", start)]
    assert f"<code>{html.escape(metric.formula)}</code>" in article
    for name in metric.inputs:
        assert f"<code>{name}</code>" in article
    assert html.escape(metric.source) in article
    assert "Percent" in article and "Organisation" in article
    assert 'href="/api/v1/metrics"' in page and 'href="/en/api"' in page
    assert 'aria-current="page">How we measure<' in page


@pytest.mark.parametrize(("locale", "lang"), [("zh-hant", "zh-hant"), ("en", "en"), ("zh-hans", "zh-hans")])
def test_the_language_free_address_redirects_to_the_default_language(
    registry_db: str, locale: str, lang: str
) -> None:
    app = create_app(Settings.load(database_url=registry_db, default_locale=locale))
    with TestClient(app) as client:
        response = client.get("/how-we-measure", follow_redirects=False)
        assert response.status_code == 307
        assert response.headers["location"] == f"/{lang}/how-we-measure"
        assert client.get("/how-we-measure").status_code == 200


def test_the_api_docs_links_lead_to_the_anchors(client: TestClient) -> None:
    body = client.get("/api/v1/metrics").json()
    page = client.get("/how-we-measure")
    assert page.status_code == 200
    ids = outline(page.text).ids
    for metric in body["data"]:
        path, anchor = metric["docs"].split("#")
        assert path == "/how-we-measure" and ids[anchor] == 1


@pytest.mark.parametrize("path", ["/en/how-we-measure/extra", "/xx/how-we-measure"])
def test_other_addresses_are_still_the_html_not_found_page(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")


def test_addresses_below_the_redirect_are_not_redirected(client: TestClient) -> None:
    response = client.get("/how-we-measure/extra", follow_redirects=False)
    # The same answer as any other unknown address outside a language.
    assert response.status_code == 404
    assert response.headers["content-type"] == client.get("/no-such/page").headers["content-type"]


def test_a_trailing_slash_is_still_corrected(client: TestClient) -> None:
    response = client.get("/en/how-we-measure/", follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"] == "/en/how-we-measure"
