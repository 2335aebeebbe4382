"""The citizen survey asks the districts of the portal's jurisdiction, from its registry folder.

A jurisdiction's ``districts.csv`` (docs/registry.md) is loaded into the store by ``registry load``;
the form asks those districts, named in the page's language, refuses a code that is not one of them
(another jurisdiction's included), and the results page, ``GET /api/v1/survey/results`` and the
reports count the released responses by district with their names (docs/survey.md). Answers stored
with a district that a later load removed stay counted, under their code.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from govsocial.analyze import survey as analysis
from govsocial.registry.load import load_registry
from govsocial.report.build import build
from govsocial.report.render import render_html
from govsocial.store import survey as store
from govsocial.store import tables as t
from govsocial.store.db import make_engine, session_factory, upgrade
from tests.registry.folders import with_xx
from tests.web.survey_support import Clock, open_portal, send, show_form, stored

#: ``xx``'s districts: one with names in every script, one in English only (the Chinese pages fall
#: back to it), and one whose code Hong Kong also has (each jurisdiction's codes are its own).
DISTRICTS = (
    "code,name_en,name_zh_hant,name_zh_hans\n"
    "capital,Capital Region,首都區,\n"
    "coast,Coast,,\n"
    "north,Northland,北地,\n"
)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def registry(tmp_path: Path) -> Path:
    """Hong Kong's bundled folder and ``xx``'s, with ``DISTRICTS``."""
    root = with_xx(tmp_path)
    (root / "xx" / "districts.csv").write_text(DISTRICTS, encoding="utf-8")
    return root


def _load(url: str, root: Path) -> None:
    engine = make_engine(url)
    upgrade(engine)
    report = load_registry(engine, root, actor="tests")
    assert not report.problems, report.problems
    engine.dispose()


@pytest.fixture
def xx(registry: Path, sqlite_url: str, clock: Clock) -> Iterator[TestClient]:
    """``xx``'s portal over a store holding both registries."""
    _load(sqlite_url, registry)
    with open_portal(sqlite_url, clock, jurisdiction="xx") as client:
        yield client


@pytest.fixture
def hong_kong(registry: Path, sqlite_url: str, clock: Clock) -> Iterator[TestClient]:
    """Hong Kong's portal over the same store."""
    _load(sqlite_url, registry)
    with open_portal(sqlite_url, clock) as client:
        yield client


def _fill(client: TestClient, clock: Clock, district: str) -> None:
    """``MIN_GROUP`` browsers answer with ``district``, so that a batch is released."""
    for _ in range(analysis.MIN_GROUP):
        client.cookies.clear()
        assert send(client, show_form(client, clock), district=district).status_code == 303


def _count(code: str, n: int, en: str | None = None, hant: str | None = None, hans: str | None = None) -> Any:
    """A district's entry in ``GET /api/v1/survey/results``."""
    name = {"en": en, "zh_hant": hant, "zh_hans": hans} if en else None
    return {"district": code, "name": name, "respondents": n}


def _options(page: str) -> list[tuple[str, str]]:
    part = page[
        page.index('<select id="district"') : page.index("</select>", page.index('<select id="district"'))
    ]
    found = []
    for chunk in part.split('<option value="')[2:]:  # the first is "Prefer not to say"
        code, rest = chunk.split('"', 1)
        found.append((code, html.unescape(rest.split(">", 1)[1].split("<", 1)[0])))
    return found


def test_the_form_asks_the_jurisdictions_own_districts_in_the_pages_language(xx: TestClient) -> None:
    en = xx.get("/en/survey").text
    assert _options(en) == [("capital", "Capital Region"), ("coast", "Coast"), ("north", "Northland")]
    assert "Age band and district are optional." in en
    assert "Sha Tin" not in en and "sha_tin" not in en
    # Chinese pages: the district's name in that script, derived for Simplified, else English.
    assert _options(xx.get("/zh-hant/survey").text) == [
        ("capital", "首都區"),
        ("coast", "Coast"),
        ("north", "北地"),
    ]
    assert _options(xx.get("/zh-hans/survey").text) == [
        ("capital", "首都区"),
        ("coast", "Coast"),
        ("north", "北地"),
    ]


def test_a_district_of_another_jurisdiction_is_refused(xx: TestClient, clock: Clock, sqlite_url: str) -> None:
    response = send(xx, show_form(xx, clock), district="sha_tin")  # Hong Kong's, not xx's
    assert response.status_code == 400
    assert "Some answers are not among the choices" in response.text
    assert stored(sqlite_url) == []
    assert send(xx, show_form(xx, clock), district="capital").status_code == 303
    assert [row.district for row in stored(sqlite_url)] == ["capital"]


def test_hong_kong_refuses_a_district_only_another_jurisdiction_has(
    hong_kong: TestClient, clock: Clock, sqlite_url: str
) -> None:
    assert send(hong_kong, show_form(hong_kong, clock), district="capital").status_code == 400
    assert stored(sqlite_url) == []


def test_results_api_and_export_count_by_the_jurisdictions_districts(xx: TestClient, clock: Clock) -> None:
    _fill(xx, clock, "capital")
    page = html.unescape(xx.get("/en/survey/results").text)
    table = page[page.index('<h2 id="districts-heading">') :]
    table = table[: table.index("</section>")]
    assert "By district" in table
    for name, count in (("Capital Region", 5), ("Coast", 0), ("Northland", 0)):
        assert (
            f'<th scope="row">{name}</th>\n          <td class="num" data-label="Responses">{count}</td>'
            in table
        )
    zh = html.unescape(xx.get("/zh-hant/survey/results").text)
    assert '<th scope="row">首都區</th>' in zh and "按地區" in zh
    districts = xx.get("/api/v1/survey/results").json()["districts"]
    assert districts == [
        _count("capital", 5, "Capital Region", "首都區", "首都区"),
        _count("coast", 0, "Coast"),
        _count("north", 0, "Northland", "北地", "北地"),
    ]
    rows = list(csv.DictReader(io.StringIO(xx.get("/api/v1/survey/responses.csv").text)))
    assert [row["district"] for row in rows] == ["capital"] * 5


