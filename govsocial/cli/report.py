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
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from govsocial.analyze.metrics.params import configured
from govsocial.analyze.survey import due_release, release_due
from govsocial.cli.common import console, errors, friendly_errors, read_session, settings_of
from govsocial.report.build import build
from govsocial.report.errors import ReportError
from govsocial.report.pdf import html_to_pdf
from govsocial.report.publish import stem, write_atomic
from govsocial.report.render import render_html
from govsocial.settings import Settings
from govsocial.store import queries
from govsocial.store.survey import latest_release, refused_as_read_only
from govsocial.store.tables import SurveyRelease


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
            " that has ended with figures); compared with the one before."
        ),
    ],
    org: Annotated[str | None, typer.Option("--org", help="The organisation, by code.")] = None,
    government: Annotated[bool, typer.Option("--government", help="The whole government instead.")] = False,
    lang: Annotated[
        Lang | None,
        typer.Option(
            help="zh-hant or en (default: the portal's default language, the default_locale setting"
            " else the jurisdiction's; zh-hans gives zh-hant).",
            show_default=False,
        ),
    ] = None,
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
        # The survey is the deployment's, not a jurisdiction's (its form stamps days and releases in
        # the configured jurisdiction's zone): a release the report makes is dated there too, also
        # when the report is of another jurisdiction.
        _release_survey(session, settings.jurisdiction)
        code = jurisdiction or settings.jurisdiction
        # One "now" for the command, its survey release's and its report's: a period that has not
        # ended by then is refused for --publish before the report is built.
        data = build(session, code, org, period, now=_now(), publishing=publish, params=configured(settings))
        lang = lang or _default_lang(session, settings, code)
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


def _default_lang(session: Session, settings: Settings, jurisdiction: str) -> Lang:
    """The report's language when ``--lang`` is not given: the portal's default language (the
    ``default_locale`` setting where it is set, else the jurisdiction's own, as the portal chooses
    it), as a language reports are written in. There is no simplified-Chinese report: zh-hans, as
    any language without a report, gives the traditional-Chinese one."""
    chosen = queries.default_locale(session, settings, jurisdiction)
    return Lang.EN if chosen == Lang.EN else Lang.ZH_HANT


def _now() -> dt.datetime:
    """The time the report is made at, and a release it makes (tests set it)."""
    return dt.datetime.now(dt.UTC)


def _release_survey(session: Session, jurisdiction: str) -> None:
    """Release the survey's waiting batch if one is due (docs/survey.md), in a transaction of its
    own: the report is read after it, as any reader would. ``release_due`` writes nothing when none
    is due; one due on a store that refuses writes (a read-only replica, a file the user may only
    read) is left waiting, with a warning, and the report is built from the releases made so far.
    Any other database error fails the report."""
    try:
        with session.begin():
            release_due(session, jurisdiction, _now())
    except DBAPIError as error:
        if not refused_as_read_only(error):
            raise
        with session.begin():
            waiting, last = due_release(session), latest_release(session)
        if waiting is not None:  # None: another made the release meanwhile, which the report reads
            message = f"warning: {_not_released(waiting, last)}"
            errors.print(message, style="yellow", markup=False, highlight=False, soft_wrap=True)


def _not_released(waiting: int, last: SurveyRelease | None) -> str:
    """What a report on a read-only store says of the survey release it could not make."""
    if not waiting:  # the record of what an upgrade found published (analyze.survey.release_due)
        return (
            "the store is read-only: the figures of the survey responses published before the upgrade "
            "to releases (migration 0015) were not recorded as a release, and the report has no survey "
            "figures"
        )
    left = f"{waiting} survey responses waiting for release were not released"
    if last is None:
        return f"the store is read-only: {left}, and the report has no survey figures (none released yet)"
    return f"the store is read-only: {left}; the report shows the last release ({last.made_on.isoformat()})"


def _check_folder(option: str, folder: Path) -> None:
    """Refuse a folder that cannot be: a file, or under one. (One that cannot be made for another
    reason, a read-only or special file system, is refused when the files are written.)"""
    for path in (folder, *folder.parents):
        if path.exists():
            if not path.is_dir():
                what = "a file, not a folder" if path == folder else f"under the file {path}"
                raise ReportError(f"{option} {folder}: {what}")
            return
