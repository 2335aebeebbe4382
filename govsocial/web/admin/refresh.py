"""The metrics refresh after an import from the admin area, or a scheduled collection round: in the
background, one at a time.

An import that stored something changes the figures of the jurisdictions whose accounts received
rows (``runs.run_jurisdictions``). Recomputing them takes seconds to minutes on a big store, so the
import answers at once and a worker thread of the portal process refreshes them afterwards; the
run record says how it went (``collection_runs.metrics_refresh``: pending, done or failed, per
jurisdiction), so the run's page and the API show it from any worker process.

One refresh at a time: the thread takes the jurisdictions one after the other. Imports that arrive
while a jurisdiction is being refreshed wait for one more refresh of it, after the current one, which
covers all of them (their rows are all stored by then), never a refresh each, nor two at once. On
PostgreSQL a session advisory lock per jurisdiction also keeps the worker processes of a portal
served with ``--workers`` from refreshing one jurisdiction side by side (they would write the same
``metric_values`` rows); on SQLite the store's one writer serialises their writes.

A refresh that fails is logged and recorded with its error on one line; the import stays stored.
A portal stopped during a refresh leaves its runs ``pending``: the next refresh of the jurisdiction
that succeeds (the portal's, or ``govsocial metrics refresh``) covers them and records it in them
(``runs.metrics_covered``).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import Request
from sqlalchemy import Engine, func, select

from govsocial.collect import runs
from govsocial.collect.runs import RunSummary
from govsocial.settings import Settings
from govsocial.store.db import session_factory

log = logging.getLogger(__name__)

#: The first key of the PostgreSQL advisory lock a refresh holds (the second: its jurisdiction's).
REFRESH_LOCK_CLASS = 0x6D72  # "mr"
#: What a run that changed nothing records (as ``govsocial collect import`` says it).
NOTHING_CHANGED = "no rows changed"
#: Recomputes one jurisdiction's metrics and says what it did, on one line.
Refresh = Callable[[Engine, Settings, str], str]


def pipeline_refresh(engine: Engine, settings: Settings, code: str) -> str:
    """The metrics refresh of ``govsocial metrics refresh``, for jurisdiction ``code``."""
    from govsocial.analyze.pipeline import refresh  # DuckDB and Ibis load only when needed

    report = refresh(engine, settings, code)
    for name, reason in sorted(report.failed.items()):
        log.warning("metrics of %s: metric %s failed: %s", code, name, reason)
    return report.summary()


class MetricsRefresher:
    """Queues the jurisdictions that imports and collection rounds changed and refreshes them in one
    worker thread."""

    def __init__(self, engine: Engine, settings: Settings, refresh: Refresh | None = None) -> None:
        self.engine = engine
        self.settings = settings
        self.refresh = refresh or pipeline_refresh
        self.sessions = session_factory(engine)
        self._lock = threading.Lock()
        #: Jurisdiction -> the runs waiting for its next refresh, in the order they were asked for.
        self._waiting: dict[str, set[int]] = {}
        self._worker: threading.Thread | None = None
        self._idle = threading.Event()
        self._idle.set()

    def after_run(self, summary: RunSummary, now: dt.datetime) -> dict[str, Any]:
        """Record the run's refresh as pending and queue it, or as skipped when the run changed
        no row; returns what the run record now says (the API's answer shows it). The run (an import
        or a collection round) is stored whatever happens here: a store that cannot record the
        refresh is logged and said in the answer, never an error answer to the import."""
        try:
            return self._after_run(summary, now)
        except Exception as exc:
            line = runs.one_line(f"{type(exc).__name__}: {exc}")
            log.warning("metrics refresh after run %s not queued: %s", summary.run_id, line)
            return {"status": runs.METRICS_FAILED, "error": line, "jurisdictions": {}}

    def _after_run(self, summary: RunSummary, now: dt.datetime) -> dict[str, Any]:
        if not summary.counts.changed:
            return runs.metrics_skipped(self.sessions, summary.run_id, NOTHING_CHANGED)
        with self.sessions() as session:
            codes = runs.run_jurisdictions(session, summary)
        if not codes:  # pragma: no cover - a row that changed is always under an account
            return runs.metrics_skipped(self.sessions, summary.run_id, NOTHING_CHANGED)
        state = runs.metrics_pending(self.sessions, summary.run_id, codes, now)
        self.submit(summary.run_id, codes)
        return state

    def submit(self, run_id: int, codes: list[str]) -> None:
        """Queue a refresh of each of ``codes`` for run ``run_id``; start the worker if it is idle."""
        with self._lock:
            for code in codes:
                self._waiting.setdefault(code, set()).add(run_id)
            if self._worker is None:
                self._idle.clear()
                self._worker = threading.Thread(
                    target=self._work, name="govsocial-metrics-refresh", daemon=True
                )
                self._worker.start()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until nothing is queued or being refreshed; whether it came to that in time."""
        return self._idle.wait(timeout)

    def _work(self) -> None:
        while True:
            with self._lock:
                if not self._waiting:
                    self._worker = None
                    self._idle.set()
                    return
                code = next(iter(self._waiting))
                waiting = self._waiting.pop(code)
            self._refresh_one(code, sorted(waiting))

    def _refresh_one(self, code: str, run_ids: list[int]) -> None:
        """Refresh ``code`` once for every run in ``run_ids`` and record the outcome in each."""
        started = dt.datetime.now(dt.UTC)
        try:
            with advisory_lock(self.engine, code):
                status, line = runs.METRICS_DONE, self.refresh(self.engine, self.settings, code)
        except Exception as exc:  # the runs' rows are stored: their records say what went wrong
            status, line = runs.METRICS_FAILED, runs.one_line(f"{type(exc).__name__}: {exc}")
            log.warning("metrics of %s not recomputed after run(s) %s: %s", code, run_ids, line)
        else:
            log.info("after run(s) %s: %s", run_ids, line)
        for run_id in run_ids:
            try:
                runs.metrics_outcome(self.sessions, run_id, code, status, line)
            except Exception:  # the next run's outcome is still worth recording
                log.exception("could not record the metrics refresh of %s in run %s", code, run_id)
        if status == runs.METRICS_DONE:
            self._cover(code, started, line)

    def _cover(self, code: str, started: dt.datetime, line: str) -> None:
        """Close the runs an earlier portal left pending: this refresh read their rows too."""
        try:
            covered = runs.metrics_covered(self.sessions, code, started, line)
        except Exception:
            log.exception("could not record the metrics refresh of %s in runs left pending", code)
        else:
            if covered:
                log.info("the refresh of %s covered run(s) %s left pending", code, covered)


def refresher_of(request: Request) -> MetricsRefresher:
    """The app's refresher (``admin.install`` makes it)."""
    refresher: MetricsRefresher = request.app.state.metrics_refresher
    return refresher


@contextmanager
def advisory_lock(engine: Engine, code: str) -> Iterator[None]:
    """Hold jurisdiction ``code``'s refresh lock while the block runs (PostgreSQL; nothing on SQLite).

    A session lock on a connection of its own, committed at once so that no transaction stays open
    while the refresh runs; released at the end, or by the server if the connection is lost."""
    if engine.dialect.name != "postgresql":
        yield
        return
    # crc32 is unsigned: the lock's keys are signed 32-bit integers.
    key = zlib.crc32(code.encode()) - (1 << 31)
    with engine.connect() as connection:
        connection.execute(select(func.pg_advisory_lock(REFRESH_LOCK_CLASS, key)))
        connection.commit()
        try:
            yield
        finally:
            connection.execute(select(func.pg_advisory_unlock(REFRESH_LOCK_CLASS, key)))
            connection.commit()
