"""What the survey's portal tests share: a clock moved by hand, the portal over a migrated store
with that clock, a complete set of answers, and sending the form as a browser does."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from govsocial.settings import Settings
from govsocial.store import tables as t
from govsocial.store.db import make_engine, session_factory
from govsocial.web.app import create_app
from govsocial.web.pages import survey as page

START = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)
STAMP = re.compile(r'name="start" value="([^"]+)"')


class Clock:
    """A clock the tests move by hand."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@contextmanager
def open_portal(url: str, clock: Clock | None = None, **settings: Any) -> Iterator[TestClient]:
    """The portal over the migrated store at ``url``, with ``clock`` as the survey's clock if given."""
    app = create_app(Settings.load(database_url=url, **settings))
    if clock is not None:
        app.state.survey_clock = clock
    with TestClient(app) as client:
        yield client


ANSWERS = {
    "explaining_policy": "3",
    "public_participation": "dont_know",
    "responding_to_crises": "5",
    "clarifying_misinformation": "",
    "building_image": "0",
    "understanding_sentiment": "10",
    "channels": ["friends_shares", "government_app"],
    "reaction_emoji": "often",
    "reaction_share": "never",
    "expectation": "get_response",
    "consideration": "privacy",
    "age_band": "20-24",
    "district": "sha_tin",
}


def show_form(client: TestClient, clock: Clock, lang: str = "en") -> str:
    """Open the form and let a person's reading time pass; the signed start time."""
    response = client.get(f"/{lang}/survey")
    assert response.status_code == 200
    found = STAMP.search(response.text)
    assert found is not None
    clock.advance(seconds=page.MIN_SECONDS + 1)
    return found.group(1)


def send(client: TestClient, stamp: str, **changes: Any) -> Any:
    data = {**ANSWERS, "start": stamp, page.HONEYPOT: "", **changes}
    return client.post("/en/survey", data=data, follow_redirects=False)


def stored(url: str) -> list[t.SurveyResponse]:
    engine = make_engine(url)
    with session_factory(engine)() as session:
        rows = list(session.scalars(select(t.SurveyResponse)))
        session.expunge_all()
    engine.dispose()
    return rows
