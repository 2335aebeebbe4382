"""Collection in several processes: each collects a share of the accounts into the same run.

One process parses pages, scrubs the copy of each payload that is kept and pseudonymises comments
on one core, however many accounts it collects at once (Python runs one thread at a time). A
backfill of many accounts with generous rate limits can use the machine's other cores by running
``collect_processes`` runners side by side (``govsocial collect --processes N``). Each process
prepares its batches by itself and writes them holding the store's write lock
(``store.write_lock``), so SQLite still has one writer at a time; PostgreSQL takes them side by side.

Accounts are dealt out in turn, so an account (its posts, their comments, its checkpoints) belongs
to one process, and each platform's limits are still read from the platform's own headers by
every process. The parent process records one run: it starts it, gathers what each process did
(counts, errors, gaps) and finishes it, and shows every process's progress. A process that dies
leaves an error for each of its accounts; what it stored before is kept, and the next run resumes
from its checkpoints. If the parent dies, the processes end within ``POLL`` seconds, as if killed
with it (``_stop_with_parent``). The parent's progress callback is called from one of its threads.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import queue
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from typing import Any

from sqlalchemy import Engine

from govsocial.collect.base import Target
from govsocial.collect.privacy import without_secrets
from govsocial.collect.records import Batch
from govsocial.collect.runner import Progress, Runner, RunOptions
from govsocial.collect.runs import RunSummary, finish_run, start_run
from govsocial.errors import ConfigurationError
from govsocial.settings import Settings
from govsocial.store.db import make_engine, session_factory

#: How often the parent looks for a process that died without reporting (seconds).
POLL = 0.5


def shares(targets: Sequence[Target], processes: int) -> list[list[Target]]:
    """``targets`` dealt out in turn to at most ``processes`` shares, none of them empty."""
    count = max(1, min(processes, len(targets)))
    return [list(targets[k::count]) for k in range(count) if targets[k::count]]


@dataclass
class ShareResult:
    """What one process did, as it reports it to the parent."""

    counts: dict[str, int] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    gaps: list[dict[str, Any]] = field(default_factory=list)
    failed_accounts: int = 0


async def collect(
    engine: Engine,
    settings: Settings,
    targets: Sequence[Target],
    scope: str,
    processes: int,
    options: RunOptions | None = None,
    progress: Progress | None = None,
) -> RunSummary:
    """Collect ``targets`` in one run, with up to ``processes`` processes (one: in this process)."""
    parts = shares(targets, processes)
    if len(parts) <= 1:
        return await Runner(engine, settings, options=options, progress=progress).run(targets, scope)
    options = options or RunOptions()
    if options.transport is not None:
        raise ConfigurationError("collecting in several processes needs real HTTP, not a transport object")
    sessions = session_factory(engine)
    summary = start_run(sessions, "collect", options.trigger, scope)
    summary.accounts = len(targets)
    url = engine.url.render_as_string(hide_password=False)
    results = await asyncio.to_thread(_run_shares, url, settings, options, summary.run_id, parts, progress)
    for result in results:
        for name, n in result.counts.items():
            summary.counts.counts[name] += n
        summary.errors += result.errors
        summary.gaps += result.gaps
        summary.failed_accounts += result.failed_accounts
    finish_run(sessions, summary)
    return summary


def _run_shares(
    url: str,
    settings: Settings,
    options: RunOptions,
    run_id: int,
    parts: list[list[Target]],
    progress: Progress | None,
) -> list[ShareResult]:
    """Start a process per share, relay their progress, and gather what each did."""
    # "spawn": a fresh interpreter, not a copy of this one with its threads and open connections.
    context = multiprocessing.get_context("spawn")
    events: Any = context.Queue()
    workers = [
        context.Process(
            target=_collect_share,
            args=(index, url, settings, options, run_id, part, events),
            name=f"govsocial-collect-{index}",
            daemon=True,
        )
        for index, part in enumerate(parts)
    ]
    for worker in workers:
        worker.start()
    targets = {target.account_id: target for part in parts for target in part}
    results: dict[int, ShareResult] = {}
    while len(results) < len(workers):
        try:
            kind, index, payload = events.get(timeout=POLL)
        except queue.Empty:
            _dead(workers, parts, results, events, targets, progress)
            continue
        _event(kind, index, payload, results, targets, progress)
    for worker in workers:
        worker.join()
    return [results[index] for index in range(len(workers))]


def _event(
    kind: str,
    index: int,
    payload: Any,
    results: dict[int, ShareResult],
    targets: dict[int, Target],
    progress: Progress | None,
) -> None:
    if kind == "done":
        results[index] = payload
    elif kind == "batch" and progress is not None:
        account_id, edge = payload
        progress(targets[account_id], Batch(edge=edge))


def _dead(
    workers: Sequence[BaseProcess],
    parts: list[list[Target]],
    results: dict[int, ShareResult],
    events: Any,
    targets: dict[int, Target],
    progress: Progress | None,
) -> None:
    """Record an error for each account of a process that ended without reporting (killed, say).

    A process that ended has put everything it reported into the queue, so the queue is read to
    the end first: only a process still without a result then died without one."""
    ended = [index for index, worker in enumerate(workers) if index not in results and not worker.is_alive()]
    if not ended:
        return
    while True:
        try:
            kind, index, payload = events.get(timeout=POLL)
        except queue.Empty:
            break
        _event(kind, index, payload, results, targets, progress)
    for index in ended:
        if index not in results:
            results[index] = _died(parts[index], workers[index].exitcode)


def _died(part: list[Target], exitcode: int | None) -> ShareResult:
    message = (
        f"the collecting process ended (exit code {exitcode}) before this account was finished; "
        "what it stored is kept, and the next run resumes from its checkpoints"
    )
    errors = [
        {"account": f"{target.platform} {target.handle}", "kind": "process", "message": message}
        for target in part
    ]
    return ShareResult(errors=errors, failed_accounts=len(part))


def _stop_with_parent(parent: int, every: float = POLL) -> None:
    """End this process, as a kill would, once ``parent`` is no longer its parent (it died): nobody
    would finish the run or read its reports. Every batch stored so far is committed with its
    checkpoint; a batch being written is rolled back by the database, as after any kill."""
    while os.getppid() == parent:
        time.sleep(every)
    os._exit(1)


def _collect_share(
    index: int,
    url: str,
    settings: Settings,
    options: RunOptions,
    run_id: int,
    part: list[Target],
    events: Any,
) -> None:
    """A process's work: collect ``part`` into run ``run_id`` and report to the parent."""
    threading.Thread(target=_stop_with_parent, args=(os.getppid(),), daemon=True).start()
    engine = make_engine(url)
    summary = RunSummary(run_id=run_id, accounts=len(part))

    def relay(target: Target, batch: Batch) -> None:
        events.put(("batch", index, (target.account_id, batch.edge)))

    try:
        asyncio.run(Runner(engine, settings, options, relay).collect(part, summary))
    except Exception as exc:  # reported as the share's error; the parent finishes the run
        message = without_secrets(f"{type(exc).__name__}: {exc}")
        summary.errors.append({"account": "(collecting process)", "kind": "process", "message": message})
        summary.failed_accounts = len(part)
    finally:
        engine.dispose()
    result = ShareResult(summary.counts.as_dict(), summary.errors, summary.gaps, summary.failed_accounts)
    events.put(("done", index, result))
