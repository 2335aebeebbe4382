"""Collection from platform APIs: many accounts at once, each platform within its own limits.

For each account the runner loads its checkpoints, lets the platform's connector yield batches,
and stores each batch with its checkpoint in one transaction (``BatchWriter``), so a run killed at
any point resumes without loss or duplicates. Errors are per account: an expired token stops that
account with a clear message and the others go on; a spent quota, or a rate limit longer than the
retry policy waits, becomes a gap with the time it resets. Any other exception (a bug, an answer no
rule foresaw) is recorded as that account's ``unexpected`` error, type and message with secrets
removed, and the run goes on and is finished; only ``KeyboardInterrupt`` and cancellation stop it.
Writes are serialised (one writer at a time), which SQLite needs and PostgreSQL tolerates; each
batch is prepared (its kept copy scrubbed, its comments pseudonymised) before its turn.
``collect.processes`` runs several runners side by side, each on a share of the accounts.
"""

from __future__ import annotations

import asyncio
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

import httpx
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from govsocial.collect.base import Connector, Target
from govsocial.collect.errors import (
    AccessError,
    AuthError,
    CollectError,
    GoneError,
    RateLimitedError,
    credential_names,
)
from govsocial.collect.http import HttpClient, RetryPolicy, Sleeper
from govsocial.collect.privacy import Pseudonymiser, handles, without_secrets
from govsocial.collect.records import Batch
from govsocial.collect.runs import RunSummary, finish_run, start_run
from govsocial.collect.storage import BatchWriter, Inserted, store_prepared
from govsocial.errors import ConfigurationError
from govsocial.plugins import connector_for
from govsocial.settings import Settings
from govsocial.store import activity
from govsocial.store.db import session_factory

#: Called after each stored batch: (account target, batch) — for progress bars.
Progress = Callable[[Target, Batch], None]
#: How much of an unexpected exception's message goes into the run record.
MAX_MESSAGE = 500


@dataclass
class RunOptions:
    """How a run talks to the platforms; tests point ``base_urls`` at a loopback fake server."""

    base_urls: Mapping[str, str] = field(default_factory=dict)
    transport: httpx.AsyncBaseTransport | None = None
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    sleep: Sleeper = asyncio.sleep
    timeout: float = 30.0
    trigger: str = "cli"


