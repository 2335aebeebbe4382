"""A PostgreSQL database that sorts text by a language's rules is named by ``db upgrade`` and ``db
current``: lists ordered by name would come out in another order than on SQLite (docs/deploying.md)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from govsocial.cli.main import app
from govsocial.store.db import collation_warning, make_engine
from tests.conftest import postgres_database


def test_sqlite_and_a_code_point_postgresql_database_get_no_warning(database_url: str) -> None:
    """The test server is created with --locale=C.UTF-8 (libc), as docs/deploying.md says."""
    engine = make_engine(database_url)
    try:
        assert collation_warning(engine) is None
    finally:
        engine.dispose()


@pytest.fixture
def icu_database() -> Iterator[str]:
    """A database that sorts by ICU's English rules (PostgreSQL 15's ICU provider needs no OS locale)."""
    yield from postgres_database(
        "TEMPLATE template0 ENCODING UTF8 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'"
    )


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
    # --locale alone keeps the template's provider: on a cluster made with ICU, ICU's en-US again.
    assert "--locale-provider=libc" in warning

    monkeypatch.setenv("GOVSOCIAL_DATABASE_URL", icu_database)
    runner = CliRunner()
    for command in (["db", "upgrade"], ["db", "current"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 0, result.output
        assert "warning: the database sorts text by the ICU collation 'en-US'" in result.stderr
        assert "warning" not in result.stdout  # `REV=$(govsocial db current)` gets the revision alone
