"""The scorecard and the monthly charts of the account and organisation pages (``scorecard_view``).

The page tests read a demo store of three months with the metrics refreshed, and hold the pages to
the API: every number of the scorecard is the value ``/api/v1/scorecard`` gives for the same entity,
formatted with its unit, and every chart's table is the metric's stored values month by month.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from govsocial.analyze.metrics.model import Goal, Level, Unit, registry
from govsocial.analyze.metrics.params import MetricParams
from govsocial.settings import Settings
from govsocial.store import tables as t
from govsocial.store.db import make_engine
from govsocial.web.app import create_app
from govsocial.web.pages import scorecard_view
from govsocial.web.pages.metric_text import format_value
from govsocial.web.pages.opinion import Subject
from tests.demo_store import account_id as cfs_account_id
from tests.demo_store import demo_store
from tests.web.test_pages import main_text, scan

ORGANISATION = "cfs"


# --- the module's tables ----------------------------------------------------------------------------


def test_every_input_a_metric_records_has_a_readable_name() -> None:
    recorded = {name for m in registry().values() for name in m.inputs}
    assert recorded <= set(scorecard_view.INPUT_LABELS), recorded - set(scorecard_view.INPUT_LABELS)


def test_main_measures_exist_under_their_goal() -> None:
    metrics = registry()
    assert set(scorecard_view.MAIN) == set(Goal)
    for goal, names in scorecard_view.MAIN.items():
        assert all(metrics[name].goal is goal for name in names), goal
    assert all(name in metrics for name in scorecard_view.RESPONSE)
    assert all(name in metrics for _, name in scorecard_view.SERIES)


@pytest.mark.parametrize(
    ("now", "before", "unit", "expected"),
    [
        (12.5, 10.0, Unit.PERCENT, "+2.5 points"),
        (10.0, 12.5, Unit.PERCENT, "-2.5 points"),
        (28.0, 23.0, Unit.COUNT, "+5"),
        (5.0, 5.0, Unit.COUNT, "0"),
        (8.1, 10.0, Unit.HOURS, "-1.9 h"),
        (3.0, None, Unit.COUNT, None),
    ],
)
def test_change_since_the_month_before(
    now: float, before: float | None, unit: Unit, expected: str | None
) -> None:
    assert scorecard_view.change(now, before, unit, "en") == expected


def test_month_arithmetic() -> None:
    assert scorecard_view.month_before("2026-01") == "2025-12"
    assert scorecard_view.month_before("2026-09", 11) == "2025-10"
    assert scorecard_view.months_between("2025-11", "2026-02") == ["2025-11", "2025-12", "2026-01", "2026-02"]


# --- over values written by the test, on each backend -----------------------------------------------

SUBJECT = Subject("account", "hk", "7", (7,), MetricParams().digest())


def _values(session: Session, period: str, entity: str = "7", **values: float | None) -> None:
    for metric, value in values.items():
        session.add(
            t.MetricValue(
                jurisdiction="hk",
                metric=metric,
                level="account",
                entity=entity,
                period_kind="month",
                period=period,
                value=value,
                inputs={"posts": 3, "followers": 1234.5678} if metric == "post_volume" else {},
                params=MetricParams().digest(),
            )
        )
    session.flush()


def test_scorecard_latest_month_with_changes_and_gaps(session: Session) -> None:
    _values(session, "2026-07", post_volume=40.0, response_rate=20.0)
    _values(session, "2026-09", post_volume=30.0, response_rate=12.5, followers=None, bonson_e=2.0)
    _values(session, "2026-10", "8", post_volume=99.0)  # another account: not mixed in
    card = scorecard_view.scorecard(session, SUBJECT, "en", sample=False)
    assert card.period == "2026-09" and card.previous is None  # nothing stored for 2026-08
    rows = {r.name: r for g in card.goals for r in g.main + g.more}
    assert set(rows) == {"post_volume", "response_rate", "bonson_e"}  # followers has no value: left out
    assert card.missing == len([m for m in registry().values() if Level.ACCOUNT in m.levels]) - 3
    assert rows["post_volume"].value == "30" and rows["post_volume"].change is None
    assert rows["post_volume"].inputs == [("Posts", "3"), ("Followers", "1,234.57")]
    assert rows["response_rate"].value == "12.5%"
    assert [g.goal for g in card.goals] == ["presence", "penetration", "purpose"]
    assert [r.name for r in card.response] == ["response_rate"]


def test_scorecard_change_since_the_month_before(session: Session) -> None:
    _values(session, "2026-08", post_volume=40.0, response_rate=20.0)
    _values(session, "2026-09", post_volume=30.0, response_rate=12.5)
    card = scorecard_view.scorecard(session, SUBJECT, "en", sample=True)
    rows = {r.name: r for g in card.goals for r in g.main + g.more}
    assert card.previous == "2026-08" and card.sample
    assert rows["post_volume"].change == "-10" and rows["response_rate"].change == "-7.5 points"


def test_trends_fill_missing_months_and_skip_unstored_series(session: Session) -> None:
    _values(session, "2026-06", post_volume=10.0)
    _values(session, "2026-09", post_volume=30.0, reaction_like_share=75.0, reaction_angry_share=25.0)
    _values(session, "2025-01", post_volume=999.0)  # older than twelve months: not charted
    trends = scorecard_view.trends(session, SUBJECT, "en", "2026-09")
    (posts,) = trends.lines  # no follower or interaction values: no chart for them
    assert posts.id == "chart-posts"
    assert posts.table.rows == [("2026-06", "10"), ("2026-07", "—"), ("2026-08", "—"), ("2026-09", "30")]
    assert trends.reactions is not None
    assert trends.reactions.table.rows == [("Angry", "25.0%"), ("Like", "75.0%")]


# --- over a demo store ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The registry and three months of sample activity, with the monthly metrics refreshed."""
    return demo_store(tmp_path_factory.mktemp("scorecard"), months=3, refresh=True)


