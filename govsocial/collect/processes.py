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
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
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

#: How often a process looks whether the parent is still alive (seconds).
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
    #: The accounts it stored batches under (``RunSummary.account_ids``).
    account_ids: list[int] = field(default_factory=list)


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
        summary.account_ids.update(result.account_ids)
    finish_run(sessions, summary)
    return summary


#: A process's work: (store URL, settings, options, run id, its share, its end of the pipe).
Work = Callable[[str, Settings, RunOptions, int, list[Target], Connection], None]


def _run_shares(
    url: str,
    settings: Settings,
    options: RunOptions,
    run_id: int,
    parts: list[list[Target]],
    progress: Progress | None,
    work: Work | None = None,
) -> list[ShareResult]:
    """Start a process per share, relay their progress, and gather what each did.

    Each process reports through a pipe of its own, which it alone writes: a process killed while
    writing cuts only its own pipe short. (One shared queue would not do: its writers take a
    shared lock, and a process killed holding it would leave every other process unable to
    report, and unable to exit, forever.) A process that ends closes its pipe, so the parent
    learns of a death without polling: a pipe that ends before its ``done`` report is a process
    that died, and its accounts get an error each (``_died``)."""
    # "spawn": a fresh interpreter, not a copy of this one with its threads and open connections.
    context = multiprocessing.get_context("spawn")
    workers = []
    pipes: dict[Connection, int] = {}
    for index, part in enumerate(parts):
        reader, writer = context.Pipe(duplex=False)
        worker = context.Process(
            target=work or _collect_share,
            args=(url, settings, options, run_id, part, writer),
            name=f"govsocial-collect-{index}",
            daemon=True,
        )
        worker.start()
        writer.close()  # the process holds the only writing end: the pipe ends when it does
        workers.append(worker)
        pipes[reader] = index
    targets = {target.account_id: target for part in parts for target in part}
    results: dict[int, ShareResult] = {}
    while pipes:
        ready = wait(list(pipes))
        for reader in [pipe for pipe in pipes if pipe in ready]:
            index = pipes[reader]
            try:
                kind, payload = reader.recv()
            except (EOFError, OSError):  # the process ended (or was killed writing a report)
                del pipes[reader]
                reader.close()
                workers[index].join()
                if index not in results:
                    results[index] = _died(parts[index], workers[index].exitcode)
                continue
            _event(kind, index, payload, results, targets, progress)
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
    url: str,
    settings: Settings,
    options: RunOptions,
    run_id: int,
    part: list[Target],
    events: Connection,
) -> None:
    """A process's work: collect ``part`` into run ``run_id`` and report to the parent through
    ``events``, its end of a pipe: ``("batch", (account id, edge))`` after each stored batch, and
    ``("done", ShareResult)`` at the end."""
    threading.Thread(target=_stop_with_parent, args=(os.getppid(),), daemon=True).start()
    engine = make_engine(url)
    summary = RunSummary(run_id=run_id, accounts=len(part))
    sending = threading.Lock()  # a pipe's messages must not interleave, whichever thread reports

    def relay(target: Target, batch: Batch) -> None:
        with sending:
            events.send(("batch", (target.account_id, batch.edge)))

    try:
        asyncio.run(Runner(engine, settings, options, relay).collect(part, summary))
    except Exception as exc:  # reported as the share's error; the parent finishes the run
        message = without_secrets(f"{type(exc).__name__}: {exc}")
        summary.errors.append({"account": "(collecting process)", "kind": "process", "message": message})
        summary.failed_accounts = len(part)
    finally:
        engine.dispose()
    result = ShareResult(
        summary.counts.as_dict(),
        summary.errors,
        summary.gaps,
        summary.failed_accounts,
        sorted(summary.account_ids),
    )
    with sending:
        events.send(("done", result))
    events.close()
