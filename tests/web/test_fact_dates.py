"""An unconfirmed account's ``source_date`` is the registry's free text: the page says "Dated" only
before an ISO date, "Date not given" otherwise, and tags the words left over with their language."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from govsocial.settings import Settings
from govsocial.store import tables as t
from govsocial.store.db import session_factory
from govsocial.web.app import create_app
from govsocial.web.pages.organisation import split_source_date
from tests.analyze.store_rows import Store


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2013-08-22", ("2013-08-22", None)),
        ("2013-08-22 (channel launched 2013-03-26)", ("2013-08-22", "(channel launched 2013-03-26)")),
        ("unknown", (None, None)),
        ("Unknown ", (None, None)),
        ("2013-02-30", (None, "2013-02-30")),
        ("約 2015 年", (None, "約 2015 年")),
        ("", (None, None)),
        (None, (None, None)),
    ],
)
def test_split_source_date(value: str | None, expected: tuple[str | None, str | None]) -> None:
    assert split_source_date(value) == expected


@pytest.fixture
def client(sqlite_engine: Engine) -> Iterator[TestClient]:
    with session_factory(sqlite_engine)() as session, session.begin():
        store = Store(session)
        store.jurisdiction()
        org = store.organisation("dh")
        store.platforms("facebook", "youtube", "instagram")
        for platform, date in (
            ("facebook", "unknown"),
            ("youtube", "2013-08-22 (channel launched 2013-03-26)"),
            ("instagram", "約 2015 年"),
        ):
            session.add(
                t.OrganisationFact(organisation_id=org, platform=platform, source="x", source_date=date)
            )
    url = sqlite_engine.url.render_as_string(hide_password=False)
    with TestClient(create_app(Settings.load(database_url=url))) as client:
        yield client


def test_the_page_translates_the_date_and_tags_the_rest(client: TestClient) -> None:
    english = client.get("/en/organisations/hk/dh").text
    assert "Dated unknown" not in english and '<span class="small">Date not given</span>' in english
    assert '<span class="small">Dated 2013-08-22 <span>(channel launched 2013-03-26)</span></span>' in english
    assert '<span class="small">Date not given <span lang="zh-Hant-HK">約 2015 年</span></span>' in english
    chinese = client.get("/zh-hant/organisations/hk/dh").text
    assert "沒有註明日期" in chinese and '<span lang="en">(channel launched 2013-03-26)</span>' in chinese
