"""``GET /api/v1/events``, ``GET /api/v1/clarifications`` and the crises section of the portal pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from typer.testing import CliRunner

from govsocial.cli.main import app as cli
from govsocial.settings import Settings
from govsocial.store import events
from govsocial.store import tables as t
from govsocial.store.db import session_factory
from govsocial.store.events import Detected, SyncScope
from govsocial.web.app import create_app
from govsocial.web.pages.dates import WeekDates, week_dates
from tests.analyze.store_rows import Store, hk


@dataclass(frozen=True)
class Site:
    client: TestClient
    url: str
    account: int
    other: int


def _fill(engine: Engine) -> tuple[int, int]:
    """Account ``dh`` with a volume spike and a clarification; account ``police`` with a share spike."""
    with session_factory(engine)() as session, session.begin():
        store = Store(session)
        store.jurisdiction()
        dh, police = store.organisation("dh"), store.organisation("police")
        account, other = store.account("facebook", [dh]), store.account("facebook", [police])
        when = hk(2026, 5, 1, 10)
        store.post(other, hk(2026, 4, 7), "Police news")
        for i, likes in enumerate((10, 20, 30)):
            p = store.post(account, when - dt.timedelta(days=i + 1), f"post {i}")
            store.snapshot(p, when, likes=likes)
        clarify = store.post(
            account, when, "【澄清】網上流傳的訊息<b>失實</b>", url="https://www.facebook.com/dh/posts/9"
        )
        store.snapshot(clarify, when, likes=46)
        session.add(
            t.ClarificationMark(
                jurisdiction="hk",
                post_url="https://www.facebook.com/dh/posts/9",
                rumour_first_seen_at=when - dt.timedelta(hours=5),
                source="reviewer",
            )
        )
    scope = SyncScope(
        "hk",
        frozenset({"comment_volume", "negative_share"}),
        frozenset({"week"}),
        frozenset({account, other}),
    )
    found = [
        Detected(account, "comment_volume", "week", "2026-W14", 412.0, 60.0, 7.75, 45.4, {"comments": 412}),
        Detected(other, "negative_share", "week", "2026-W15", 0.8, 0.2, 0.05, 12.0, {"scored": 25}),
    ]
    with engine.begin() as connection:
        events.sync(connection, scope, found, dt.datetime(2026, 4, 13, tzinfo=dt.UTC))
    return account, other


@pytest.fixture
def site(engine: Engine) -> Iterator[Site]:
    account, other = _fill(engine)
    url = engine.url.render_as_string(hide_password=False)
    with TestClient(create_app(Settings.load(database_url=url))) as client:
        yield Site(client, url, account, other)


def test_events_api(site: Site) -> None:
    body = site.client.get("/api/v1/events").json()
    assert body["count"] == 2
    assert [(e["account_id"], e["kind"], e["period"]) for e in body["data"]] == [
        (site.other, "negative_share", "2026-W15"),
        (site.account, "comment_volume", "2026-W14"),
    ]
    first = body["data"][1]
    assert first["value"] == 412 and first["baseline"] == 60 and first["organisations"] == ["dh"]
    assert site.client.get("/api/v1/events", params={"organisation": "dh"}).json()["count"] == 1
    assert (
        site.client.get("/api/v1/events", params={"account": site.other}).json()["data"][0]["period"]
        == "2026-W15"
    )
    assert site.client.get("/api/v1/events", params={"since": "2026-04-06"}).json()["count"] == 1
    assert (
        site.client.get("/api/v1/events", params={"limit": 1, "offset": 1}).json()["data"][0]["period"]
        == "2026-W14"
    )
    assert site.client.get("/api/v1/events", params={"since": "no"}).status_code == 422


def test_clarifications_api(site: Site) -> None:
    body = site.client.get("/api/v1/clarifications").json()
    assert body["count"] == 1
    item = body["data"][0]
    assert item["reasons"] == ["澄清", "失實", "registry mark"]
    assert item["reach"] == 46 / 20
    assert item["time_to_clarification_hours"] == 5
    assert item["url"] == "https://www.facebook.com/dh/posts/9"
    assert site.client.get("/api/v1/clarifications", params={"organisation": "police"}).json()["count"] == 0
    assert site.client.get("/api/v1/clarifications", params={"since": "2026-05-02"}).json()["count"] == 0


def test_clarifications_since_is_a_day_of_the_jurisdictions_calendar(engine: Engine) -> None:
    """A clarification at 07:00 in Hong Kong on 1 May is 23:00 UTC on 30 April: ``since=2026-05-01``
    lists it, as the timeline's ``since`` would, and ``since=2026-05-02`` does not."""
    with session_factory(engine)() as session, session.begin():
        store = Store(session)
        store.jurisdiction()
        account = store.account("facebook", [store.organisation("dh")])
        store.post(account, hk(2026, 5, 1, 7), "【澄清】網上流傳的訊息失實")
    url = engine.url.render_as_string(hide_password=False)
    with TestClient(create_app(Settings.load(database_url=url))) as client:
        for since, count in (("2026-05-01", 1), ("2026-05-02", 0)):
            answer = client.get("/api/v1/clarifications", params={"since": since})
            assert answer.status_code == 200 and answer.json()["count"] == count, (since, answer.text)


