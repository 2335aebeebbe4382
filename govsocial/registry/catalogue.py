"""The platform catalogue in force: the stored one (editable at run time), else the default."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from govsocial.registry.addresses import PlatformCatalogue
from govsocial.registry.platforms import Platform
from govsocial.store import tables as t


def load_catalogue(session: Session) -> PlatformCatalogue:
    """The catalogue stored in the ``platforms`` table, in its order; the default when empty."""
    rows = session.scalars(select(t.Platform).order_by(t.Platform.position, t.Platform.key)).all()
    if not rows:
        return PlatformCatalogue.default()
    return PlatformCatalogue(Platform.model_validate(row.definition) for row in rows)
