"""``govsocial collect`` recomputes the metrics of the jurisdictions whose accounts it collected,
not the configured one's (docs/collectors.md, "Metrics after collection"): ``--account`` of another
jurisdiction's account refreshes that jurisdiction, with the real runner and pipeline, through a
fake connector."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, ClassVar

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from govsocial.analyze import pipeline
from govsocial.analyze.pipeline import RefreshReport
from govsocial.cli.main import app
from govsocial.collect import runner
from govsocial.collect.base import Target
from govsocial.collect.records import PostCounts, PostRecord
from govsocial.registry.load import load_registry
from govsocial.store import tables as t
from govsocial.store.db import make_engine, session_factory, upgrade
from tests.collect.harness import OfflineFacebook
from tests.registry.folders import account_row, with_xx

XX_PAGE = "https://www.facebook.com/xxmetoffice"
TAKEN = dt.datetime(2026, 10, 14, 9, tzinfo=dt.UTC)
#: The metrics the tests' refreshes compute (a whole scorecard takes some 20 s).
QUICK_METRICS = ("accounts", "post_volume")


class FakeFacebook(OfflineFacebook):
    """Every account has 1,000 followers and one post of 14 October 2026 with 20 likes."""

    taken = TAKEN
    followers = 1000
    checkpoint: ClassVar[dict[str, Any] | None] = {"complete": True}

    def posts(self, target: Target) -> list[PostRecord]:
        return [
            PostRecord(
                platform="facebook",
                post_id=f"{target.ref}_1",
                account_ref=target.ref,
                created_at=TAKEN - dt.timedelta(hours=2),
                text="Typhoon signal No. 8 is hoisted",
                counts=PostCounts(taken_at=TAKEN, likes=20, comments=0, shares=3),
            )
        ]


@pytest.fixture
def store_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A store with ``hk`` (the configured jurisdiction) and ``xx``, whose one account is
    ``XX_PAGE``; collection goes through ``FakeFacebook``."""
    url = f"sqlite:///{tmp_path / 'govsocial.db'}"
    engine = make_engine(url)
    upgrade(engine)
    assert not load_registry(engine, with_xx(tmp_path, account_row(XX_PAGE)), actor="test").problems
    engine.dispose()
    monkeypatch.setattr(runner, "connector_for", lambda _platform: FakeFacebook)
    real = pipeline.refresh

    def quick(*args: Any, **kwargs: Any) -> RefreshReport:
        """The real refresh of two metrics by year: which jurisdiction it is given is the point."""
        return real(*args, **{**kwargs, "period_kinds": ("year",), "metrics": QUICK_METRICS})

    monkeypatch.setattr(pipeline, "refresh", quick)
    return url


def _metric_values(url: str) -> dict[str, int]:
    """Stored metric values by jurisdiction."""
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            query = select(t.MetricValue.jurisdiction, func.count()).group_by(t.MetricValue.jurisdiction)
            return {code: n for code, n in session.execute(query).all()}
    finally:
        engine.dispose()


def _collect(url: str, *args: str) -> dict[str, Any]:
    env = {"GOVSOCIAL_DATABASE_URL": url, "GOVSOCIAL_JURISDICTION": "hk"}
    result = CliRunner().invoke(app, ["collect", *args, "--json"], env=env)
    assert result.exit_code == 0, result.output
    answer: dict[str, Any] = json.loads(result.stdout)
    return answer


def test_an_account_of_another_jurisdiction_refreshes_that_jurisdiction(store_url: str) -> None:
    assert _metric_values(store_url) == {}
    answer = _collect(store_url, "--account", XX_PAGE)
    assert answer["counts"]["posts.insert"] == 1
    assert answer["metrics"]["jurisdiction"] == "xx", answer["metrics"]
    values = _metric_values(store_url)
    assert values.get("xx", 0) > 0
    assert "hk" not in values  # the configured jurisdiction's figures are untouched

    # Collected again, nothing changed but the engagement snapshot's time: the same jurisdiction.
    again = _collect(store_url, "--account", XX_PAGE)
    assert again["metrics"].get("jurisdiction", "xx") == "xx", again["metrics"]
    assert "hk" not in _metric_values(store_url)


def test_a_whole_run_collects_and_refreshes_the_configured_jurisdiction_only(store_url: str) -> None:
    """``--all`` (and ``--org``) take the configured jurisdiction's accounts: its figures are the
    ones recomputed, and the other jurisdiction's account is neither collected nor refreshed."""
    answer = _collect(store_url, "--all", "--platform", "facebook")
    assert answer["metrics"]["jurisdiction"] == "hk", answer["metrics"]
    assert "xx" not in _metric_values(store_url)
