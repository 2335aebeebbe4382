"""Collection run records: every run of collection or import leaves one, with counts, errors and gaps.

A run's summary also names the registry accounts it stored rows under (``account_ids``: an
import's rows, a collection's batches): ``run_jurisdictions`` turns them into the jurisdictions
whose metrics the run may have changed, so that each of them is recomputed, not only the
configured one. Where that refresh happens after the run has answered (an import from the admin
area, recomputed in the background), the run record says how it went: ``metrics_pending``, then
``metrics_outcome`` per jurisdiction (or ``metrics_skipped``) into ``metrics_refresh``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from govsocial.collect.storage import StoreCounts
from govsocial.encodings import escaped_text, storable_value
from govsocial.store import tables as t
from govsocial.store.db import transaction
from govsocial.store.times import utc


@dataclass
class RunSummary:
    """What a run did; ``status`` is ok, partial (some accounts or rows failed) or failed."""

    run_id: int
    counts: StoreCounts = field(default_factory=StoreCounts)
    errors: list[dict[str, Any]] = field(default_factory=list)
    gaps: list[dict[str, Any]] = field(default_factory=list)
    accounts: int = 0
    failed_accounts: int = 0
    #: The registry accounts the run stored rows under (imports and collections fill it; not in
    #: ``as_dict``).
    account_ids: set[int] = field(default_factory=set)

    @property
    def status(self) -> str:
        if self.failed_accounts and self.failed_accounts >= self.accounts:
            return "failed"
        if self.errors or self.gaps or self.counts.counts.get("quarantined"):
            return "partial"
        return "ok"

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary (for ``--json``)."""
        return {
            "run_id": self.run_id,
            "status": self.status,
            "accounts": self.accounts,
            "failed_accounts": self.failed_accounts,
            "counts": self.counts.as_dict(),
            "errors": self.errors,
            "gaps": self.gaps,
        }


#: Account ids looked up per query by ``run_jurisdictions``.
ID_CHUNK = 500


def run_record(run: t.CollectionRun, details: bool = True) -> dict[str, Any]:
    """A stored run as JSON for ``govsocial collect runs`` and the admin API: times in ISO 8601 UTC
    (the same text from either store), its counts, the metrics refresh after it (None: not
    recorded) and, with ``details``, its errors and gaps."""
    record: dict[str, Any] = {
        "id": run.id,
        "kind": run.kind,
        "trigger": run.trigger,
        "scope": run.scope,
        "status": run.status,
        "started_at": _iso(run.started_at),
        "finished_at": _iso(run.finished_at),
        "counts": run.counts,
        # pending, done, failed or skipped, per jurisdiction.
        "metrics_refresh": run.metrics_refresh,
    }
    return {**record, "errors": run.errors, "gaps": run.gaps} if details else record


def _iso(moment: dt.datetime | None) -> str | None:
    return None if moment is None else utc(moment).isoformat()


def run_jurisdictions(session: Session, summary: RunSummary) -> list[str]:
    """The codes of the jurisdictions whose accounts the run stored rows under (``account_ids``),
    sorted: the jurisdictions whose metrics to recompute after it. Empty when it stored none."""
    ids = sorted(summary.account_ids)
    found: set[str] = set()
    for start in range(0, len(ids), ID_CHUNK):
        query = select(t.Account.jurisdiction).where(t.Account.id.in_(ids[start : start + ID_CHUNK]))
        found.update(session.scalars(query.distinct()))
    return sorted(found)


def start_run(sessions: sessionmaker[Session], kind: str, trigger: str, scope: str) -> RunSummary:
    """Record that a run started."""
    with transaction(sessions) as session:
        # A file's name may hold what the store refuses (a surrogate for a byte that is not UTF-8).
        row = t.CollectionRun(kind=kind, trigger=trigger, scope=escaped_text(scope)[:500], status="running")
        session.add(row)
        session.flush()
        return RunSummary(run_id=row.id)


def finish_run(sessions: sessionmaker[Session], summary: RunSummary) -> None:
    """Record how the run ended. Errors and gaps may quote what was read (a name, a cell of a file):
    a NUL or a lone surrogate in them is written as its escape (``escaped_text``), in the summary
    too, so that what is printed is what is recorded, and a terminal is never sent a surrogate."""
    summary.errors[:] = storable_value(summary.errors, escaped_text)
    summary.gaps[:] = storable_value(summary.gaps, escaped_text)
    with transaction(sessions) as session:
        row = session.get(t.CollectionRun, summary.run_id)
        assert row is not None
        row.status = summary.status
        row.finished_at = dt.datetime.now(dt.UTC)
        row.counts = summary.counts.as_dict()
        row.errors = summary.errors
        row.gaps = summary.gaps


# --- The metrics refresh after a run ----------------------------------------------------------------
#
# ``collection_runs.metrics_refresh``: ``{"status": ..., "jurisdictions": {code: {"status": ...,
# "summary" | "error": one line}}}``, with ``"reason"`` when skipped and ``"since"`` (ISO 8601, UTC)
# when it was asked for. The run's status is that of its jurisdictions taken together: pending while
# one is, else failed when one failed, else done.

