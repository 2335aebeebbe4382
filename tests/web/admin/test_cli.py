"""``govsocial users``: add with a password from standard input, list, token, revoke-token, disable."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from govsocial.cli.main import app
from govsocial.store import tables as t
from govsocial.store import users
from govsocial.store.db import make_engine, session_factory, upgrade


def test_the_users_commands(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'govsocial.db'}"
    engine = make_engine(url)
    upgrade(engine)
    runner = CliRunner()
    env = {"GOVSOCIAL_DATABASE_URL": url}

    added = runner.invoke(
        app, ["users", "add", "root", "--role", "admin"], input="a secret passphrase\n", env=env
    )
    assert added.exit_code == 0, added.output
    assert "a secret passphrase" not in added.output
    assert (
        runner.invoke(app, ["users", "add", "kid", "--role", "admin"], input="short\n", env=env).exit_code
        == 2
    )
    assert (
        runner.invoke(
            app, ["users", "add", "x", "--role", "god"], input="a secret passphrase\n", env=env
        ).exit_code
        == 2
    )

    made = runner.invoke(app, ["users", "token", "root", "--name", "deploy"], env=env)
    assert made.exit_code == 0, made.output
    token = made.stdout.strip()
    assert token.startswith("gsa_")

    listed = json.loads(runner.invoke(app, ["users", "list", "--json"], env=env).stdout)
    assert listed[0]["username"] == "root" and listed[0]["role"] == "admin"
    assert listed[0]["tokens"][0]["prefix"] == token[:12] and token not in json.dumps(listed)

    with session_factory(engine)() as session:
        assert users.user_for_token(session, token, dt.datetime.now(dt.UTC)) is not None
        stored = session.scalars(select(t.User.password_hash)).one()
        assert stored.startswith("$argon2id$")
    token_id = listed[0]["tokens"][0]["id"]
    assert runner.invoke(app, ["users", "revoke-token", str(token_id)], env=env).exit_code == 0
    assert runner.invoke(app, ["users", "revoke-token", "999"], env=env).exit_code == 2
    assert runner.invoke(app, ["users", "disable", "root"], env=env).exit_code == 0
    assert runner.invoke(app, ["users", "disable", "nobody"], env=env).exit_code == 2
    with session_factory(engine)() as session:
        assert users.user_for_token(session, token, dt.datetime.now(dt.UTC)) is None
        actions = session.scalars(select(t.AuditEntry.action).order_by(t.AuditEntry.id)).all()
        assert list(actions) == ["user.add", "token.add", "token.revoke", "user.disable"]
    engine.dispose()


def test_the_list_retires_tokens_never_shown_in_time_as_the_users_page_does(tmp_path: Path) -> None:
    """A token made on the users page has no value until its page shows it; one not shown within
    its minutes is retired by ``users list`` too (revoked, audited, no longer listed), and one still
    in its window is listed as not shown yet."""
    url = f"sqlite:///{tmp_path / 'govsocial.db'}"
    engine = make_engine(url)
    upgrade(engine)
    now = dt.datetime.now(dt.UTC)
    late = now - dt.timedelta(minutes=users.TOKEN_SHOW_MINUTES, seconds=5)
    with session_factory(engine)() as session, session.begin():
        owner = users.create_user(session, "editor1", "editor", "a long enough password", now)
        stale = users.create_pending_token(session, owner, "lost", "cookie", late).id
        fresh = users.create_pending_token(session, owner, "coming", "cookie", now).id
    runner = CliRunner()
    env = {"GOVSOCIAL_DATABASE_URL": url}

    text = runner.invoke(app, ["users", "list"], env=env)
    assert text.exit_code == 0, text.output
    assert f"{fresh} coming (not shown yet)" in text.stdout and "lost" not in text.stdout
    listed = json.loads(runner.invoke(app, ["users", "list", "--json"], env=env).stdout)
    assert listed[0]["tokens"] == [
        {"id": fresh, "name": "coming", "prefix": "", "revoked": False, "shown": False}
    ]
    with session_factory(engine)() as session:
        row = session.get(t.ApiToken, stale)
        assert row is not None and row.revoked_at is not None
        expired = session.scalars(
            select(t.AuditEntry.target).where(t.AuditEntry.action == "token.expire")
        ).all()
        assert list(expired) == [f"token:{stale}"]  # once, though listed twice
    engine.dispose()
