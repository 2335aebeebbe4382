"""The store's write lock: collections and imports write their batches one at a time.

SQLite has one writer at a time. A writer that finds the database locked waits in SQLite's busy
handler, which sleeps 1, 2, 5, 10... milliseconds between tries, while a page of comments takes
about a millisecond to write: two collecting processes that left the waiting to SQLite stored
61,000 comments/s, against 71,000 with this lock (the same pages, in the same minutes). So each
batch's transaction is taken under an exclusive ``flock`` on a file beside the database, which the
kernel hands to the next waiting process as soon as it is released. The lock is taken
before the transaction begins, so a transaction never has to turn a read into a write (which
SQLite refuses at once, without waiting, when another process wrote in between).

The work that needs no database (scrubbing the kept copy, pseudonyms, redaction) is done before
the lock is taken (``BatchWriter.prepare``), so processes do that side by side.

PostgreSQL takes writers side by side, and an in-memory SQLite database has one process: for them
the lock is nothing. A lock goes when its process ends, however it ends.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO

from sqlalchemy import Engine

#: The lock file is the database's path with this added.
SUFFIX = ".write-lock"


@dataclass
class _FileLock:
    """One process's handle on a lock file, and a lock for its threads: ``flock`` excludes other
    open files, not other threads using the same one."""

    handle: IO[str]
    threads: threading.Lock = field(default_factory=threading.Lock)


#: ``(process id, lock file) -> its lock``: opened once per process, not once per batch. The
#: process id is in the key because a forked child shares its parent's open files, and a lock
#: taken through a shared open file would not exclude the parent.
_LOCKS: dict[tuple[int, str], _FileLock] = {}
_OPENING = threading.Lock()


def lock_path(engine: Engine) -> str | None:
    """The lock file of ``engine``'s database, or None where there is no lock (see the module)."""
    if engine.dialect.name != "sqlite":
        return None
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return os.path.abspath(database) + SUFFIX


def _lock_of(path: str) -> _FileLock:
    key = (os.getpid(), path)
    with _OPENING:
        lock = _LOCKS.get(key)
        if lock is None:
            lock = _LOCKS[key] = _FileLock(open(path, "a"))  # noqa: SIM115 (kept open: one per process)
    return lock


@contextmanager
def write_lock(engine: Engine) -> Iterator[None]:
    """Hold the store's write lock while the block runs (waiting for it if another writer has it)."""
    path = lock_path(engine)
    if path is None:
        yield
        return
    lock = _lock_of(path)
    with lock.threads:
        fcntl.flock(lock.handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock.handle, fcntl.LOCK_UN)
