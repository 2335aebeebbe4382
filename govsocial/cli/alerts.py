"""``govsocial alerts``: alert rules, running them (store new events, deliver by webhook and email)
and listing what fired (docs/alerts.md)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from govsocial.analyze.alerts import deliver, manage, tokens
from govsocial.analyze.alerts.message import masked_url
from govsocial.analyze.alerts.params import KINDS
from govsocial.cli.common import (
    JsonOption,
    console,
    friendly_errors,
    print_json,
    read_session,
    settings_of,
    write_session,
)
from govsocial.errors import GovsocialError
from govsocial.store import alerts as store
from govsocial.store import tables as t
from govsocial.store.queries import MAX_ID
from govsocial.store.times import utc

app = typer.Typer(help="Alerts: rules, running them, and what they fired.", no_args_is_help=True)
rules_app = typer.Typer(help="Alert rules.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")


def rule_json(r: t.AlertRule) -> dict[str, Any]:
    """A rule as JSON-ready data, its webhook masked: a webhook's address is often its own secret
    (Slack's, Teams'), and the command's output lands in terminals, logs and cron mail
    (docs/alerts.md: it is kept whole only in the rule)."""
    webhook = masked_url(r.webhook_url) if r.webhook_url else None
    return {
        "id": r.id, "jurisdiction": r.jurisdiction, "level": r.level, "entity": r.entity, "kind": r.kind,
        "params": r.params, "webhook_url": webhook, "email": r.email, "enabled": r.enabled,
    }  # fmt: skip


def alert_json(a: t.Alert) -> dict[str, Any]:
    """An alert as JSON-ready data."""
    return {
        "id": a.id, "rule_id": a.rule_id, "kind": a.kind, "entity": a.entity, "event_key": a.event_key,
        "title": a.title, "details": a.details, "fired_at": _iso(a.fired_at),  # UTC on both stores
        "delivered_webhook_at": _iso(a.delivered_webhook_at),
        "delivered_email_at": _iso(a.delivered_email_at),
        "last_error": a.last_error,
    }  # fmt: skip


@rules_app.command("add")
@friendly_errors
def add_rule(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help=f"One of: {', '.join(KINDS)}.")],
    level: Annotated[str, typer.Option(help="account, organisation or government.")] = "government",
    entity: Annotated[
        str | None, typer.Option(help="Account id or organisation code (default: the jurisdiction).")
    ] = None,
    param: Annotated[list[str] | None, typer.Option("--param", help="NAME=VALUE, repeatable.")] = None,
    webhook: Annotated[str | None, typer.Option(help="URL the alerts are POSTed to as JSON.")] = None,
    email: Annotated[str | None, typer.Option(help="Address the alerts are emailed to.")] = None,
    jurisdiction: Annotated[
        str | None, typer.Option(help="Jurisdiction code (default: the setting).")
    ] = None,
    as_json: bool = JsonOption,
) -> None:
    """Add a rule: what to watch, and where to send what fires."""
    code = jurisdiction or settings_of(ctx).jurisdiction
    new = manage.NewRule(code, kind, level, entity, manage.parse_params(param or []), webhook, email)
    new = manage.checked(new)  # the admin page's checks: refused before anything is stored
    with write_session(ctx) as session:
        rule = manage.add_rule(session, new, None, dt.datetime.now(dt.UTC))
        data = rule_json(rule)
    if as_json:
        print_json(data)
    else:
        console.print(f"rule {data['id']} added: {kind} on {level} {data['entity']}")


@rules_app.command("list")
@friendly_errors
def list_rules(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """Every rule."""
    with read_session(ctx) as session:
        rows = [rule_json(r) for r in store.list_rules(session)]
    if as_json:
        print_json({"data": rows, "count": len(rows)})
        return
    table = Table(
        "id", "kind", "scope", "params", "webhook", "email", "enabled", title=f"alert rules ({len(rows)})"
    )
    for r in rows:
        table.add_row(
            str(r["id"]), r["kind"], f"{r['level']} {r['entity']}", json.dumps(r["params"]),
            r["webhook_url"] or "", r["email"] or "", "yes" if r["enabled"] else "no",
        )  # fmt: skip
    console.print(table)


@rules_app.command("remove")
@friendly_errors
def remove_rule(
    ctx: typer.Context, rule_id: Annotated[int, typer.Argument(min=1, max=MAX_ID, help="The rule's id.")]
) -> None:
    """Remove a rule and the alerts it fired."""
    with write_session(ctx) as session:
        if not manage.remove_rule(session, rule_id, None, dt.datetime.now(dt.UTC)):
            raise GovsocialError(f"no rule {rule_id}")
    console.print(f"rule {rule_id} removed")


def _minute(iso: str | None) -> str:
    """A UTC time of ``alert_json`` to the minute, said to be UTC: cut to ``2026-11-29T07:00`` it
    read as a local time (15:00 in Hong Kong)."""
    return "" if iso is None else f"{iso[:16].replace('T', ' ')} UTC"


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else utc(value).isoformat()


def token_json(outcome: tokens.Outcome) -> dict[str, Any]:
    """A token check as JSON-ready data: what the platform said, never the token."""
    c = outcome.check
    return {
        "platform": outcome.platform, "failure": outcome.failure,
        "checked_at": _iso(c.checked_at) if c else None, "is_valid": c.is_valid if c else None,
        "expires_at": _iso(c.expires_at) if c else None,
        "data_access_expires_at": _iso(c.data_access_expires_at) if c else None,
        "invalid_since": _iso(c.invalid_since) if c else None, "error": c.error if c else None,
    }  # fmt: skip


@app.command("tokens")
@friendly_errors
def check_tokens(
    ctx: typer.Context,
    platform: Annotated[
        list[str] | None,
        typer.Option("--platform", help="facebook or instagram, repeatable (default: every token set)."),
    ] = None,
    as_json: bool = JsonOption,
) -> None:
    """Ask the platforms when their tokens expire and store the answers (never the tokens)."""
    settings = settings_of(ctx)
    wanted = platform or tokens.configured(settings)
    unknown = sorted(set(wanted) - set(tokens.CHECKABLE))
    if unknown:
        raise GovsocialError(f"cannot ask {', '.join(unknown)}; one of: {', '.join(tokens.CHECKABLE)}")
    with write_session(ctx) as session:
        rows = [token_json(o) for o in tokens.check(session, settings, wanted, dt.datetime.now(dt.UTC))]
    if as_json:
        print_json({"data": rows, "count": len(rows)})
    else:
        table = Table("platform", "valid", "expires", "data access expires", "checked", "problem",
                      title=f"tokens ({len(rows)})")  # fmt: skip
        for r in rows:
            valid = "" if r["is_valid"] is None else ("yes" if r["is_valid"] else "no")
            never = "" if r["checked_at"] is None else "never"
            problem = r["failure"] or r["error"] or ""
            ends = (r["expires_at"] or never, r["data_access_expires_at"] or never)
            table.add_row(r["platform"], valid, *ends, r["checked_at"] or "", problem)
        console.print(table)
    if any(r["failure"] for r in rows):
        raise typer.Exit(1)


@app.command("run")
@friendly_errors
def run_alerts(
    ctx: typer.Context,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would fire; store and send nothing.")
    ] = False,
    as_json: bool = JsonOption,
) -> None:
    """Evaluate every rule, store the new alerts and deliver what is undelivered (new or failed before)."""
    settings = settings_of(ctx)
    with read_session(ctx) as session:
        report = deliver.run(session, settings, dry_run=dry_run)
        new = [
            alert_json(a) if not dry_run else {"event_key": a.event_key, "title": a.title} for a in report.new
        ]
    data = {"dry_run": dry_run, "found": report.found, "new": new, "webhooks": report.webhooks,
            "emails": report.emails, "digests": report.digests, "held": report.held,
            "tokens": [token_json(o) for o in report.tokens], "failures": report.failures}  # fmt: skip
    if as_json:
        print_json(data)
        if report.failures:
            raise typer.Exit(1)  # cron tells someone; the next run retries
        return
    verb = "would fire" if dry_run else "fired"
    console.print(f"{len(new)} new alert(s) {verb} ({report.found} event(s) found); "
                  f"{report.webhooks} webhook(s), {report.emails} email(s) delivered "
                  f"({report.digests} digest(s)); {report.held} alert(s) held for a digest")  # fmt: skip
    for a in new:
        console.print(f"  {a['title']}", highlight=False, markup=False)
    for failure in report.failures:
        # The error's text is the server's or the system's ("[Errno 111] ..."): not Rich markup.
        console.print(f"  [red]not delivered:[/red] {escape(str(failure))}", highlight=False)
    if report.failures:
        raise typer.Exit(1)


@app.command("list")
@friendly_errors
def list_alerts(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(min=1, help="At most this many.")] = 50,
    as_json: bool = JsonOption,
) -> None:
    """Alerts fired, newest first, with when each channel delivered them."""
    with read_session(ctx) as session:
        rows = [alert_json(a) for a in store.recent(session, limit)]
    if as_json:
        print_json({"data": rows, "count": len(rows)})
        return
    table = Table("id", "fired", "kind", "title", "webhook", "email", "error", title=f"alerts ({len(rows)})")
    for a in rows:
        table.add_row(
            str(a["id"]), _minute(a["fired_at"]), a["kind"], a["title"], _minute(a["delivered_webhook_at"]),
            _minute(a["delivered_email_at"]), a["last_error"] or "",
        )  # fmt: skip
    console.print(table)
