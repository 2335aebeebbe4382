"""Stand-ins for a collecting process's work (``processes.Work``), for the tests of how the parent
gathers reports: importable by name, as processes started with "spawn" need their target to be."""

from __future__ import annotations

import time
from multiprocessing.connection import Connection

from govsocial.collect.base import Target
from govsocial.collect.processes import ShareResult
from govsocial.collect.runner import RunOptions
from govsocial.settings import Settings

#: A report big enough that writing it takes many writes to the pipe (its buffer holds 64 KiB), so
#: a kill mostly lands in the middle of one.
BIG_EDGE = "x" * 1_000_000
#: The counts the ``late`` process reports.
LATE_COUNTS = {"posts.insert": 3}


def by_handle(
    url: str, settings: Settings, options: RunOptions, run_id: int, part: list[Target], events: Connection
) -> None:
    """``flood`` for a share whose first account's handle is "flood", ``late`` otherwise."""
    work = flood if part[0].handle == "flood" else late
    work(url, settings, options, run_id, part, events)


def flood(
    url: str, settings: Settings, options: RunOptions, run_id: int, part: list[Target], events: Connection
) -> None:
    """Report big batches, without end, until killed."""
    while True:
        events.send(("batch", (part[0].account_id, BIG_EDGE)))


def late(
    url: str, settings: Settings, options: RunOptions, run_id: int, part: list[Target], events: Connection
) -> None:
    """Wait a second (the other process is killed meanwhile), then report a batch and finish."""
    time.sleep(1.0)
    events.send(("batch", (part[0].account_id, "posts")))
    events.send(("done", ShareResult(counts=dict(LATE_COUNTS))))
