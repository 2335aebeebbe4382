"""What the admin area changes, shared by its pages and its API; each change writes its audit row.

Every function takes the store session of the caller's transaction, so a change and its audit row
are written together or not at all. Registry edits also go to the registry's own change log
(``changes``), as ``govsocial registry`` edits do, with the actor ``admin:<username>``.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from govsocial.collect.importing import (
    HEAD_CHARS,
    choose_importer,
    import_activity,
    refuse_unregistered,
)
from govsocial.collect.imports.base import (
    DATE_ORDER_OPTIONS,
    DAY_FIRST,
    MONTH_FIRST,
    ImportContext,
    decode_file,
)
from govsocial.collect.runs import RunSummary
from govsocial.errors import AddressError, GovsocialError, NotFoundError, RegistryError
from govsocial.registry.addresses import PlatformCatalogue
from govsocial.registry.bundle import validation_message
from govsocial.registry.catalogue import known_key, load_catalogue
from govsocial.registry.records import AccountRecord
from govsocial.registry.resolve import all_addresses
from govsocial.registry.sync import upsert_account
from govsocial.registry.verify import find_account, resolver
from govsocial.settings import Settings
from govsocial.store import audit, users
from govsocial.store import tables as t
from govsocial.store.db import session_factory, transaction
from govsocial.store.times import utc
from govsocial.web.admin.auth import AdminDenied, Principal
from govsocial.web.inputs import without_control

SCHEDULE_ACTIONS = ("pause", "resume", "run-now")
#: Where an account's page is, for messages that send the editor there.
ACCOUNT_PAGE = "/admin/accounts/{id}"
NOTE_MAX = 2000
#: The longest reason for a status change: the API's limit, which the pages' form must keep too.
REASON_MAX = 2000
#: The longest upload file name kept, in UTF-8 bytes: file systems refuse names over 255 bytes, and
#: a longer name from the browser would otherwise fail the upload with a 500.
UPLOAD_NAME_MAX = 200
#: The longest extension kept when a long name is cut (``.csv``, ``.json``...): importers read it.
UPLOAD_SUFFIX_MAX = 16


class ActionError(GovsocialError, ValueError):
    """A change that cannot be made as asked (a bad status, an empty reason...): a 400 or 422."""


class ControlCharacter(ActionError):
    """A field that holds a control character: ``field`` names it, and the message says which."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


def refuse_control(values: Mapping[str, str | None]) -> None:
    """``ControlCharacter`` for the first of ``values`` (field name to value) holding a control
    character (C0 but tab, line feed and carriage return; DEL: ``web/inputs.py``).

    The check of every admin form, its pages' and its API's: no name, code, note or address holds
    one, and PostgreSQL refuses NUL in text, so one that reached a query was a 500 there. The
    message names the field, never its value (it may be a password).
    """
    for field, value in values.items():
        try:
            without_control(value or "")
        except ValueError as exc:
            raise ControlCharacter(field, str(exc)) from None


class ImportFailed(ActionError):
    """An import that began (its run is recorded, as failed) and then met a configuration or
    database error: the message, and the run that says so."""

    def __init__(self, message: str, run_id: int) -> None:
        super().__init__(message)
        self.run_id = run_id


def _log(
    session: Session, actor: Principal, action: str, target: str, details: dict[str, Any], now: dt.datetime
) -> None:
    audit.record(session, actor.user_id, action, target, details, actor.address, now)


def _account(session: Session, account_id: int) -> t.Account:
    account = session.get(t.Account, account_id)
    if account is None:
        raise AdminDenied(404, f"No account {account_id}.")
    return account


def _change(
    session: Session, actor: Principal, account: t.Account, action: str, before: Any, after: Any
) -> None:
    session.add(
        t.Change(
            actor=f"admin:{actor.username}",
            entity="account",
            entity_key=f"{account.platform}:{account.kind}:{account.key}",
            action=action,
            before=before,
            after=after,
        )
    )


# --- Registry ------------------------------------------------------------------------------------


