"""Registers the RSS/Atom connector with govsocial's plugin manager."""

from __future__ import annotations

from govsocial.collect.base import Connector
from govsocial.collect.rss.client import RssConnector
from govsocial.hookspecs import hookimpl


@hookimpl
def govsocial_connectors() -> list[type[Connector]]:
    """The RSS/Atom connector."""
    return [RssConnector]
