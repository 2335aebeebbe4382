"""The hostile store, built once per session for the escaping, CSP and browser tests."""

from __future__ import annotations

import pytest

from tests.security.hostile import Hostile, hostile_store


@pytest.fixture(scope="session")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Hostile:
    """The demo store with script payloads in every text and script URLs in every outside link."""
    return hostile_store(tmp_path_factory.mktemp("hostile"))
