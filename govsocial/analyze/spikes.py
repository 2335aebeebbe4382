"""Spikes: an account's comments in one period far above its own recent baseline.

Two series per account and calendar period (ISO week by default, labelled like ``metric_values``
labels periods: ``2026-W14``):

- ``comment_volume``: citizens' comments and replies (the page's own replies left out);
- ``negative_share``: the share of the scored comments that the sentiment analyser calls negative.

Each period is compared with the account's previous ``baseline_periods`` calendar periods, of
which only those with data count: for volume, periods in which the account posted or was
commented on (so a collection gap is not a quiet week); for the negative share, periods with at
least ``min_baseline_scored`` scored comments (so one angry comment is not a 100 % week). With
fewer than ``min_baseline`` such periods there is no baseline and no event.

The baseline is their median and the spread ``1.4826 × MAD`` (the median absolute deviation,
scaled to match a standard deviation for normal data), with a floor: for volume
``max(spread, √median, 1)``, since counts vary by about their square root even when nothing
happens and a flat history has no MAD; for the share ``share_floor`` (5 percentage points).
The robust z-score is ``(value − median) / spread``; a period is an event when it reaches
``threshold`` (3.5) and has at least ``min_comments`` comments (for the share: scored comments).
Median and MAD are not moved by the spikes they are meant to find, unlike a mean and a standard
deviation.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from govsocial.analyze import frames as F
from govsocial.store.events import Detected

VOLUME = "comment_volume"
NEGATIVE_SHARE = "negative_share"
KINDS = (VOLUME, NEGATIVE_SHARE)
#: Scales a MAD to a standard deviation for normally distributed data.
MAD_SCALE = 1.4826
#: Decimals kept, so a re-run on the same data stores the same numbers.
DECIMALS = 6


@dataclass(frozen=True)
class SpikeParams:
    """The detection's thresholds (documented in docs/crises.md)."""

    period_kinds: tuple[str, ...] = ("week",)
    baseline_periods: int = 8
    min_baseline: int = 4
    threshold: float = 3.5
    min_comments: int = 20
    min_baseline_scored: int = 5
    share_floor: float = 0.05


@dataclass
class _Cell:
    """One account's counts in one period."""

    comments: int = 0
    scored: int = 0
    negative: int = 0


def detect(frames: F.Frames, params: SpikeParams | None = None) -> list[Detected]:
    """Every spike in ``frames`` for each of ``params.period_kinds``."""
    params = params or SpikeParams()
    found: list[Detected] = []
    for kind in params.period_kinds:
        order = _period_order(frames.tables["periods"], kind)
        cells = _cells(frames.tables["comments"], kind)
        active = _active(frames.tables["posts"], kind, cells)
        for account_id, periods in active.items():
            found.extend(_account_spikes(account_id, kind, periods, cells, order, params))
    return found


def _period_order(periods: pa.Table, kind: str) -> dict[str, int]:
    """Each period label of ``kind`` -> its position in time."""
    chosen = periods.filter(pc.equal(periods["kind"], kind)).sort_by("start_ts")
    return {label: i for i, label in enumerate(chosen["period"].to_pylist())}


def _cells(comments: pa.Table, kind: str) -> dict[tuple[int, str], _Cell]:
    """Citizen comments, scored ones and negative ones by (account, period)."""
    citizens = comments.filter(pc.invert(pc.fill_null(comments["is_page_reply"], False)))
    has_sentiment = "sentiment" in citizens.schema.names
    accounts = citizens["account_id"].to_pylist()
    periods = citizens[kind].to_pylist()
    labels = citizens["sentiment"].to_pylist() if has_sentiment else [None] * citizens.num_rows
    cells: dict[tuple[int, str], _Cell] = defaultdict(_Cell)
    for account_id, period, label in zip(accounts, periods, labels, strict=True):
        cell = cells[(account_id, period)]
        cell.comments += 1
        if label is not None:
            cell.scored += 1
            cell.negative += label == "negative"
    return cells


def _active(posts: pa.Table, kind: str, cells: dict[tuple[int, str], _Cell]) -> dict[int, set[str]]:
    """The periods in which each account posted or was commented on."""
    active: dict[int, set[str]] = defaultdict(set)
    for account_id, period in zip(posts["account_id"].to_pylist(), posts[kind].to_pylist(), strict=True):
        active[account_id].add(period)
    for account_id, period in cells:
        active[account_id].add(period)
    return active


def _account_spikes(
    account_id: int,
    kind: str,
    periods: set[str],
    cells: dict[tuple[int, str], _Cell],
    order: dict[str, int],
    params: SpikeParams,
) -> list[Detected]:
    by_position = {order[p]: p for p in periods if p in order}
    found = []
    for position, period in sorted(by_position.items()):
        cell = cells.get((account_id, period))
        if cell is None or cell.comments < params.min_comments:
            continue
        window = [
            by_position[p] for p in range(position - params.baseline_periods, position) if p in by_position
        ]
        history = [cells.get((account_id, p), _Cell()) for p in window]
        volume = _volume_spike(cell, history, params)
        share = _share_spike(cell, history, params)
        for event_kind, result in ((VOLUME, volume), (NEGATIVE_SHARE, share)):
            if result is not None:
                found.append(_event(account_id, event_kind, kind, period, window, result))
    return found


def _volume_spike(cell: _Cell, history: Sequence[_Cell], params: SpikeParams) -> _Result | None:
    if len(history) < params.min_baseline:
        return None
    values = [float(h.comments) for h in history]
    median, mad = _median_mad(values)
    spread = max(MAD_SCALE * mad, math.sqrt(median), 1.0)
    return _judge(float(cell.comments), median, spread, len(values), params, {"comments": cell.comments})


def _share_spike(cell: _Cell, history: Sequence[_Cell], params: SpikeParams) -> _Result | None:
    usable = [h for h in history if h.scored >= params.min_baseline_scored]
    if cell.scored < params.min_comments or len(usable) < params.min_baseline:
        return None
    values = [h.negative / h.scored for h in usable]
    median, mad = _median_mad(values)
    spread = max(MAD_SCALE * mad, params.share_floor)
    details = {"comments": cell.comments, "scored": cell.scored, "negative": cell.negative}
    return _judge(cell.negative / cell.scored, median, spread, len(values), params, details)


@dataclass(frozen=True)
class _Result:
    value: float
    baseline: float
    spread: float
    score: float
    details: dict[str, int]


def _judge(
    value: float, median: float, spread: float, used: int, params: SpikeParams, details: dict[str, int]
) -> _Result | None:
    score = (value - median) / spread
    if score < params.threshold:
        return None
    return _Result(value, median, spread, score, {**details, "baseline_periods": used})


def _median_mad(values: Sequence[float]) -> tuple[float, float]:
    median = statistics.median(values)
    return median, statistics.median(abs(v - median) for v in values)


def _event(
    account_id: int, event_kind: str, period_kind: str, period: str, window: list[str], result: _Result
) -> Detected:
    return Detected(
        account_id=account_id,
        kind=event_kind,
        period_kind=period_kind,
        period=period,
        value=round(result.value, DECIMALS),
        baseline=round(result.baseline, DECIMALS),
        spread=round(result.spread, DECIMALS),
        score=round(result.score, DECIMALS),
        details={**result.details, "baseline_from": window[0], "baseline_to": window[-1]},
    )
