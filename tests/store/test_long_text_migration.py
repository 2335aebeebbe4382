"""Migration 0018: a post's URL, link and raw time and a profile's name become ``TEXT`` on PostgreSQL,
whose ``VARCHAR(n)`` refused a longer value and the whole batch with it (SQLite enforces no length:
its columns keep their ``VARCHAR(n)``). Upgrading rewrites no table (``varchar`` to ``text`` is
binary-coercible); downgrading refuses, changing nothing, while a longer value is stored, and works
once none is; on SQLite both ways change nothing and keep every value.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, insert, inspect, select, text, update
from typer.testing import CliRunner

from govsocial.cli.main import app
from govsocial.store import db
from govsocial.store import tables as t
from govsocial.store.db import MigrationError, session_factory
from tests.collect.test_unstorable_text import account_id

#: (table, column): the length it had before 0018.
FREE_TEXT = {
    ("posts", "url"): 1000,
    ("posts", "link"): 2000,
    ("posts", "created_at_raw"): 64,
    ("profile_snapshots", "name"): 300,
}
WHEN = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
#: Their types before 0018, and on SQLite always.
VARCHAR = {key: f"VARCHAR({length})" for key, length in FREE_TEXT.items()}
LINK = "https://www.example.gov.hk/news/1?ref=" + "x" * 2062  # 2,100 characters


def _types(engine: Engine) -> dict[tuple[str, str], str]:
    """Each free-text column's type as the database declares it (``TEXT``, ``VARCHAR(1000)``)."""
    found = inspect(engine)
    return {
        (table, column["name"]): str(column["type"].compile(dialect=engine.dialect))
        for table in {table for table, _ in FREE_TEXT}
        for column in found.get_columns(table)
        if (table, column["name"]) in FREE_TEXT
    }


def _post(engine: Engine, link: str, post_id: int = 1, name: str = "n" * 300) -> None:
    """A post holding ``link`` and texts as long as the old columns allowed, and a profile snapshot."""
    account = _loaded_account(engine) or account_id(engine)
    values = {"account_id": account, "platform": "facebook", "created_at": WHEN, "format": "link"}
    extra = {"source": "test", "first_seen_at": WHEN, "last_seen_at": WHEN, "content_hash": "0" * 32}
    with engine.begin() as connection:
        connection.execute(
            insert(t.Post).values(
                **values, **extra, post_id=str(post_id), link=link, url="u" * 1000, created_at_raw="r" * 64
            )
        )
        connection.execute(
            insert(t.ProfileSnapshot).values(
                account_id=account, taken_at=WHEN + dt.timedelta(days=post_id), name=name, source="test"
            )
        )


def _loaded_account(engine: Engine) -> int | None:
    """cfs.hk's id once the registry is loaded: loading it again needs the tables of the newest
    revision (``districts``, 0019), and these tests write posts at older ones."""
    with session_factory(engine)() as session:
        return session.scalars(select(t.Account.id).where(t.Account.handle == "cfs.hk")).one_or_none()


def _stored(engine: Engine, post_id: int = 1) -> tuple[str | None, str | None, str | None, str | None]:
    """The post's link, URL and raw time, and the name of the snapshot stored with it."""
    with session_factory(engine)() as session:
        post = session.scalars(select(t.Post).where(t.Post.post_id == str(post_id))).one()
        taken_at = t.ProfileSnapshot.taken_at == WHEN + dt.timedelta(days=post_id)
        name = session.scalars(select(t.ProfileSnapshot.name).where(taken_at)).one()
    return post.link, post.url, post.created_at_raw, name


def test_0018_makes_free_texts_text_on_postgresql_and_leaves_sqlite_as_it_was(engine: Engine) -> None:
    _post(engine, "https://www.example.gov.hk/news/1")
    before = _stored(engine)
    db.downgrade(engine, "0017")
    assert db.current_revision(engine) == "0017"
    assert _types(engine) == VARCHAR and _stored(engine) == before

    db.upgrade(engine, "0018")

    expected = VARCHAR if engine.dialect.name == "sqlite" else dict.fromkeys(FREE_TEXT, "TEXT")
    assert _types(engine) == expected and _stored(engine) == before
    # PostgreSQL refused these at 0017 (value too long for type character varying(2000), (300)).
    _post(engine, LINK, 2, name="n" * 400)
    assert _stored(engine, 2) == (LINK, "u" * 1000, "r" * 64, "n" * 400)
    db.upgrade(engine)


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_upgrading_on_postgresql_rewrites_no_table(engine: Engine) -> None:
    """``varchar`` to ``text`` is binary-coercible: the tables keep their files (a rewrite, as any
    other change of type would make, gives a table a new one)."""
    _post(engine, "https://www.example.gov.hk/news/1")
    db.downgrade(engine, "0017")
    files = "SELECT pg_relation_filenode('posts'), pg_relation_filenode('profile_snapshots')"
    with engine.connect() as connection:
        before = tuple(connection.execute(text(files)).one())

    db.upgrade(engine, "0018")

    with engine.connect() as connection:
        assert tuple(connection.execute(text(files)).one()) == before
    assert set(_types(engine).values()) == {"TEXT"}
    assert _stored(engine)[0] == "https://www.example.gov.hk/news/1"


def test_downgrading_with_a_longer_value_refuses_on_postgresql_and_keeps_it_on_sqlite(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    _post(engine, LINK)
    head = db.current_revision(engine)
    if engine.dialect.name == "sqlite":  # no length is enforced there: nothing to refuse, nothing lost
        db.downgrade(engine, "0017")
        assert db.current_revision(engine) == "0017" and _stored(engine)[0] == LINK
        db.upgrade(engine, "0018")
        assert _stored(engine)[0] == LINK
        return

    with pytest.raises(MigrationError, match=r"posts\.link: 1 row\(s\) longer than 2,000 characters"):
        db.downgrade(engine, "0017")

    assert db.current_revision(engine) == head and _stored(engine)[0] == LINK  # nothing changed
    monkeypatch.setenv("GOVSOCIAL_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    result = CliRunner().invoke(app, ["db", "downgrade", "0017"])
    assert result.exit_code == 2 and result.output.startswith("error: cannot go back before 0018")
    with engine.begin() as connection:  # what the message says to do, if losing the link is acceptable
        connection.execute(update(t.Post).values(link=None))
    db.downgrade(engine, "0017")
    assert db.current_revision(engine) == "0017" and _types(engine) == VARCHAR
