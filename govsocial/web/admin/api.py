"""The admin API under ``/admin/api``: JSON for scripts, with a bearer token (``govsocial users token``).

Kept out of the public OpenAPI document (``/api/v1/openapi.json`` describes the open data only);
docs/admin.md lists the endpoints. 401 without a valid token, 403 when the token's user lacks the
role, 422 for a change that cannot be made as asked, or for a control character in a parameter or a
field (``web/inputs.py``: PostgreSQL refuses NUL in text, so it would be a 500 there). Every change
is audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from pydantic import AfterValidator, BaseModel, Field
from sqlalchemy import select
from starlette.datastructures import UploadFile

from govsocial.collect.runs import run_record
from govsocial.registry import review
from govsocial.store import audit, users
from govsocial.store import tables as t
from govsocial.store.db import transaction
from govsocial.store.times import utc
from govsocial.web.admin import actions
from govsocial.web.admin.auth import (
    API_PREFIX,
    FORM_OVERHEAD,
    AdminDenied,
    Principal,
    api_user,
    check_body_size,
    now_of,
)
from govsocial.web.admin.refresh import refresher_of
from govsocial.web.deps import MAX_INT, get_state
from govsocial.web.inputs import without_control

ViewerKey = Annotated[Principal, Depends(api_user("viewer"))]
EditorKey = Annotated[Principal, Depends(api_user("editor"))]
AdminKey = Annotated[Principal, Depends(api_user("admin"))]
Id = Annotated[int, Path(ge=1, le=MAX_INT)]
#: A text field: no control characters (tab, line feed and carriage return are whitespace, and allowed).
Text = Annotated[str, AfterValidator(without_control)]
#: The multipart fields of an import besides its file.
IMPORT_FIELDS = ("format", "platform", "account", "timezone", "date_order")
#: How a refusal of a file whose dates could be read either way tells a script to say the order.
API_DATE_OPTIONS = "date_order=day_first or date_order=month_first"


class StatusChange(BaseModel):
    """A new status for an account and why."""

    status: Text = Field(description="published, under_review or archived")
    reason: Text = Field(min_length=1, max_length=actions.REASON_MAX)


class Note(BaseModel):
    """A note to add to an account."""

    note: Text = Field(min_length=1, max_length=actions.NOTE_MAX)


class AccountIn(BaseModel):
    """An account to add, by its URL, with the evidence that it is official."""

    org_code: Text = Field(min_length=1, max_length=64)
    url: Text = Field(min_length=1, max_length=500)
    evidence_url: Text = Field(min_length=1, max_length=1000)
    evidence_note: Text | None = Field(default=None, max_length=2000)
    display_name_en: Text | None = Field(default=None, max_length=300)
    display_name_zh_hant: Text | None = Field(default=None, max_length=300)
    status: Text = "under_review"


class TokenIn(BaseModel):
    """A label for a new API token."""

    name: Text = Field(min_length=1, max_length=100)


def router() -> APIRouter:
    """The admin API's router."""
    r = APIRouter(prefix=API_PREFIX, include_in_schema=False)
    r.add_api_route("/whoami", whoami, methods=["GET"])
    r.add_api_route("/audit", audit_log, methods=["GET"])
    r.add_api_route("/runs", runs, methods=["GET"])
    r.add_api_route("/runs/{run_id}", run, methods=["GET"])
    r.add_api_route("/accounts", add_account, methods=["POST"], status_code=201)
    r.add_api_route("/accounts/{account_id}/status", account_status, methods=["POST", "PATCH"])
    r.add_api_route("/accounts/{account_id}/notes", account_note, methods=["POST"])
    r.add_api_route("/accounts/{account_id}/reviewed", account_reviewed, methods=["POST"])
    r.add_api_route("/review-due", review_due, methods=["GET"])
    r.add_api_route("/accounts/{account_id}/schedule/{action}", schedule, methods=["POST"])
    r.add_api_route("/import", import_file, methods=["POST"])
    r.add_api_route("/users", list_users, methods=["GET"])
    r.add_api_route("/users/{user_id}/tokens", add_token, methods=["POST"], status_code=201)
    r.add_api_route("/tokens/{token_id}/revoke", revoke_token, methods=["POST"])
    return r


