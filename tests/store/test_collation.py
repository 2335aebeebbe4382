"""A PostgreSQL database that sorts text by a language's rules is named by ``db upgrade`` and ``db
current``: lists ordered by name would come out in another order than on SQLite (docs/deploying.md)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from govsocial.cli.main import app
from govsocial.store.db import collation_warning, make_engine

PG_ENV = "GOVSOCIAL_TEST_POSTGRES_URL"


def test_sqlite_and_a_code_point_postgresql_database_get_no_warning(database_url: str) -> None:
    """The test server is created with --locale=C.UTF-8, as docs/deploying.md says."""
    engine = make_engine(database_url)
    try:
        assert collation_warning(engine) is None
    finally:
        engine.dispose()


@pytest.fixture
def icu_database() -> Iterator[str]:
    """A database that sorts by ICU's English rules (PostgreSQL 15's ICU provider needs no OS locale)."""
    base = os.environ.get(PG_ENV)
    if not base:
        if os.environ.get("GOVSOCIAL_ALLOW_NO_POSTGRES") == "1":
            pytest.skip(f"{PG_ENV} is not set and GOVSOCIAL_ALLOW_NO_POSTGRES=1")
        pytest.fail(f"{PG_ENV} is not set: run the suite with `make test`, which starts PostgreSQL")
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(
            text(
                f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING UTF8 LOCALE_PROVIDER icu '
                "ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'"
            )
        )
    try:
        yield base.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.postgres
def test_a_language_collation_is_named_by_db_upgrade_and_db_current(
    icu_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(icu_database)
    with engine.connect() as connection:  # the order the warning is about, on this very server
        names = ["Labour Department", "Labour and Welfare Bureau"]
        ordered = connection.scalars(
            text("SELECT n FROM unnest(CAST(:names AS text[])) AS n ORDER BY n"), {"names": names}
        ).all()
    warning = collation_warning(engine)
    engine.dispose()
    assert ordered == ["Labour and Welfare Bureau", "Labour Department"]  # SQLite: the other way
    assert warning is not None and "ICU collation 'en-US'" in warning and "--locale=C.UTF-8" in warning

    monkeypatch.setenv("GOVSOCIAL_DATABASE_URL", icu_database)
    runner = CliRunner()
    for command in (["db", "upgrade"], ["db", "current"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 0, result.output
        assert "warning: the database sorts text by the ICU collation 'en-US'" in result.output
