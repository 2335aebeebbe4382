"""The built-in metric modules, one per goal. Importing a module registers its metrics."""

from __future__ import annotations

import importlib

MODULES = (
    "presence",
    "popularity",
    "penetration",
    "perception",
    "sentiment",
    "purpose",
    "two_way",
    "timeliness",
    "attractiveness",
)


def load() -> None:
    """Import every built-in metric module (once; Python caches modules)."""
    for name in MODULES:
        importlib.import_module(f"govsocial.analyze.metrics.{name}")