def test_account_page_section(site: Site) -> None:
    page = site.client.get(f"/en/accounts/{site.account}").text
    assert 'aria-labelledby="crises-heading"' in page
    assert "Comments in 30 Mar\u2009–\u20095 Apr 2026: 412, usually about 60" in page
    assert "2.3× the account's usual interactions" in page
    assert "5.0 hours after the rumour first appeared" in page
    assert "&lt;b&gt;失實&lt;/b&gt;" in page  # post text escaped
    # Each keyword says its language on an English page (templates/opinion/crises.html).
    hant = '<span lang="zh-Hant-HK">'
    assert f"Marked in the registry · Keywords: {hant}澄清</span>, {hant}失實</span>" in page
    chinese = site.client.get(f"/zh-hant/accounts/{site.other}").text
    assert "2026年4月6日至12日的負面留言：佔已評分留言的 80%，平常約為 20%" in chinese


@pytest.mark.parametrize(
    ("lang", "days", "iso"),
    [
        ("en", "30 Mar\u2009–\u20095 Apr 2026", "week 2026-W14"),
        ("zh-hant", "2026年3月30日至4月5日", "2026-W14 週"),
        ("zh-hans", "2026年3月30日\u2009–\u20094月5日", "2026-W14 周"),
    ],
)
def test_a_week_is_shown_by_its_days(site: Site, lang: str, days: str, iso: str) -> None:
    """Few readers can place "2026-W14": the row names its days (CLDR's forms, thin spaces
    around the dash), and the ISO week stays in the markup and under the days."""
    page = site.client.get(f"/{lang}/accounts/{site.account}").text
    row = page.split('class="crises-events"', 1)[1].split("</tr>", 2)[1]
    assert (
        f'<th scope="row"><time datetime="2026-W14">{days}</time><span class="small">{iso}</span></th>' in row
    )


def test_week_dates_cross_a_year_and_refuse_what_is_no_week() -> None:
    assert week_dates("en", "2026-W53") == WeekDates("2026-W53", "28 Dec 2026\u2009–\u20093 Jan 2027")
    assert week_dates("zh-hant", "2026-W53") == WeekDates("2026-W53", "2026年12月28日至2027年1月3日")
    assert week_dates("en", "2025-W53") is None  # 2025 has 52 weeks
    assert week_dates("en", "2026-09") is None


def test_organisation_page_section_and_empty(site: Site, engine: Engine) -> None:
    page = site.client.get("/en/organisations/hk/dh").text
    assert "Unusual weeks in the comments" in page and "Posts that clarify misinformation" in page
    with session_factory(engine)() as session, session.begin():
        quiet = Store(session).organisation("quiet")
    assert quiet
    assert "crises-heading" not in site.client.get("/en/organisations/hk/quiet").text


def test_cli_lists(site: Site) -> None:
    env = {"GOVSOCIAL_DATABASE_URL": site.url}
    result = CliRunner().invoke(cli, ["events", "list", "--json", "--organisation", "police"], env=env)
    assert result.exit_code == 0, result.output
    assert '"kind": "negative_share"' in result.output and '"count": 1' in result.output
    result = CliRunner().invoke(cli, ["clarifications", "list", "--json"], env=env)
    assert result.exit_code == 0, result.output
    assert '"time_to_clarification_hours": 5.0' in result.output
    text = CliRunner().invoke(cli, ["clarifications", "list"], env=env)
    assert text.exit_code == 0 and "2.3×" in text.output
