"""The metrics refresh: store -> frames -> DuckDB -> scorecard -> ``metric_values``.

``refresh`` runs after every collection run and import (``govsocial collect``, ``govsocial collect
import``, each round of ``govsocial serve --collect``) and from ``govsocial metrics refresh``. It
recomputes every metric at every level for the jurisdiction's whole data, for each period kind,
and writes the differences in one transaction (see ``materialise``). A metric whose computation
fails is reported and left as it was stored; the others are still written. Before reading the
store it scores the sentiment of the comments that need it (``comment_sentiment``), with the
analyser the ``sentiment_analyser`` setting names; when that analyser cannot be loaded, the refresh
reports ``sentiment`` as failed and computes the metrics from the scores already stored.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
from sqlalchemy import Engine

from govsocial.analyze import frames as F
from govsocial.analyze import spikes
from govsocial.analyze.comment_sentiment import score_comments
from govsocial.analyze.extract import extract
from govsocial.analyze.materialise import Counts, Scope, materialise
from govsocial.analyze.metrics import engines, scorecard
from govsocial.analyze.metrics.model import Level, PeriodKind, registry
from govsocial.analyze.metrics.params import MetricParams, configured
from govsocial.analyze.retention import purge
from govsocial.analyze.spikes import SpikeParams
from govsocial.errors import GovsocialError
from govsocial.settings import Settings
from govsocial.store.events import SyncScope, sync

#: Period kinds materialised by default, by the hooks after collection and by ``metrics refresh``
#: alike (so that none goes stale). Each kind costs a full scorecard; days would also multiply the
#: rows by thirty. Pass ``period_kinds`` for others.
DEFAULT_PERIOD_KINDS = (PeriodKind.WEEK, PeriodKind.MONTH, PeriodKind.YEAR)


@dataclass
class RefreshReport:
    """What a refresh did: rows by outcome, the frames' sizes, failures and where the time went."""

    jurisdiction: str
    params: str
    period_kinds: tuple[str, ...]
    counts: Counts = field(default_factory=Counts)
    rows: int = 0
    frames: dict[str, int] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    #: Comments given a (new) sentiment score before the frames were read.
    scored: int = 0
    #: Opinion events (``spikes``) by outcome: insert / update / noop / delete.
    events: dict[str, int] = field(default_factory=dict)
    #: Comment texts purged for being older than the retention period (``analyze/retention.py``).
    purged: int = 0

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "jurisdiction": self.jurisdiction,
            "params": self.params,
            "period_kinds": list(self.period_kinds),
            "rows": self.rows,
            "counts": self.counts.as_dict(),
            "frames": self.frames,
            "failed": self.failed,
            "seconds": {name: round(s, 3) for name, s in self.seconds.items()},
            "scored": self.scored,
            "events": self.events,
            "purged": self.purged,
        }

    def summary(self) -> str:
        """One line for the command line."""
        c = self.counts.as_dict()
        failed = (
            f"; {len(self.failed)} metric(s) failed: {', '.join(sorted(self.failed))}" if self.failed else ""
        )
        return (
            f"metrics ({self.jurisdiction}, {'/'.join(self.period_kinds)}): {self.rows:,} values, "
            f"{c['insert']:,} new, {c['update']:,} changed, {c['noop']:,} unchanged, {c['delete']:,} removed "
            f"in {self.seconds.get('total', 0.0):.1f} s; {self.scored:,} comment(s) scored for sentiment"
            f"{failed}{self._events_summary()}{self._purge_summary()}"
        )

    def _purge_summary(self) -> str:
        # Said only when it happened: citizens' words going for good is worth a line, but not
        # on every refresh that purged nothing.
        return f"; {self.purged:,} comment text(s) purged (retention period)" if self.purged else ""

    def _events_summary(self) -> str:
        if not self.events:
            return ""
        held = self.events.get("insert", 0) + self.events.get("update", 0) + self.events.get("noop", 0)
        return f"; {held:,} opinion event(s), {self.events.get('insert', 0):,} new"


