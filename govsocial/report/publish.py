"""Write a report's files, and keep published ones where the portal offers them for download.

A published report is two files in ``reports_dir``: ``{entity}-{period}-{lang}.html`` and ``.pdf``
(``entity`` is an organisation's code or ``government-{jurisdiction}``). The portal's reports page
lists the folder by that pattern (``PATTERN``), so nothing else needs to record what was published.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tempfile
from pathlib import Path

from govsocial.report.build import Report

#: A published file's name: subject, month, language, format.
PATTERN = re.compile(
    r"^(?P<subject>[A-Za-z0-9_.-]+?)-(?P<period>\d{4}-\d{2})-(?P<lang>zh-hant|en)\.(?P<ext>html|pdf)$"
)


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
    """One published report: its subject and month, and its files by language and format."""

    subject: str
    period: str
    files: dict[tuple[str, str], str]


def published(folder: Path) -> list[Published]:
    """The reports in ``folder``, newest month first, then by subject; no folder: none."""
    found: dict[tuple[str, str], dict[tuple[str, str], str]] = {}
    if folder.is_dir():
        for path in folder.iterdir():
            match = PATTERN.match(path.name)
            if match and path.is_file():
                key = (match["subject"], match["period"])
                found.setdefault(key, {})[(match["lang"], match["ext"])] = path.name
    ordered = sorted(found.items(), key=lambda item: (item[0][1], item[0][0]))
    ordered.sort(key=lambda item: item[0][1], reverse=True)
    return [Published(subject, period, files) for (subject, period), files in ordered]
