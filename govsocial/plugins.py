"""The plugin manager: built-in plugins first, then third-party ones from entry points.

A built-in connector is a package ``govsocial/collect/<platform>/`` with a ``plugin`` module; an
importer is a module under ``govsocial/collect/imports/`` with ``govsocial_importers``; the default
sentiment analyser is ``govsocial/analyze/sentiment/plugin.py``. They are
found by scanning, so adding a platform touches no other package.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache
from types import ModuleType
from typing import TYPE_CHECKING

import pluggy

from govsocial import hookspecs
from govsocial.errors import ConfigurationError

if TYPE_CHECKING:
    from govsocial.analyze.sentiment.base import AnalyserSpec
    from govsocial.collect.base import Connector
    from govsocial.collect.imports.base import Importer


def builtin_plugins() -> list[ModuleType]:
    """Every built-in plugin module: ``collect.<platform>.plugin``, ``collect.imports.*`` and the
    default sentiment analyser (``analyze.sentiment.plugin``)."""
    import govsocial.collect as collect
    import govsocial.collect.imports as imports

    modules = [importlib.import_module("govsocial.analyze.sentiment.plugin")]
    for info in pkgutil.iter_modules(collect.__path__):
        if info.ispkg and info.name != "imports":
            try:
                modules.append(importlib.import_module(f"govsocial.collect.{info.name}.plugin"))
            except ModuleNotFoundError as exc:
                if exc.name != f"govsocial.collect.{info.name}.plugin":
                    raise
    for info in pkgutil.iter_modules(imports.__path__):
        module = importlib.import_module(f"govsocial.collect.imports.{info.name}")
        if hasattr(module, "govsocial_importers"):
            modules.append(module)
    return modules


@lru_cache(maxsize=1)
def plugin_manager() -> pluggy.PluginManager:
    """The process-wide plugin manager (built once, on first use)."""
    manager = pluggy.PluginManager("govsocial")
    manager.add_hookspecs(hookspecs)
    for module in builtin_plugins():
        manager.register(module)
    manager.load_setuptools_entrypoints("govsocial")
    return manager


def connectors() -> dict[str, type[Connector]]:
    """Connector classes by platform key."""
    found: dict[str, type[Connector]] = {}
    for group in plugin_manager().hook.govsocial_connectors():
        for cls in group:
            found.setdefault(cls.platform, cls)
    return found


def importers() -> dict[str, type[Importer]]:
    """Importer classes by format name."""
    found: dict[str, type[Importer]] = {}
    for group in plugin_manager().hook.govsocial_importers():
        for cls in group:
            found.setdefault(cls.format, cls)
    return found


def sentiment_analysers() -> dict[str, AnalyserSpec]:
    """Sentiment analysers by name (built-ins first: the first plugin to offer a name keeps it)."""
    found: dict[str, AnalyserSpec] = {}
    # pluggy calls the most recently registered plugin first; reversed, built-ins come first.
    for group in reversed(plugin_manager().hook.govsocial_sentiment_analysers()):
        for spec in group:
            found.setdefault(spec.name, spec)
    return found


def connector_for(platform: str) -> type[Connector]:
    """The connector of ``platform``; ``ConfigurationError`` naming the ones there are."""
    found = connectors()
    if platform not in found:
        raise ConfigurationError(
            f"no connector for platform {platform!r}; connectors: {', '.join(sorted(found)) or 'none'} "
            "(use a file import for the others: govsocial collect import --help)"
        )
    return found[platform]
