"""What every browser test needs: the portal served on loopback, and Debian's Chromium launched.

``portal(url)`` serves the app over the store at ``url`` in a background thread until the block ends
(the same server as the fake platforms', from ``tests.fakeplatform``); ``chromium()`` launches
``/usr/bin/chromium`` through Playwright and fails, not skips, when it is missing, because `make test`
installs it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from govsocial.settings import Settings
from govsocial.web.app import create_app
from tests.fakeplatform import serve

CHROMIUM = Path("/usr/bin/chromium")
# Chromium's background services try to reach Google; this machine has no network, so keep them off.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@contextmanager
def portal(database_url: str) -> Iterator[str]:
    """The portal over ``database_url`` on a free loopback port; yields its root URL."""
    with serve(create_app(Settings.load(database_url=database_url))) as base_url:
        yield base_url


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless, with the network services off."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            yield instance
        finally:
            instance.close()
