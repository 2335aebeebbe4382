"""Alembic environment: migrates the engine handed over in ``config.attributes['engine']``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from govsocial.store.db import check_foreign_keys, sqlite_migration
from govsocial.store.tables import Base


def run_migrations() -> None:
    """Run migrations online against the engine that ``store.db.upgrade`` passed in."""
    engine: Engine = context.config.attributes["engine"]
    with engine.connect() as connection, sqlite_migration(connection):
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            # SQLite cannot ALTER most things in place: batch mode copies the table instead.
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        check_foreign_keys(connection)
        connection.commit()


run_migrations()
