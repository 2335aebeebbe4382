"""Counts that the reliability tests keep as they run, printed at the end of the pytest run.

``docs/reliability.md`` quotes these figures: how many faults were injected and survived, how many
generated inputs each importer was given, how many requests the portal answered while a writer ran.
A figure is only a count of what happened in this run; no test asserts on timing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Tally:
    """Named counters and free-form figure lines, for one pytest run."""

    counts: Counter[str] = field(default_factory=Counter)
    lines: list[str] = field(default_factory=list)

    def add(self, name: str, n: int = 1) -> None:
        """Add ``n`` to the counter ``name``."""
        self.counts[name] += n

    def note(self, line: str) -> None:
        """Keep a line of figures (for example requests per second under load)."""
        self.lines.append(line)

    def report(self) -> list[str]:
        """The summary lines, counters sorted by name."""
        return [f"{name}: {n}" for name, n in sorted(self.counts.items())] + self.lines


TALLY = Tally()
