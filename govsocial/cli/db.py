"""``govsocial db``: create and migrate the store."""

from __future__ import annotations

import typer
from sqlalchemy import Engine

from govsocial.cli.common import (
    console,
    engine_of,
    errors,
    friendly_errors,
    friendly_migration_errors,
    missing_database,
    settings_of,
)
from govsocial.store import db

app = typer.Typer(help="Create and migrate the database.", no_args_is_help=True)


@app.command()
@friendly_migration_errors
def upgrade(ctx: typer.Context, revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Create the tables, or migrate them to the newest schema."""
    engine = engine_of(ctx, create=True)  # the one command that makes an SQLite file
    db.upgrade(engine, revision)
    _print_revision(engine)


@app.command()
@friendly_migration_errors
def downgrade(
    ctx: typer.Context, revision: str = typer.Argument(..., help="Target revision, or base.")
) -> None:
    """Migrate the schema back to an older revision (base: remove every table and its data)."""
    engine = engine_of(ctx)
    db.downgrade(engine, revision)
    _print_revision(engine)


def _print_revision(engine: Engine) -> None:
    console.print(f"database at revision {db.current_revision(engine) or 'none (no tables)'}")
    _warn_collation(engine)


def _warn_collation(engine: Engine) -> None:
    """Say when a PostgreSQL database sorts text otherwise than SQLite (it cannot be changed here)."""
    warning = db.collation_warning(engine)
    if warning:
        # On stderr: `REV=$(govsocial db current)` must get the revision alone.
        errors.print(f"warning: {warning}", style="yellow", markup=False, highlight=False, soft_wrap=True)


@app.command()
@friendly_errors
def current(ctx: typer.Context) -> None:
    """Print the schema revision of the database."""
    if (
        missing_database(settings_of(ctx).database_url) is not None
    ):  # asking must not make an empty SQLite file
        console.print("no database file yet (run: govsocial db upgrade)")
        return
    engine = engine_of(ctx)
    console.print(db.current_revision(engine) or "empty (run: govsocial db upgrade)")
    _warn_collation(engine)