def set_status(
    session: Session, actor: Principal, account_id: int, status: str, reason: str, now: dt.datetime
) -> t.Account:
    """Publish, put under review or archive an account, with the reason (required)."""
    refuse_control({"status": status, "reason": reason})
    account = _account(session, account_id)
    try:
        new = t.AccountStatus(status)
    except ValueError:
        raise ActionError(f"unknown status {status!r}; statuses: published, under_review, archived") from None
    reason = reason.strip()
    if not reason:
        raise ActionError("say why the status changes (a reason is required)")
    if len(reason) > REASON_MAX:
        raise ActionError(f"a reason is 1 to {REASON_MAX} characters")
    before = _status_of(account)
    if new is t.AccountStatus.ARCHIVED:
        # Archived again (a reason corrected): the day it was retired, shown publicly, stays.
        if account.status is not t.AccountStatus.ARCHIVED or account.archived_on is None:
            account.archived_on = now.date()
        account.archived_reason = reason
    else:
        account.archived_on = None
        account.archived_reason = None
    account.status = new
    after = _status_of(account)
    _change(session, actor, account, "status", before, after)
    _log(
        session,
        actor,
        "account.status",
        f"account:{account.id}",
        {"before": before, "after": after, "reason": reason},
        now,
    )
    return account


def _status_of(account: t.Account) -> dict[str, Any]:
    """What a status change changes, as the change and audit logs keep it."""
    return {
        "status": account.status.value,
        "archived_on": _iso_day(account.archived_on),
        "archived_reason": account.archived_reason,
    }


