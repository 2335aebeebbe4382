"""``govsocial events`` and ``govsocial clarifications``: comment spikes and clarifications of
misinformation, as the metrics refresh and the registry leave them in the store."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, Any

import typer
from rich.table import Table

from govsocial.analyze import spikes
from govsocial.analyze.clarifications import Clarification, account_filter, list_clarifications
from govsocial.cli import known
from govsocial.cli.common import JsonOption, console, friendly_errors, print_json, read_session, settings_of
from govsocial.store.events import EventFilter, EventRow, list_events

events_app = typer.Typer(
    help="Opinion events: spikes of comment volume or negative share.", no_args_is_help=True
)
clarifications_app = typer.Typer(help="Posts that clarify misinformation.", no_args_is_help=True)


class EventKind(enum.StrEnum):
    """What spiked (``analyze.spikes.KINDS``): a choice, so that a misspelt kind is refused."""

    COMMENT_VOLUME = spikes.VOLUME
    NEGATIVE_SHARE = spikes.NEGATIVE_SHARE


JurisdictionOption = Annotated[str | None, typer.Option(help="Jurisdiction code (default: the setting).")]
AccountOption = Annotated[int | None, typer.Option("--account", help="Only this account id.")]
OrganisationOption = Annotated[
    str | None, typer.Option("--organisation", help="Only this organisation's accounts.")
]
SinceOption = Annotated[
    dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Only from this day on (YYYY-MM-DD).")
]
LimitOption = Annotated[int, typer.Option(min=1, help="At most this many rows.")]


def event_json(e: EventRow) -> dict[str, Any]:
    """An event as JSON-ready data."""
    return {
        "id": e.id, "jurisdiction": e.jurisdiction, "account_id": e.account_id, "platform": e.platform,
        "handle": e.handle, "organisations": list(e.organisations), "kind": e.kind,
        "period_kind": e.period_kind, "period": e.period, "value": e.value, "baseline": e.baseline,
        "spread": e.spread, "score": e.score, "details": e.details, "detected_at": e.detected_at.isoformat(),
    }  # fmt: skip


def clarification_json(c: Clarification) -> dict[str, Any]:
    """A clarification as JSON-ready data."""
    delay = c.time_to_clarification
    return {
        "post_id": c.post_id, "account_id": c.account_id, "platform": c.platform, "handle": c.handle,
        "posted_at": c.posted_at.isoformat(), "excerpt": c.excerpt, "url": c.url, "reasons": list(c.reasons),
        "interactions": c.interactions, "usual_interactions": c.usual_interactions, "reach": c.reach,
        "views": c.views, "usual_views": c.usual_views, "views_reach": c.views_reach,
        "usual_posts": c.usual_posts,
        "rumour_first_seen_at": c.rumour_first_seen_at.isoformat() if c.rumour_first_seen_at else None,
        "rumour_url": c.rumour_url, "note": c.note,
        "time_to_clarification_hours": None if delay is None else round(delay.total_seconds() / 3600, 2),
        "sample": c.sample,
    }  # fmt: skip


@events_app.command("list")
@friendly_errors
def list_events_command(
    ctx: typer.Context,
    jurisdiction: JurisdictionOption = None,
    account: AccountOption = None,
    organisation: OrganisationOption = None,
    kind: Annotated[EventKind | None, typer.Option(help="comment_volume or negative_share.")] = None,
    since: SinceOption = None,
    limit: LimitOption = 50,
    as_json: bool = JsonOption,
) -> None:
    """Spikes found by the last metrics refresh, the latest period first."""
    code = jurisdiction or settings_of(ctx).jurisdiction
    f = EventFilter(code, [account] if account is not None else None, organisation, kind and str(kind), None,
                    since.date() if since else None)  # fmt: skip
    with read_session(ctx) as session:
        known.scope(session, code, account, organisation)
        rows = list_events(session, f)
    if as_json:
        print_json({"data": [event_json(e) for e in rows[:limit]], "count": len(rows)})
        return
    table = Table(
        "period", "account", "kind", "value", "usual", "score", title=f"opinion events ({len(rows)})"
    )
    for e in rows[:limit]:
        share = e.kind == "negative_share"
        table.add_row(
            e.period, f"{e.platform} {e.handle}", e.kind, f"{e.value:.0%}" if share else f"{e.value:,.0f}",
            f"{e.baseline:.0%}" if share else f"{e.baseline:,.0f}", f"{e.score:.1f}",
        )  # fmt: skip
    console.print(table)


@clarifications_app.command("list")
@friendly_errors
def list_clarifications_command(
    ctx: typer.Context,
    jurisdiction: JurisdictionOption = None,
    account: AccountOption = None,
    organisation: OrganisationOption = None,
    since: SinceOption = None,
    limit: LimitOption = 50,
    as_json: bool = JsonOption,
) -> None:
    """Posts that clarify misinformation (keywords or registry marks), newest first, with their reach."""
    code = jurisdiction or settings_of(ctx).jurisdiction
    with read_session(ctx) as session:
        known.scope(session, code, account, organisation)
        accounts = account_filter(session, code, account, organisation)
        start = since.replace(tzinfo=dt.UTC) if since else None
        rows = list_clarifications(session, code, accounts, start)
    if as_json:
        print_json({"data": [clarification_json(c) for c in rows[:limit]], "count": len(rows)})
        return
    # Times are UTC, as stored and as --json and --since read them: say so, or a reader in Hong
    # Kong takes 02:00 for the middle of the night when the post came at 10:00.
    table = Table(
        "posted (UTC)",
        "account",
        "why",
        "reach",
        "to clarify",
        "excerpt",
        title=f"clarifications ({len(rows)})",
    )
    for c in rows[:limit]:
        delay = c.time_to_clarification
        table.add_row(
            c.posted_at.strftime("%Y-%m-%d %H:%M"), f"{c.platform} {c.handle}", ", ".join(c.reasons),
            "" if c.reach is None else f"{c.reach:.1f}×",
            "" if delay is None else f"{delay.total_seconds() / 3600:.1f} h", c.excerpt[:60],
        )  # fmt: skip
    console.print(table)
