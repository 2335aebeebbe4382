"""The platform catalogue in force: the stored one (editable at run time), else the default.

``save_platforms`` is how it is edited while the portal runs: new or changed definitions are
checked by compiling the whole catalogue before anything is written.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from govsocial.errors import GovsocialError, NotFoundError, RegistryError
from govsocial.registry.addresses import PlatformCatalogue
from govsocial.registry.bundle import validation_message
from govsocial.registry.platforms import DEFAULT_PLATFORMS, Platform
from govsocial.registry.sync import SyncReport, upsert_platforms
from govsocial.store import tables as t


def load_catalogue(session: Session) -> PlatformCatalogue:
    """The catalogue stored in the ``platforms`` table, in its order; the default when empty."""
    rows = session.scalars(select(t.Platform).order_by(t.Platform.position, t.Platform.key)).all()
    if not rows:
        return PlatformCatalogue.default()
    return PlatformCatalogue(Platform.model_validate(row.definition) for row in rows)


def known_key(catalogue: PlatformCatalogue, key: str) -> str:
    """``key``, if it is the key of a platform of ``catalogue``; else ``NotFoundError`` naming the
    platforms there are (an option of ``collect`` and ``collect import``, the admin import form)."""
    keys = [p.key for p in catalogue]
    if key not in keys:
        raise NotFoundError(
            f"unknown platform {key!r}; the platforms are {', '.join(keys)} "
            "(`govsocial registry platforms` lists them)"
        )
    return key


def display_names(session: Session) -> dict[str, dict[str, str]]:
    """The platforms' display names by key and language (``en``, ``zh-hant``, ``zh-hans``): the
    stored catalogue's (editable at run time, as the portal shows them), the bundled one's for a
    platform not stored, a missing Chinese name falling back to the nearest one. Read from the
    columns, not the whole definitions: a name needs no URL rules compiled."""
    names = {
        p.key: {"en": p.name_en, "zh-hant": p.name_zh_hant, "zh-hans": p.name_zh_hans}
        for p in DEFAULT_PLATFORMS
    }
    for row in session.scalars(select(t.Platform)):
        hant = row.name_zh_hant or row.name_en
        names[row.key] = {"en": row.name_en, "zh-hant": hant, "zh-hans": row.name_zh_hans or hant}
    return names


def read_platform_file(path: Path) -> list[Platform]:
    """Platform definitions from a JSON file: one object or a list (the ``platforms --json`` shape)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise RegistryError(f"{path}: not a readable JSON file ({exc})") from exc
    items = data.get("data", data) if isinstance(data, dict) and "data" in data else data
    items = items if isinstance(items, list) else [items]
    try:
        return [Platform.model_validate(item) for item in items]
    except ValidationError as exc:
        raise RegistryError(f"{path}: {validation_message(exc)}") from exc


def save_platforms(session: Session, platforms: list[Platform], actor: str) -> SyncReport:
    """Add or replace platform definitions at run time; the whole catalogue must still compile."""
    current = {p.key: p for p in load_catalogue(session)}
    current.update({p.key: p for p in platforms})
    try:
        catalogue = PlatformCatalogue(current.values())  # fails on a bad rule or a host claimed twice
    except (ValueError, GovsocialError) as exc:
        raise RegistryError(f"the catalogue would not work: {exc}") from exc
    report = SyncReport()
    upsert_platforms(session, catalogue, actor, report, replace=True)
    return report
