"""``govsocial users``: staff of the admin area, their roles and their API tokens (docs/admin.md).

Passwords are read from a hidden prompt, or from standard input when it is not a terminal (for
scripts: ``printf '%s\\n' "$PW" | govsocial users add ...``), never from an argument, which would
be kept in the shell's history and shown by ``ps``. A token is printed once, at creation.
"""

from __future__ import annotations

import datetime as dt
import sys
from typing import Annotated, Any

import typer
from rich.table import Table

from govsocial.cli.common import JsonOption, console, friendly_errors, print_json, write_session
from govsocial.store import audit, users
from govsocial.store import tables as t
from govsocial.store.queries import MAX_ID

app = typer.Typer(help="Admin area users: add, list, disable; API tokens.", no_args_is_help=True)

#: Who the audit log names for changes made with these commands (no user is signed in).
CLI_TARGET = "cli"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _password() -> str:
    if sys.stdin.isatty():
        password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        return password
    return sys.stdin.readline().rstrip("\r\n")


@app.command()
@friendly_errors
def add(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="The new user's name.")],
    role: Annotated[str, typer.Option(help="viewer, editor or admin.")] = "viewer",
) -> None:
    """Add a user (the password is asked for, or read from standard input)."""
    password = _password()
    with write_session(ctx) as session:
        user = users.create_user(session, username, role, password, _now())
        audit.record(session, None, "user.add", f"user:{user.username}", {"role": role, "by": CLI_TARGET})
    console.print(f"added {user.username} ({user.role})")


@app.command("list")
@friendly_errors
def list_(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """Users, their roles and their tokens (first characters only)."""
    # A write: tokens made on the users page and never shown in time are retired first, as the
    # page and the admin API do, so every list names the same tokens (docs/admin.md).
    with write_session(ctx) as session:
        people, tokens = users.users_and_tokens(session, _now())
    if as_json:
        print_json([_user_json(u, [k for k in tokens if k.user_id == u.id]) for u in people])
        return
    table = Table("username", "role", "state", "tokens (id label prefix)")
    for u in people:
        live = [_token_cell(k) for k in tokens if k.user_id == u.id and k.revoked_at is None]
        table.add_row(u.username, u.role, "disabled" if u.disabled_at else "enabled", ", ".join(live))
    console.print(table)


def _token_cell(token: t.ApiToken) -> str:
    if users.is_pending(token):  # made on the users page; its value is not made until shown there
        return f"{token.id} {token.name} (not shown yet)"
    return f"{token.id} {token.name} {token.prefix}…"


def _user_json(user: t.User, tokens: list[t.ApiToken]) -> dict[str, Any]:
    return {
        "username": user.username,
        "role": user.role,
        "disabled": user.disabled_at is not None,
        "tokens": [
            {
                "id": k.id,
                "name": k.name,
                "prefix": k.prefix,
                "revoked": k.revoked_at is not None,
                "shown": not users.is_pending(k),
            }
            for k in tokens
        ],
    }


@app.command()
@friendly_errors
def token(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Whose token it is.")],
    name: Annotated[str, typer.Option("--name", help="A label: what or who uses the token.")],
) -> None:
    """Create an API token and print it, this once (only its hash is kept)."""
    with write_session(ctx) as session:
        user = users.get_user(session, username)
        if user.disabled_at is not None:
            raise users.UserError(f"user {username!r} is disabled")
        row, secret = users.create_token(session, user, name, _now())
        audit.record(
            session,
            None,
            "token.add",
            f"token:{row.id}",
            {"user": username, "name": name, "prefix": row.prefix, "by": CLI_TARGET},
        )
    # stdout holds the token alone, so `TOKEN=$(govsocial users token ...)` works; the rest on stderr.
    typer.echo(secret)
    typer.echo(f"token {row.id} for {username}: shown once, store it now", err=True)


@app.command("revoke-token")
@friendly_errors
def revoke_token(
    ctx: typer.Context, token_id: Annotated[int, typer.Argument(min=1, max=MAX_ID, help="The token's id.")]
) -> None:
    """Revoke an API token by its id (`govsocial users list` shows the ids)."""
    with write_session(ctx) as session:
        row = users.revoke_token(session, token_id, _now())
        audit.record(session, None, "token.revoke", f"token:{row.id}", {"name": row.name, "by": CLI_TARGET})
    console.print(f"revoked token {token_id}")


@app.command()
@friendly_errors
def disable(
    ctx: typer.Context, username: Annotated[str, typer.Argument(help="The user to disable.")]
) -> None:
    """Disable a user: their sessions end and their tokens are revoked."""
    with write_session(ctx) as session:
        user = users.get_user(session, username)
        changed = users.disable_user(session, user, _now())
        if changed:
            audit.record(session, None, "user.disable", f"user:{user.username}", {"by": CLI_TARGET})
    console.print(f"disabled {username}" if changed else f"{username} was already disabled")
