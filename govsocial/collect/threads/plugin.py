"""Registers the Threads connector with govsocial's plugin manager."""

from __future__ import annotations

from govsocial.collect.base import Connector
from govsocial.collect.threads.client import ThreadsConnector
from govsocial.hookspecs import hookimpl


@hookimpl
def govsocial_connectors() -> list[type[Connector]]:
    """The Threads API connector."""
    return [ThreadsConnector]
