"""Fixtures shared by the alert tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.analyze.alerts.loopback import Mailbox, smtp


@pytest.fixture
def box() -> Iterator[Mailbox]:
    """A loopback SMTP server, with what it received."""
    with smtp() as mailbox:
        yield mailbox
