"""Importing activity from export files through the same storage path as API collection.

The importer yields batches; each is stored in its own transaction, so a failure part-way keeps
every batch before it, and importing the same file again reports only ``noop``. Bad rows are
quarantined with their line numbers and counted in the run record: every run counts the bad rows
it met, while the quarantine keeps each bad row once and counts how often it was met (a re-import
adds no row there).

A run that starts always finishes: a file that cannot be read (``ImportFileError``, also a blank
file) or an unexpected error ends it as failed, with the error, and the summary says so; an error
the caller must act on (a missing pseudonym key, the database) ends it as failed and is raised.
The summary's ``accounts`` are the registry accounts the file's rows were stored under (its
``account_ids`` name them: ``runs.run_jurisdictions`` gives their jurisdictions, whose metrics to
recompute).

A time without an offset is read in the import's zone when it was given one (``--timezone``), else
in the time zone of the jurisdiction of the row's account (``_Zones``): a database holding several
jurisdictions imports a London account's file in London time and a Hong Kong one's in Hong Kong
time, whichever jurisdiction the settings name.

What the CLI and the admin area both check before a run is here too: an ``--account`` the
registry does not have is refused (``refuse_unregistered``). A refusal that asks for the order of
a file's dates names the caller's own options (``ImportContext.date_options``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Engine, Select, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from govsocial.collect.imports.base import (
    UNKNOWN_ZONE,
    ImportContext,
    Importer,
    decode_file,
)
from govsocial.collect.privacy import Pseudonymiser, redact_reason
from govsocial.collect.records import Batch
from govsocial.collect.runs import RunSummary, finish_run, start_run
from govsocial.collect.storage import BatchWriter, Resolver, store_batch
from govsocial.errors import AddressError, ConfigurationError, GovsocialError, ImportFileError, NotFoundError
from govsocial.plugins import importers
from govsocial.registry.catalogue import load_catalogue
from govsocial.registry.verify import account_id_for
from govsocial.store import tables as t
from govsocial.store.db import session_factory

HEAD_CHARS = 4096
#: Longest error message a run records: an unexpected error may quote a whole cell of the file.
MESSAGE_CHARS = 1000
#: Post ids looked up per query when counting the accounts of a batch's comments.
LOOKUP_CHUNK = 500


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


def refuse_unregistered(session: Session, account: str, platform: str | None) -> None:
    """``NotFoundError`` for an ``account`` option the registry does not have, to be called before
    the run: each of the file's rows would otherwise be quarantined, one by one, as not in the
    registry. An address (or, with ``platform``, a handle or id) is looked up as the rows are
    (``account_id_for``: by address, else by platform id); a bare handle without ``platform`` is
    left to the rows, whose format says their platform."""
    catalogue = load_catalogue(session)
    try:
        key = catalogue.parse(account, platform=platform).platform
    except AddressError:
        return
    if account_id_for(session, catalogue, key, account) is None:
        verify = f"govsocial registry verify {account}" + (f" --platform {platform}" if platform else "")
        raise NotFoundError(
            f"--account {account}: no {key} account with this address or platform id is in the "
            f"registry (`{verify}` says what it is); nothing was imported"
        )


@dataclass
class _Touched:
    """The registry accounts a file's rows were stored under: the run's ``accounts``."""

    ids: set[int] = field(default_factory=set)

    def counting(self, resolve: Resolver) -> Resolver:
        """``resolve``, noting every account it finds (posts and profiles name their account)."""

        def resolve_and_note(platform: str, ref: str) -> int | None:
            account_id = resolve(platform, ref)
            if account_id is not None:
                self.ids.add(account_id)
            return account_id

        return resolve_and_note

    def note_comments(self, sessions: sessionmaker[Session], batch: Batch) -> None:
        """The accounts of the stored posts a batch's comments belong to (comments name no account,
        only their post)."""
        wanted: dict[str, list[str]] = {}
        for comment in batch.comments:
            wanted.setdefault(comment.platform, []).append(comment.post_id)
        with sessions() as session:
            for platform, post_ids in wanted.items():
                unique = sorted(set(post_ids))
                for start in range(0, len(unique), LOOKUP_CHUNK):
                    chunk = unique[start : start + LOOKUP_CHUNK]
                    query = select(t.Post.account_id).where(
                        t.Post.platform == platform, t.Post.post_id.in_(chunk)
                    )
                    self.ids.update(session.scalars(query.distinct()))


@dataclass
class _Zones:
    """The time zone of each account's jurisdiction, for rows whose times have no offset; each
    answer remembered (a file names the same few accounts, or posts, on every row). An account not
    in the registry, or a post not in the store, has ``UNKNOWN_ZONE``: its rows are quarantined."""

    sessions: sessionmaker[Session]
    resolve: Resolver
    known: dict[tuple[str, str, str], ZoneInfo] = field(default_factory=dict)

    def account(self, platform: str, ref: str) -> ZoneInfo:
        """The zone of the account ``ref`` (as the file names it) of ``platform``."""
        key = ("account", platform, ref)
        if key not in self.known:
            account_id = self.resolve(platform, ref)
            query = None if account_id is None else _zone_query().where(t.Account.id == account_id)
            self.known[key] = self._zone(query)
        return self.known[key]

    def post(self, platform: str, post_id: str) -> ZoneInfo:
        """The zone of the account of the stored post ``post_id`` (comments name only their post)."""
        key = ("post", platform, post_id)
        if key not in self.known:
            query = _zone_query().join(t.Post, t.Post.account_id == t.Account.id)
            self.known[key] = self._zone(query.where(t.Post.platform == platform, t.Post.post_id == post_id))
        return self.known[key]

    def _zone(self, query: Select[str, str] | None) -> ZoneInfo:
        if query is None:
            return UNKNOWN_ZONE
        with self.sessions() as session:
            found = session.execute(query.limit(1)).first()
        if found is None:
            return UNKNOWN_ZONE
        code, name = found
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigurationError(
                f"jurisdiction {code!r} has an unknown time zone {name!r} (use an IANA name such as "
                "Europe/London), so times without an offset cannot be read; pass --timezone"
            ) from None


def _zone_query() -> Select[str, str]:
    """The code and time zone of an account's jurisdiction (the caller says which account)."""
    return select(t.Jurisdiction.code, t.Jurisdiction.timezone).join(
        t.Account, t.Account.jurisdiction == t.Jurisdiction.code
    )


