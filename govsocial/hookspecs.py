"""Extension points (pluggy). Built-in connectors, importers and analysers register through these same hooks.

A plugin is a module with functions marked ``@hookimpl``; third-party plugins are found through
the ``govsocial`` entry-point group, built-in ones by ``plugins.plugin_manager``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from govsocial.analyze.sentiment.base import AnalyserSpec
    from govsocial.collect.base import Connector
    from govsocial.collect.imports.base import Importer

hookspec = pluggy.HookspecMarker("govsocial")
hookimpl = pluggy.HookimplMarker("govsocial")


@hookspec
def govsocial_connectors() -> list[type[Connector]]:  # type: ignore[empty-body]
    """Connector classes this plugin provides (one per platform API)."""


@hookspec
def govsocial_importers() -> list[type[Importer]]:  # type: ignore[empty-body]
    """Importer classes this plugin provides (one per export-file format)."""


@hookspec
def govsocial_sentiment_analysers() -> list[AnalyserSpec]:  # type: ignore[empty-body]
    """Sentiment analysers this plugin provides, each a name, a description and a loader.

    ``govsocial sentiment eval FILE --analyser NAME[:ARG]`` calls the loader with ``ARG`` (for
    example the folder of a model on disk). The first plugin to offer a name wins, and built-ins
    are registered first, so a plugin cannot replace ``linear`` by accident.
    """
