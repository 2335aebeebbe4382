"""Write a report's files, and keep published ones where the portal offers them for download.

A published report is two files in ``reports_dir``: ``{entity}-{period}-{lang}.html`` and ``.pdf``
(``entity`` is an organisation's code or ``government-{jurisdiction}``; ``period`` a week
``2026-W43``, a month ``2026-10`` or a year ``2026``). The portal's reports page lists the folder by
that pattern (``PATTERN``), so nothing else needs to record what was published.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tempfile
from pathlib import Path

from govsocial.report.build import Report
from govsocial.report.periods import kind_of

#: A published file's name: subject, period (week, month or year), language, format.
PATTERN = re.compile(
    r"^(?P<subject>[A-Za-z0-9_.-]+?)-(?P<period>\d{4}(?:-W\d{2}|-\d{2})?)-(?P<lang>zh-hant|en)"
    r"\.(?P<ext>html|pdf)$"
)


def match_name(name: str) -> tuple[re.Match[str], str] | None:
    """A published file's name matched, with its period's kind; None when the name is not of the
    pattern or its period does not exist (``2026-W60``, ``2026-13``): such a file is no report,
    neither listed nor served."""
    match = PATTERN.match(name)
    kind = kind_of(match["period"]) if match else None
    return (match, kind) if match and kind else None


def stem(report: Report, lang: str) -> str:
    """The file name of ``report`` in ``lang``, without its extension."""
    subject = f"government-{report.entity}" if report.level == "government" else report.entity
    return f"{subject}-{report.period}-{lang}"


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file, so a reader never sees half a report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".report-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        # mkstemp makes the file private; a report is public, and the portal may run as another user.
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@dataclasses.dataclass(frozen=True)
class Published:
    """One published report: its subject, period and the period's kind, and its files by language
    and format."""

    subject: str
    period: str
    kind: str
    files: dict[tuple[str, str], str]


def published(folder: Path) -> list[Published]:
    """The reports in ``folder``, newest period first, then by subject; no folder: none. A name of
    the pattern whose period does not exist (``2026-W60``, ``2026-13``) is not a report."""
    found: dict[tuple[str, str, str], dict[tuple[str, str], str]] = {}
    if folder.is_dir():
        for path in folder.iterdir():
            named = match_name(path.name)
            if named and path.is_file():
                match, kind = named
                key = (match["subject"], match["period"], kind)
                found.setdefault(key, {})[(match["lang"], match["ext"])] = path.name
    # Labels of one kind sort as their periods do; the page lists each kind on its own.
    ordered = sorted(found.items(), key=lambda item: (item[0][1], item[0][0]))
    ordered.sort(key=lambda item: item[0][1], reverse=True)
    return [Published(subject, period, kind, files) for (subject, period, kind), files in ordered]
