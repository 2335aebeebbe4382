"""Prints the reliability figures (``tests.reliability.tally``) at the end of a pytest run."""

from __future__ import annotations

import pytest

from tests.reliability.tally import TALLY


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    lines = TALLY.report()
    if lines:
        terminalreporter.section("reliability figures")
        for line in lines:
            terminalreporter.write_line(line)