METRICS_PENDING = "pending"
METRICS_DONE = "done"
METRICS_FAILED = "failed"
METRICS_SKIPPED = "skipped"
#: The longest summary or error kept per jurisdiction.
METRICS_LINE_MAX = 500


def one_line(text: str, limit: int = METRICS_LINE_MAX) -> str:
    """``text`` on one line (its whitespace runs as single spaces), cut to ``limit`` characters,
    NUL and lone surrogates escaped: what a run record keeps of a refresh's summary or error."""
    line = " ".join(escaped_text(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def metrics_pending(
    sessions: sessionmaker[Session], run_id: int, codes: list[str], now: dt.datetime
) -> dict[str, Any]:
    """Record that the metrics of ``codes`` are to be recomputed after run ``run_id``; returns
    the record."""
    state = {
        "status": METRICS_PENDING,
        "since": now.astimezone(dt.UTC).isoformat(timespec="seconds"),
        "jurisdictions": {code: {"status": METRICS_PENDING} for code in codes},
    }
    _store_metrics(sessions, run_id, lambda _old: state)
    return state


def metrics_skipped(sessions: sessionmaker[Session], run_id: int, reason: str) -> dict[str, Any]:
    """Record that the run's metrics are not recomputed, and why; returns the record."""
    state: dict[str, Any] = {"status": METRICS_SKIPPED, "reason": reason, "jurisdictions": {}}
    _store_metrics(sessions, run_id, lambda _old: state)
    return state


def metrics_outcome(sessions: sessionmaker[Session], run_id: int, code: str, status: str, line: str) -> None:
    """Record how the refresh of jurisdiction ``code`` after run ``run_id`` ended: ``done`` with
    its summary, or ``failed`` with its error (``line``, kept on one line)."""
    key = "summary" if status == METRICS_DONE else "error"

    def change(old: dict[str, Any] | None) -> dict[str, Any]:
        state = dict(old or {})
        codes = dict(state.get("jurisdictions") or {})
        codes[code] = {"status": status, key: one_line(line)}
        state["jurisdictions"] = codes
        state["status"] = _overall(codes)
        return state

    _store_metrics(sessions, run_id, change)


def metrics_covered(sessions: sessionmaker[Session], code: str, started: dt.datetime, line: str) -> list[int]:
    """Record a refresh of ``code`` that started at ``started`` and succeeded (``line``, its
    summary) as the outcome of every run still waiting for one of ``code`` since before then: their
    rows were stored before that refresh read the store, so it covered them. A portal stopped
    during a refresh leaves its runs pending; the next refresh of the jurisdiction, by the portal or
    ``govsocial metrics refresh``, closes them. Returns the runs' ids."""
    started = started.astimezone(dt.UTC)
    waiting = _waiting_runs(sessions, code, started)
    covered = f"covered by the refresh started at {started.isoformat(timespec='seconds')}: {line}"
    for run_id in waiting:
        metrics_outcome(sessions, run_id, code, METRICS_DONE, covered)
    return waiting


def _waiting_runs(sessions: sessionmaker[Session], code: str, before: dt.datetime) -> list[int]:
    # Pending records are few (a refresh closes them within minutes): the JSON status filters them
    # in the store, the jurisdiction and the time are read here.
    status = t.CollectionRun.metrics_refresh["status"].as_string()
    query = select(t.CollectionRun.id, t.CollectionRun.metrics_refresh).where(status == METRICS_PENDING)
    with sessions() as session:
        rows = session.execute(query.order_by(t.CollectionRun.id)).all()
    return [run_id for run_id, state in rows if _waits(state, code, before)]


def _waits(state: dict[str, Any], code: str, before: dt.datetime) -> bool:
    entry = (state.get("jurisdictions") or {}).get(code) or {}
    since = state.get("since")
    if entry.get("status") != METRICS_PENDING or not isinstance(since, str):
        return False
    try:
        return dt.datetime.fromisoformat(since) <= before
    except ValueError:  # a record written by hand: left as it is
        return False


def _overall(codes: dict[str, dict[str, Any]]) -> str:
    statuses = {entry.get("status") for entry in codes.values()}
    if METRICS_PENDING in statuses:
        return METRICS_PENDING
    return METRICS_FAILED if METRICS_FAILED in statuses else METRICS_DONE


def _store_metrics(
    sessions: sessionmaker[Session],
    run_id: int,
    change: Callable[[dict[str, Any] | None], dict[str, Any]],
) -> None:
    # A new dict each time: the ORM does not see a JSON value changed in place. The row is locked
    # (PostgreSQL; SQLite has one writer) so that two jurisdictions' outcomes cannot overwrite
    # each other.
    with transaction(sessions) as session:
        row = session.get(t.CollectionRun, run_id, with_for_update=True)
        if row is not None:
            row.metrics_refresh = change(row.metrics_refresh)