def test_answers_with_a_district_removed_from_the_file_stay_counted_under_their_code(
    xx: TestClient, clock: Clock, registry: Path, sqlite_url: str
) -> None:
    _fill(xx, clock, "coast")
    (registry / "xx" / "districts.csv").write_text(DISTRICTS.replace("coast,Coast,,\n", ""), encoding="utf-8")
    _load(sqlite_url, registry)
    assert [code for code, _ in _options(xx.get("/en/survey").text)] == ["capital", "north"]
    page = html.unescape(xx.get("/en/survey/results").text)
    assert '<th scope="row">coast (no longer among the districts)</th>' in page
    api = xx.get("/api/v1/survey/results").json()
    assert api["districts"][-1] == _count("coast", 5)
    assert api["groups"][0]["respondents"] == analysis.MIN_GROUP
    # The export keeps the code the answers were sent with; a new answer with it is refused.
    export = list(csv.DictReader(io.StringIO(xx.get("/api/v1/survey/responses.csv").text)))
    assert {row["district"] for row in export} == {"coast"}
    response = send(xx, show_form(xx, clock), district="coast")
    assert response.status_code == 400


def test_hong_kong_counts_by_its_18_districts(hong_kong: TestClient, clock: Clock) -> None:
    _fill(hong_kong, clock, "sha_tin")
    page = html.unescape(hong_kong.get("/en/survey/results").text)
    assert '<th scope="row">Sha Tin</th>\n          <td class="num" data-label="Responses">5</td>' in page
    assert '<th scope="row">Islands</th>\n          <td class="num" data-label="Responses">0</td>' in page
    districts = hong_kong.get("/api/v1/survey/results").json()["districts"]
    assert [d["district"] for d in districts] == list(store.DISTRICTS)
    assert districts[15] == _count("sha_tin", 5, "Sha Tin", "沙田", "沙田")
    assert '<th scope="row">沙田</th>' in html.unescape(hong_kong.get("/zh-hant/survey/results").text)


def test_a_jurisdiction_without_districts_shows_no_district_table(
    sqlite_engine: Any, sqlite_url: str
) -> None:
    clock = Clock()
    with open_portal(sqlite_url, clock, jurisdiction="sg") as client:
        _fill(client, clock, "")
        page = client.get("/en/survey/results").text
        assert "By district" not in page
        assert client.get("/api/v1/survey/results").json()["districts"] == []


# --- The reports ------------------------------------------------------------------------------------

MONTH = "2026-10"
RELEASED = dt.date(2026, 10, 10)
NOW = dt.datetime(2026, 11, 29, 3, 0, tzinfo=dt.UTC)


@pytest.fixture
def report_store(sqlite_engine: Engine) -> Iterator[Session]:
    """Singapore with two districts, and a batch of answers naming one of them released in ``MONTH``."""
    with session_factory(sqlite_engine)() as session:
        session.add(t.Jurisdiction(code="sg", name_en="Singapore", timezone="Asia/Singapore"))
        for position, (code, en, zh) in enumerate(
            (("central", "Central Region", "中區"), ("east", "East", None))
        ):
            session.add(
                t.District(jurisdiction="sg", code=code, position=position, name_en=en, name_zh_hant=zh)
            )
        for index in range(analysis.MIN_GROUP):
            answers = store.Answers(ratings={"explaining_policy": 5}, age_band="20-24", district="central")
            store.save(session, f"browser-{index}", answers, RELEASED)
        released_at = dt.datetime.combine(RELEASED, dt.time(4), tzinfo=dt.UTC)
        release = analysis.release_due(session, "sg", released_at)
        assert release is not None and release.districts == {"central": analysis.MIN_GROUP}
        session.commit()
        yield session


def _survey_part(page: str) -> str:
    heading = "<h2>Citizen survey</h2>" if "<h2>Citizen survey</h2>" in page else "<h2>市民問卷調查</h2>"
    start = page.index(heading)
    return html.unescape(page[start : page.index("<h2>", start + len(heading))])


def test_a_report_counts_its_release_by_the_jurisdictions_districts(report_store: Session) -> None:
    en = _survey_part(render_html(build(report_store, "sg", None, MONTH, now=NOW), "en"))
    assert '<tr><td>Central Region</td><td class="num">5</td></tr>' in en
    assert '<tr><td>East</td><td class="num">0</td></tr>' in en
    assert "Responses by district in the same release" in en
    zh = _survey_part(render_html(build(report_store, "sg", None, MONTH, now=NOW), "zh-hant"))
    assert '<tr><td>中區</td><td class="num">5</td></tr>' in zh and "<th>地區</th>" in zh
    assert "<tr><td>East</td>" in zh  # no Chinese name: the English one


def test_a_release_made_before_districts_were_counted_has_no_district_table(report_store: Session) -> None:
    for release in report_store.query(t.SurveyRelease):
        release.districts = None  # as migration 0019 leaves the releases made before it
    report_store.commit()
    en = _survey_part(render_html(build(report_store, "sg", None, MONTH, now=NOW), "en"))
    assert "Responses by district" not in en and "Central Region" not in en
