"""Fake platforms on loopback for end-to-end collection tests.

``FakeGraph`` imitates the Facebook Graph API closely enough for the real connector: answers
built from the recorded payloads under ``tests/fixtures/payloads/``, with ids and paging changed
so that there are several pages of posts and comments, and faults injected on demand through its
``Control`` (429 with a reset time, 5xx, slow answers, truncated JSON, an expired token, a post
deleted between pages, a usage header at 95 %). ``serve`` runs it with uvicorn in a thread.

``tests.fakeplatform.youtube.FakeYouTube`` and ``tests.fakeplatform.x.FakeX`` do the same for the
YouTube Data API and the X API v2, with the same ``Control``; ``tests.fakeplatform.check`` compares
a store with what a fake served; ``tests.fakeplatform.cli_shim`` runs the real ``govsocial`` command
against fakes (for the kill/resume tests).
"""

from tests.fakeplatform.faults import (
    Control,
    ExpiredToken,
    Fault,
    Gone,
    HighUsage,
    RateLimited,
    Rule,
    ServerError,
    Slow,
    Truncated,
)
from tests.fakeplatform.graph import Expected, FakeGraph, FakePage, FakePost, build_pages
from tests.fakeplatform.server import free_port, serve

__all__ = [
    "Control",
    "Expected",
    "ExpiredToken",
    "FakeGraph",
    "FakePage",
    "FakePost",
    "Fault",
    "Gone",
    "HighUsage",
    "RateLimited",
    "Rule",
    "ServerError",
    "Slow",
    "Truncated",
    "build_pages",
    "free_port",
    "serve",
]
