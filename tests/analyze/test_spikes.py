"""Spike detection on frames built from code: comment volume and negative share per account and week."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa

from govsocial.analyze import frames as F
from govsocial.analyze import spikes
from govsocial.analyze.spikes import NEGATIVE_SHARE, VOLUME, SpikeParams
from tests.analyze.builders import TZ, build, hk

#: Monday 2026-03-02 is the first day of ISO week 2026-W10.
FIRST_MONDAY = dt.date(2026, 3, 2)


def _week(n: int) -> dt.date:
    return FIRST_MONDAY + dt.timedelta(weeks=n)


def _rows(
    account: int, week: int, comments: int, negative: int = 0, page_replies: int = 0, scored: bool = True
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """One post on the Tuesday of ``week`` and its comments (the first ``negative`` ones negative)."""
    day = _week(week) + dt.timedelta(days=1)
    post_id = account * 1000 + week
    post = {"post_id": post_id, "account_id": account, "ts": hk(day.year, day.month, day.day)}
    rows = []
    for i in range(comments + page_replies):
        label = ("negative" if i < negative else "neutral") if scored else None
        rows.append(
            {
                "comment_id": post_id * 1000 + i,
                "post_id": post_id,
                "account_id": account,
                "ts": hk(day.year, day.month, day.day, 13, i % 60),
                "is_page_reply": i >= comments,
                "sentiment": None if i >= comments else label,
            }
        )
    return post, rows


def _frames(weeks: list[tuple[int, int, int, int]]) -> F.Frames:
    """Frames of (account, week, comments, negative) rows, with a ``sentiment`` column."""
    posts, comments = [], []
    for account, week, count, negative in weeks:
        post, rows = _rows(account, week, count, negative)
        posts.append(post)
        comments.extend(rows)
    frames = build(posts=posts, comments=comments)
    return _with_sentiment(frames, comments)


def _with_sentiment(frames: F.Frames, rows: list[dict[str, Any]]) -> F.Frames:
    table = frames.tables["comments"]
    if "sentiment" not in table.schema.names:  # until the frames have the column themselves
        table = table.append_column("sentiment", pa.array([r.get("sentiment") for r in rows], pa.string()))
    return F.Frames(frames.jurisdiction, frames.population, {**frames.tables, "comments": table})


HISTORY = [8, 10, 12, 9, 11, 10, 9, 10]


def test_volume_spike_against_median_and_mad() -> None:
    weeks = [(1, w, n, 0) for w, n in enumerate(HISTORY)] + [(1, 8, 60, 0)]
    found = spikes.detect(_frames(weeks))
    assert len(found) == 1
    event = found[0]
    assert (event.account_id, event.kind, event.period_kind, event.period) == (1, VOLUME, "week", "2026-W18")
    assert event.value == 60
    assert event.baseline == 10  # median of the eight weeks before
    # MAD is 1 -> 1.4826, below the floor sqrt(10) = 3.162...: the floor is the spread.
    assert abs(event.spread - 10**0.5) < 1e-6
    assert abs(event.score - 50 / 10**0.5) < 1e-5
    assert event.details["comments"] == 60
    assert event.details["baseline_periods"] == 8
    assert (event.details["baseline_from"], event.details["baseline_to"]) == ("2026-W10", "2026-W17")


def test_no_event_below_threshold_or_without_baseline() -> None:
    ordinary = [(1, w, n, 0) for w, n in enumerate(HISTORY)] + [(1, 8, 20, 0)]  # z = 10 / 3.16 < 3.5
    assert spikes.detect(_frames(ordinary)) == []
    short = [(1, w, 10, 0) for w in range(3)] + [(1, 3, 80, 0)]  # three weeks of history: no baseline
    assert spikes.detect(_frames(short)) == []
    assert [e.period for e in spikes.detect(_frames(short), SpikeParams(min_baseline=3))] == ["2026-W13"]


def test_minimum_comments_for_a_quiet_account() -> None:
    quiet = [(1, w, 0, 0) for w in range(8)]  # posts without comments: active weeks with volume 0
    assert spikes.detect(_frames([*quiet, (1, 8, 19, 0)])) == []
    found = spikes.detect(_frames([*quiet, (1, 8, 20, 0)]))
    assert [(e.kind, e.value, e.baseline, e.spread) for e in found] == [(VOLUME, 20, 0, 1)]


def test_page_replies_are_not_comments() -> None:
    posts, comments = [], []
    for week, count in enumerate(HISTORY):
        post, rows = _rows(1, week, count)
        posts.append(post)
        comments.extend(rows)
    post, rows = _rows(1, 8, 10, page_replies=80)
    posts.append(post)
    comments.extend(rows)
    assert spikes.detect(_with_sentiment(build(posts=posts, comments=comments), comments)) == []


def test_negative_share_spike() -> None:
    weeks = [(2, w, 25, 5) for w in range(8)] + [(2, 8, 25, 20)]
    found = spikes.detect(_frames(weeks))
    assert [(e.kind, e.period) for e in found] == [(NEGATIVE_SHARE, "2026-W18")]
    event = found[0]
    assert event.value == 0.8
    assert event.baseline == 0.2
    assert event.spread == 0.05  # MAD 0: the floor of five percentage points
    assert abs(event.score - 12) < 1e-6
    assert event.details == {
        "comments": 25,
        "scored": 25,
        "negative": 20,
        "baseline_periods": 8,
        "baseline_from": "2026-W10",
        "baseline_to": "2026-W17",
    }


def test_negative_share_needs_scored_comments() -> None:
    # Too few scored comments in the spike week (19 < 20): no share event, whatever the share.
    weeks = [(2, w, 19, 2) for w in range(8)] + [(2, 8, 19, 19)]
    assert spikes.detect(_frames(weeks)) == []
    # Baseline weeks with fewer than five scored comments do not count: no baseline.
    thin = [(2, w, 4, 1) for w in range(8)] + [(2, 8, 25, 25)]
    assert [e.kind for e in spikes.detect(_frames(thin))] == [VOLUME]


def test_without_a_sentiment_column_only_volume() -> None:
    posts, comments = [], []
    for week, count in enumerate([*HISTORY, 60]):
        post, rows = _rows(3, week, count, negative=count)
        posts.append(post)
        comments.extend(rows)
    frames = build(posts=posts, comments=comments)
    if "sentiment" in frames.tables["comments"].schema.names:
        frames = F.Frames(
            frames.jurisdiction,
            frames.population,
            {**frames.tables, "comments": frames.tables["comments"].drop_columns(["sentiment"])},
        )
    assert [e.kind for e in spikes.detect(frames)] == [VOLUME]


def test_accounts_and_days_are_separate() -> None:
    weeks = [(1, w, n, 0) for w, n in enumerate(HISTORY)] + [(1, 8, 60, 0)]
    weeks += [(4, w, 60, 0) for w in range(9)]  # always busy: no spike
    found = spikes.detect(_frames(weeks), SpikeParams(period_kinds=("week", "day")))
    assert {(e.account_id, e.period_kind) for e in found} == {
        (1, "week")
    }  # days: one post a week, no baseline
    assert F.calendar(pa.array([hk(2026, 5, 1)], pa.int64()), TZ)["week"].to_pylist() == ["2026-W18"]
