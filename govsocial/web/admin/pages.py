"""The admin pages under ``/admin``: sign-in, the collection overview, the audit log, account edits,
imports, and users and tokens.

Server-rendered, English only (the area is for staff; docs/admin.md), from ``templates/admin`` with
its own base template, no scripts, and a CSRF token in every form. Each POST answers with a
redirect (303) to the page that shows the result, so reloading never repeats a change.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.datastructures import FormData, UploadFile

from govsocial.registry import review
from govsocial.settings import Settings
from govsocial.store import audit, queries, users
from govsocial.store import tables as t
from govsocial.store.db import transaction
from govsocial.store.times import utc
from govsocial.web.admin import actions
from govsocial.web.admin.auth import (
    CLIENT_FACTOR,
    CSRF_FIELD,
    LOGIN_COOKIE,
    NO_STORE,
    SESSION_COOKIE,
    AdminDenied,
    Principal,
    address_of,
    check_body_size,
    clear_cookie,
    login_token,
    now_of,
    page_user,
    same,
    set_cookie,
)
from govsocial.web.admin.refresh import refresher_of
from govsocial.web.caching import HEAD_AS_GET
from govsocial.web.deps import MAX_INT, get_state
from govsocial.web.pages.render import TEMPLATES

PREFIX = "/admin"
#: A sign-in form is a few fields: anything bigger is not one.
LOGIN_BODY_MAX = 16 * 1024
PAGE_ROWS = 100

Viewer = Annotated[Principal, Depends(page_user("viewer"))]
Editor = Annotated[Principal, Depends(page_user("editor"))]
Admin = Annotated[Principal, Depends(page_user("admin"))]


async def posted_form(request: Request) -> FormData:
    """The POSTed form (read once by the user dependency, after its size and CSRF checks), each of
    its fields without control characters: one holding one is refused with a 400 page naming it
    (``actions.refuse_control``), before anything is looked up or changed. For the forms whose
    handler calls no action of ``actions`` and shows no field to correct (the alerts page's
    enable and disable buttons); the forms whose handlers refuse control characters themselves, to
    show the refusal beside the field (the new alert rule), or through an action, are
    ``ActionForm``."""
    form = await request.form()
    try:
        actions.refuse_control({name: value for name, value in form.multi_items() if isinstance(value, str)})
    except actions.ControlCharacter as exc:
        raise AdminDenied(400, str(exc)) from None
    return form


async def action_form(request: Request) -> FormData:
    """The POSTed form of a handler that gives its fields to an action of ``actions``, which
    refuses control characters itself, for the pages and the API alike (``refuse_control``): the
    refusal is answered as the form answers any other (a 400 page, the import form again)."""
    return await request.form()


async def login_form(request: Request) -> FormData:
    """The sign-in form, refused before reading when it is larger than a sign-in form can be."""
    await check_body_size(request, LOGIN_BODY_MAX)
    return await request.form()


Form = Annotated[FormData, Depends(posted_form)]
ActionForm = Annotated[FormData, Depends(action_form)]
#: An id in a path: bounded, so an absurd number is a 422 rather than a driver error.
Id = Annotated[int, Path(ge=1, le=MAX_INT)]


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The admin templates' Jinja environment: autoescaped, strict about missing names."""
    return Environment(
        loader=FileSystemLoader(TEMPLATES / "admin"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
    )


def render(template: str, me: Principal | None, status: int = 200, **context: Any) -> HTMLResponse:
    """An admin page, never stored by any cache."""
    html = environment().get_template(template).render(me=me, csrf_field=CSRF_FIELD, **context)
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": NO_STORE})


def message_page(status: int, message: str, me: Principal | None = None) -> HTMLResponse:
    """A short page for a refusal or an error, with a way back."""
    return render("message.html", me, status=status, status_code=status, message=message)


def redirect(url: str) -> RedirectResponse:
    """Post/redirect/get: the answer to a change."""
    return RedirectResponse(url, status_code=303, headers={"Cache-Control": NO_STORE})


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _optional(form: FormData, name: str) -> str | None:
    return _text(form, name).strip() or None


#: The longest page address sign-in returns to: longer ones (no admin page needs one) go to the overview.
RETURN_MAX = 2000


def sign_in_url(request: Request) -> str:
    """The sign-in page for a request without a session: a page asked for by GET (an e-mailed link
    to ``/admin/alerts``, say) is named in ``next``, so signing in leads back to it."""
    path = request.url.path
    if request.method not in {"GET", "HEAD"} or path in {PREFIX, PREFIX + "/"}:
        return f"{PREFIX}/login"
    wanted = path + (f"?{request.url.query}" if request.url.query else "")
    back = return_path(wanted)
    return f"{PREFIX}/login" if back is None else f"{PREFIX}/login?{urlencode({'next': back})}"


def return_path(value: str | None) -> str | None:
    """``value`` if it is an admin page's path to return to after signing in, else None.

    Only a path of this site's admin area is followed: an absolute address, ``//host`` or a
    backslash (which browsers read as a slash) would make the sign-in page send a user elsewhere
    (an open redirect), and the sign-in and sign-out pages would loop."""
    if not value or len(value) > RETURN_MAX or "\\" in value or not value.isprintable():
        return None
    path = value.split("?", 1)[0]
    in_admin = path == PREFIX or path.startswith(PREFIX + "/")
    if not in_admin or path in {f"{PREFIX}/login", f"{PREFIX}/logout"}:
        return None
    return value


def _to_overview() -> RedirectResponse:
    return RedirectResponse(f"{PREFIX}/", status_code=307, headers={"Cache-Control": NO_STORE})


def router() -> APIRouter:
    """The admin pages' router (kept out of the OpenAPI document)."""
    r = APIRouter(prefix=PREFIX, include_in_schema=False)
    r.add_api_route("/login", login_page, methods=["GET"])
    r.add_api_route("/login", login, methods=["POST"])
    r.add_api_route("/logout", logout, methods=["POST"])
    r.add_api_route("/", overview, methods=["GET"])
    # /admin without its slash: the portal answers unknown top-level names with a 404 at once.
    r.add_api_route("", _to_overview, methods=["GET"])
    r.add_api_route("/audit", audit_page, methods=["GET"])
    r.add_api_route("/accounts", accounts_page, methods=["GET"])
    r.add_api_route("/accounts/new", new_account_page, methods=["GET"])
    r.add_api_route("/accounts/new", new_account, methods=["POST"])
    r.add_api_route("/accounts/{account_id}", account_page, methods=["GET"])
    r.add_api_route("/accounts/{account_id}/status", account_status, methods=["POST"])
    r.add_api_route("/accounts/{account_id}/note", account_note, methods=["POST"])
    r.add_api_route("/accounts/{account_id}/reviewed", account_reviewed, methods=["POST"])
    r.add_api_route("/review", review_page, methods=["GET"])
    r.add_api_route("/accounts/{account_id}/schedule", account_schedule, methods=["POST"])
    r.add_api_route("/import", import_page, methods=["GET"])
    r.add_api_route("/import", import_file, methods=["POST"])
    r.add_api_route("/runs/{run_id}", run_page, methods=["GET"])
    r.add_api_route("/users", users_page, methods=["GET"])
    r.add_api_route("/users", add_user, methods=["POST"])
    r.add_api_route("/users/{user_id}/disable", disable_user, methods=["POST"])
    r.add_api_route("/users/{user_id}/tokens", add_token, methods=["POST"])
    r.add_api_route("/tokens/{token_id}", show_token, methods=["GET"])
    r.add_api_route("/tokens/{token_id}/revoke", revoke_token, methods=["POST"])
    return r


# --- Signing in and out --------------------------------------------------------------------------


def login_page(request: Request, back: Annotated[str, Query(alias="next")] = "") -> Response:
    """The sign-in form, with its CSRF value in a cookie and in the form, and the page to return to
    (``next``, when it is an admin page: :func:`return_path`)."""
    token, is_new = login_token(request)
    response = render("login.html", None, token=token, error=None, back=return_path(back))
    if is_new:
        set_cookie(response, get_state(request).settings, LOGIN_COOKIE, token, max_age=3600)
    return response


async def login(request: Request, form: Annotated[FormData, Depends(login_form)]) -> Response:
    """Check the CSRF value, the rate limit and the password; start a session."""
    token = request.cookies.get(LOGIN_COOKIE)
    if not same(_text(form, CSRF_FIELD), token):
        raise AdminDenied(
            403, "The sign-in form's security token is missing or out of date: reload and retry."
        )
    username, password = _text(form, "username").strip(), _text(form, "password")
    cookie = await run_in_threadpool(_sign_in, request, username, password)
    back = return_path(_text(form, "next"))
    if cookie is None:
        error = "Wrong username or password."
        return render("login.html", None, status=401, token=token, error=error, back=back)
    settings = get_state(request).settings
    response = redirect(back or f"{PREFIX}/")
    set_cookie(response, settings, SESSION_COOKIE, cookie, max_age=settings.admin_session_minutes * 60)
    clear_cookie(response, settings, LOGIN_COOKIE)
    return response


def _sign_in(request: Request, username: str, password: str) -> str | None:
    """The new session's cookie value, None for a wrong password; ``AdminDenied`` 429 when locked."""
    state, now, client = get_state(request), now_of(request), address_of(request)
    settings = state.settings
    _admit(state.sessions, settings, username, client, now)
    with transaction(state.sessions) as session:
        user = users.authenticate(session, username, password)
        if user is None:
            # The attempt is already counted as a failure (_admit); it only remains to audit it.
            known = users.find_user(session, username)
            # A username that names nobody is not logged: it may be a password typed in the wrong field.
            target = f"user:{known.username}" if known else "user:(unknown)"
            audit.record(session, known.id if known else None, "login.failure", target, {}, client, now)
            return None
        # Takes back this attempt's provisional failure too.
        users.clear_failures(session, username)
        # A session this browser had before ends: each sign-in gets a new one (no session fixation).
        users.end_session(session, request.cookies.get(SESSION_COOKIE, ""))
        cookie, _row = users.start_session(session, user, now, settings.admin_session_minutes)
        audit.record(session, user.id, "login", f"user:{user.username}", {}, client, now)
        return cookie


def _admit(
    sessions: sessionmaker[Session], settings: Settings, username: str, client: str, now: dt.datetime
) -> None:
    """Count this sign-in as a failure, committed before its password is checked, unless the
    username or the client is locked out (``AdminDenied`` 429, and the attempt is not counted).

    Counting first and committing at once is what makes the limit hold under concurrent sign-ins:
    were the failures counted, the password checked (a third of a second) and only then the failure
    written, every sign-in sent at the same time would see the same count and the limit would allow
    as many guesses as requests in flight. Each attempt sees at least as many rows as attempts
    committed before it, so at most the limit of them go on to the password check.
    """
    with transaction(sessions) as session:
        attempt = t.LoginFailure(at=now, username_hash=users.digest(username), client=users.digest(client))
        session.add(attempt)
        session.flush()
        attempt_id = attempt.id
    since = now - dt.timedelta(minutes=settings.admin_login_window_minutes)
    with transaction(sessions) as session:
        counted = users.recent_failures(session, username, client, since)
        # The counts include this attempt: the failures before it are one fewer.
        locked = _locked(users.Failures(counted.by_username - 1, counted.by_client - 1), settings)
        if locked:
            # A refused attempt is not a failure: the lock ends when the oldest failure leaves the window.
            session.execute(delete(t.LoginFailure).where(t.LoginFailure.id == attempt_id))
    if locked:
        _audit_lockout(sessions, settings, username, client, now)
        raise AdminDenied(
            429,
            f"Too many failed sign-ins: try again in {settings.admin_login_window_minutes} minutes.",
            {"Retry-After": str(settings.admin_login_window_minutes * 60)},
        )


def _locked(failures: users.Failures, settings: Settings) -> bool:
    limit = settings.admin_login_max_failures
    return failures.by_username >= limit or failures.by_client >= limit * CLIENT_FACTOR


def _audit_lockout(
    sessions: sessionmaker[Session], settings: Settings, username: str, client: str, now: dt.datetime
) -> None:
    """Log the start of a lock-out: a ``login.locked`` row for each key that is locked (the username,
    the client), unless that key's lock-out was logged within the window already.

    Not one row per refused attempt: refusals cost an attacker nothing (no failure is counted, no
    password checked), and a row each would let them fill the log. Each failure that led to the
    lock-out is in the log already (``login.failure``). A username that names nobody is logged as
    ``user:(unknown)``, in no form at all, not even hashed: it may be a password typed in the wrong
    field, and a hash of a password can be looked up in a dictionary by anyone who reads the log.
    So every unknown username shares that one key, and the client's key is its network (what the
    log keeps of an address).
    """
    window = dt.timedelta(minutes=settings.admin_login_window_minutes)
    limit = settings.admin_login_max_failures
    since = now - window
    with transaction(sessions) as session:
        by_username = users.failure_times(session, since, username=username)
        if len(by_username) >= limit:
            known = users.find_user(session, username)
            target = f"user:{known.username}" if known else "user:(unknown)"
            details = _lock_details("username", by_username, limit, window)
            audit.record_once(
                session, since, known.id if known else None, "login.locked", target, details, client, now
            )
        by_client = users.failure_times(session, since, client=client)
        if len(by_client) >= limit * CLIENT_FACTOR:
            target = f"network:{audit.network_of(client) or '(unknown)'}"
            details = _lock_details("address", by_client, limit * CLIENT_FACTOR, window)
            audit.record_once(session, since, None, "login.locked", target, details, client, now)


def _lock_details(key: str, failures: list[dt.datetime], limit: int, window: dt.timedelta) -> dict[str, Any]:
    """What a lock-out row says: what is locked, by how many failures, and until when.

    The lock ends when enough of the oldest failures have left the window to bring the count under
    the limit. Refused attempts are not counted, so only failures already in flight could move it.
    """
    until = failures[len(failures) - limit] + window
    return {"by": key, "failures": len(failures), "limit": limit, "until": until.isoformat()}


def logout(request: Request, me: Viewer) -> Response:
    """End the session here and in the store."""
    state = get_state(request)
    with transaction(state.sessions) as session:
        users.end_session(session, request.cookies.get(SESSION_COOKIE, ""))
        audit.record(session, me.user_id, "logout", f"user:{me.username}", {}, me.address, now_of(request))
    response = redirect(f"{PREFIX}/login")
    clear_cookie(response, state.settings, SESSION_COOKIE)
    return response


# --- Reading -------------------------------------------------------------------------------------


def overview(request: Request, me: Viewer) -> Response:
    """Recent collection and import runs, quarantined records, paused schedules."""
    with get_state(request).sessions() as session:
        runs = session.scalars(select(t.CollectionRun).order_by(t.CollectionRun.id.desc()).limit(20)).all()
        # Met most recently first: a record met again (a file imported again) is one row, and it
        # belongs at the top, not where it was first stored.
        quarantined = session.scalars(
            select(t.QuarantinedRecord)
            .order_by(t.QuarantinedRecord.last_seen_at.desc(), t.QuarantinedRecord.id.desc())
            .limit(20)
        ).all()
        quarantine_total = session.scalar(select(func.count()).select_from(t.QuarantinedRecord)) or 0
        paused = session.execute(
            select(t.Account.id, t.Account.platform, t.Account.handle)
            .join(t.CollectionSchedule, t.CollectionSchedule.account_id == t.Account.id)
            .where(t.CollectionSchedule.enabled.is_(False))
            .order_by(t.Account.platform, t.Account.handle)
        ).all()
        return render(
            "overview.html",
            me,
            runs=runs,
            quarantined=quarantined,
            quarantine_total=quarantine_total,
            paused=paused,
        )


def audit_page(request: Request, me: Viewer, offset: int = 0) -> Response:
    """The audit log, newest first."""
    offset = max(0, min(offset, MAX_INT))
    with get_state(request).sessions() as session:
        rows = audit.recent(session, PAGE_ROWS, offset)
    return render("audit.html", me, rows=rows, offset=offset, page_rows=PAGE_ROWS)


def accounts_page(request: Request, me: Viewer, q: str = "") -> Response:
    """Accounts whose handle, name or URL contains ``q`` (the first 100)."""
    q = q.strip()[:200]
    query = select(t.Account).order_by(t.Account.platform, t.Account.handle).limit(PAGE_ROWS)
    if q:  # as the portal's search: "%" and "_" are plain characters, any letter in either case
        query = query.where(queries.text_match(q, t.Account.handle, t.Account.display_name_en, t.Account.url))
    with get_state(request).sessions() as session:
        accounts = session.scalars(query).all()
    return render("accounts.html", me, accounts=accounts, q=q)


def account_page(request: Request, me: Viewer, account_id: Id) -> Response:
    """One account: its status and notes, its collection schedule, and the forms that change them."""
    with get_state(request).sessions() as session:
        account = session.get(t.Account, account_id)
        if account is None:
            return message_page(404, f"No account {account_id}.", me)
        schedule = session.get(t.CollectionSchedule, account.id)
        return render(
            "account.html",
            me,
            account=account,
            schedule=schedule,
            statuses=[s.value for s in t.AccountStatus],
        )


# --- Changes -------------------------------------------------------------------------------------


def _apply(request: Request, me: Principal, change: Any, *args: Any) -> Response | None:
    """Run ``change`` in one transaction with the time of the request; an ``ActionError`` is a 400 page."""
    try:
        with transaction(get_state(request).sessions) as session:
            change(session, me, *args, now_of(request))
    except actions.ActionError as exc:
        return message_page(400, str(exc), me)
    return None


def account_status(request: Request, me: Editor, form: ActionForm, account_id: Id) -> Response:
    """Change an account's status."""
    failed = _apply(request, me, actions.set_status, account_id, _text(form, "status"), _text(form, "reason"))
    return failed or redirect(f"{PREFIX}/accounts/{account_id}")


def account_reviewed(request: Request, me: Editor, form: ActionForm, account_id: Id) -> Response:
    """Record that the account was reviewed today."""
    failed = _apply(request, me, actions.mark_reviewed, account_id)
    return failed or redirect(f"{PREFIX}/accounts/{account_id}")


def review_page(request: Request, me: Viewer) -> Response:
    """The accounts of the portal's jurisdiction due for review, as ``registry review-due`` lists them."""
    state = get_state(request)
    settings = state.settings
    with state.sessions() as session:
        due = review.due_for_review(
            session, settings.jurisdiction, settings.review_interval_days, now_of(request).date()
        )
        return render("review.html", me, accounts=due, interval=settings.review_interval_days)


def account_note(request: Request, me: Editor, form: ActionForm, account_id: Id) -> Response:
    """Add a note to an account."""
    failed = _apply(request, me, actions.add_note, account_id, _text(form, "note"))
    return failed or redirect(f"{PREFIX}/accounts/{account_id}")


def account_schedule(request: Request, me: Editor, form: ActionForm, account_id: Id) -> Response:
    """Pause, resume or run an account's collection now."""
    settings = get_state(request).settings

    def control(session: Any, actor: Principal, action: str, now: dt.datetime) -> None:
        actions.control_schedule(session, actor, account_id, action, settings, now)

    failed = _apply(request, me, control, _text(form, "action"))
    return failed or redirect(f"{PREFIX}/accounts/{account_id}")


def new_account_page(request: Request, me: Editor) -> Response:
    """The add-account form."""
    return render("account_new.html", me, statuses=[s.value for s in t.AccountStatus])


def new_account(request: Request, me: Editor, form: ActionForm) -> Response:
    """Add an account with its evidence."""
    new = actions.NewAccount(
        org_code=_text(form, "org_code").strip(),
        url=_text(form, "url").strip(),
        evidence_url=_text(form, "evidence_url").strip(),
        evidence_note=_optional(form, "evidence_note"),
        display_name_en=_optional(form, "display_name_en"),
        display_name_zh_hant=_optional(form, "display_name_zh_hant"),
        status=_text(form, "status") or "under_review",
    )
    jurisdiction = get_state(request).settings.jurisdiction
    try:
        with transaction(get_state(request).sessions) as session:
            account, _outcome = actions.add_account(session, me, jurisdiction, new, now_of(request))
            account_id = account.id
    except actions.ActionError as exc:
        return message_page(400, str(exc), me)
    return redirect(f"{PREFIX}/accounts/{account_id}")


IMPORT_OPTIONS = ("format", "platform", "account", "timezone", "date_order")
#: The form's "Dates in the file" choices: (value, label), the value ``actions.run_import``'s
#: ``date_order`` (empty: automatic, as the file's dates show).
DATE_ORDERS = (("", "Automatic"), ("day_first", "Day first"), ("month_first", "Month first"))
#: How a refusal of a file whose dates could be read either way tells the form's user to say the
#: order (the command's words name ``--day-first`` and ``--month-first``).
FORM_DATE_OPTIONS = '"Dates in the file": "Day first" or "Month first"'


def import_page(request: Request, me: Editor) -> Response:
    """The import form."""
    return _import_form(request, me)


def _import_form(
    request: Request, me: Principal, status: int = 200, error: str | None = None, **values: str | None
) -> Response:
    """The import form, with a refusal and the options as sent when the form is answered again."""
    return render(
        "import.html",
        me,
        status=status,
        error=error,
        values={name: values.get(name) or "" for name in IMPORT_OPTIONS},
        limit=get_state(request).settings.admin_upload_max_bytes,
        date_orders=DATE_ORDERS,
    )


def import_file(request: Request, me: Editor, form: ActionForm) -> Response:
    """Import an uploaded export file and send the browser to its run's page (post/redirect/get).

    A reload of that page shows the stored run again and never imports the file a second time. A
    form that cannot start a run (no file, an unknown format or time zone, a control character in
    an option or the file's name, a file the importers refuse to read, an account the registry
    does not have) is answered with the form again and a 400; a file over the limit is a 413.
    """
    upload = form.get("file")
    options = {name: _optional(form, name) for name in IMPORT_OPTIONS}
    if not isinstance(upload, UploadFile):
        return _import_form(request, me, 400, "Choose a file to import.", **options)
    state = get_state(request)
    try:
        summary = actions.run_import(
            state.engine,
            state.settings,
            me,
            upload.file,
            upload.filename or "upload",
            options,
            now_of(request),
            FORM_DATE_OPTIONS,
        )
    except actions.ImportFailed as exc:  # it began: its run, recorded as failed, says why
        return redirect(f"{PREFIX}/runs/{exc.run_id}")
    except actions.ActionError as exc:
        return _import_form(request, me, 400, str(exc), **options)
    # The metrics follow in the background: the run's page says pending, then done or failed.
    refresher_of(request).after_run(summary, now_of(request))
    return redirect(f"{PREFIX}/runs/{summary.run_id}")


def run_page(request: Request, me: Viewer, run_id: Id) -> Response:
    """One collection or import run as stored: its outcome, counts, errors, gaps and quarantine.

    Where an import's form leads, and what any signed-in session sees of the run afterwards: the
    run record holds everything the import reported, so the page is the same for every reader.
    """
    with get_state(request).sessions() as session:
        run = session.get(t.CollectionRun, run_id)
        if run is None:
            return message_page(404, f"No run {run_id}.", me)
        imported = session.execute(
            select(t.AuditEntry, t.User.username)
            .outerjoin(t.User, t.User.id == t.AuditEntry.user_id)
            .where(t.AuditEntry.action == "import", t.AuditEntry.target == f"run:{run_id}")
            .order_by(t.AuditEntry.id.desc())
            .limit(1)
        ).first()
        met = or_(t.QuarantinedRecord.run_id == run_id, t.QuarantinedRecord.last_run_id == run_id)
        quarantined = session.scalars(
            select(t.QuarantinedRecord).where(met).order_by(t.QuarantinedRecord.id).limit(PAGE_ROWS)
        ).all()
        quarantine_total = session.scalar(select(func.count(t.QuarantinedRecord.id)).where(met)) or 0
        return render(
            "run.html",
            me,
            run=run,
            imported=imported,
            quarantined=quarantined,
            quarantine_total=quarantine_total,
            page_rows=PAGE_ROWS,
        )


def users_page(request: Request, me: Admin) -> Response:
    """Users and API tokens; tokens made here and not shown in time are retired first (docs/admin.md)."""
    now = now_of(request)
    with transaction(get_state(request).sessions) as session:
        people, tokens = users.users_and_tokens(session, now)
        names = {u.id: u.username for u in people}
        return render(
            "users.html",
            me,
            people=people,
            tokens=tokens,
            names=names,
            roles=users.ROLES,
            show_minutes=users.TOKEN_SHOW_MINUTES,
            pending_until={
                k.id: utc(k.created_at) + dt.timedelta(minutes=users.TOKEN_SHOW_MINUTES)
                for k in tokens
                if users.is_pending(k)
            },
        )


def add_user(request: Request, me: Admin, form: ActionForm) -> Response:
    """Create a user."""
    failed = _apply(
        request, me, actions.add_user, _text(form, "username"), _text(form, "role"), _text(form, "password")
    )
    return failed or redirect(f"{PREFIX}/users")


def disable_user(request: Request, me: Admin, user_id: Id) -> Response:
    """Disable a user."""
    failed = _apply(request, me, actions.disable_user, user_id)
    return failed or redirect(f"{PREFIX}/users")


def add_token(request: Request, me: Admin, form: ActionForm, user_id: Id) -> Response:
    """Create an API token and send the browser to the page that shows it (post/redirect/get).

    The answer holds no token: the token gets its value only when that page is asked for, by this
    session, once. Reloading the page or going back to it never makes a second token or shows
    this one again; nothing in a URL, cookie or log ever holds the value.
    """
    try:
        with transaction(get_state(request).sessions) as session:
            row = actions.add_pending_token(
                session, me, user_id, _text(form, "name"), _holder(request), now_of(request)
            )
            token_id = row.id
    except actions.ActionError as exc:
        return message_page(400, str(exc), me)
    return redirect(f"{PREFIX}/tokens/{token_id}")


def show_token(request: Request, me: Admin, token_id: Id) -> Response:
    """Show a new API token, this once, to the session that created it (``no-store``, as every page)."""
    if request.scope.get(HEAD_AS_GET):
        # A HEAD says what the GET would answer now, and never issues: the token would be made unseen.
        with get_state(request).sessions() as session:
            actions.check_showable(session, token_id, _holder(request), now_of(request))
        return HTMLResponse(b"", headers={"Cache-Control": NO_STORE})
    with transaction(get_state(request).sessions) as session:
        row, token = actions.issue_token(session, me, token_id, _holder(request), now_of(request))
        name = row.name
    return render("token.html", me, token=token, name=name, token_id=token_id)


def _holder(request: Request) -> str:
    """The secret that binds a new token to this sign-in: the session cookie (checked by ``Admin``)."""
    return request.cookies.get(SESSION_COOKIE, "")


def revoke_token(request: Request, me: Admin, token_id: Id) -> Response:
    """Revoke an API token."""
    failed = _apply(request, me, actions.revoke_token, token_id)
    return failed or redirect(f"{PREFIX}/users")
