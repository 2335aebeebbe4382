"""Applying the retention period: purge citizens' comment texts once they are old enough.

``purge`` runs at the start of every metrics refresh (so a deployment that collects also purges,
with nothing to schedule) and from ``govsocial privacy purge``. What it keeps and why is in
``govsocial.store.retention`` and ``docs/privacy.md``; here the texts are read once more, to keep
whether each asked a question (``signals.is_question_column``, what the metrics would have read).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

import pyarrow as pa
from sqlalchemy import Engine

from govsocial.analyze import signals
from govsocial.collect.privacy import redact_reason
from govsocial.store import retention


@dataclass(frozen=True)
class PurgeReport:
    """What a purge did: texts purged, raw payloads and quarantined records emptied, and the cutoff;
    and the reasons of quarantined records redacted (``reasons``: of records kept from before
    reasons were redacted at ingest, whatever the retention period)."""

    days: int
    cutoff: dt.datetime | None
    comments: int = 0
    payloads: int = 0
    quarantined: int = 0
    reasons: int = 0

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready values."""
        values = asdict(self)
        values["cutoff"] = self.cutoff.isoformat() if self.cutoff else None
        return values

    def summary(self) -> str:
        """One line for people."""
        reasons = f"; {self.reasons:,} quarantine reasons redacted" if self.reasons else ""
        if self.cutoff is None:
            return f"retention: off (comment_retention_days = 0): nothing purged{reasons}"
        return (
            f"retention: {self.days} days (before {self.cutoff:%Y-%m-%d %H:%M} UTC): "
            f"{self.comments:,} comment texts, {self.payloads:,} raw payloads, "
            f"{self.quarantined:,} quarantined records purged{reasons}"
        )


def purge(engine: Engine, days: int, now: dt.datetime | None = None) -> PurgeReport:
    """Purge what is older than ``days`` days before ``now`` (default: now), in one transaction.

    ``days`` = 0 purges nothing (retention off). Either way, quarantine reasons still holding
    personal data are redacted (``retention.redact_reasons``).
    """
    if days <= 0:
        with engine.begin() as connection:
            return PurgeReport(days, None, reasons=retention.redact_reasons(connection, redact_reason))
    now = now or dt.datetime.now(dt.UTC)
    cutoff = now - dt.timedelta(days=days)
    comments = 0
    with engine.begin() as connection:
        for chunk in retention.texts_before(connection, cutoff):
            asked = signals.is_question_column(pa.array([text for _, text in chunk], pa.string()))
            retention.mark_purged(
                connection, [(i, bool(q)) for (i, _), q in zip(chunk, asked.to_pylist(), strict=True)], now
            )
            comments += len(chunk)
        payloads = retention.purge_payloads(connection, cutoff)
        quarantined = retention.purge_quarantine(connection, cutoff)
        reasons = retention.redact_reasons(connection, redact_reason)
    return PurgeReport(days, cutoff, comments, payloads, quarantined, reasons)
