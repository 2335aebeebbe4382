"""Collection run records: every run of collection or import leaves one, with counts, errors and gaps.

An import's summary also names the registry accounts it stored rows under (``account_ids``):
``run_jurisdictions`` turns them into the jurisdictions whose metrics the run may have changed, so
that each of them is recomputed, not only the configured one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
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
    #: The registry accounts the run stored rows under (an import fills it; not in ``as_dict``).
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
