"""The ``metric_params`` setting: a deployment's own metric parameters, read from the TOML file or the
environment, refused in one line when wrong, and used alike by the refresh that stores the values,
the portal and the API that read them (by the parameters' digest) and ``govsocial metrics``, whose
``--param`` goes over it."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from govsocial.analyze import pipeline
from govsocial.analyze.metrics.params import MetricParams, configured
from govsocial.cli.main import app as cli_app
from govsocial.errors import ConfigurationError
from govsocial.settings import Settings
from govsocial.store import queries
from govsocial.store import tables as t
from govsocial.store.db import make_engine, session_factory
from govsocial.web import activity
from govsocial.web.app import create_app
from tests.conftest import postgres_database
from tests.demo_store import KEY, account_id, demo_store

#: Another government's office hours and reply target.
OFFICE = {"business_hours": [8, 17], "response_hours": 48}
CONFIGURED = MetricParams(business_hours=(8, 17), response_hours=48)
#: The value not held in a test's environment: a developer's own setting must not leak in.
ENV = "GOVSOCIAL_METRIC_PARAMS"
PENDING = "have not been computed yet"


@pytest.fixture(autouse=True)
def no_setting_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV, raising=False)


# --- reading and refusing the setting -------------------------------------------------------------


def test_no_setting_gives_the_documented_defaults() -> None:
    assert configured(Settings.load()) == MetricParams()


def test_the_setting_is_a_table_of_the_settings_file(tmp_path: Path) -> None:
    config = tmp_path / "govsocial.toml"
    config.write_text("page_size = 20\n\n[metric_params]\nbusiness_hours = [8, 17]\nresponse_hours = 48\n")
    params = configured(Settings.load(config))
    assert params == CONFIGURED and params.digest() != MetricParams().digest()


def test_the_setting_is_json_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, '{"active_days": 14, "x_count_replies": true, "likes": "like"}')
    params = configured(Settings.load())
    assert (params.active_days, params.x_count_replies, params.likes) == (14, True, "like")
    assert params.business_hours == MetricParams().business_hours


@pytest.mark.parametrize(
    ("values", "words"),
    [
        ({"office_hours": [8, 17]}, ["metric_params.office_hours", "not a metric parameter", "metrics.md"]),
        ({"business_hour": [8, 17]}, ["metric_params.business_hour", "did you mean business_hours?"]),
        ({"business_hours": [18, 9]}, ["metric_params.business_hours", "0 <= start < end <= 24"]),
        ({"business_hours": [8, 25]}, ["metric_params.business_hours", "0 <= start < end <= 24"]),
        ({"response_hours": 0}, ["metric_params.response_hours", "must be greater than 0"]),
        ({"active_days": 0}, ["metric_params.active_days", "must be greater than or equal to 1"]),
        ({"likes": "hearts"}, ["metric_params.likes", "'like' or 'reactions'"]),
    ],
)
def test_a_bad_parameter_is_refused_in_one_line(values: dict[str, Any], words: list[str]) -> None:
    with pytest.raises(ConfigurationError) as raised:
        configured(Settings.load(metric_params=values))
    message = str(raised.value)
    assert "\n" not in message and "Value error" not in message and "Input should" not in message
    assert all(word in message for word in words), message


def test_the_setting_is_read_once_per_settings_object() -> None:
    settings, week = Settings.load(metric_params=OFFICE), Settings.load(metric_params={"active_days": 7})
    params = configured(settings)
    assert configured(settings) is params and params == CONFIGURED
    assert configured(week) is not params and configured(week).active_days == 7
    # Another object with the same setting gets equal parameters of its own.
    again = configured(Settings.load(metric_params=OFFICE))
    assert again is not params and again == params


def test_a_setting_changed_on_the_same_object_is_read_again() -> None:
    settings = Settings.load(metric_params=OFFICE)
    assert configured(settings).active_days == 30
    settings.metric_params["active_days"] = 7
    assert configured(settings).active_days == 7
    settings.metric_params = {"business_hours": [18, 9]}
    with pytest.raises(ConfigurationError, match=r"metric_params\.business_hours"):
        configured(settings)


def test_a_bad_setting_is_refused_on_every_call() -> None:
    settings = Settings.load(metric_params={"active_days": 0})
    for _ in range(2):
        with pytest.raises(ConfigurationError, match=r"metric_params\.active_days"):
            configured(settings)


def test_the_digest_is_worked_out_once_and_a_changed_copy_has_its_own() -> None:
    params = MetricParams()
    assert params.digest() is params.digest()
    week = params.model_copy(update={"active_days": 7})
    assert week.digest() == MetricParams(active_days=7).digest() != params.digest()
    assert params.model_copy().digest() == params.digest()


def test_a_setting_that_is_not_json_is_refused_at_load(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, '{"business_hours": [8,')
    with pytest.raises(ConfigurationError, match=f"metric_params \\(from the environment variable {ENV}\\)"):
        Settings.load()


def invoke(*args: str, env: dict[str, str]) -> Any:
    return CliRunner().invoke(cli_app, list(args), env={"GOVSOCIAL_PSEUDONYM_KEY": KEY, **env})


def test_any_command_refuses_a_bad_setting_before_it_starts(tmp_path: Path) -> None:
    # No store at all: the setting is refused before the command looks for one.
    env = {ENV: '{"business_hours": [18, 9]}', "GOVSOCIAL_DATABASE_URL": f"sqlite:///{tmp_path / 'none.db'}"}
    for args in (("metrics", "refresh"), ("metrics", "show"), ("registry", "lint")):
        result = invoke(*args, env=env)
        lines = result.output.strip().splitlines()
        assert result.exit_code == 2 and len(lines) == 1, result.output
        assert "metric_params.business_hours" in lines[0] and "0 <= start < end <= 24" in lines[0]


def test_the_portal_refuses_to_start_with_a_bad_setting() -> None:
    with pytest.raises(ConfigurationError, match=r"metric_params\.active_days"):
        create_app(Settings.load(metric_params={"active_days": -1}))


# --- one digest for the writers and the readers --------------------------------------------------


@dataclass(frozen=True)
class Store:
    url: str
    engine: Engine
    settings: Settings
    report: pipeline.RefreshReport


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A month of sample activity, refreshed (months only) with another government's office hours."""
    folder = tmp_path_factory.mktemp("metric-params")
    urls = iter([None]) if request.param == "sqlite" else postgres_database()
    url = demo_store(folder, url=next(urls))
    engine = make_engine(url)
    settings = Settings.load(database_url=url, metric_params=OFFICE)
    report = pipeline.refresh(engine, settings, period_kinds=("month",))
    yield Store(url, engine, settings, report)
    engine.dispose()
    next(urls, None)  # drops the PostgreSQL database


