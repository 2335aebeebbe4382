"""Collection run records: every run of collection or import leaves one, with counts, errors and gaps."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from govsocial.collect.storage import StoreCounts
from govsocial.encodings import escaped_text, storable_value
from govsocial.store import tables as t
from govsocial.store.db import transaction


@dataclass
class RunSummary:
    """What a run did; ``status`` is ok, partial (some accounts or rows failed) or failed."""

    run_id: int
    counts: StoreCounts = field(default_factory=StoreCounts)
    errors: list[dict[str, Any]] = field(default_factory=list)
    gaps: list[dict[str, Any]] = field(default_factory=list)
    accounts: int = 0
    failed_accounts: int = 0

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
