"""The report layer's error: a report that cannot be built from what was asked."""

from __future__ import annotations

from govsocial.errors import GovsocialError


class ReportError(GovsocialError):
    """A report that cannot be built from what was asked (bad period, unknown organisation)."""
