"""``/{lang}/organisations/{jurisdiction}/{code}``: one organisation, its accounts and their evidence.

Accounts a source mentions but nobody has confirmed (``organisation_facts``) are shown in their
own, clearly labelled section and never as links: a reader must not mistake them for official.
The newest posts of the organisation's accounts follow the accounts, labelled when they are demo data,
then the organisation's OECD scorecard and monthly charts (:mod:`.scorecard_view`).
"""

from __future__ import annotations

import datetime as dt
import re
from functools import partial

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from govsocial.analyze.metrics.params import configured
from govsocial.store import queries
from govsocial.web.deps import SessionDep, SettingsDep
from govsocial.web.pages import scorecard_view
from govsocial.web.pages.account import RECENT_POSTS, post_rows
from govsocial.web.pages.opinion import Subject, sections
from govsocial.web.pages.render import LangDep, platform_of, platform_views, render

router = APIRouter()


def split_sources(source: str | None) -> list[str]:
    """The registry joins an organisation's sources with `` | ``; the page lists them one by one."""
    return [part.strip() for part in (source or "").split(" | ") if part.strip()]


_LEADING_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})\b\s*(.*)", re.S)
#: Registry words for a date nobody recorded: shown as the page's "Date not given" alone.
_NO_DATE = frozenset({"unknown", "n/a", "none", "not known", "-", "?"})


def split_source_date(value: str | None) -> tuple[str | None, str | None]:
    """A registry fact's free-text ``source_date`` as the ISO date it begins with (None when it does
    not) and the text left over (``"(channel launched 2013-03-26)"``; None when there is none or the
    value only says the date is unknown): the page translates the first and tags the second with its
    language."""
    text = (value or "").strip()
    found = _LEADING_DATE.fullmatch(text)
    if found is not None:
        try:
            dt.date.fromisoformat(found.group(1))
        except ValueError:
            found = None
    if found is not None:
        return found.group(1), found.group(2).strip() or None
    return None, None if text.lower() in _NO_DATE or not text else text


@router.get(
    "/{lang}/organisations/{jurisdiction}/{code}", response_class=HTMLResponse, include_in_schema=False
)
def organisation(
    request: Request, lang: LangDep, session: SessionDep, settings: SettingsDep, jurisdiction: str, code: str
) -> HTMLResponse:
    """An organisation's page; a 404 page if there is no such organisation."""
    org = queries.get_organisation(session, jurisdiction, code)
    views = platform_views(session, lang.code)
    accounts = queries.accounts_by_organisation(session, [org.id])[org.id]
    posts = queries.recent_posts(session, [a.id for a in accounts], RECENT_POSTS)
    recent = post_rows(posts, queries.jurisdiction_zone(session, org.jurisdiction))
    digest = configured(settings).digest()
    subject = Subject("organisation", org.jurisdiction, org.code, tuple(a.id for a in accounts), digest)
    sample = any(r.view.is_sample for r in recent)
    card = scorecard_view.scorecard(session, subject, lang.code, sample)
    return render(
        request,
        lang,
        "organisation.html",
        org=org,
        accounts=accounts,
        recent=recent,
        recent_sample=sample,
        children=queries.children(session, org.id),
        facts=queries.facts(session, org.id),
        source_date=split_source_date,
        sources=split_sources(org.source),
        platform=partial(platform_of, views),
        scorecard=card,
        trends=scorecard_view.trends(session, subject, lang.code, card.period),
        **sections(session, subject),
    )