def _iso_day(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def mark_reviewed(session: Session, actor: Principal, account_id: int, now: dt.datetime) -> t.Account:
    """Record that a person confirmed the account today (``reviewed_on``): it leaves the list of
    accounts due for review. Confirmed today already, nothing changes and nothing is logged."""
    account = _account(session, account_id)
    before, after = _iso_day(account.reviewed_on), now.date().isoformat()
    if before == after:
        return account
    account.reviewed_on = now.date()
    _change(session, actor, account, "review", {"reviewed_on": before}, {"reviewed_on": after})
    details = {"before": {"reviewed_on": before}, "after": {"reviewed_on": after}}
    _log(session, actor, "account.review", f"account:{account.id}", details, now)
    return account


def add_note(session: Session, actor: Principal, account_id: int, note: str, now: dt.datetime) -> t.Account:
    """Append a dated, signed note to an account's notes."""
    refuse_control({"note": note})
    account = _account(session, account_id)
    note = " ".join(note.split())
    if not note or len(note) > NOTE_MAX:
        raise ActionError(f"a note is 1 to {NOTE_MAX} characters")
    before = account.notes
    line = f"{now.date().isoformat()} {actor.username}: {note}"
    account.notes = f"{before}\n{line}" if before else line
    _change(session, actor, account, "note", {"notes": before}, {"notes": account.notes})
    _log(
        session,
        actor,
        "account.note",
        f"account:{account.id}",
        {"before": before, "after": account.notes},
        now,
    )
    return account


@dataclass(frozen=True)
class NewAccount:
    """What the add-account form and API take."""

    org_code: str
    url: str
    evidence_url: str
    evidence_note: str | None = None
    display_name_en: str | None = None
    status: str = "under_review"
    #: The name in Traditional Chinese (the Simplified one is derived from it, as in the files).
    display_name_zh_hant: str | None = None


def add_account(
    session: Session, actor: Principal, jurisdiction: str, new: NewAccount, now: dt.datetime
) -> tuple[t.Account, str]:
    """Add an account by its URL, with the evidence that it is official; returns it and what
    happened (``insert``).

    An address that is already an account of the registry (in any spelling, or one of its aliases)
    is refused: the form holds a few of an account's fields, and writing it over the account would
    erase the rest (its other names, aliases, platform id, review date, notes) and put a published
    account back under review. Its page changes its status and notes."""
    refuse_control(asdict(new))
    if not new.evidence_url.strip():
        raise ActionError("an account needs the URL of the evidence that it is official")
    catalogue = load_catalogue(session)
    try:
        platform = catalogue.parse(new.url).platform
        record = AccountRecord.model_validate(
            {
                "org_codes": new.org_code,
                "platform": platform,
                "url": new.url,
                "evidence_url": new.evidence_url,
                "evidence_note": new.evidence_note,
                "evidence_date": now.date(),
                "display_name_en": new.display_name_en,
                "display_name_zh_hant": new.display_name_zh_hant,
                "status": new.status,
            }
        )
        _refuse_existing(session, catalogue, jurisdiction, record)
        outcome = upsert_account(session, jurisdiction, record, catalogue, f"admin:{actor.username}")
        account = find_account(session, catalogue.parse(new.url), jurisdiction=jurisdiction)
    except ValidationError as exc:
        raise ActionError(validation_message(exc)) from None
    # RegistryError: the address is another jurisdiction's account, which is never moved here.
    except (AddressError, NotFoundError, RegistryError) as exc:
        raise ActionError(str(exc)) from None
    if account is None:  # pragma: no cover - upsert_account just wrote it
        raise ActionError(f"{new.url}: the account was not stored")
    details = {
        "url": new.url,
        "org_code": new.org_code,
        "evidence_url": new.evidence_url,
        "outcome": str(outcome),
    }
    _log(session, actor, "account.add", f"account:{account.id}", details, now)
    return account, str(outcome)


def _refuse_existing(
    session: Session, catalogue: PlatformCatalogue, jurisdiction: str, record: AccountRecord
) -> None:
    """``ActionError`` when an address of ``record`` is already an account of ``jurisdiction``
    (another jurisdiction's is refused by ``upsert_account``, with its own reason)."""
    for address in all_addresses(record, catalogue):
        account = find_account(session, address, jurisdiction=jurisdiction)
        if account is not None:
            raise ActionError(
                f"{record.url} is already account {account.id} of the registry "
                f"({account.url or account.handle}, {account.status.value}): nothing was changed; "
                "change its status or add a note on its "
                f"page ({ACCOUNT_PAGE.format(id=account.id)}), or edit it in the registry files"
            )


# --- Collection ----------------------------------------------------------------------------------


def control_schedule(
    session: Session, actor: Principal, account_id: int, action: str, settings: Settings, now: dt.datetime
) -> t.CollectionSchedule:
    """Pause or resume an account's scheduled collection, or make it due now ("run-now": the
    scheduler of ``govsocial serve --collect`` picks it up in its next round; a paused one stays paused)."""
    refuse_control({"action": action})
    if action not in SCHEDULE_ACTIONS:
        raise ActionError(f"unknown action {action!r}; actions: {', '.join(SCHEDULE_ACTIONS)}")
    account = _account(session, account_id)
    row = session.get(t.CollectionSchedule, account.id)
    if row is None:
        row = t.CollectionSchedule(
            account_id=account.id,
            interval_minutes=settings.collect_interval_minutes,
            next_due_at=now,
            enabled=True,
        )
        session.add(row)
        before: dict[str, Any] | None = None
    else:
        before = {"enabled": row.enabled, "next_due_at": _iso(row.next_due_at)}
    if action == "pause":
        row.enabled = False
    elif action == "resume":
        row.enabled = True
    else:
        row.next_due_at = now
    after = {"enabled": row.enabled, "next_due_at": _iso(row.next_due_at)}
    _log(
        session, actor, f"schedule.{action}", f"account:{account.id}", {"before": before, "after": after}, now
    )
    return row


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def upload_name(name: str | None) -> str:
    """A file name for an upload inside its own folder: the last part of what the browser sent,
    without NUL, and never ``.``, ``..`` or a hidden name (which would name the folder, its parent,
    or hide the file). The extension is kept: importers read the format from it."""
    safe = Path(name or "").name.replace("\x00", "")
    safe = "upload" + safe if safe.startswith(".") or not safe else safe
    return _shortened(safe)


def _shortened(name: str) -> str:
    """``name`` cut to ``UPLOAD_NAME_MAX`` UTF-8 bytes, keeping a short extension at its end."""
    if len(name.encode()) <= UPLOAD_NAME_MAX:
        return name
    suffix = Path(name).suffix
    if len(suffix.encode()) > UPLOAD_SUFFIX_MAX:
        suffix = ""
    stem = name[: len(name) - len(suffix)] if suffix else name
    room = UPLOAD_NAME_MAX - len(suffix.encode())
    # Cut on bytes, then drop a character split in two by the cut.
    return stem.encode()[:room].decode(errors="ignore") + suffix


def save_upload(source: BinaryIO, name: str, folder: Path, limit: int) -> Path:
    """Copy an uploaded file into ``folder``, refusing it (413) once it passes ``limit`` bytes."""
    target = folder / upload_name(name)
    written = 0
    with target.open("wb") as out:
        while chunk := source.read(64 * 1024):
            written += len(chunk)
            if written > limit:
                raise AdminDenied(413, f"The file is larger than the limit of {limit} bytes.")
            out.write(chunk)
    return target


def run_import(
    engine: Engine,
    settings: Settings,
    actor: Principal,
    upload: BinaryIO,
    filename: str,
    options: dict[str, str | None],
    now: dt.datetime,
    date_options: str = DATE_ORDER_OPTIONS,
) -> RunSummary:
    """Import an uploaded export file the way ``govsocial collect import`` does, from a temporary
    folder that is removed afterwards; the run and its counts are audited. The file's name is
    checked as the options are: the run and the audit log keep it. Without a ``timezone`` option a
    time without an offset is read in the zone of its account's jurisdiction. The metrics are not
    recomputed here: the pages and the API then queue that in the background
    (``admin/refresh.py``), for the jurisdictions ``runs.run_jurisdictions`` names.

    As the command does, an ``account`` the registry does not have is refused before the run
    (``ActionError``, nothing recorded), and ``date_order`` (``day_first``, ``month_first``) is
    its ``--day-first`` / ``--month-first``; a file that needs one and has none is refused in
    the words of ``date_options``, the caller's way of giving it."""
    refuse_control({**options, "file": filename})
    folder = Path(tempfile.mkdtemp(prefix="govsocial-admin-import-"))
    sessions = session_factory(engine)
    began: list[int] = []  # the run's id, once the import has made one
    try:
        path = save_upload(upload, filename, folder, settings.admin_upload_max_bytes)
        try:
            importer = choose_importer(path, decode_file(path)[:HEAD_CHARS], options.get("format"))
            zone, order = _zone(options.get("timezone")), _date_order(options.get("date_order"))
            account, platform = options.get("account"), options.get("platform")
            with sessions() as session:
                catalogue = load_catalogue(session)
                if platform is not None:  # before the run, as `collect import --platform`
                    known_key(catalogue, platform)
                if account is not None:
                    refuse_unregistered(session, account, platform)
            context = ImportContext(
                timezone=zone,
                platform=platform,
                account_ref=account,
                date_order=order,
                date_options=date_options,
            )
            key = settings.pseudonym_key.get_secret_value() if settings.pseudonym_key else None
            summary = import_activity(
                engine,
                path,
                importer,
                context,
                resolver(sessions, catalogue),
                key,
                "admin",
                started=began.append,
            )
        except GovsocialError as exc:
            message = _without_folder(str(exc), folder)
            if not began:
                raise ActionError(message) from None
            # The run began and is recorded as failed: audited like any import, and named.
            with transaction(sessions) as session:
                details = {"file": filename, "format": importer.format, "error": message}
                _log(session, actor, "import", f"run:{began[0]}", details, now)
            raise ImportFailed(message, began[0]) from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    with transaction(sessions) as session:
        details = {"file": filename, "format": importer.format, **summary.as_dict()}
        _log(session, actor, "import", f"run:{summary.run_id}", details, now)
    return summary


def _without_folder(message: str, folder: Path) -> str:
    """An importer's message without the server's temporary folder: the uploader sent a file
    name, and the path it was saved under tells them only about the server."""
    return message.replace(f"{folder}{os.sep}", "").replace(str(folder), "")


def _zone(name: str | None) -> ZoneInfo | None:
    """The zone the form names; None when it names none: each row's time without an offset is then
    read in the zone of its account's jurisdiction, whichever jurisdiction the settings name."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        raise ActionError(f"unknown time zone {name!r} (use an IANA name such as Asia/Hong_Kong)") from None


def _date_order(value: str | None) -> str | None:
    """The order the form or the API says a file's numeric dates are in (``DAY_FIRST`` or
    ``MONTH_FIRST``); None when it says none: as the file's dates show."""
    if not value:
        return None
    if value not in (DAY_FIRST, MONTH_FIRST):
        raise ActionError(f"unknown date order {value!r} (use {DAY_FIRST} or {MONTH_FIRST})")
    return value


