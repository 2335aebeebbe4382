"""Leaderboards: the ranking queries (hand-made values, both backends), ``/{lang}/leaderboards``,
``/api/v1/leaderboards/{metric}`` and the home page's month, over a demo store with its metrics."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from govsocial.analyze.metrics.model import registry
from govsocial.analyze.metrics.params import MetricParams
from govsocial.settings import Settings
from govsocial.store import rankings
from govsocial.store import tables as t
from govsocial.web.app import create_app
from govsocial.web.pages import leaderboards as page
from tests.analyze.store_rows import Store
from tests.demo_store import demo_store, run

DIGEST = MetricParams().digest()


# --- The queries, on hand-made values --------------------------------------------------------------


#: Inputs of a response time large enough a sample to rank (rankings.SAMPLES).
ANSWERED = {"answered": 40}


def _value(
    session: Session,
    metric: str,
    level: str,
    entity: str,
    value: float | None,
    inputs: dict[str, int] | None = None,
    **key: str,
) -> None:
    fields = {"jurisdiction": "hk", "period_kind": "month", "period": "2026-09", "params": DIGEST} | key
    stored = inputs or {"n": 1}
    session.add(
        t.MetricValue(metric=metric, level=level, entity=entity, value=value, inputs=stored, **fields)
    )


@pytest.fixture
def ranked(session: Session) -> dict[str, int]:
    """Five organisations (one a bureau) with post volumes 10, 7, 7, 3 and none, two accounts, and values
    that must never be ranked with them (another period, digest, jurisdiction or level)."""
    store = Store(session)
    store.jurisdiction()
    store.jurisdiction("mo")
    ids = {code: store.organisation(code) for code in ("a", "b", "c", "d", "e")}
    session.get_one(t.Organisation, ids["c"]).org_type = t.OrgType.BUREAU
    for code, volume in {"a": 10.0, "b": 7.0, "c": 7.0, "d": 3.0, "e": None}.items():
        _value(session, "post_volume", "organisation", code, volume)
    _value(session, "post_volume", "organisation", "e", 99.0, period="2026-08")
    _value(session, "post_volume", "organisation", "e", 99.0, params="other")
    _value(session, "post_volume", "organisation", "a", 99.0, jurisdiction="mo")
    fb, ig = store.account("facebook", [ids["a"]]), store.account("instagram", [ids["c"]])
    _value(session, "response_time_median", "account", str(fb), 5.0, ANSWERED)
    _value(session, "response_time_median", "account", str(ig), 1.5, ANSWERED)
    _value(session, "response_time_median", "account", "999999", 0.1, ANSWERED)  # not in the registry
    session.flush()
    return {"facebook": fb, "instagram": ig}


def _board(metric: str = "post_volume", level: str = "organisation", **changes: object) -> rankings.Board:
    fields: dict[str, object] = {"period_kind": "month", "period": "2026-09"} | changes
    return rankings.Board("hk", DIGEST, metric, level, **fields)  # type: ignore[arg-type]


def test_equal_values_share_a_rank_and_the_next_rank_skips(session: Session, ranked: dict[str, int]) -> None:
    page = rankings.ranking(session, _board())
    assert [(r.rank, r.entity, r.value) for r in page.items] == [
        (1, "a", 10.0),
        (2, "b", 7.0),
        (2, "c", 7.0),
        (4, "d", 3.0),
    ]
    assert page.count == 4  # "e" has no value in the period: left out, not ranked last
    assert page.items[0].organisation is not None and page.items[0].organisation.code == "a"
    assert page.items[0].inputs == {"n": 1} and page.items[0].account is None


def test_a_page_keeps_the_ranks_of_the_whole_board(session: Session, ranked: dict[str, int]) -> None:
    page = rankings.ranking(session, _board(), limit=2, offset=2)
    assert [(r.rank, r.entity) for r in page.items] == [(2, "c"), (4, "d")]
    assert page.count == 4


def test_filters_rank_among_the_remaining_entities(session: Session, ranked: dict[str, int]) -> None:
    page = rankings.ranking(session, _board(org_type=t.OrgType.BUREAU))
    assert [(r.rank, r.entity) for r in page.items] == [(1, "c")]
    assert rankings.ranking(session, _board(period="2026-08")).count == 1
    assert rankings.ranking(session, _board(period="2026-07")).count == 0


def test_smaller_is_better_for_response_time(session: Session, ranked: dict[str, int]) -> None:
    page = rankings.ranking(session, _board("response_time_median", "account"))
    assert [(r.rank, r.entity) for r in page.items] == [
        (1, str(ranked["instagram"])),
        (2, str(ranked["facebook"])),
    ]
    first = page.items[0]
    assert first.account is not None and first.account.platform == "instagram"
    assert first.organisation is not None and first.organisation.code == "c"  # the main owner
    only_fb = rankings.ranking(session, _board("response_time_median", "account", platform="facebook"))
    assert [(r.rank, r.entity) for r in only_fb.items] == [(1, str(ranked["facebook"]))]


def test_accounts_under_review_or_archived_are_not_ranked(session: Session, ranked: dict[str, int]) -> None:
    """Only published accounts are ranked, among themselves: an account under review (maybe another
    handle of a ranked one) and an archived one keep their values, but not a place on the board."""
    store = Store(session)
    owner = session.get_one(t.Account, ranked["facebook"]).organisations[0].organisation_id
    retired = store.account("x", [owner], status=t.AccountStatus.ARCHIVED)  # handles x-1, facebook-2
    doubtful = store.account("facebook", [owner], status=t.AccountStatus.UNDER_REVIEW)
    _value(session, "response_time_median", "account", str(doubtful), 0.5, ANSWERED)  # faster than both
    _value(session, "response_time_median", "account", str(retired), 0.2, ANSWERED)
    session.flush()
    page = rankings.ranking(session, _board("response_time_median", "account"))
    assert [(r.rank, r.entity) for r in page.items] == [
        (1, str(ranked["instagram"])),
        (2, str(ranked["facebook"])),
    ]
    assert page.count == 2
    assert {r.account.status for r in page.items if r.account} == {t.AccountStatus.PUBLISHED}
    only_fb = rankings.ranking(session, _board("response_time_median", "account", platform="facebook"))
    assert [(r.rank, r.entity) for r in only_fb.items] == [(1, str(ranked["facebook"]))]


def test_other_levels_are_refused(session: Session) -> None:
    with pytest.raises(ValueError, match="organisation or account"):
        rankings.ranking(session, _board(level="platform"))


def test_periods_newest_first_with_values_only(session: Session, ranked: dict[str, int]) -> None:
    _value(session, "post_volume", "organisation", "a", None, period="2026-10")
    assert rankings.periods(session, "hk", DIGEST, "post_volume", "organisation", "month") == [
        "2026-09",
        "2026-08",
    ]
    assert rankings.periods(session, "hk", DIGEST, "post_volume", "organisation", "week") == []


def test_comparison_reads_one_period_the_latest_by_default(session: Session, ranked: dict[str, int]) -> None:
    metrics = ("post_volume", "response_rate")
    latest = rankings.comparison(session, "hk", DIGEST, ["a", "e"], metrics, "month")
    assert latest.period == "2026-09"
    assert latest.cells["a"]["post_volume"].value == 10.0
    assert latest.cells["e"]["post_volume"].value is None  # stored, but undefined
    assert "response_rate" not in latest.cells["a"]  # not stored at all
    august = rankings.comparison(session, "hk", DIGEST, ["a", "e"], metrics, "month", "2026-08")
    assert august.cells == {"a": {}, "e": {"post_volume": rankings.Cell(99.0, {"n": 1})}}
    assert rankings.comparison(session, "hk", DIGEST, ["a"], metrics, "year").period is None
    assert [o.code for o in rankings.comparable(session, "hk", DIGEST, metrics, "month")] == list("abcde")


def test_best_marks_ties_follows_the_direction_and_needs_two_values() -> None:
    assert rankings.best({"a": 3.0, "b": 5.0, "c": 5.0, "d": None}, "post_volume") == {"b", "c"}
    assert rankings.best({"a": 3.0, "b": 5.0}, "response_time_median") == {"a"}
    assert rankings.best({"a": 3.0, "b": None}, "post_volume") == set()


def test_directions_name_registered_metrics() -> None:
    names = set(registry())
    assert names >= rankings.LOWER_IS_BETTER
    assert names >= set(rankings.LEADERBOARD_METRICS)
    assert not rankings.lower_is_better("post_volume") and rankings.lower_is_better("response_time_median")


def test_sample_data_is_told_by_the_newest_posts(session: Session, ranked: dict[str, int]) -> None:
    store = Store(session)
    assert not rankings.has_sample_data(session, "hk")
    post = store.post(ranked["facebook"], dt.datetime(2026, 9, 1, tzinfo=dt.UTC))
    session.get_one(t.Post, post).source = "sample"
    session.flush()
    assert rankings.has_sample_data(session, "hk")
    assert not rankings.has_sample_data(session, "mo")


# --- Pages and API over a demo store ---------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """Two months of sample activity, with monthly and weekly metrics."""
    url = demo_store(tmp_path_factory.mktemp("leaderboards"), months=2, refresh=True)
    run(url, "metrics", "refresh", "--period-kind", "week")
    with TestClient(create_app(Settings.load(database_url=url))) as client:
        yield client


def _ranks(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'class="num board-rank" data-label="[^"]*">(\d+)<', html)]


def _api(client: TestClient, metric: str, **params: str) -> dict[str, object]:
    response = client.get(f"/api/v1/leaderboards/{metric}", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


@pytest.mark.parametrize("metric", rankings.LEADERBOARD_METRICS)
@pytest.mark.parametrize("level", ["organisation", "account"])
def test_page_and_api_rank_alike(demo: TestClient, metric: str, level: str) -> None:
    body = _api(demo, metric, level=level, limit="100")
    listed = body["data"]
    assert isinstance(listed, list) and listed, f"the demo has no {metric} values at the {level} level"
    # Values of too small a sample follow the ranked ones, with no rank (rankings.SAMPLES).
    rows = [row for row in listed if row["rank"] is not None]
    assert listed[: len(rows)] == rows and body["ranked"] == len(rows)
    assert all(row["unranked"] == "small_sample" for row in listed[len(rows) :])
    values = [row["value"] for row in rows]
    assert values == sorted(values, reverse=not body["lower_is_better"])
    for position, (before, after) in enumerate(itertools.pairwise(rows), start=2):  # competition ranks
        assert after["rank"] == (before["rank"] if after["value"] == before["value"] else position)
    html = demo.get("/en/leaderboards", params={"metric": metric, "level": level}).text
    assert _ranks(html) == [row["rank"] for row in rows][: page.PAGE_SIZE]
    for row in listed[:3]:
        link = f"/en/accounts/{row['entity']}" if level == "account" else f"/organisations/hk/{row['entity']}"
        assert link in html


def test_page_names_the_board_and_links_its_definition(demo: TestClient) -> None:
    response = demo.get("/en/leaderboards")
    assert response.status_code == 200
    html = response.text
    latest = _api(demo, "post_volume")["period"]
    assert f"Post volume · {latest}" in html
    assert 'href="/en/how-we-measure#post_volume"' in html
    assert "Higher is better" in html and "Sample data" in html
    assert 'href="/en/leaderboards" aria-current="page"' in html
    assert '<option value="post_volume" selected>' in html


def test_response_time_ranks_the_fastest_first(demo: TestClient) -> None:
    html = demo.get("/en/leaderboards", params={"metric": "response_time_median"}).text
    assert "Lower is better: the smallest value ranks first." in html
    table = html[html.index('<table class="board-table">') :]
    table = table[: table.index("</table>")]
    table = table.split('class="num board-unranked"')[0]  # the ranked rows only
    hours = [float(h) for h in re.findall(r'data-label="Response time \(median\)">([\d.]+) h<', table)]
    assert len(hours) > 1 and hours == sorted(hours)


def test_accounts_show_their_platform(demo: TestClient) -> None:
    html = demo.get("/en/leaderboards", params={"level": "account"}).text
    assert 'class="platform-icon"' in html and "/en/accounts/" in html
    assert "<caption>Accounts ranked by Post volume in" in html


def test_period_selector_lists_and_shows_each_period(demo: TestClient) -> None:
    months = _api(demo, "post_volume")["periods"]
    assert isinstance(months, list) and len(months) == 2
    older = months[1]
    html = demo.get("/en/leaderboards", params={"period": older}).text
    assert f'<option value="{older}" selected>' in html and f"Post volume · {older}" in html
    first = _api(demo, "post_volume", period=older)["data"]
    assert isinstance(first, list) and f"{first[0]['value']:.0f}</td>" in html
    weeks = demo.get("/en/leaderboards", params={"period_kind": "week"}).text
    assert re.search(r'<option value="\d{4}-W\d\d" selected>', weeks)
    # A month label under week falls back to the latest week rather than to nothing.
    assert (
        "Nothing to rank"
        not in demo.get("/en/leaderboards", params={"period_kind": "week", "period": older}).text
    )


def test_bad_parameters_fall_back_to_the_defaults(demo: TestClient) -> None:
    params = {
        "metric": "nope",
        "level": "galaxy",
        "period_kind": "century",
        "page": "-3",
        "type": "x",
        "platform": "\x00",
    }
    response = demo.get("/en/leaderboards", params=params)
    assert response.status_code == 200
    assert '<option value="post_volume" selected>' in response.text
    assert '<option value="organisation" selected>' in response.text


def test_paging(demo: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(page, "PAGE_SIZE", 4)
    first = demo.get("/en/leaderboards", params={"level": "account"}).text
    assert len(_ranks(first)) == 4 and 'rel="next"' in first and 'rel="prev"' not in first
    second = demo.get("/en/leaderboards", params={"level": "account", "page": "2"}).text
    assert 'rel="prev"' in second and _ranks(second)[0] >= _ranks(first)[-1]
    api = _api(demo, "post_volume", level="account", limit="4", offset="4")["data"]
    assert isinstance(api, list) and _ranks(second) == [row["rank"] for row in api]


def test_page_in_traditional_chinese(demo: TestClient) -> None:
    html = demo.get("/zh-hant/leaderboards", params={"metric": "response_rate"}).text
    assert "<h1>排行榜</h1>" in html and "排名" in html and "數值越高越好" in html
    assert "回應率" in html and "Higher is better" not in html


def test_api_answers_bad_input_with_documented_errors(demo: TestClient) -> None:
    assert demo.get("/api/v1/leaderboards/nope").status_code == 404
    assert demo.get("/api/v1/leaderboards/post_volume", params={"level": "platform"}).status_code == 422
    assert demo.get("/api/v1/leaderboards/post_volume", params={"limit": "0"}).status_code == 422
    refused = demo.get("/api/v1/leaderboards/post_volume", params={"platform": "facebook"})
    assert refused.status_code == 400 and "level=account" in refused.json()["detail"]


def test_api_envelope_and_filters(demo: TestClient) -> None:
    body = _api(demo, "post_volume", level="account", platform="facebook")
    assert body["params"] == DIGEST and body["metric"]["name"] == "post_volume"  # type: ignore[index]
    rows = body["data"]
    assert isinstance(rows, list) and rows and body["count"] == len(rows)
    assert {row["account"]["platform"] for row in rows} == {"facebook"}
    assert all(row["url"] == f"/api/v1/accounts/{row['entity']}" for row in rows)
    empty = _api(demo, "post_volume", period="1999-01")
    assert empty["data"] == [] and empty["count"] == 0 and empty["period"] == "1999-01"


def test_home_page_gives_the_government_month(demo: TestClient) -> None:
    card = demo.get("/api/v1/scorecard", params={"period_kind": "month"}).json()
    values = {m["metric"]["name"]: m["value"] for goal in card["goals"] for m in goal["metrics"]}
    html = demo.get("/en/").text
    assert f"The whole government in {card['period']}" in html
    assert f"<dt>Posts in the month</dt>\n      <dd>{values['post_volume']:,.0f}</dd>" in html
    assert f"{values['interaction_rate_account']:.1f}%" in html
    assert 'href="/en/leaderboards"' in html and "<dt>Organisations</dt>" in html  # the old figures stay
    assert "整個政府在" in demo.get("/zh-hant/").text


def test_home_page_without_metrics_keeps_its_figures(client: TestClient) -> None:
    html = client.get("/en/").text
    assert "<dt>Organisations</dt>" in html and "The whole government in" not in html


def test_chart_draws_the_leaders_on_the_first_page(demo: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = _api(demo, "post_volume", level="account")["data"]
    assert isinstance(rows, list) and len(rows) > page.CHART_BARS
    html = demo.get("/en/leaderboards", params={"level": "account"}).text
    assert 'id="chart-board"' in html and html.count('<g class="chart-bar-group">') == page.CHART_BARS
    assert (
        "<title>1. " in html and f"Post volume in {_api(demo, 'post_volume')['period']}: the first 10" in html
    )
    monkeypatch.setattr(page, "PAGE_SIZE", 4)
    assert (
        'id="chart-board"' not in demo.get("/en/leaderboards", params={"level": "account", "page": "2"}).text
    )


def _metric_values(client: TestClient, metric: str, **params: str) -> dict[str, float | None]:
    response = client.get(f"/api/v1/metrics/{metric}", params={"limit": "500", **params})
    assert response.status_code == 200, response.text
    return {row["entity"]: row["value"] for row in response.json()["data"]}


def test_accounts_under_review_count_on_their_own_page_only(demo: TestClient) -> None:
    """The demo's pages under review (the police's Instagram and YouTube channel, maybe alternate
    handles) have their own values and page, labelled under review, but the government's posts are
    those of the official accounts (published and archived), and the board ranks published ones."""
    accounts = demo.get("/api/v1/accounts", params={"limit": "500"}).json()["data"]
    status = {str(a["id"]): a["status"] for a in accounts}
    month = str(_api(demo, "post_volume")["period"])
    own = _metric_values(demo, "post_volume", level="account", period_kind="month", period=month)
    doubtful = sorted(e for e in own if status[e] == "under_review")
    assert doubtful, "the demo's accounts under review posted in the month"
    official = sum(v or 0 for e, v in own.items() if status[e] in ("published", "archived"))
    government = _metric_values(demo, "post_volume", level="government", period_kind="month", period=month)
    assert government == {"hk": official}
    board = _api(demo, "post_volume", level="account", limit="100")
    rows = board["data"]
    assert isinstance(rows, list) and board["count"] == len(rows)
    assert {row["entity"] for row in rows} == {e for e, v in own.items() if status[e] == "published"}
    page = demo.get(f"/en/accounts/{doubtful[0]}").text
    assert "badge-under_review" in page and "Under review" in page
    assert 'id="score-post_volume"' in page  # its own scorecard