def refresh(
    engine: Engine,
    settings: Settings,
    jurisdiction: str | None = None,
    period_kinds: Sequence[PeriodKind | str] = DEFAULT_PERIOD_KINDS,
    params: MetricParams | None = None,
    metrics: Iterable[str] | None = None,
) -> RefreshReport:
    """Recompute the scorecard of one jurisdiction and store it in ``metric_values``.

    - ``engine``: the store; ``settings``: gives the default jurisdiction.
    - ``jurisdiction``: a jurisdiction code (default ``settings.jurisdiction``).
    - ``period_kinds``: which calendar periods to materialise (default week, month and year).
    - ``params``: the metric parameters (default: the deployment's, ``configured(settings)``: the
      ``metric_params`` setting over the documented defaults); values are stored under
      ``params.digest()``, so each parameter set keeps its own numbers.
    - ``metrics``: metric names (default: every registered metric).

    Returns a ``RefreshReport``: ``counts.as_dict()`` gives insert / update / noop / delete,
    ``as_dict()`` everything as JSON, ``summary()`` one line. Raises ``NotFoundError`` when the
    jurisdiction is not in the store, ``ConfigurationError`` when the ``metric_params`` setting is
    bad (before any work). A metric that fails to compute is listed in
    ``RefreshReport.failed`` and its stored values are left untouched; the others are written.
    """
    started = time.perf_counter()
    params = params or configured(settings)
    code = jurisdiction or settings.jurisdiction
    kinds = tuple(PeriodKind(k) for k in period_kinds)
    report = RefreshReport(code, params.digest(), tuple(str(k) for k in kinds))
    chosen = list(metrics) if metrics is not None else list(registry())

    # Texts past the retention period go before anything reads them (docs/privacy.md).
    report.purged = purge(engine, settings.comment_retention_days).comments

    # Comments scored first: the frames read the stored sentiment (docs/sentiment.md). An analyser
    # that cannot be loaded fails "sentiment" alone: the metrics still use the scores stored so far.
    try:
        report.scored = score_comments(engine, settings.sentiment_analyser or None, code).scored
    except GovsocialError as exc:
        report.failed["sentiment"] = f"{type(exc).__name__}: {exc}"
    report.seconds["sentiment"] = time.perf_counter() - started

    tick = time.perf_counter()
    frames = extract(engine, code, params)
    report.frames = {name: table.num_rows for name, table in frames.tables.items()}
    report.seconds["extract"] = time.perf_counter() - tick

    tick = time.perf_counter()
    con = engines.duckdb(frames, params=params)
    results = {kind: _compute(con, frames, params, kind, chosen, report.failed) for kind in kinds}
    report.seconds["compute"] = time.perf_counter() - tick

    tick = time.perf_counter()
    done = frozenset(chosen) - report.failed.keys()
    with engine.begin() as connection:
        for kind, table in results.items():
            scope = _scope(frames, report.params, kind, done)
            report.counts.add(materialise(connection, table, scope))
            report.rows += table.num_rows
    report.seconds["materialise"] = time.perf_counter() - tick

    tick = time.perf_counter()
    report.events = _detect_spikes(engine, frames)
    report.seconds["spikes"] = time.perf_counter() - tick
    report.seconds["total"] = time.perf_counter() - started
    return report


def _detect_spikes(engine: Engine, frames: F.Frames, params: SpikeParams | None = None) -> dict[str, int]:
    """Comment spikes of the jurisdiction's accounts into ``opinion_events`` (see ``spikes``)."""
    params = params or SpikeParams()
    scope = SyncScope(
        jurisdiction=frames.jurisdiction,
        kinds=frozenset(spikes.KINDS),
        period_kinds=frozenset(params.period_kinds),
        accounts=frozenset(frames.tables["accounts"]["account_id"].to_pylist()),
    )
    with engine.begin() as connection:
        return sync(connection, scope, spikes.detect(frames, params))


def _compute(
    con: Any,
    frames: F.Frames,
    params: MetricParams,
    kind: PeriodKind,
    metrics: list[str],
    failed: dict[str, str],
) -> pa.Table:
    """Every metric of one period kind; a metric that raises is recorded in ``failed``, not fatal.

    All metrics run in one ``scorecard.compute`` (one query for every level); only when
    that fails are they run one by one, to find the broken ones and keep the others.
    """
    chosen = [name for name in metrics if name not in failed]
    if not chosen:
        return scorecard.SCHEMA.empty_table()
    try:
        return _scorecard(con, frames, params, kind, chosen)
    except Exception:  # noqa: S110 - each metric is tried alone below, and its error recorded
        pass
    parts = []
    for name in chosen:
        try:
            parts.append(_scorecard(con, frames, params, kind, [name]))
        except Exception as exc:  # one broken metric must not cost the others their refresh
            failed[name] = f"{type(exc).__name__}: {exc}"
    return pa.concat_tables(parts) if parts else scorecard.SCHEMA.empty_table()


def _scorecard(
    con: Any, frames: F.Frames, params: MetricParams, kind: PeriodKind, names: list[str]
) -> pa.Table:
    return scorecard.compute(con, frames.jurisdiction, frames.population, params, tuple(Level), kind, names)


def _scope(frames: F.Frames, digest: str, kind: PeriodKind, metrics: frozenset[str]) -> Scope:
    """What this refresh owns: its metrics, the periods its data covers, the jurisdiction's entities."""
    periods = frames.tables["periods"]
    covered = [
        p
        for k, p in zip(periods["kind"].to_pylist(), periods["period"].to_pylist(), strict=True)
        if k == kind
    ]
    accounts = frames.tables["accounts"]
    entities = {
        str(Level.ACCOUNT): frozenset(str(a) for a in accounts["account_id"].to_pylist()),
        str(Level.ORGANISATION): frozenset(frames.tables["owners"]["organisation"].to_pylist()),
        str(Level.PLATFORM): frozenset(accounts["platform"].to_pylist()),
        str(Level.GOVERNMENT): frozenset({frames.jurisdiction}),
    }
    return Scope(
        jurisdiction=frames.jurisdiction,
        params=digest,
        period_kind=str(kind),
        periods=frozenset(covered),
        levels=frozenset(str(level) for level in Level),
        metrics=metrics,
        entities=entities,
    )
