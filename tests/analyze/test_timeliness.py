"""Timeliness: delay from a press release (RSS) to the first social post on the same subject."""

from __future__ import annotations

from typing import Any

import pytest

from govsocial.analyze.metrics.model import Level
from govsocial.analyze.metrics.params import MetricParams
from tests.analyze.builders import build, hk, run

RSS, PAGE, OTHER = 10, 1, 2
OWNERS = [
    {"account_id": RSS, "organisation": "isd", "organisation_kind": "department"},
    {"account_id": PAGE, "organisation": "isd", "organisation_kind": "department"},
    {"account_id": OTHER, "organisation": "td", "organisation_kind": "department"},
]
ACCOUNTS = [
    {"account_id": RSS, "platform": "rss", "handle": "isd-press", "status": "active", "jurisdiction": "hk"}
]
START = hk(2026, 10, 5, 9)


def _release(i: int, ts: int = START) -> dict[str, Any]:
    return {"post_id": i, "account_id": RSS, "platform": "rss", "ts": ts}


def _match(
    release: int, post: int, hours: float, account: int = PAGE, similarity: float | None = 0.8
) -> dict[str, Any]:
    delay = round(hours * 3600)
    return {
        "release_post_id": release,
        "release_account_id": RSS,
        "post_id": post,
        "account_id": account,
        "ts": START + delay,
        "delay_s": delay,
        "similarity": similarity,
    }


RELEASES = [_release(i) for i in range(101, 106)]
MATCHES = [
    _match(101, 1, 1),
    _match(102, 2, 2),
    _match(102, 3, 0.5),  # the same release posted twice by the page: the first post counts
    _match(103, 4, 3),
    _match(104, 5, 10, similarity=0.2),  # too dissimilar at the default 0.3
]


def _frames(**extra: Any) -> Any:
    return build(posts=RELEASES, matches=MATCHES, accounts=ACCOUNTS, owners=OWNERS, **extra)


def _row(rows: list[dict[str, Any]], entity: str) -> dict[str, Any]:
    found = [r for r in rows if r["entity"] == entity]
    assert len(found) == 1, rows
    return found[0]


def test_release_delay_median_over_each_releases_first_post() -> None:
    row = _row(run(_frames(), "release_delay_median"), str(PAGE))
    assert row["inputs"]["releases"] == 3  # 101 (1 h), 102 (0.5 h, not 2 h), 103 (3 h)
    assert row["value"] == pytest.approx(1.0)
    assert row["inputs"]["mean_hours"] == pytest.approx(1.5)


def test_release_delay_p90() -> None:
    row = _row(run(_frames(), "release_delay_p90"), str(PAGE))
    assert row["value"] == pytest.approx(1 + 0.8 * (3 - 1))  # 0.5, 1, 3: position 1.8


def test_similarity_and_max_hours_parameters_filter_matches() -> None:
    loose = run(_frames(), "release_delay_median", params=MetricParams(timeliness_similarity=0.1))
    assert _row(loose, str(PAGE))["inputs"]["releases"] == 4
    quick = run(_frames(), "release_delay_median", params=MetricParams(timeliness_max_hours=2))
    row = _row(quick, str(PAGE))
    assert row["inputs"]["releases"] == 2 and row["value"] == pytest.approx(0.75)


def test_releases_followed_share_counts_the_feeds_releases() -> None:
    row = _row(run(_frames(), "releases_followed_share"), str(RSS))
    assert row["inputs"] == {"releases": 5, "followed": 3}
    assert row["value"] == pytest.approx(60.0)
    strict = run(_frames(), "releases_followed_share", params=MetricParams(timeliness_max_hours=2))
    assert _row(strict, str(RSS))["inputs"] == {"releases": 5, "followed": 2}


def test_a_feed_with_no_matches_followed_nothing() -> None:
    row = _row(run(build(posts=RELEASES, accounts=ACCOUNTS), "releases_followed_share"), str(RSS))
    assert row["value"] == 0.0 and row["inputs"] == {"releases": 5, "followed": 0}


def test_timeliness_at_organisation_level() -> None:
    matches = [*MATCHES, _match(105, 9, 30, account=OTHER)]
    frames = build(posts=RELEASES, matches=matches, accounts=ACCOUNTS, owners=OWNERS)
    delays = run(frames, "release_delay_median", Level.ORGANISATION)
    assert {r["entity"]: r["value"] for r in delays} == {"isd": pytest.approx(1.0), "td": pytest.approx(30.0)}
    shares = run(frames, "releases_followed_share", Level.ORGANISATION)
    assert [(r["entity"], r["inputs"]) for r in shares] == [("isd", {"releases": 5, "followed": 4})]


def test_an_organisation_posting_a_release_on_two_accounts_counts_its_first_post() -> None:
    matches = [_match(101, 1, 5), _match(101, 9, 2, account=RSS)]  # any isd account
    frames = build(posts=RELEASES, matches=matches, accounts=ACCOUNTS, owners=OWNERS)
    row = _row(run(frames, "release_delay_median", Level.ORGANISATION), "isd")
    assert row["inputs"]["releases"] == 1 and row["value"] == pytest.approx(2.0)