# --- Users and tokens (admin role) ---------------------------------------------------------------


def add_user(
    session: Session, actor: Principal, username: str, role: str, password: str, now: dt.datetime
) -> t.User:
    """Create a user (the password is hashed; neither it nor its hash is audited)."""
    refuse_control({"username": username, "role": role, "password": password})
    try:
        user = users.create_user(session, username, role, password, now)
    except users.UserError as exc:
        raise ActionError(str(exc)) from None
    _log(session, actor, "user.add", f"user:{user.username}", {"role": role}, now)
    return user


def disable_user(session: Session, actor: Principal, user_id: int, now: dt.datetime) -> t.User:
    """Disable a user (not oneself: an admin cannot lock the last door behind them by mistake)."""
    user = session.get(t.User, user_id)
    if user is None:
        raise AdminDenied(404, f"No user {user_id}.")
    if user.id == actor.user_id:
        raise ActionError("you cannot disable yourself")
    if users.disable_user(session, user, now):
        _log(
            session,
            actor,
            "user.disable",
            f"user:{user.username}",
            {"before": {"disabled": False}, "after": {"disabled": True}},
            now,
        )
    return user


def add_token(
    session: Session, actor: Principal, user_id: int, name: str, now: dt.datetime
) -> tuple[t.ApiToken, str]:
    """A new API token for a user; the token is returned to show once, and only its prefix is audited."""
    refuse_control({"name": name})
    user = _enabled_user(session, user_id)
    users.sweep_unshown_tokens(session, now)
    try:
        row, token = users.create_token(session, user, name, now)
    except users.UserError as exc:
        raise ActionError(str(exc)) from None
    _log(
        session,
        actor,
        "token.add",
        f"token:{row.id}",
        {"user": user.username, "name": row.name, "prefix": row.prefix},
        now,
    )
    return row, token


