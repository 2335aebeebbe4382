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
