"""Write a report's files, and keep published ones where the portal offers them for download.

A published report is two files in ``reports_dir``: ``{subject}-{period}-{lang}.html`` and ``.pdf``.
The subject names the jurisdiction as well as what the report is of, since one store (and one
folder) may hold several jurisdictions and an organisation's code is unique only within its own:
``government-{jurisdiction}`` for the whole government, ``{jurisdiction}~{organisation}`` for an
organisation (``hk~cfs``; ``~`` is in no code, so the two codes never run into each other). The
``period`` is a week ``2026-W43``, a month ``2026-10`` or a year ``2026``. The portal's reports
page lists the folder by that pattern (``PATTERN``), so nothing else needs to record what was
published.

Before, an organisation's file was named by its code alone (``cfs-2026-09-en.html``), and the same
code in two jurisdictions wrote the same file. Such an old name says no jurisdiction; it is read as
the configured jurisdiction's, the one ``govsocial report`` made reports of unless told another
(docs/reports.md says why the files are not renamed).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import tempfile
from pathlib import Path

from govsocial.report.build import Report
from govsocial.report.periods import Period, kind_of, parse

#: Between the jurisdiction and the organisation in an organisation's file name: in neither code.
SEPARATOR = "~"
#: What the whole government's file name starts with, before its jurisdiction.
GOVERNMENT = "government-"
#: A jurisdiction's or an organisation's code (``registry.records.CODE_PATTERN``).
_CODE = r"[a-z0-9][a-z0-9._-]{0,63}"
#: A published file's name: the organisation's jurisdiction (absent in an old name and in the
#: government's, which carries it in its subject), subject, period (week, month or year), language,
#: format.
PATTERN = re.compile(
    rf"^(?:(?P<jurisdiction>{_CODE}){SEPARATOR})?(?P<subject>[A-Za-z0-9_.-]+?)"
    r"-(?P<period>\d{4}(?:-W\d{2}|-\d{2})?)-(?P<lang>zh-hant|en)\.(?P<ext>html|pdf)$"
)


def match_name(name: str) -> tuple[re.Match[str], str] | None:
    """A published file's name matched, with its period's kind; None when the name is not of the
    pattern or its period does not exist (``2026-W60``, ``2026-13``): such a file is no report,
    neither listed nor served."""
    match = PATTERN.match(name)
    kind = kind_of(match["period"]) if match else None
    return (match, kind) if match and kind else None


@dataclasses.dataclass(frozen=True)
class FileName:
    """What a published file's name says: whose report it is, of which period, in which language and
    format. ``jurisdiction`` is None for an organisation's file under an old name, which does not say."""

    jurisdiction: str | None
    level: str  # "government" or "organisation"
    entity: str  # the organisation's code, or the government's jurisdiction
    period: Period
    lang: str
    ext: str

    def belongs_to(self, jurisdiction: str) -> bool:
        """Whether the file is ``jurisdiction``'s; pass the configured jurisdiction, which an old
        name is read as."""
        return self.jurisdiction in (None, jurisdiction)


def read_name(name: str) -> FileName | None:
    """What the file name ``name`` says, or None when it is no report's (see ``match_name``)."""
    named = match_name(name)
    if named is None:
        return None
    match, _ = named
    subject, jurisdiction = match["subject"], match["jurisdiction"]
    period = parse(match["period"])
    if jurisdiction is None and subject.startswith(GOVERNMENT):
        owner = subject.removeprefix(GOVERNMENT)
        return FileName(owner, "government", owner, period, match["lang"], match["ext"])
    return FileName(jurisdiction, "organisation", subject, period, match["lang"], match["ext"])


def listed(name: FileName, jurisdiction: str, today: dt.date) -> bool:
    """Whether the portal of ``jurisdiction`` (the configured one) offers the file on ``today``, its
    own date: the file is the jurisdiction's and its period has ended. A period under way is left
    out: its figures still change, and the list would show it as the newest, final report."""
    return name.belongs_to(jurisdiction) and name.period.end <= today


def stem(report: Report, lang: str) -> str:
    """The file name of ``report`` in ``lang``, without its extension."""
    if report.level == "government":
        subject = f"{GOVERNMENT}{report.entity}"
    else:
        subject = f"{report.jurisdiction}{SEPARATOR}{report.entity}"
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
    """One published report: whose (its level and entity), its period and the period's kind, and its
    files by language and format."""

    level: str
    entity: str
    period: str
    kind: str
    files: dict[tuple[str, str], str]


def published(folder: Path, jurisdiction: str, today: dt.date) -> list[Published]:
    """The reports in ``folder`` that the portal of ``jurisdiction`` lists on ``today`` (``listed``),
    newest period first, then by subject; no folder: none. A name of the pattern whose period does
    not exist (``2026-W60``, ``2026-13``) is not a report. Where a file has both an old name and a
    new one (an organisation's report published again after the upgrade), the new one is offered."""
    found: dict[tuple[str, str, str, str], dict[tuple[str, str], str]] = {}
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        name = read_name(path.name)
        if name is None or not listed(name, jurisdiction, today) or not path.is_file():
            continue
        key = (name.period.label, name.level, name.entity, name.period.kind)
        files = found.setdefault(key, {})
        if name.jurisdiction is not None or (name.lang, name.ext) not in files:
            files[(name.lang, name.ext)] = path.name
    # Labels of one kind sort as their periods do; the page lists each kind on its own.
    ordered = sorted(found.items(), key=lambda item: (item[0][1], item[0][2]))
    ordered.sort(key=lambda item: item[0][0], reverse=True)
    return [Published(level, entity, period, kind, files) for (period, level, entity, kind), files in ordered]