def _iso(value: dt.datetime | None) -> str | None:
    """A stored time as ISO 8601 in UTC with its offset, the same text from either store (SQLite
    gives it back without a zone)."""
    return utc(value).isoformat() if value else None


def _account_json(account: t.Account) -> dict[str, Any]:
    return {
        "id": account.id,
        "platform": account.platform,
        "handle": account.handle,
        "status": account.status.value,
        "url": account.url,
        "archived_on": account.archived_on.isoformat() if account.archived_on else None,
        "archived_reason": account.archived_reason,
        "reviewed_on": account.reviewed_on.isoformat() if account.reviewed_on else None,
        "notes": account.notes,
    }


def _run(request: Request, me: Principal, change: Any, *args: Any) -> Any:
    """Run ``change`` in one transaction; an ``ActionError`` is a 422."""
    try:
        with transaction(get_state(request).sessions) as session:
            return change(session, me, *args, now_of(request))
    except actions.ActionError as exc:
        raise AdminDenied(422, str(exc)) from None


# --- Reading -------------------------------------------------------------------------------------


def whoami(me: ViewerKey) -> dict[str, Any]:
    """The token's user and role."""
    return {"username": me.username, "role": me.role, "via": me.via}


def audit_log(
    request: Request,
    me: ViewerKey,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_INT)] = 0,
    action: Annotated[str | None, Query(max_length=64)] = None,
) -> dict[str, Any]:
    """The audit log, newest first."""
    with get_state(request).sessions() as session:
        rows = audit.recent(session, limit, offset, action)
    data = [
        {
            "id": e.id,
            "at": _iso(e.at),
            "user": name,
            "action": e.action,
            "target": e.target,
            "details": e.details,
            "ip": e.ip,
        }
        for e, name in rows
    ]
    return {"data": data, "count": len(data)}


def runs(request: Request, me: ViewerKey, limit: Annotated[int, Query(ge=1, le=500)] = 20) -> dict[str, Any]:
    """Recent collection and import runs."""
    with get_state(request).sessions() as session:
        found = session.scalars(
            select(t.CollectionRun).order_by(t.CollectionRun.id.desc()).limit(limit)
        ).all()
        data = [run_record(r, details=False) for r in found]
    return {"data": data, "count": len(data)}


def run(request: Request, me: ViewerKey, run_id: Id) -> dict[str, Any]:
    """One run, with its errors and gaps: what ``/admin/runs/{id}`` shows."""
    with get_state(request).sessions() as session:
        found = session.get(t.CollectionRun, run_id)
        if found is None:
            raise AdminDenied(404, f"No run {run_id}.")
        return run_record(found)


# --- Changes -------------------------------------------------------------------------------------


def account_status(request: Request, me: EditorKey, account_id: Id, body: StatusChange) -> dict[str, Any]:
    """Change an account's status (POST or PATCH)."""
    account = _run(request, me, actions.set_status, account_id, body.status, body.reason)
    return _account_json(account)


def account_note(request: Request, me: EditorKey, account_id: Id, body: Note) -> dict[str, Any]:
    """Add a note to an account."""
    return _account_json(_run(request, me, actions.add_note, account_id, body.note))


def account_reviewed(request: Request, me: EditorKey, account_id: Id) -> dict[str, Any]:
    """Record that the account was reviewed today."""
    return _account_json(_run(request, me, actions.mark_reviewed, account_id))


def review_due(request: Request, me: ViewerKey) -> dict[str, Any]:
    """The accounts of the portal's jurisdiction due for review, as ``registry review-due`` lists them."""
    state = get_state(request)
    settings = state.settings
    with state.sessions() as session:
        due = review.due_for_review(
            session, settings.jurisdiction, settings.review_interval_days, now_of(request).date()
        )
        data = [_account_json(account) for account in due]
    return {"data": data, "count": len(data)}


def add_account(request: Request, me: EditorKey, body: AccountIn) -> dict[str, Any]:
    """Add an account with its evidence (status under_review unless said otherwise)."""
    jurisdiction = get_state(request).settings.jurisdiction

    def change(session: Any, actor: Principal, now: dt.datetime) -> dict[str, Any]:
        account, outcome = actions.add_account(
            session, actor, jurisdiction, actions.NewAccount(**body.model_dump()), now
        )
        return {**_account_json(account), "outcome": outcome}

    result: dict[str, Any] = _run(request, me, change)
    return result