def with_zones(context: ImportContext, sessions: sessionmaker[Session], resolve: Resolver) -> ImportContext:
    """``context`` reading each row's time without an offset in its account's zone (unless it has
    a ``timezone`` of its own, which wins)."""
    zones = _Zones(sessions, resolve)
    return dataclasses.replace(context, zone_of=zones.account, post_zone_of=zones.post)


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
    started: Callable[[int], None] | None = None,
) -> RunSummary:
    """Import one file; returns the run summary (also stored as a run record).

    The run is finished whatever happens. ``ImportFileError`` and unexpected errors become a failed
    summary; other ``GovsocialError``s (configuration), database errors and interruptions are raised
    once the run is recorded as failed. ``started`` is given the run's id as soon as it exists, so a
    caller that gets one of those errors can still name the run (the admin page links to it).

    Without ``context.timezone``, a row's time without an offset is read in its account's zone.
    """
    sessions = session_factory(engine)
    summary = start_run(sessions, "import", trigger, f"{importer.format}:{path.name}")
    if started is not None:
        started(summary.run_id)
    touched = _Touched()
    try:
        writer = BatchWriter(
            summary.run_id,
            source or f"import:{importer.format}",
            touched.counting(resolve),
            Pseudonymiser(pseudonym_key),
        )
        batches = importer.read(path, with_zones(context, sessions, resolve))
        if not _store_all(engine, sessions, writer, batches, summary, touched, progress):
            _refuse_if_blank(path)
    except ImportFileError as exc:
        _failed(summary, touched, path, "file", str(exc))
    except (GovsocialError, SQLAlchemyError) as exc:
        # The caller's to report: the CLI says it in one line (exit 2), the admin page as a message.
        kind = "configuration" if isinstance(exc, GovsocialError) else "database"
        _failed(summary, touched, path, kind, str(exc))
        raise
    except Exception as exc:  # a bug or an input nobody foresaw: the run says so, no traceback
        _failed(summary, touched, path, "unexpected", f"the import stopped: {type(exc).__name__}: {exc}")
    except BaseException:
        _failed(summary, touched, path, "interrupted", "the import was interrupted")
        raise
    finally:
        summary.accounts = max(summary.accounts, len(touched.ids))
        summary.account_ids.update(touched.ids)
        finish_run(sessions, summary)
    return summary


def _store_all(
    engine: Engine,
    sessions: sessionmaker[Session],
    writer: BatchWriter,
    batches: Iterable[Batch],
    summary: RunSummary,
    touched: _Touched,
    progress: Callable[[Batch], None] | None,
) -> bool:
    """Store every batch; whether there was any."""
    any_batch = False
    for batch in batches:
        any_batch = True
        store_batch(engine, sessions, writer, batch, summary.counts)
        if batch.comments:
            touched.note_comments(sessions, batch)
        if progress:
            progress(batch)
    return any_batch


def _refuse_if_blank(path: Path) -> None:
    """``ImportFileError`` for a file with nothing in it (no header either): an import of it would
    otherwise be "ok" having read nothing. A header without rows is a valid, empty export."""
    if not decode_file(path).removeprefix("\ufeff").strip():
        raise ImportFileError(f"{path.name}: the file is empty (not even a header row)")


def _failed(summary: RunSummary, touched: _Touched, path: Path, kind: str, message: str) -> None:
    """Record the run as failed: every account it touched (at least one, the file's) failed.

    The message may quote a cell of the file (an exception's text), so it is redacted as a
    quarantine reason is; before it is cut, as a number cut in two is no longer recognised."""
    message = redact_reason(message)
    if len(message) > MESSAGE_CHARS:
        message = message[: MESSAGE_CHARS - 1] + "…"
    summary.errors.append({"file": path.name, "kind": kind, "message": message})
    summary.failed_accounts = summary.accounts = max(len(touched.ids), 1)
