"""``registry load``: the bundled registry folders into the store, in one transaction each."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from govsocial.errors import RegistryError
from govsocial.registry.bundle import load_bundle, registry_folders
from govsocial.registry.catalogue import load_catalogue
from govsocial.registry.sync import SyncReport, load_bundle_into
from govsocial.store.db import session_factory, transaction


def load_registry(engine: Engine, root: Path, actor: str, only: str | None = None) -> SyncReport:
    """Load every jurisdiction folder under ``root`` (or just ``only``); counts add up across them."""
    folders = [f for f in registry_folders(root) if only is None or f.name == only]
    if not folders:
        raise RegistryError(
            f"{root}: no registry folder{f' named {only!r}' if only else ''} (with a jurisdiction.toml)"
        )
    total = SyncReport()
    sessions = session_factory(engine)
    for index, folder in enumerate(folders):
        bundle = load_bundle(folder)
        with transaction(sessions) as session:
            report = load_bundle_into(session, bundle, load_catalogue(session), actor, platforms=index == 0)
        total.counts.update(report.counts)
        total.problems.extend(report.problems)
    return total
