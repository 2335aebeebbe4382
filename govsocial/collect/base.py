"""What a connector is: given an account and its checkpoints, yield ``Batch``es.

A connector is a small library: its package holds a client (requests and paging), types
(payload -> records), and its error rules. It never touches the store. The runner gives it an
``HttpClient`` bound to its platform and the token from the settings, and stores what it yields.
"""

from __future__ import annotations

import abc
import datetime as dt
import logging
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import httpx

from govsocial.collect.errors import CollectError
from govsocial.collect.http import HttpClient
from govsocial.collect.records import Batch
from govsocial.settings import Settings

log = logging.getLogger(__name__)


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
    #: An account's first listing of posts (no ``posts`` checkpoint yet) reads only the posts
    #: published within this many days; None reads as far back as the listing goes. The runner sets
    #: it from ``GOVSOCIAL_COLLECT_FIRST_RUN_DAYS``.
    first_run_days: int | None = None

    def __init__(self, http: HttpClient, token: str | None, base_url: str | None = None) -> None:
        self.http = http
        self.token = token
        self.base_url = (base_url or self.default_base_url).rstrip("/")

    def refresh_since(self, now: dt.datetime | None = None) -> dt.datetime:
        """Posts published after this time are re-read (and their comments) on every run."""
        return (now or dt.datetime.now(dt.UTC)) - dt.timedelta(days=self.refresh_days)

    def first_run_since(self, now: dt.datetime | None = None) -> dt.datetime | None:
        """Where an account's first listing of posts starts; None: as far back as it goes.

        Only the first listing is bounded: later runs are incremental from its newest post (or, when
        it found none, from this bound, which its checkpoint keeps), as without the setting.
        """
        if self.first_run_days is None:
            return None
        return (now or dt.datetime.now(dt.UTC)) - dt.timedelta(days=self.first_run_days)

    def log_first_run_bound(self, account: str, since: dt.datetime, *, cut: bool) -> None:
        """Say, once per first run, that posts before ``since`` are not collected.

        Not a gap: the operator chose the bound, and nothing the platform offered is missing after
        it. ``cut``: the listing met an older post (a platform that filters by time cannot tell).
        """
        what = "stopped at a post published before" if cut else "asked the platform only for posts since"
        log.info(
            "%s %s: first run %s %s (collect_first_run_days=%s); older posts are not collected",
            self.platform,
            account,
            what,
            since.astimezone(dt.UTC).isoformat(timespec="seconds"),
            self.first_run_days,
        )

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
