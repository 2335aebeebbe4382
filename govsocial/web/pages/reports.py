"""``/{lang}/reports``: the published period reports, each offered for download as PDF and HTML.

``govsocial report --publish`` writes the files to ``reports_dir`` (docs/reports.md); this page
lists that folder by the file names ``govsocial.report.publish`` gives them, so there is nothing
else to keep in step. Monthly, weekly and yearly reports are listed in a table each, newest first;
a week is shown with its dates, since few readers know which days "2026-W43" holds. The files are
served as attachments: a report's HTML carries its own inline style, which the portal's content
security policy would refuse on a page it shows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse
from sqlalchemy import select

from govsocial.errors import NotFoundError
from govsocial.report.periods import parse
from govsocial.report.publish import Published, match_name, published
from govsocial.store import tables as t
from govsocial.web.deps import SessionDep, SettingsDep
from govsocial.web.pages.i18n import N_
from govsocial.web.pages.render import LangDep, name, render

router = APIRouter()

#: The media type of each file kind.
MEDIA_TYPES = {"pdf": "application/pdf", "html": "text/html; charset=utf-8"}
#: The report languages, as the list names them (each in its own language, as a reader looks for it).
LANGUAGE_LABELS = {"zh-hant": "繁體中文", "en": "English"}
#: The tables of the page, in this order: the period kind, its caption and its column's heading.
KINDS = (
    ("month", N_("Monthly reports"), N_("Month")),
    ("week", N_("Weekly reports"), N_("Week")),
    ("year", N_("Yearly reports"), N_("Year")),
)


@dataclass(frozen=True)
class ReportLink:
    """One downloadable file: its label parts and its address."""

    language: str
    format: str
    url: str


@dataclass(frozen=True)
class ReportView:
    """One published report as the page lists it."""

    title: str | None  # None: the whole government
    period: str
    links: list[ReportLink]
    dates: str | None = None  # a week's first and last day


@dataclass(frozen=True)
class ReportTable:
    """The published reports of one period kind: its caption, its period column's heading, its rows."""

    caption: str
    heading: str
    reports: list[ReportView]


def week_dates(label: str) -> str:
    """A week's first and last day, "2026-10-19 – 2026-10-25"."""
    week = parse(label)
    return f"{week.start.isoformat()} – {(week.end - dt.timedelta(days=1)).isoformat()}"


def _links(lang: str, report: Published) -> list[ReportLink]:
    return [
        ReportLink(LANGUAGE_LABELS[code], ext.upper(), f"/{lang}/reports/{report.files[(code, ext)]}")
        for code in LANGUAGE_LABELS
        for ext in ("pdf", "html")
        if (code, ext) in report.files
    ]


@router.get("/{lang}/reports", response_class=HTMLResponse, include_in_schema=False)
def reports_page(request: Request, lang: LangDep, session: SessionDep, settings: SettingsDep) -> HTMLResponse:
    """Every published report: a table per period kind, newest period first."""
    found = published(settings.reports_dir)
    codes = {p.subject for p in found}
    organisations = {
        o.code: o for o in session.scalars(select(t.Organisation).where(t.Organisation.code.in_(codes)))
    }
    views: dict[str, list[ReportView]] = {}
    for report in found:
        organisation = organisations.get(report.subject)
        title: str | None = name(lang.code, organisation) if organisation is not None else report.subject
        if report.subject.startswith("government-"):
            title = None
        dates = week_dates(report.period) if report.kind == "week" else None
        view = ReportView(title, report.period, _links(lang.code, report), dates)
        views.setdefault(report.kind, []).append(view)
    tables = [ReportTable(caption, heading, views[kind]) for kind, caption, heading in KINDS if kind in views]
    return render(request, lang, "reports.html", section="reports", tables=tables)


@router.get("/{lang}/reports/{filename}", include_in_schema=False)
def report_file(lang: LangDep, filename: str, settings: SettingsDep) -> FileResponse:
    """One published file, as a download; only names of the published pattern are served."""
    named = match_name(filename)
    path = settings.reports_dir / filename
    if named is None or not path.is_file():
        raise NotFoundError(f"no published report {filename!r}")
    media_type = MEDIA_TYPES[named[0]["ext"]]
    return FileResponse(path, media_type=media_type, filename=filename, content_disposition_type="attachment")
