"""On a phone a table's header row is hidden (portal.css), so each figure cell of the survey results,
the rising topics and the clarifications says what it is with ``data-label``."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from tests.web.survey_support import open_portal
from tests.web.test_opinion_crises import Site, site  # noqa: F401  (the fixture)
from tests.web.test_topics_pages import seeded  # noqa: F401  (the fixture)


def unlabelled_cells(html: str) -> list[str]:
    """The ``<td>`` cells of tables with a header row that have no ``data-label``."""
    found = []
    for table in re.findall(r"<table[^>]*>.*?</table>", html, flags=re.S):
        if "<thead>" in table:
            found += [cell for cell in re.findall(r"<td[^>]*>", table) if "data-label=" not in cell]
    return found


def test_survey_results_cells_are_labelled(sqlite_engine: Any, sqlite_url: str) -> None:
    with open_portal(sqlite_url) as client:
        html = client.get("/en/survey/results").text
    assert "<thead>" in html and not unlabelled_cells(html)
    assert 'data-label="Confidence interval"' in html and 'data-label="2020 share"' in html


def test_survey_results_regions_are_named_by_their_captions(sqlite_engine: Any, sqlite_url: str) -> None:
    """axe landmark-unique: a section and the scrolling region inside it must not share a name."""
    with open_portal(sqlite_url) as client:
        html = client.get("/en/survey/results").text
    sections = set(re.findall(r'<section aria-labelledby="([^"]+)"', html))
    regions = re.findall(r'role="region" aria-labelledby="([^"]+)"', html)
    assert regions and not sections & set(regions)
    for region in regions:
        assert f'<caption id="{region}">' in html


def test_rising_topics_cells_are_labelled(seeded: tuple[TestClient, dict[str, int]]) -> None:  # noqa: F811
    client, ids = seeded
    html = client.get(f"/en/accounts/{ids['account']}").text
    section = html[html.index('id="topics-heading"') :]
    assert "<thead>" in section and not unlabelled_cells(section)


def test_clarification_cells_are_labelled(site: Site) -> None:  # noqa: F811
    html = site.client.get(f"/en/accounts/{site.account}").text
    section = html[html.index('class="crises-clarifications"') - 200 :]
    assert "5.0 hours after the rumour first appeared" in section
    assert 'data-label="Time to clarification"' in section and not unlabelled_cells(section)
