"""``registry load``: the bundled registry folders into the store, in one transaction each.

A folder's rows are held to lint's rules as its writes check them, each bad row reported and the
rest loaded; an account row without evidence (``lint.evidence_problem``) is refused before the
writes, as ``registry import`` refuses it: it would be published, and verify as official, on
nobody's word.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from sqlalchemy import Engine

from govsocial.errors import RegistryError
from govsocial.registry.bundle import Bundle, load_bundle, registry_folders
from govsocial.registry.catalogue import load_catalogue
from govsocial.registry.lint import evidence_problem
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
        bundle = _without_unevidenced(load_bundle(folder))
        with transaction(sessions) as session:
            report = load_bundle_into(session, bundle, load_catalogue(session), actor, platforms=index == 0)
        total.counts.update(report.counts)
        total.problems.extend(report.problems)
    return total


def _without_unevidenced(bundle: Bundle) -> Bundle:
    """``bundle`` without its account rows that have no evidence, each a problem of the bundle's.

    Such a row is not written at all, whatever its status: an account the store already holds
    keeps what it has (and its evidence) until the row has evidence again."""
    problems = [evidence_problem(item) for item in bundle.accounts]
    kept = [item for item, problem in zip(bundle.accounts, problems, strict=True) if problem is None]
    refused = [problem for problem in problems if problem is not None]
    return dataclasses.replace(bundle, accounts=kept, problems=[*bundle.problems, *refused])