def schedule(request: Request, me: EditorKey, account_id: Id, action: str) -> dict[str, Any]:
    """Pause, resume or run now an account's scheduled collection."""
    settings = get_state(request).settings

    def change(session: Any, actor: Principal, now: dt.datetime) -> dict[str, Any]:
        row = actions.control_schedule(session, actor, account_id, action, settings, now)
        return {"account_id": account_id, "enabled": row.enabled, "next_due_at": _iso(row.next_due_at)}

    result: dict[str, Any] = _run(request, me, change)
    return result


async def import_file(request: Request, me: EditorKey) -> dict[str, Any]:
    """Import an export file sent as multipart field ``file`` (and optional ``format``, ``platform``,
    ``account``, ``timezone``, ``date_order``); answers the run's summary, with ``metrics_refresh``:
    the metrics of the jurisdictions it stored rows under are recomputed in the background
    (``refresh.py``). An ``account`` the registry does not have is a 422 before any run."""
    state = get_state(request)
    await check_body_size(request, state.settings.admin_upload_max_bytes + FORM_OVERHEAD)
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise AdminDenied(422, "send the file as the multipart field 'file'")
    options = {n: v.strip() or None if isinstance(v := form.get(n), str) else None for n in IMPORT_FIELDS}
    _refuse_control(options)
    now, refresher = now_of(request), refresher_of(request)

    def import_then_queue() -> dict[str, Any]:
        summary = actions.run_import(
            state.engine,
            state.settings,
            me,
            upload.file,
            upload.filename or "upload",
            options,
            now,
            API_DATE_OPTIONS,
        )
        # The metrics follow in the background: the answer says "pending" (GET /runs/{id} then).
        return {**summary.as_dict(), "metrics_refresh": refresher.after_run(summary, now)}

    try:
        answer: dict[str, Any] = await run_in_threadpool(import_then_queue)
    except actions.ImportFailed as exc:
        raise AdminDenied(422, f"{exc} (run {exc.run_id}, recorded as failed)") from None
    except actions.ActionError as exc:
        raise AdminDenied(422, str(exc)) from None
    return answer


def _refuse_control(fields: dict[str, str | None]) -> None:
    """The 422 of a JSON field for each multipart field that holds a control character (the
    account is looked up in the store, where a NUL is a 500 on PostgreSQL)."""
    invalid = []
    for name, value in fields.items():
        try:
            without_control(value or "")
        except ValueError as exc:
            invalid.append(
                {"type": "value_error", "loc": ("body", name), "msg": f"Value error, {exc}", "input": value}
            )
    if invalid:
        raise RequestValidationError(invalid)


def list_users(request: Request, me: AdminKey) -> dict[str, Any]:
    """Users with their roles and tokens (prefixes only; tokens made on the users page and not shown
    in time are retired first, as the page does)."""
    with transaction(get_state(request).sessions) as session:
        people, tokens = users.users_and_tokens(session, now_of(request))
        data = [
            {
                "id": u.id,
                "username": u.username,
                "role": u.role,
                "created_at": _iso(u.created_at),
                "disabled_at": _iso(u.disabled_at),
                "tokens": [
                    {"id": k.id, "name": k.name, "prefix": k.prefix, "revoked_at": _iso(k.revoked_at)}
                    for k in tokens
                    if k.user_id == u.id
                ],
            }
            for u in people
        ]
    return {"data": data, "count": len(data)}


def add_token(request: Request, me: AdminKey, user_id: Id, body: TokenIn) -> dict[str, Any]:
    """A new API token for a user: the answer holds it, this once."""
    row, token = _run(request, me, actions.add_token, user_id, body.name)
    return {"id": row.id, "name": row.name, "prefix": row.prefix, "token": token}


def revoke_token(request: Request, me: AdminKey, token_id: Id) -> dict[str, Any]:
    """Revoke an API token."""
    row = _run(request, me, actions.revoke_token, token_id)
    return {"id": row.id, "revoked_at": _iso(row.revoked_at)}
