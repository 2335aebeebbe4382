"""``govsocial alerts``: alert rules, running them (store new events, deliver by webhook and email)
and listing what fired (docs/alerts.md)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table

from govsocial.analyze.alerts import deliver
from govsocial.analyze.alerts.rules import KINDS, params_of
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

app = typer.Typer(help="Alerts: rules, running them, and what they fired.", no_args_is_help=True)
rules_app = typer.Typer(help="Alert rules.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")


def _param(text: str) -> tuple[str, Any]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise GovsocialError(f"a parameter is NAME=VALUE, not {text!r}")
    try:
        return name, json.loads(value)
    except ValueError:
        return name, value  # a date or a word: kept as text


def rule_json(r: t.AlertRule) -> dict[str, Any]:
    """A rule as JSON-ready data."""
    return {
        "id": r.id, "jurisdiction": r.jurisdiction, "level": r.level, "entity": r.entity, "kind": r.kind,
        "params": r.params, "webhook_url": r.webhook_url, "email": r.email, "enabled": r.enabled,
    }  # fmt: skip


def alert_json(a: t.Alert) -> dict[str, Any]:
    """An alert as JSON-ready data."""
    return {
        "id": a.id, "rule_id": a.rule_id, "kind": a.kind, "entity": a.entity, "event_key": a.event_key,
        "title": a.title, "details": a.details, "fired_at": a.fired_at.isoformat(),
        "delivered_webhook_at": a.delivered_webhook_at.isoformat() if a.delivered_webhook_at else None,
        "delivered_email_at": a.delivered_email_at.isoformat() if a.delivered_email_at else None,
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
    if level not in store.LEVELS:
        raise GovsocialError(f"level must be one of: {', '.join(store.LEVELS)}")
    if level != "government" and not entity:
        raise GovsocialError(f"a rule on an {level} needs --entity")
    if level == "account" and not str(entity).isdigit():
        raise GovsocialError("an account rule's --entity is the account id")
    if not webhook and not email:
        raise GovsocialError("give --webhook, --email or both")
    if webhook and not webhook.startswith(("http://", "https://")):
        raise GovsocialError("--webhook must be an http(s) URL")
    params = dict(_param(p) for p in param or [])
    params_of(kind, params)  # refuses an unknown kind or parameter before anything is stored
    with write_session(ctx) as session:
        rule = store.add_rule(session, code, level, entity or code, kind, params, webhook, email)
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
def remove_rule(ctx: typer.Context, rule_id: Annotated[int, typer.Argument(help="The rule's id.")]) -> None:
    """Remove a rule and the alerts it fired."""
    with write_session(ctx) as session:
        if not store.remove_rule(session, rule_id):
            raise GovsocialError(f"no rule {rule_id}")
    console.print(f"rule {rule_id} removed")


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
            "emails": report.emails, "failures": report.failures}  # fmt: skip
    if as_json:
        print_json(data)
        if report.failures:
            raise typer.Exit(1)  # cron tells someone; the next run retries
        return
    verb = "would fire" if dry_run else "fired"
    console.print(f"{len(new)} new alert(s) {verb} ({report.found} event(s) found); "
                  f"{report.webhooks} webhook(s), {report.emails} email(s) delivered")  # fmt: skip
    for a in new:
        console.print(f"  {a['title']}", highlight=False, markup=False)
    for failure in report.failures:
        console.print(f"  [red]not delivered:[/red] {failure}", highlight=False)
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
            str(a["id"]), a["fired_at"][:16], a["kind"], a["title"], a["delivered_webhook_at"] or "",
            a["delivered_email_at"] or "", a["last_error"] or "",
        )  # fmt: skip
    console.print(table)
