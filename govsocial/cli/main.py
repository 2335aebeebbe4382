"""The ``govsocial`` command: global options and the command groups."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from govsocial import __version__
from govsocial.cli import (
    alerts,
    collect,
    db,
    metrics,
    opinion,
    privacy,
    registry,
    report,
    sentiment,
    serve,
    topics,
    users,
)
from govsocial.cli.common import fail
from govsocial.errors import ConfigurationError
from govsocial.settings import config_path

app = typer.Typer(
    name="govsocial",
    help="Make a government's social media measurable and open to its citizens.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)
app.add_typer(db.app, name="db")
app.add_typer(registry.app, name="registry")
app.add_typer(collect.app, name="collect")
app.add_typer(metrics.app, name="metrics")
app.add_typer(sentiment.app, name="sentiment")
app.add_typer(opinion.events_app, name="events")
app.add_typer(opinion.clarifications_app, name="clarifications")
app.add_typer(privacy.app, name="privacy")
app.add_typer(users.app, name="users")
app.add_typer(alerts.app, name="alerts")
app.command("topics")(topics.topics)
app.command("serve")(serve.serve)
app.command("report")(report.report)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"govsocial {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        # Checked below, not with exists=True: a missing file given here and one named by
        # GOVSOCIAL_CONFIG are refused alike, with one line (Click's usage box would be another).
        typer.Option("--config", "-c", help="TOML settings file (else $GOVSOCIAL_CONFIG)."),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Settings come from GOVSOCIAL_* environment variables and an optional TOML file."""
    try:
        # Before any command runs, even one that reads no setting: a settings file that is not
        # there is a mistake to report, never a reason to run on the defaults.
        config_path(config)
    except ConfigurationError as exc:
        fail(exc)
    ctx.obj = {"config": config}
