"""The admin page of alerts (``/admin/alerts``): what the rules fired, newest first, with when each
channel delivered it or why it did not, and the rules themselves (docs/alerts.md).

Every signed-in role reads it; editors and admins also add rules (kind, scope, parameters and
channels, checked by ``analyze.alerts.manage`` as ``govsocial alerts rules add`` checks them),
enable, disable and delete them. A refused rule, a control character in a field among the reasons,
is shown again (422) with what was typed and the message beside the field at fault
(``aria-invalid``, ``aria-describedby``); each change is audited and answered with a redirect (303)
back.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import Response

from govsocial.analyze.alerts import manage
from govsocial.analyze.alerts.message import local_time, masked_url
from govsocial.analyze.alerts.params import DEFAULTS, KINDS
from govsocial.store import alerts, queries
from govsocial.store.db import transaction
from govsocial.store.times import utc
from govsocial.web.admin import actions
from govsocial.web.admin.auth import AdminDenied, Principal, now_of
from govsocial.web.admin.pages import (
    PAGE_ROWS,
    PREFIX,
    ActionForm,
    Editor,
    Form,
    Id,
    Viewer,
    redirect,
    render,
)
from govsocial.web.deps import MAX_INT, get_state
from govsocial.web.inputs import CONTROL

PAGE = f"{PREFIX}/alerts"
#: The form's fields, in the order an error summary lists them.
FIELDS = ("kind", "level", "entity", "params", "webhook_url", "email")


def router() -> APIRouter:
    """The alerts page's router (kept out of the OpenAPI document)."""
    r = APIRouter(prefix=PREFIX, include_in_schema=False)
    r.add_api_route("/alerts", alerts_page, methods=["GET"])
    r.add_api_route("/alerts/rules", add_rule, methods=["POST"])
    r.add_api_route("/alerts/rules/{rule_id}/enabled", set_enabled, methods=["POST"])
    r.add_api_route("/alerts/rules/{rule_id}/delete", delete_rule, methods=["POST"])
    return r


def _page(
    request: Request,
    me: Principal,
    offset: int = 0,
    status: int = 200,
    form: dict[str, str] | None = None,
    error: manage.RuleError | None = None,
) -> Response:
    state = get_state(request)
    with state.sessions() as session:
        rows = alerts.recent(session, PAGE_ROWS, offset)
        rules = alerts.list_rules(session)
        zone = queries.jurisdiction_zone(session, state.settings.jurisdiction)
        return render(
            "alerts.html", me, status=status, rows=rows, rules=rules, offset=offset, page_rows=PAGE_ROWS,
            kinds=KINDS, defaults=DEFAULTS, levels=alerts.LEVELS, form=form or {"level": "government"},
            masked_url=masked_url, when=lambda moment: _when(moment, zone),
            error={"field": error.field, "message": str(error)} if error else None,
        )  # fmt: skip


def _when(moment: dt.datetime | None, zone: ZoneInfo) -> str | None:
    """A time as staff read it: to the minute in the jurisdiction's zone, named (the store keeps
    UTC, naive on SQLite: shown as it was, it read as a local time with microseconds)."""
    return None if moment is None else local_time(utc(moment), zone)


def alerts_page(request: Request, me: Viewer, offset: int = 0) -> Response:
    """Alerts, newest first, a page at a time, every rule, and for editors the forms that change them."""
    return _page(request, me, max(0, min(offset, MAX_INT)))


def _text(form: Any, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _refuse_control(given: dict[str, str]) -> None:
    """A ``RuleError`` for the first field holding a control character (``actions.refuse_control``,
    the check of every admin form), so the form shows it beside that field as any other refusal."""
    try:
        actions.refuse_control(given)
    except actions.ControlCharacter as exc:
        raise manage.RuleError(exc.field, str(exc)) from None


def _kept(given: dict[str, str]) -> dict[str, str]:
    """The fields as typed, to fill the form again; a control character shown as U+FFFD, where the
    message says it was (a browser would show nothing, or the page would not be well formed)."""
    return {name: CONTROL.sub("\ufffd", value) for name, value in given.items()}


def add_rule(request: Request, me: Editor, form: ActionForm) -> Response:
    """Add a rule; a refused one shows the form again with the message beside its field (422)."""
    given = {name: _text(form, name).strip() for name in FIELDS}
    state = get_state(request)
    try:
        _refuse_control(given)
        new = manage.NewRule(
            jurisdiction=state.settings.jurisdiction,
            kind=given["kind"],
            level=given["level"],
            entity=given["entity"] or None,
            params=manage.parse_params(given["params"].splitlines()),
            webhook_url=given["webhook_url"] or None,
            email=given["email"] or None,
        )
        with transaction(state.sessions) as session:
            manage.add_rule(session, new, manage.Actor(me.user_id, me.address), now_of(request))
    except manage.RuleError as exc:
        return _page(request, me, status=422, form=_kept(given), error=exc)
    return redirect(PAGE)


def set_enabled(request: Request, me: Editor, form: Form, rule_id: Id) -> Response:
    """Enable (``enabled=true``) or disable (``enabled=false``) a rule."""
    if _text(form, "enabled") not in ("true", "false"):
        raise AdminDenied(400, "Say enabled=true or enabled=false.")
    enabled = _text(form, "enabled") == "true"
    with transaction(get_state(request).sessions) as session:
        actor = manage.Actor(me.user_id, me.address)
        if manage.set_enabled(session, rule_id, enabled, actor, now_of(request)) is None:
            raise AdminDenied(404, f"No alert rule {rule_id}.")
    return redirect(PAGE)


def delete_rule(request: Request, me: Editor, rule_id: Id) -> Response:
    """Delete a rule and the alerts it fired."""
    with transaction(get_state(request).sessions) as session:
        if not manage.remove_rule(session, rule_id, manage.Actor(me.user_id, me.address), now_of(request)):
            raise AdminDenied(404, f"No alert rule {rule_id}.")
    return redirect(PAGE)
