"""Registers the Facebook Pages connector with govsocial's plugin manager."""

from __future__ import annotations

from govsocial.collect.base import Connector
from govsocial.collect.facebook.client import FacebookConnector
from govsocial.hookspecs import hookimpl


@hookimpl
def govsocial_connectors() -> list[type[Connector]]:
    """The Facebook connector."""
    return [FacebookConnector]
