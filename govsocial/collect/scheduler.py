"""The scheduler inside ``govsocial serve --collect``: each account is collected again when its
interval has passed.

Every collectable account gets a schedule row (the default interval from the settings; change it
with ``govsocial collect schedule``). Each tick collects the accounts that are due in one run and
moves their next due time on, also when the run failed for them (so one broken token cannot make
the scheduler spin). After a round that stored something new or changed (its run record counts an
inserted or updated post, comment or snapshot), ``after_round`` (given by the layer that starts the
scheduler: the portal recomputes the metrics there; collection knows nothing of analysis) runs in a
worker thread, so the portal keeps serving; its failure is logged, never fatal. A round that found
everything as stored (every row a noop), or that failed, leaves the metrics as they are: they would
be computed again from the same rows, a whole refresh for the same numbers. Run it in one process
only; with several web workers, use cron and ``govsocial collect --all`` instead.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from govsocial.collect.base import Target
from govsocial.collect.runner import Runner, RunOptions
from govsocial.collect.runs import RunSummary
from govsocial.collect.targets import collectable, collected_platforms, target_of
from govsocial.settings import Settings
from govsocial.store import tables as t
from govsocial.store.db import session_factory, transaction
from govsocial.store.times import utc

log = logging.getLogger(__name__)
Clock = Callable[[], dt.datetime]
#: Called with the summary of each round that stored something new or changed.
AfterRound = Callable[[RunSummary], None]


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Scheduler:
    """Collects due accounts, tick after tick."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        options: RunOptions | None = None,
        clock: Clock = _utcnow,
        poll_seconds: float = 30.0,
        after_round: AfterRound | None = None,
    ) -> None:
        self.engine = engine
        self.after_round = after_round
        self.settings = settings
        self.options = options or RunOptions(trigger="scheduler")
        self.clock = clock
        self.poll_seconds = poll_seconds
        self.sessions = session_factory(engine)

    def ensure_schedules(self) -> int:
        """Give every collectable account a schedule (due now); returns how many were added."""
        now = self.clock()
        with transaction(self.sessions) as session:
            targets = collectable(session, collected_platforms(self.settings), self.settings.jurisdiction)
            have = set(session.scalars(select(t.CollectionSchedule.account_id)).all())
            new = [x for x in targets if x.account_id not in have]
            session.add_all(
                t.CollectionSchedule(
                    account_id=x.account_id,
                    next_due_at=now,
                    interval_minutes=self.settings.collect_interval_minutes,
                )
                for x in new
            )
        return len(new)

    def due(self) -> list[Target]:
        """Accounts whose next collection is due."""
        with self.sessions() as session:
            rows = session.execute(
                select(t.Account, t.CollectionSchedule.next_due_at)
                .join(t.CollectionSchedule, t.CollectionSchedule.account_id == t.Account.id)
                .where(t.CollectionSchedule.enabled.is_(True), t.Account.status != t.AccountStatus.ARCHIVED)
            ).all()
            # Schedules made before a platform was left out (``collect_skip_platforms``) stay, unused.
            platforms = collected_platforms(self.settings)
            return [
                target_of(a) for a, due_at in rows if a.platform in platforms and utc(due_at) <= self.clock()
            ]

    async def tick(self) -> RunSummary | None:
        """Collect what is due now; None when nothing was."""
        self.ensure_schedules()
        targets = self.due()
        if not targets:
            return None
        summary = await Runner(self.engine, self.settings, self.options).run(targets, scope="scheduled")
        self._advance(targets, summary)
        if summary.counts.changed:
            await self._after_round(summary)
        else:
            log.info("scheduled run %s stored nothing new: the metrics are not recomputed", summary.run_id)
        return summary

    async def _after_round(self, summary: RunSummary) -> None:
        if self.after_round is None:
            return
        try:
            await asyncio.to_thread(self.after_round, summary)
        except Exception:  # what follows collection must not stop the next round
            log.warning("after scheduled run %s: the follow-up failed", summary.run_id, exc_info=True)

    def _advance(self, targets: list[Target], summary: RunSummary) -> None:
        failed = {e["account"]: e["message"] for e in summary.errors}
        now = self.clock()
        with transaction(self.sessions) as session:
            for target in targets:
                self._advance_one(session, target, failed.get(f"{target.platform} {target.handle}"), now)

    @staticmethod
    def _advance_one(session: Session, target: Target, error: str | None, now: dt.datetime) -> None:
        row = session.get(t.CollectionSchedule, target.account_id)
        if row is None:
            return
        row.next_due_at = now + dt.timedelta(minutes=row.interval_minutes)
        row.last_status = "error" if error else "ok"
        row.last_error = error

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Tick until ``stop`` is set; a failing tick is logged, never fatal to the portal."""
        while not stop.is_set():
            try:
                await self.tick()
            except Exception:  # the portal must keep serving whatever collection does
                log.exception("scheduled collection failed")
            try:
                await asyncio.wait_for(stop.wait(), timeout=self.poll_seconds)
            except TimeoutError:
                continue
