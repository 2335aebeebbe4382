"""``/{lang}/reports``: the published period reports, each offered for download as PDF and HTML.

``govsocial report --publish`` writes the files to ``reports_dir`` (docs/reports.md); this page
lists that folder by the file names ``govsocial.report.publish`` gives them, so there is nothing
else to keep in step. The folder may hold several jurisdictions' reports; the portal is the
configured jurisdiction's, so it lists and serves that one's only (a file of another is a 404), and
names an organisation as that jurisdiction does (the same code may be another organisation
elsewhere). A period that has not ended, in the jurisdiction's time zone, is neither listed nor
served: its figures still change. Monthly, weekly and yearly reports are listed in a table each,
newest first; a week is shown with its dates, since few readers know which days "2026-W43" holds.
The files are served as attachments: a report's HTML carries its own inline style, which the
portal's content security policy would refuse on a page it shows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from govsocial.errors import NotFoundError
from govsocial.report.periods import parse
from govsocial.report.publish import Published, listed, published, read_name
from govsocial.store import queries
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


def _now() -> dt.datetime:
    """The time of the request (tests set it)."""
    return dt.datetime.now(dt.UTC)


def _today(session: Session, jurisdiction: str) -> dt.date:
    """The jurisdiction's date: its periods end at its midnight, as the scorecard cuts them."""
    return _now().astimezone(queries.jurisdiction_zone(session, jurisdiction)).date()


def _organisations(session: Session, jurisdiction: str, found: list[Published]) -> dict[str, t.Organisation]:
    """The jurisdiction's organisations that ``found`` has reports of, by code."""
    codes = {p.entity for p in found if p.level == "organisation"}
    query = select(t.Organisation).where(
        t.Organisation.jurisdiction == jurisdiction, t.Organisation.code.in_(codes)
    )
    return {o.code: o for o in session.scalars(query)}


def _title(lang: str, report: Published, organisations: dict[str, t.Organisation]) -> str | None:
    """The report's row heading: None for the whole government, else the organisation's name (its
    code when the registry no longer has it)."""
    if report.level == "government":
        return None
    organisation = organisations.get(report.entity)
    return name(lang, organisation) if organisation is not None else report.entity


@router.get("/{lang}/reports", response_class=HTMLResponse, include_in_schema=False)
def reports_page(request: Request, lang: LangDep, session: SessionDep, settings: SettingsDep) -> HTMLResponse:
    """The jurisdiction's published reports of ended periods: a table per period kind, newest first."""
    jurisdiction = settings.jurisdiction
    found = published(settings.reports_dir, jurisdiction, _today(session, jurisdiction))
    organisations = _organisations(session, jurisdiction, found)
    views: dict[str, list[ReportView]] = {}
    for report in found:
        dates = week_dates(report.period) if report.kind == "week" else None
        view = ReportView(
            _title(lang.code, report, organisations), report.period, _links(lang.code, report), dates
        )
        views.setdefault(report.kind, []).append(view)
    tables = [ReportTable(caption, heading, views[kind]) for kind, caption, heading in KINDS if kind in views]
    return render(request, lang, "reports.html", section="reports", tables=tables)


@router.get("/{lang}/reports/{filename}", include_in_schema=False)
def report_file(lang: LangDep, filename: str, session: SessionDep, settings: SettingsDep) -> FileResponse:
    """One published file, as a download; only what the reports page lists is served: a name of the
    published pattern, of this portal's jurisdiction, of a period that has ended."""
    jurisdiction = settings.jurisdiction
    named = read_name(filename)
    path = settings.reports_dir / filename
    if named is None or not listed(named, jurisdiction, _today(session, jurisdiction)) or not path.is_file():
        raise NotFoundError(f"no published report {filename!r}")
    media_type = MEDIA_TYPES[named.ext]
    return FileResponse(path, media_type=media_type, filename=filename, content_disposition_type="attachment")