class Runner:
    """One collection run over a set of accounts."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        options: RunOptions | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.options = options or RunOptions()
        self.sessions: sessionmaker[Session] = session_factory(engine)
        self.progress = progress
        key = settings.pseudonym_key.get_secret_value() if settings.pseudonym_key else None
        self.pseudonymise = Pseudonymiser(key)
        self._write_lock = asyncio.Lock()
        self._connectors: dict[str, Connector] = {}
        # One tally for the run's writers: a first collection of many accounts fills the comments
        # table as fast as one big account does (see ``BatchWriter.analyze_after``).
        self._inserted = Inserted()

    async def run(self, targets: Iterable[Target], scope: str) -> RunSummary:
        """Collect every target; returns the run's summary (also stored as a run record)."""
        targets = list(targets)
        summary = start_run(self.sessions, "collect", self.options.trigger, scope)
        summary.accounts = len(targets)
        try:
            await self.collect(targets, summary)
        except Exception as exc:  # outside any one account (the HTTP client...): the run still ends
            message = self._describe(exc)
            summary.errors.append({"account": "(run)", "kind": "unexpected", "message": message})
            summary.failed_accounts = summary.accounts
        finish_run(self.sessions, summary)
        return summary

    async def collect(self, targets: list[Target], summary: RunSummary) -> None:
        """Collect every target into the run ``summary`` (which the caller started and finishes)."""
        limit = asyncio.Semaphore(self.settings.collect_concurrency)
        async with httpx.AsyncClient(
            transport=self.options.transport, timeout=self.options.timeout, follow_redirects=True
        ) as client:

            async def one(target: Target) -> None:
                async with limit:
                    await self._account(client, target, summary)

            await asyncio.gather(*(one(target) for target in targets))

    async def _account(self, client: httpx.AsyncClient, target: Target, summary: RunSummary) -> None:
        where = f"{target.platform} {target.handle}"
        try:
            connector = self._connector(client, target.platform)
            with self.sessions() as session:
                checkpoints = activity.load_checkpoints(session, target.account_id)
            writer = BatchWriter(
                summary.run_id,
                f"api:{target.platform}",
                lambda _p, _r: target.account_id,
                self.pseudonymise,
                target.account_id,
                self._inserted,
                own_handles=handles(target.handle),
            )
            async for batch in connector.collect(target, checkpoints):
                await self._store(writer, batch, summary, target)
        except RateLimitedError as exc:
            # A spent quota, or a rate limit longer than the policy waits (or outlasting its attempts):
            # the account is left for a run after ``until``, resuming from its checkpoints.
            summary.gaps.append(
                {
                    "account": where,
                    "reason": self._scrub(str(exc), target.platform),
                    "until": exc.retry_at.isoformat() if exc.retry_at else None,
                }
            )
        except (AuthError, AccessError) as exc:
            summary.failed_accounts += 1
            kind = "auth" if isinstance(exc, AuthError) else "access"
            error = {"account": where, "kind": kind, "message": self._scrub(str(exc), target.platform)}
            summary.errors.append(error | self._credential(target.platform))
        except GoneError as exc:
            summary.failed_accounts += 1
            summary.errors.append(
                {"account": where, "kind": "gone", "message": self._scrub(str(exc), target.platform)}
            )
        except (CollectError, ConfigurationError) as exc:
            summary.failed_accounts += 1
            message = self._scrub(str(exc), target.platform)
            summary.errors.append({"account": where, "kind": type(exc).__name__, "message": message})
        except Exception as exc:  # a bug or an unforeseen answer costs this account, not the run
            summary.failed_accounts += 1
            message = self._describe(exc, target.platform)
            summary.errors.append({"account": where, "kind": "unexpected", "message": message})

    def _scrub(self, text: str, platform: str | None) -> str:
        """``text`` without the platform's credential, as sent or URL-encoded, nor secret URL
        parameters: a platform's error body may quote the request (YouTube echoes its ``key=``), and
        every message goes to the run record, stderr, ``--json`` and alerts."""
        connector = self._connectors.get(platform) if platform else None
        if connector is not None and connector.token:
            for form in {connector.token, quote(connector.token, safe="")}:
                text = text.replace(form, "***")
        return without_secrets(text)

    def _describe(self, exc: Exception, platform: str | None = None) -> str:
        """``Type: message (at file:line)`` of an unexpected exception, without secrets, for the run
        record: where in govsocial it was raised is what a bug report needs, and no traceback."""
        text = self._scrub(f"{type(exc).__name__}: {exc}", platform)  # it may quote a header or a body
        if len(text) > MAX_MESSAGE:
            text = text[: MAX_MESSAGE - 1] + "…"
        raised = _raised_in_govsocial(exc)
        return f"{text} (at {raised})" if raised else text

    async def _store(self, writer: BatchWriter, batch: Batch, summary: RunSummary, target: Target) -> None:
        # The work that needs no database is done before waiting for the writer's turn, off the
        # event loop (which, under ``govsocial serve --collect``, also serves the portal).
        prepared = await asyncio.to_thread(writer.prepare, batch)
        async with self._write_lock:
            await asyncio.to_thread(
                store_prepared, self.engine, self.sessions, writer, prepared, summary.counts
            )
        # As an import names its accounts: the jurisdictions whose metrics to recompute follow
        # them (``runs.run_jurisdictions``), not the jurisdiction the settings name.
        summary.account_ids.add(target.account_id)
        if batch.gap:
            summary.gaps.append(
                {"account": f"{target.platform} {target.handle}", "edge": batch.edge, "reason": batch.gap}
            )
        if self.progress:
            self.progress(target, batch)

    def _connector(self, client: httpx.AsyncClient, platform: str) -> Connector:
        if platform not in self._connectors:
            cls = connector_for(platform)
            http = HttpClient(
                client, platform, cls.classify, cls.pause, self.options.policy, self.options.sleep
            )
            token = self._token(cls)
            base_url = (
                self.options.base_urls.get(platform)
                or self.settings.api_base_urls.get(platform)
                or cls.base_url_from(self.settings)
            )
            connector = cls(http, token, base_url, **cls.options_from(self.settings))
            connector.refresh_days = self.settings.collect_refresh_days
            connector.first_run_days = self.settings.collect_first_run_days
            self._connectors[platform] = connector
        return self._connectors[platform]

    def _credential(self, platform: str) -> dict[str, str]:
        """``{"credential": where the operator sets it}`` for a platform whose connector has one:
        what a refused credential's error names, so the advice to renew it says where (names only)."""
        connector = self._connectors.get(platform)
        setting = type(connector).credential_setting if connector is not None else None
        return {"credential": credential_names(setting)} if setting else {}

    def _token(self, cls: type[Connector]) -> str | None:
        if cls.credential_setting is None:
            return None
        secret: Any = getattr(self.settings, cls.credential_setting, None)
        if secret is None:
            raise AccessError(
                f"{cls.platform}: no credential configured ({credential_names(cls.credential_setting)})"
            )
        return str(secret.get_secret_value())


def _raised_in_govsocial(exc: BaseException) -> str | None:
    """``govsocial/.../file.py:line`` of the innermost frame of ``exc``'s traceback in this package."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        parts = PurePath(frame.filename).parts
        if "govsocial" in parts:
            inside = parts[len(parts) - 1 - parts[::-1].index("govsocial") :]
            return f"{'/'.join(inside)}:{frame.lineno}"
    return None
