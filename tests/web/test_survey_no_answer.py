"""A single-choice question of the survey can be answered "No answer" again, by keyboard too.

A checked radio button cannot be unchecked (arrow keys only move the choice within the group), so a
citizen who picked an answer could not take it back. Each single-choice question ends with a "No
answer" button whose empty value the server reads as no answer, as it reads the selects' first option.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.web.survey_support import Clock, open_portal, send, show_form, stored

QUESTIONS = ("expectation", "consideration")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app_client(sqlite_engine: Any, sqlite_url: str, clock: Clock) -> Iterator[TestClient]:
    with open_portal(sqlite_url, clock) as client:
        yield client


def radios(page: str, name: str) -> list[str]:
    return re.findall(rf'<input type="radio" [^>]*name="{name}"[^>]*>', page)


@pytest.mark.parametrize(
    ("lang", "label"), [("en", "No answer"), ("zh-hant", "不作答"), ("zh-hans", "不作答")]
)
def test_each_single_choice_question_offers_no_answer_checked_at_first(
    app_client: TestClient, lang: str, label: str
) -> None:
    page = app_client.get(f"/{lang}/survey").text
    for question in QUESTIONS:
        buttons = radios(page, question)
        last = f'<input type="radio" id="{question}-no-answer" name="{question}" value="" checked>'
        assert buttons[-1] == last
        assert sum("checked" in b for b in buttons) == 1  # one choice of the group, as a group has
        assert f'<label for="{question}-no-answer">{label}</label>' in page


def test_no_answer_is_stored_as_no_answer(app_client: TestClient, clock: Clock, sqlite_url: str) -> None:
    # What the browser sends when "No answer" is the checked button: the name with an empty value.
    response = send(app_client, show_form(app_client, clock), expectation="", consideration="")
    assert response.status_code == 303
    [row] = stored(sqlite_url)
    assert row.expectation is None and row.consideration is None
    assert row.explaining_policy == 3  # the rest of the form is stored as usual


def test_a_refused_form_keeps_the_chosen_answer_checked(app_client: TestClient, clock: Clock) -> None:
    page = send(app_client, show_form(app_client, clock), explaining_policy="11").text
    assert "not among the choices" in page
    [chosen] = [b for b in radios(page, "expectation") if "checked" in b]
    assert 'value="get_response"' in chosen
    assert not any("checked" in b for b in radios(page, "consideration") if 'value=""' in b)
