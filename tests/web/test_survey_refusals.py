"""A refused survey form comes back with the person's answers and says what to change: a channel rule
is named, next to the channels question, which points to it (``aria-describedby``, ``aria-invalid``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.web.survey_support import Clock, open_portal, send, show_form, stored


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def client(sqlite_engine: Any, sqlite_url: str, clock: Clock) -> Iterator[TestClient]:
    with open_portal(sqlite_url, clock) as client:
        yield client


def _fieldset(html: str) -> str:
    found = re.search(r'<fieldset id="channels-question"[^>]*>', html)
    assert found is not None
    return found.group(0)


@pytest.mark.parametrize(
    ("channels", "message"),
    [
        (
            ["friends_shares", "government_app", "government_ads", "government_sms"],
            "Choose at most 3 channels",
        ),
        (
            ["none", "friends_shares"],
            "“I do not follow government news” cannot be combined with other channels",
        ),
    ],
)
def test_a_channel_rule_is_named_next_to_the_question_and_the_answers_are_kept(
    client: TestClient, clock: Clock, sqlite_url: str, channels: list[str], message: str
) -> None:
    response = send(client, show_form(client, clock), channels=channels)
    assert response.status_code == 400 and stored(sqlite_url) == []
    html = response.text
    assert "not among the choices" not in html
    alert = html[html.index('role="alert"') :]
    assert message in alert[: alert.index("</div>")] and 'href="#channels-error"' in alert
    fieldset = _fieldset(html)
    assert 'aria-describedby="channels-error"' in fieldset and 'aria-invalid="true"' in fieldset
    error = re.search(r'<p class="field-error" id="channels-error"[^>]*>([^<]*)</p>', html)
    assert error is not None and message in error.group(1)
    for channel in channels:
        assert f'value="{channel}" checked' in html
    # The other answers come back as they were sent.
    assert '<option value="3" selected>3</option>' in html
    assert '<option value="dont_know" selected>' in html  # public_participation: "Don't know"
    assert 'value="get_response" checked' in html and '<option value="often" selected>' in html


def test_other_refusals_leave_the_channels_question_alone(client: TestClient, clock: Clock) -> None:
    html = send(client, show_form(client, clock), district="atlantis").text
    assert "not among the choices" in html and "channels-error" not in html
    assert "aria-invalid" not in _fieldset(html)
    assert 'value="friends_shares" checked' in html  # the answers are kept here too
