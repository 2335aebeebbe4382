"""What a connector is: given an account and its checkpoints, yield ``Batch``es.

A connector is a small library: its package holds a client (requests and paging), types
(payload -> records), and its error rules. It never touches the store. The runner gives it an
``HttpClient`` bound to its platform and the token from the settings, and stores what it yields.
"""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import httpx

from govsocial.collect.errors import CollectError
from govsocial.collect.http import HttpClient
from govsocial.collect.records import Batch
from govsocial.settings import Settings


@dataclass(frozen=True)
class Target:
    """The account to collect, as the registry knows it."""

    account_id: int
    platform: str
    kind: str
    handle: str
    platform_id: str | None = None
    url: str | None = None

    @property
    def ref(self) -> str:
        """The identifier to call the API with: the platform id when known, else the handle."""
        return self.platform_id or self.handle


class Connector(abc.ABC):
    """Base class of platform API connectors."""

    #: Catalogue key of the platform this connector reads.
    platform: ClassVar[str]
    #: The API root; tests and proxies override it per instance.
    default_base_url: ClassVar[str]
    #: Name of the ``Settings`` field holding this connector's token or key (None: no credential).
    credential_setting: ClassVar[str | None] = None

    #: Posts published within this many days are read again on every run (fresh counts, new
    #: comments); the runner sets it from ``GOVSOCIAL_COLLECT_REFRESH_DAYS``.
    refresh_days: int = 7

    def __init__(self, http: HttpClient, token: str | None, base_url: str | None = None) -> None:
        self.http = http
        self.token = token
        self.base_url = (base_url or self.default_base_url).rstrip("/")

    def refresh_since(self, now: dt.datetime | None = None) -> dt.datetime:
        """Posts published after this time are re-read (and their comments) on every run."""
        return (now or dt.datetime.now(dt.UTC)) - dt.timedelta(days=self.refresh_days)

    @classmethod
    def base_url_from(cls, settings: Settings) -> str | None:
        """The API root the settings ask for (e.g. a pinned Graph API version); None: the default."""
        return None

    @classmethod
    def options_from(cls, settings: Settings) -> dict[str, Any]:
        """Extra keyword arguments for the constructor, taken from the settings."""
        return {}

    @staticmethod
    @abc.abstractmethod
    def classify(response: httpx.Response) -> CollectError | None:
        """The error a response means, or None when it is a success."""

    @staticmethod
    def pause(response: httpx.Response) -> float | None:
        """Seconds to wait before the next request, from usage headers; None: no need."""
        return None

    @abc.abstractmethod
    def collect(self, target: Target, checkpoints: Mapping[str, dict[str, Any]]) -> AsyncIterator[Batch]:
        """Yield batches for ``target``, resuming each edge from ``checkpoints[edge]``."""