@pytest.fixture(scope="module")
def demo(demo_db: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings.load(database_url=demo_db))) as client:
        yield client


@pytest.fixture(scope="module")
def account_id(demo_db: str) -> int:
    """The Centre for Food Safety's Facebook account (Facebook posts carry reaction types)."""
    return cfs_account_id(demo_db)


def api_scorecard(client: TestClient, level: str, entity: str) -> dict[str, Any]:
    answer = client.get("/api/v1/scorecard", params={"level": level, "entity": entity})
    assert answer.status_code == 200
    body: dict[str, Any] = answer.json()
    return body


def api_values(card: dict[str, Any]) -> dict[str, tuple[float, str]]:
    """Metric name -> (value, unit) of every metric with a value."""
    return {
        e["metric"]["name"]: (e["value"], e["metric"]["unit"])
        for goal in card["goals"]
        for e in goal["metrics"]
        if e["value"] is not None
    }


def shown_values(page: str) -> dict[str, str]:
    """Metric name -> the value the scorecard table shows."""
    rows = re.findall(
        r'<tr id="score-([a-z0-9_]+)">.*?<td class="num metric-value"[^>]*>([^<]*)</td>', page, re.S
    )
    return {name: html.unescape(value) for name, value in rows}


def chart_table(page: str, chart_id: str) -> list[tuple[str, str]]:
    """The (label, value) rows of a chart's data table."""
    start = page.index(f'<figure class="chart chart-kind-line" id="{chart_id}">')
    figure = page[start : page.index("</figure>", start)]
    rows = re.findall(r'<th scope="row">([^<]*)</th>\s*<td class="num"[^>]*>([^<]*)</td>', figure)
    return [(html.unescape(a), html.unescape(b)) for a, b in rows]


@pytest.mark.parametrize("level", ["account", "organisation"])
def test_scorecard_numbers_are_the_apis(demo: TestClient, account_id: int, level: str) -> None:
    entity = str(account_id) if level == "account" else ORGANISATION
    card = api_scorecard(demo, level, entity)
    expected = {
        name: format_value(value, Unit(unit), "en") for name, (value, unit) in api_values(card).items()
    }
    path = f"/en/accounts/{account_id}" if level == "account" else f"/en/organisations/hk/{ORGANISATION}"
    page = main_text(demo.get(path))
    shown = shown_values(page)
    assert len(expected) > 40
    assert shown == expected
    assert f"Value in {card['period']}" in page
    for name in expected:
        assert f'href="/en/how-we-measure#{name}"' in page


