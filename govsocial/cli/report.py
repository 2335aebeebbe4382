"""``govsocial report``: one week's, month's or year's report of an organisation or the whole government,
as HTML and PDF.

The report is described in docs/reports.md; ``--publish`` also copies the files to ``reports_dir``,
where the portal's reports page offers them for download.
"""

from __future__ import annotations

import datetime as dt
import enum
from pathlib import Path
from typing import Annotated

import typer

from govsocial.analyze.survey import release_due
from govsocial.cli.common import console, friendly_errors, read_session, settings_of
from govsocial.report.build import build
from govsocial.report.errors import ReportError
from govsocial.report.pdf import html_to_pdf
from govsocial.report.publish import stem, write_atomic
from govsocial.report.render import render_html


class Lang(enum.StrEnum):
    """The report's languages."""

    ZH_HANT = "zh-hant"
    EN = "en"


@friendly_errors
def report(
    ctx: typer.Context,
    period: Annotated[
        str,
        typer.Option(
            help="The period: a week YYYY-Www, a month YYYY-MM, a year YYYY, or latest (the newest month"
            " with figures); compared with the one before."
        ),
    ],
    org: Annotated[str | None, typer.Option("--org", help="The organisation, by code.")] = None,
    government: Annotated[bool, typer.Option("--government", help="The whole government instead.")] = False,
    lang: Annotated[Lang, typer.Option(help="zh-hant or en.")] = Lang.ZH_HANT,
    out: Annotated[Path, typer.Option(help="Folder to write the HTML and PDF to.")] = Path("."),
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="Write the PDF as well as the HTML.")] = True,
    publish: Annotated[
        bool, typer.Option("--publish", help="Also copy the files to reports_dir, for the portal.")
    ] = False,
    jurisdiction: Annotated[
        str | None, typer.Option(help="Jurisdiction code (default: the configured one).")
    ] = None,
) -> None:
    """Write the period's report: scorecard with changes, peers, accounts, survey, best and worst posts."""
    if (org is None) == (not government):
        raise typer.BadParameter("give either --org CODE or --government", param_hint="--org")
    settings = settings_of(ctx)
    folders = [("--out", out)] + ([("the reports_dir setting", settings.reports_dir)] if publish else [])
    for option, folder in folders:  # before the seconds the report takes, not after
        _check_folder(option, folder)
    with read_session(ctx) as session:
        # A deployment whose survey has a batch waiting releases it first (docs/survey.md), in a
        # transaction of its own: the report is read after it, as any reader would.
        with session.begin():
            release_due(session, settings.jurisdiction, dt.datetime.now(dt.UTC))
        data = build(session, jurisdiction or settings.jurisdiction, org, period)
    html = render_html(data, lang.value).encode()
    files = {".html": html}
    if pdf:
        files[".pdf"] = html_to_pdf(html.decode())
    name = stem(data, lang.value)
    for option, folder in folders:
        for ext, content in files.items():
            try:
                write_atomic(folder / f"{name}{ext}", content)
            except OSError as exc:
                raise ReportError(f"{option} {folder}: cannot write {name}{ext}: {exc.strerror}") from None
            console.print(f"wrote {folder / (name + ext)}", highlight=False)


def _check_folder(option: str, folder: Path) -> None:
    """Refuse a folder that cannot be: a file, or under one. (One that cannot be made for another
    reason, a read-only or special file system, is refused when the files are written.)"""
    for path in (folder, *folder.parents):
        if path.exists():
            if not path.is_dir():
                what = "a file, not a folder" if path == folder else f"under the file {path}"
                raise ReportError(f"{option} {folder}: {what}")
            return
