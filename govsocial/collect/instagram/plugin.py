"""Registers the Instagram connector with govsocial's plugin manager."""

from __future__ import annotations

from govsocial.collect.base import Connector
from govsocial.collect.instagram.client import InstagramConnector
from govsocial.hookspecs import hookimpl


@hookimpl
def govsocial_connectors() -> list[type[Connector]]:
    """The Instagram connector."""
    return [InstagramConnector]
