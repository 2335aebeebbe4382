"""The smallest sample a leaderboard ranks on (``rankings.SAMPLES``): a value of too few comments,
replies or posts is listed after the ranked ones with no rank, on both backends, in the API, on the
page in three languages, in the comparison's "best" mark and in a report's peer ranks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from govsocial.analyze.metrics.model import registry
from govsocial.analyze.metrics.params import MetricParams
from govsocial.report.peers import peer_row
from govsocial.settings import Settings
from govsocial.store import rankings
from govsocial.store import tables as t
from govsocial.store.db import session_factory
from govsocial.web.app import create_app
from tests.analyze.store_rows import Store

DIGEST = MetricParams().digest()
METRIC = "response_time_median"  # ranked on at least 30 answered comments
#: Organisation code: (median hours, answered comments). "tiny" is the fastest on two replies.
TIMES = {"tiny": (0.5, 2), "b": (3.0, 40), "c": (3.0, 400), "d": (9.0, 30), "e": (1.0, 29)}


def _fill(session: Session) -> None:
    """The organisations of ``TIMES`` and their response times in 2026-09, with a post volume each."""
    store = Store(session)
    store.jurisdiction()
    for code, (hours, answered) in TIMES.items():
        store.organisation(code)
        for metric, value, inputs in (
            (METRIC, hours, {"answered": answered, "mean_hours": hours}),
            ("post_volume", float(answered), {"posts": answered}),  # counts have no minimum
        ):
            session.add(
                t.MetricValue(
                    jurisdiction="hk", params=DIGEST, metric=metric, level="organisation", entity=code,
                    period_kind="month", period="2026-09", value=value, inputs=inputs,
                )
            )  # fmt: skip
    session.flush()


def _board(metric: str = METRIC) -> rankings.Board:
    return rankings.Board("hk", DIGEST, metric, "organisation", "month", "2026-09")


def test_small_samples_follow_the_ranked_values_without_a_rank(session: Session) -> None:
    _fill(session)
    page = rankings.ranking(session, _board())
    # Competition ranks among the large enough samples; the small ones after them, by code.
    assert [(r.rank, r.entity) for r in page.items] == [
        (1, "b"),
        (1, "c"),
        (3, "d"),
        (None, "e"),
        (None, "tiny"),
    ]
    assert (page.count, page.ranked) == (5, 3)
    rest = rankings.ranking(session, _board(), limit=2, offset=2)
    assert [(r.rank, r.entity) for r in rest.items] == [(3, "d"), (None, "e")]
    volume = rankings.ranking(session, _board("post_volume"))
    assert [r.rank for r in volume.items] == [1, 2, 3, 4, 5] and volume.ranked == 5


def test_best_ignores_values_of_too_small_a_sample() -> None:
    cells = {code: rankings.Cell(hours, {"answered": n}) for code, (hours, n) in TIMES.items()}
    assert rankings.best_of(cells, METRIC) == {"b", "c"}
    assert rankings.best_of({"tiny": cells["tiny"], "b": cells["b"]}, METRIC) == set()  # one ranked
    assert rankings.best({"a": 1.0, "b": 2.0}, METRIC) == {"a"}  # without inputs, as before


def test_the_rule_names_registered_metrics_and_their_inputs() -> None:
    metrics = registry()
    for name, rule in rankings.SAMPLES.items():
        assert rule.input in metrics[name].inputs, name
        assert rule.minimum > 0
    for name in (
        "response_rate",
        "response_time_median",
        "comment_negative_share",
        "interaction_rate_account",
    ):
        assert name in rankings.SAMPLES
    assert rankings.sample("post_volume") is None and rankings.rankable("post_volume", {})
    assert not rankings.rankable(METRIC, {"answered": 29}) and rankings.rankable(METRIC, {"answered": 30})
    assert not rankings.rankable(METRIC, {})


def test_report_peers_rank_the_large_samples_only(session: Session) -> None:
    _fill(session)
    tiny = peer_row(session, _board(), "tiny")
    assert (tiny.rank, tiny.value, tiny.count, tiny.best, tiny.median) == (None, 0.5, 3, 3.0, 3.0)
    assert peer_row(session, _board(), "d").rank == 3


@pytest.fixture
def portal(sqlite_engine: Engine, sqlite_url: str) -> Iterator[TestClient]:
    with session_factory(sqlite_engine)() as session:
        _fill(session)
        session.commit()
    with TestClient(create_app(Settings.load(database_url=sqlite_url))) as client:
        yield client


def test_api_lists_small_samples_with_a_null_rank_and_the_reason(portal: TestClient) -> None:
    body: dict[str, Any] = portal.get(f"/api/v1/leaderboards/{METRIC}").json()
    assert body["sample"] == {"input": "answered", "minimum": 30}
    assert (body["count"], body["ranked"]) == (5, 3)
    assert [(r["entity"], r["rank"], r["unranked"]) for r in body["data"]] == [
        ("b", 1, None),
        ("c", 1, None),
        ("d", 3, None),
        ("e", None, "small_sample"),
        ("tiny", None, "small_sample"),
    ]
    assert portal.get("/api/v1/leaderboards/post_volume").json()["sample"] is None


def test_api_compare_marks_no_small_sample_best(portal: TestClient) -> None:
    params = {"organisation": ["tiny", "b", "d"], "metric": [METRIC]}
    body: dict[str, Any] = portal.get("/api/v1/compare", params=params).json()
    cells = {o["organisation"]["code"]: o["values"][0] for o in body["data"]}
    assert {code for code, v in cells.items() if v["best"]} == {"b"}
    assert cells["tiny"]["value"] == 0.5 and cells["tiny"]["unranked"] == "small_sample"
    assert cells["b"]["unranked"] is None


@pytest.mark.parametrize(
    ("lang", "why"),
    [
        ("en", "Not ranked: computed from 2 (Answered), fewer than the 30 a rank needs."),
        ("zh-hant", "未有排名：只根據 2（"),
        ("zh-hans", "未有排名：只根据 2（"),
    ],
)
def test_pages_say_why_a_value_is_not_ranked(portal: TestClient, lang: str, why: str) -> None:
    board = portal.get(f"/{lang}/leaderboards", params={"metric": METRIC}).text
    assert why in board and board.count('class="num board-unranked"') == 2
    assert board.count('class="num board-rank"') == 3
    compared = portal.get(f"/{lang}/compare", params={"org": ["tiny", "b"]}).text
    assert why in compared