def test_the_refresh_stores_values_under_the_configured_digest(store: Store) -> None:
    assert store.report.params == CONFIGURED.digest() and not store.report.failed
    with session_factory(store.engine)() as session:
        digests = set(session.scalars(select(t.MetricValue.params).distinct()))
        office = session.scalars(
            select(t.MetricValue.value).where(t.MetricValue.metric == "response_time_median_business_hours")
        ).all()
    assert digests == {CONFIGURED.digest()}
    assert any(value is not None for value in office)


def test_the_api_reads_and_names_the_configured_parameters(store: Store) -> None:
    with TestClient(create_app(store.settings, store.engine)) as api:
        card = api.get("/api/v1/scorecard").json()
        values = api.get("/api/v1/metrics/post_volume", params={"level": "government"}).json()
        board = api.get("/api/v1/leaderboards/post_volume").json()
        catalogue = api.get("/api/v1/downloads").json()
    assert card["params"] == CONFIGURED.digest() and card["period"] is not None
    assert values["count"] > 0 and {v["params"] for v in values["data"]} == {CONFIGURED.digest()}
    assert board["params"] == CONFIGURED.digest() and board["count"] > 0
    assert catalogue["params"] == CONFIGURED.digest()
    assert catalogue["parameters"]["business_hours"] == [8, 17]
    assert catalogue["parameters"]["response_hours"] == 48
    assert MetricParams.model_validate(catalogue["parameters"]).digest() == catalogue["params"]


def test_the_portal_shows_the_values_and_states_the_parameters(store: Store) -> None:
    cfs = account_id(store.url)
    with TestClient(create_app(store.settings, store.engine)) as portal:
        account = portal.get(f"/en/accounts/{cfs}").text
        board = portal.get("/en/leaderboards").text
        en = portal.get("/en/how-we-measure").text
        hant = portal.get("/zh-hant/how-we-measure").text
        hans = portal.get("/zh-hans/how-we-measure").text
    assert 'id="score-post_volume"' in account and PENDING not in account
    assert "Nothing to rank yet" not in board
    assert "office hours (Monday to Friday, 08:00–17:00 local time" in en
    assert "before 08:00 or from 17:00" in en
    assert "within the target time of 48 hours" in en and "24 hours" not in en
    assert "08:00–17:00" in hant and "48 小時" in hant
    assert "08:00–17:00" in hans and "48 小时" in hans


def test_until_a_refresh_the_portal_says_the_configured_figures_are_not_computed(store: Store) -> None:
    # The setting changed (another reply target) and no refresh has run since.
    changed = Settings.load(database_url=store.url, metric_params={**OFFICE, "response_hours": 12})
    cfs = account_id(store.url)
    with TestClient(create_app(changed, store.engine)) as portal:
        account = portal.get(f"/en/accounts/{cfs}").text
        board = portal.get("/en/leaderboards").text
        card = portal.get("/api/v1/scorecard").json()
    assert PENDING in account and PENDING in board
    assert card["params"] == configured(changed).digest() and card["period"] is None


def test_the_activity_filter_counts_the_configured_days(store: Store) -> None:
    week = Settings.load(database_url=store.url, metric_params={"active_days": 7})
    with session_factory(store.engine)() as session:
        asked = queries.Activity.ACTIVE
        default, shorter = (activity.window(session, s, "hk", asked) for s in (store.settings, week))
    assert default is not None and shorter is not None
    assert shorter.since - default.since == dt.timedelta(days=30 - 7)


def test_param_goes_over_the_setting_and_show_reads_the_configured_digest(store: Store) -> None:
    env = {"GOVSOCIAL_DATABASE_URL": store.url, ENV: json.dumps(OFFICE)}
    shown = invoke("metrics", "show", "--metric", "post_volume", "--json", env=env)
    assert shown.exit_code == 0, shown.output
    assert {row["params"] for row in json.loads(shown.stdout)} == {CONFIGURED.digest()}
    args = ("metrics", "compute", "--metric", "post_volume", "--level", "government", "--json")
    computed = invoke(*args, "--param", "business_hours=[9,18]", env=env)
    assert computed.exit_code == 0, computed.output
    # The option replaces the setting's office hours; the setting's reply target stays.
    expected = MetricParams(response_hours=48).digest()
    assert {row["params"] for row in json.loads(computed.stdout)} == {expected}
