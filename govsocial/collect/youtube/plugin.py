"""Registers the YouTube connector with govsocial's plugin manager."""

from __future__ import annotations

from govsocial.collect.base import Connector
from govsocial.collect.youtube.client import YouTubeConnector
from govsocial.hookspecs import hookimpl


@hookimpl
def govsocial_connectors() -> list[type[Connector]]:
    """The YouTube Data API v3 connector."""
    return [YouTubeConnector]
