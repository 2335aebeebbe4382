"""Importing activity from export files through the same storage path as API collection.

The importer yields batches; each is stored in its own transaction, so a failure part-way keeps
every batch before it, and importing the same file again reports only ``noop``. Bad rows are
quarantined with their line numbers and counted in the run record.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine

from govsocial.collect.imports.base import ImportContext, Importer
from govsocial.collect.privacy import Pseudonymiser
from govsocial.collect.records import Batch
from govsocial.collect.runs import RunSummary, finish_run, start_run
from govsocial.collect.storage import BatchWriter, Resolver, store_batch
from govsocial.errors import ImportFileError
from govsocial.plugins import importers
from govsocial.store.db import session_factory

HEAD_CHARS = 4096


def choose_importer(path: Path, head: str, fmt: str | None) -> Importer:
    """The importer named by ``fmt``, or the one whose sniffer recognises the file."""
    found = importers()
    if fmt is not None:
        if fmt not in found:
            raise ImportFileError(f"unknown format {fmt!r}; formats: {', '.join(sorted(found))}")
        return found[fmt]()
    matches = [cls for cls in found.values() if cls.sniff(path.name, head)]
    if len(matches) != 1:
        names = ", ".join(sorted(cls.format for cls in matches)) or "none"
        raise ImportFileError(f"{path.name}: cannot tell the format (matches: {names}); pass --format")
    return matches[0]()


def import_activity(
    engine: Engine,
    path: Path,
    importer: Importer,
    context: ImportContext,
    resolve: Resolver,
    pseudonym_key: str | None,
    trigger: str = "cli",
    source: str | None = None,
    progress: Callable[[Batch], None] | None = None,
) -> RunSummary:
    """Import one file; returns the run summary (also stored as a run record)."""
    sessions = session_factory(engine)
    summary = start_run(sessions, "import", trigger, f"{importer.format}:{path.name}")
    writer = BatchWriter(
        summary.run_id, source or f"import:{importer.format}", resolve, Pseudonymiser(pseudonym_key)
    )
    try:
        for batch in importer.read(path, context):
            store_batch(engine, sessions, writer, batch, summary.counts)
            if progress:
                progress(batch)
    except ImportFileError as exc:
        summary.errors.append({"file": path.name, "kind": "file", "message": str(exc)})
        summary.failed_accounts = summary.accounts = 1
    finish_run(sessions, summary)
    return summary
