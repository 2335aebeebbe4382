"""The refresh pipeline end to end: sample data imported as ``make demo`` does, then the scorecard in
``metric_values``; and the hooks that run it after ``collect``, ``collect import`` and each round of
the scheduler in ``serve --collect``.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from govsocial.analyze import pipeline
from govsocial.analyze.metrics.model import Level, registry
from govsocial.cli.main import app
from govsocial.collect import runs
from govsocial.collect.runs import RunSummary
from govsocial.collect.scheduler import Scheduler
from govsocial.settings import Settings
from govsocial.store import tables as t
from govsocial.store.db import make_engine, session_factory
from govsocial.web.admin.refresh import MetricsRefresher, pipeline_refresh
from govsocial.web.app import _refresh_metrics

KEY = "test-only-pseudonym-key"
KINDS = ("followers", "posts", "comments")


@dataclass(frozen=True)
class Demo:
    url: str
    sample: Path
    engine: Engine
    settings: Settings
    first: pipeline.RefreshReport
    second: pipeline.RefreshReport


def cli(url: str, *args: str) -> Any:
    return CliRunner().invoke(
        app, list(args), env={"GOVSOCIAL_DATABASE_URL": url, "GOVSOCIAL_PSEUDONYM_KEY": KEY}
    )


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """The registry and one month of sample activity (imported without metrics), refreshed twice."""
    base = tmp_path_factory.mktemp("pipeline")
    url = f"sqlite:///{base / 'demo.db'}"
    sample = base / "sample"
    for args in (
        ("db", "upgrade"),
        ("registry", "load"),
        ("collect", "sample", "--out", str(sample), "--months", "1"),
    ):
        result = cli(url, *args)
        assert result.exit_code == 0, result.output
    for kind in KINDS:
        result = cli(
            url,
            "collect",
            "import",
            str(sample / f"{kind}.csv"),
            "--format",
            "generic",
            "--sample",
            "--no-metrics",
        )
        assert result.exit_code == 0, result.output
    engine = make_engine(url)
    settings = Settings.load(database_url=url)
    first = pipeline.refresh(engine, settings)
    second = pipeline.refresh(engine, settings)
    yield Demo(url, sample, engine, settings, first, second)
    engine.dispose()


def test_a_refresh_stores_every_metric_at_every_level(demo: Demo) -> None:
    report = demo.first
    assert report.failed == {}
    assert report.frames["posts"] > 0 and report.frames["comments"] > 0
    counts = report.counts.as_dict()
    assert counts["insert"] == report.rows > 0 and counts["update"] == counts["delete"] == 0
    with demo.engine.connect() as connection:
        levels = dict(
            connection.execute(select(t.MetricValue.level, func.count()).group_by(t.MetricValue.level)).all()
        )
        kinds = set(connection.execute(select(t.MetricValue.period_kind).distinct()).scalars())
        metrics = set(connection.execute(select(t.MetricValue.metric).distinct()).scalars())
        params = set(connection.execute(select(t.MetricValue.params).distinct()).scalars())
        government = connection.execute(
            select(t.MetricValue.value, t.MetricValue.inputs).where(
                t.MetricValue.metric == "post_volume",
                t.MetricValue.level == "government",
                t.MetricValue.period_kind == "month",
                t.MetricValue.period == "2026-09",
            )
        ).one()
    assert set(levels) == {str(level) for level in Level} and all(levels.values())
    assert kinds == {"week", "month", "year"}
    assert params == {report.params}
    assert {"post_volume", "interactions_per_post", "response_rate"} <= metrics <= set(registry())
    assert government.value == government.inputs["posts"] > 0  # the September posts of every account
    assert report.seconds["total"] >= report.seconds["extract"] > 0


def test_a_second_refresh_of_unchanged_data_writes_nothing(demo: Demo) -> None:
    counts = demo.second.counts.as_dict()
    assert counts == {"insert": 0, "update": 0, "noop": demo.first.rows, "delete": 0}


def test_the_report_reads_as_json_and_as_one_line(demo: Demo) -> None:
    data = json.loads(json.dumps(demo.first.as_dict()))
    assert data["jurisdiction"] == "hk" and data["period_kinds"] == ["week", "month", "year"]
    assert data["counts"]["insert"] == demo.first.rows
    assert f"{demo.first.rows:,} values" in demo.first.summary()


def test_a_broken_metric_is_reported_and_the_others_are_still_stored(
    demo: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    from govsocial.analyze.metrics import scorecard

    real = scorecard.compute

    def compute(con: Any, *args: Any) -> Any:
        if "post_volume" in args[-1]:
            raise ZeroDivisionError("broken on purpose")
        return real(con, *args)

    monkeypatch.setattr(scorecard, "compute", compute)
    report = pipeline.refresh(
        demo.engine, demo.settings, period_kinds=["month"], metrics=["post_volume", "followers"]
    )
    assert report.failed == {"post_volume": "ZeroDivisionError: broken on purpose"}
    counts = report.counts.as_dict()
    assert counts["noop"] == report.rows > 0 and counts["delete"] == 0  # post_volume's rows stay


# --- The hooks ------------------------------------------------------------------------------------


@pytest.fixture
def quick_refresh(monkeypatch: pytest.MonkeyPatch) -> list[pipeline.RefreshReport]:
    """``pipeline.refresh`` limited to two metrics and months (the hooks are under test, not the metrics)."""
    real = pipeline.refresh
    reports: list[pipeline.RefreshReport] = []

    def quick(engine: Engine, settings: Settings, *args: Any, **kwargs: Any) -> pipeline.RefreshReport:
        report = real(engine, settings, period_kinds=["month"], metrics=["post_volume", "followers"])
        reports.append(report)
        return report

    monkeypatch.setattr(pipeline, "refresh", quick)
    return reports


def _fresh_store(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'hook.db'}"
    for args in (("db", "upgrade"), ("registry", "load")):
        assert cli(url, *args).exit_code == 0
    return url


def test_collect_import_refreshes_the_metrics_and_says_so_in_its_json(
    demo: Demo, tmp_path: Path, quick_refresh: list[pipeline.RefreshReport]
) -> None:
    url = _fresh_store(tmp_path)
    posts = str(demo.sample / "posts.csv")
    result = cli(url, "collect", "import", posts, "--format", "generic", "--sample", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["metrics"]["counts"]["insert"] == quick_refresh[0].rows > 0
    again = json.loads(
        cli(url, "collect", "import", posts, "--format", "generic", "--sample", "--json").stdout
    )
    assert again["metrics"] == {"skipped": "no rows changed"}  # a re-import that changed nothing
    assert len(quick_refresh) == 1


def test_no_metrics_skips_the_refresh(
    demo: Demo, tmp_path: Path, quick_refresh: list[pipeline.RefreshReport]
) -> None:
    url = _fresh_store(tmp_path)
    posts = str(demo.sample / "posts.csv")
    result = cli(url, "collect", "import", posts, "--format", "generic", "--sample", "--json", "--no-metrics")
    assert result.exit_code == 0 and "metrics" not in json.loads(result.stdout)
    assert quick_refresh == []


def test_a_failing_refresh_warns_but_does_not_fail_the_import(
    demo: Demo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disk full")

    monkeypatch.setattr(pipeline, "refresh", broken)
    url = _fresh_store(tmp_path)
    result = cli(url, "collect", "import", str(demo.sample / "posts.csv"), "--format", "generic", "--sample")
    assert result.exit_code == 0, result.output
    assert "the metrics were not recomputed (RuntimeError: disk full)" in " ".join(result.stderr.split())
    with make_engine(url).connect() as connection:
        assert connection.execute(select(func.count()).select_from(t.Post)).scalar_one() > 0


def test_the_scheduler_calls_its_follow_up_after_a_round_and_survives_its_failure(
    demo: Demo, caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[int] = []
    scheduler = Scheduler(demo.engine, demo.settings, after_round=lambda summary: seen.append(summary.run_id))
    asyncio.run(scheduler._after_round(RunSummary(run_id=7)))
    assert seen == [7]

    def broken(summary: RunSummary) -> None:
        raise RuntimeError("no")

    failing = Scheduler(demo.engine, demo.settings, after_round=broken)
    with caplog.at_level(logging.WARNING):
        asyncio.run(failing._after_round(RunSummary(run_id=8)))
    assert "after scheduled run 8" in caplog.text


def test_the_portals_follow_up_refreshes_the_metrics_through_the_refresher(
    demo: Demo, quick_refresh: list[pipeline.RefreshReport]
) -> None:
    """The scheduler's follow-up hands the round to the admin imports' refresher (one refresh at a
    time, never beside an import's refresh of the same jurisdiction), which refreshes the
    jurisdiction the round stored rows under and records it in the run."""
    sessions = session_factory(demo.engine)
    summary = runs.start_run(sessions, "collect", "scheduler", "scheduled")
    summary.counts.add("posts", Counter({"insert": 1}))
    with sessions() as session:
        summary.account_ids = {session.scalars(select(t.Post.account_id).limit(1)).one()}
    refresher = MetricsRefresher(demo.engine, demo.settings, refresh=pipeline_refresh)
    _refresh_metrics(refresher)(summary)
    assert refresher.wait(120)
    assert len(quick_refresh) == 1 and quick_refresh[0].failed == {}
    with sessions() as session:
        state = session.get(t.CollectionRun, summary.run_id).metrics_refresh
    assert state["status"] == "done" and list(state["jurisdictions"]) == ["hk"]
