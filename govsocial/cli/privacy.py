"""``govsocial privacy``: apply the retention period now, or forget one comment on request.

What is stored about commenters, why and for how long is in docs/privacy.md.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer

from govsocial.cli.common import JsonOption, console, engine_of, friendly_errors, print_json, settings_of

app = typer.Typer(help="Privacy: purge old comment texts, forget a comment.", no_args_is_help=True)


@app.command()
@friendly_errors
def purge(
    ctx: typer.Context,
    days: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="Retention in days (default: the comment_retention_days setting; 0: keep them forever).",
        ),
    ] = None,
    as_json: bool = JsonOption,
) -> None:
    """Purge comment texts, raw payloads and quarantined records older than the retention period.

    Every metrics refresh does this first; run it to purge at once or with another period.
    Counts, sentiment labels and metrics stay.
    """
    from govsocial.analyze.retention import purge as run_purge

    report = run_purge(engine_of(ctx), settings_of(ctx).comment_retention_days if days is None else days)
    if as_json:
        print_json(report.as_dict())
    else:
        console.print(report.summary())


@app.command()
@friendly_errors
def forget(
    ctx: typer.Context,
    platform: Annotated[str, typer.Option(help="The platform's key, e.g. facebook.")],
    comment_id: Annotated[str, typer.Option("--comment-id", help="The comment's id on that platform.")],
    as_json: bool = JsonOption,
) -> None:
    """Remove one comment everywhere: its row and label, its copy in raw payloads, quarantined records.

    Exits with status 1 when the store holds nothing of it. The metrics count it until the next
    `govsocial metrics refresh`.
    """
    from govsocial.store.forget import forget_comment

    with engine_of(ctx).begin() as connection:
        done = forget_comment(connection, platform, comment_id)
    if as_json:
        print_json({"platform": platform, "comment_id": comment_id, **asdict(done), "found": done.found})
    elif done.found:
        console.print(
            f"forgot {platform} comment {comment_id}: {done.comments} comment row, "
            f"{done.sentiments} sentiment label, {done.payloads} raw payload(s) edited, "
            f"{done.quarantined} quarantined record(s)"
        )
    else:
        console.print(f"[yellow]no {platform} comment {comment_id} is stored[/yellow]")
    if not done.found:
        raise typer.Exit(1)