def test_inputs_and_changes_are_shown(demo: TestClient, account_id: int) -> None:
    card = api_scorecard(demo, "account", str(account_id))
    entries = {e["metric"]["name"]: e for goal in card["goals"] for e in goal["metrics"]}
    page = main_text(demo.get(f"/en/accounts/{account_id}"))
    row = page[page.index('<tr id="score-post_volume">') :]
    row = row[: row.index("</tr>")]
    posts = entries["post_volume"]["inputs"]["posts"]
    assert f'Posts: <span class="metric-input-value">{posts:,}</span>' in row
    before = demo.get(
        "/api/v1/metrics/post_volume",
        params={"level": "account", "entity": str(account_id), "period_kind": "month"},
    ).json()["data"]
    assert [v["period"] for v in before][:2] == [card["period"], scorecard_view.month_before(card["period"])]
    delta = int(before[0]["value"] - before[1]["value"])
    assert f'data-label="Change">{"+" if delta > 0 else ""}{delta:,}</td>' in row
    assert "Response to citizens" in page and 'href="/en/how-we-measure#response_rate"' in page


@pytest.mark.parametrize("level", ["account", "organisation"])
def test_chart_tables_are_the_stored_values(demo: TestClient, account_id: int, level: str) -> None:
    entity = str(account_id) if level == "account" else ORGANISATION
    path = f"/en/accounts/{account_id}" if level == "account" else f"/en/organisations/hk/{ORGANISATION}"
    response = demo.get(path)
    scan(response)  # one h1, no inline script or style, images with text
    page = main_text(response)
    for chart_id, metric in scorecard_view.SERIES:
        if level == "account" and metric in scorecard_view.ORGANISATION_ONLY:
            assert f'id="{chart_id}"' not in page
            continue
        stored = demo.get(
            f"/api/v1/metrics/{metric}", params={"level": level, "entity": entity, "period_kind": "month"}
        ).json()
        unit = Unit(stored["metric"]["unit"])
        expected = [(v["period"], format_value(v["value"], unit, "en")) for v in reversed(stored["data"])]
        assert len(expected) == 3
        assert chart_table(page, chart_id) == expected
    assert 'id="chart-reactions"' in page and "Reaction mix in" in page
    assert page.count('role="img"') >= 4


def test_pages_render_translated(demo: TestClient, account_id: int) -> None:
    page = main_text(demo.get(f"/zh-hant/accounts/{account_id}"))
    assert "計分卡" in page and "對市民的回應" in page and "以表格顯示數字" in page
    assert "進駐" in page  # the goal "Presence"
    assert 'href="/zh-hant/how-we-measure#post_volume"' in page
    assert "Show the numbers as a table" not in page and "Scorecard" not in page


def test_an_entity_without_values_has_an_empty_scorecard_and_no_charts(demo_db: str) -> None:
    engine = make_engine(demo_db)
    with Session(engine) as session:
        subject = Subject("organisation", "hk", "no-such-organisation", (), MetricParams().digest())
        card = scorecard_view.scorecard(session, subject, "en", sample=False)
        assert card.period is None and card.goals == [] and card.shown == 0
        assert scorecard_view.trends(session, subject, "en", card.period).lines == []
    engine.dispose()


def test_the_scorecard_and_charts_take_a_fixed_number_of_queries(demo_db: str, account_id: int) -> None:
    """One query per table or chart series, never one per metric."""
    engine = make_engine(demo_db)
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    with Session(engine) as session:
        subject = Subject("account", "hk", str(account_id), (account_id,), MetricParams().digest())
        card = scorecard_view.scorecard(session, subject, "en", sample=True)
        trends = scorecard_view.trends(session, subject, "en", card.period)
    event.remove(engine, "before_cursor_execute", count)
    engine.dispose()
    assert card.shown > 40 and len(trends.lines) == 3 and trends.reactions is not None
    assert len(statements) <= 6, statements
