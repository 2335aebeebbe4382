"""A connector driven over ``httpx.MockTransport``: records every request and every wait it was
asked for, and runs ``collect`` to a list of batches. Shared by the connectors' tests; and
``OfflineFacebook``, a connector that collects an account without any server, for the tests that
collect through the real runner."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any, ClassVar

import httpx

from govsocial.collect.base import Connector, Target
from govsocial.collect.errors import CollectError
from govsocial.collect.http import HttpClient, RetryPolicy
from govsocial.collect.records import Batch, PostRecord, ProfileRecord

Handler = Callable[[httpx.Request], httpx.Response]


class ConnectorHarness:
    """``connector_class`` over a mock transport whose answers come from ``handler``."""

    def __init__(
        self, handler: Handler, connector_class: type[Connector], token: str, base_url: str, now: dt.datetime
    ) -> None:
        self.requests: list[httpx.Request] = []
        self.waits: list[float] = []

        def record(request: httpx.Request) -> httpx.Response:
            self.requests.append(request)
            return handler(request)

        async def sleep(seconds: float) -> None:
            self.waits.append(seconds)

        self.client = httpx.AsyncClient(transport=httpx.MockTransport(record))
        http = HttpClient(
            self.client,
            connector_class.platform,
            connector_class.classify,
            connector_class.pause,
            RetryPolicy(attempts=3, base_backoff=0),
            sleep=sleep,
        )
        self.connector: Any = connector_class(http, token, base_url=base_url)
        self.connector.clock = lambda: now

    def run(
        self, target: Target, checkpoints: dict[str, dict[str, Any]] | None = None, limit: int | None = None
    ) -> list[Batch]:
        """The batches ``collect`` yields (the first ``limit`` of them, to stop a run early)."""

        async def go() -> list[Batch]:
            batches: list[Batch] = []
            async for batch in self.connector.collect(target, checkpoints or {}):
                batches.append(batch)
                if limit is not None and len(batches) >= limit:
                    break
            return batches

        return asyncio.run(go())

    def calls(self, suffix: str) -> list[httpx.Request]:
        """The requests whose path ends with ``suffix``."""
        return [r for r in self.requests if r.url.path.endswith(suffix)]


class OfflineFacebook(Connector):
    """A Facebook connector that asks no server: each account it collects has ``followers``
    followers at ``taken``, then the posts ``posts`` gives it, in one batch with ``checkpoint``.
    The tests that collect through the real runner subclass it with their own account."""

    platform: ClassVar[str] = "facebook"
    default_base_url: ClassVar[str] = "https://graph.invalid"
    credential_setting: ClassVar[str | None] = None
    taken: ClassVar[dt.datetime] = dt.datetime(2026, 10, 14, 9, tzinfo=dt.UTC)
    followers: ClassVar[int] = 1000
    #: None: the next run lists the account's posts from the start again.
    checkpoint: ClassVar[dict[str, Any] | None] = None

    @staticmethod
    def classify(response: httpx.Response) -> CollectError | None:
        return None

    def posts(self, target: Target) -> list[PostRecord]:
        """The account's posts (none here)."""
        return []

    async def collect(
        self, target: Target, checkpoints: Mapping[str, dict[str, Any]]
    ) -> AsyncIterator[Batch]:
        profile = ProfileRecord(
            platform=self.platform, account_ref=target.ref, taken_at=self.taken, followers=self.followers
        )
        yield Batch(edge="profile", profile=profile)
        yield Batch(edge="posts", posts=self.posts(target), checkpoint=self.checkpoint)