def add_pending_token(
    session: Session, actor: Principal, user_id: int, name: str, holder: str, now: dt.datetime
) -> t.ApiToken:
    """A new API token for a user, to be issued and shown once to ``holder`` (``issue_token``).

    What the pages make: the token has no value yet, so the answer to the form holds none.
    """
    refuse_control({"name": name})
    user = _enabled_user(session, user_id)
    users.sweep_unshown_tokens(session, now)
    try:
        row = users.create_pending_token(session, user, name, holder, now)
    except users.UserError as exc:
        raise ActionError(str(exc)) from None
    _log(session, actor, "token.add", f"token:{row.id}", {"user": user.username, "name": row.name}, now)
    return row


def issue_token(
    session: Session, actor: Principal, token_id: int, holder: str, now: dt.datetime
) -> tuple[t.ApiToken, str]:
    """Make and return the value of a pending token for ``holder``, once (the page that shows it).

    ``AdminDenied`` says why not: no such token (404), another session's (403), shown already, not
    asked for in time or revoked (410).
    """
    since = now - dt.timedelta(minutes=users.TOKEN_SHOW_MINUTES)
    token = users.issue_token(session, token_id, holder, since)
    row = _shown_token(session, token_id)
    if token is None:
        raise AdminDenied(*(_not_showable(row, holder, since) or _not_shown_in_time(row)))
    _log(session, actor, "token.issue", f"token:{row.id}", {"name": row.name, "prefix": row.prefix}, now)
    return row, token


def check_showable(session: Session, token_id: int, holder: str, now: dt.datetime) -> None:
    """``AdminDenied`` as ``issue_token`` would raise it, without issuing (a HEAD of the page)."""
    since = now - dt.timedelta(minutes=users.TOKEN_SHOW_MINUTES)
    denied = _not_showable(_shown_token(session, token_id), holder, since)
    if denied is not None:
        raise AdminDenied(*denied)


def _shown_token(session: Session, token_id: int) -> t.ApiToken:
    """The token the page is for; ``AdminDenied`` (404) when there is none."""
    row = session.get(t.ApiToken, token_id)
    if row is None:
        raise AdminDenied(404, f"No API token {token_id}.")
    return row


def _not_showable(row: t.ApiToken, holder: str, since: dt.datetime) -> tuple[int, str] | None:
    """Why a token's value cannot be shown now (the status and the message); None when it can."""
    if not users.is_pending(row):
        return 410, (
            f"API token {row.id} ({row.prefix}…) was shown already: a token is shown once and never "
            "again. If it was lost, revoke it and create another."
        )
    if row.revoked_at is not None:
        return 410, f"API token {row.id} is revoked: it was never shown and can never be used."
    if row.token_hash != users.pending_mark(holder, row.id):
        return 403, f"API token {row.id} can be shown only in the sign-in session that created it."
    if utc(row.created_at) < since:
        return _not_shown_in_time(row)
    return None


def _not_shown_in_time(row: t.ApiToken) -> tuple[int, str]:
    """The answer for a token whose 10 minutes to be shown have passed."""
    return 410, (
        f"API token {row.id} was not shown within {users.TOKEN_SHOW_MINUTES} minutes of its creation, so it "
        "was never made and can never be used: create another (this one leaves the list by itself)."
    )


def _enabled_user(session: Session, user_id: int) -> t.User:
    user = session.get(t.User, user_id)
    if user is None or user.disabled_at is not None:
        raise AdminDenied(404, f"No enabled user {user_id}.")
    return user


def revoke_token(session: Session, actor: Principal, token_id: int, now: dt.datetime) -> t.ApiToken:
    """Revoke an API token."""
    try:
        row = users.revoke_token(session, token_id, now)
    except NotFoundError:
        raise AdminDenied(404, f"No API token {token_id}.") from None
    _log(session, actor, "token.revoke", f"token:{row.id}", {"name": row.name, "prefix": row.prefix}, now)
    return row
