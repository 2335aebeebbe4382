"""``/{lang}/``: the directory, with the whole government's figures, search, filters and paging.

The headline figures are the registry's counts and the government's latest month from the
materialised metrics (posts and interaction rate), linking on to the leaderboards.

Everything is a plain GET form, so the page works without JavaScript and every search is a link
that can be shared. Query parameters are read leniently: a page number or type that makes no
sense is ignored rather than answered with a validation error.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from govsocial.analyze.metrics.model import Unit
from govsocial.analyze.metrics.params import configured
from govsocial.settings import Settings
from govsocial.store import metric_queries, queries, rankings
from govsocial.store import tables as t
from govsocial.web.activity import window
from govsocial.web.deps import SessionDep, SettingsDep
from govsocial.web.pages.metric_text import format_value
from govsocial.web.pages.render import (
    LangDep,
    clean,
    example_account,
    government_name,
    platform_of,
    platform_views,
    render,
)

router = APIRouter()

PAGE_SIZE = 20
MAX_QUERY = 200


@dataclass(frozen=True)
class Search:
    """The directory's query string, cleaned."""

    q: str = ""
    platform: str = ""
    type: str = ""
    show_all: bool = False
    page: int = 1
    activity: str = ""

    @classmethod
    def parse(  # one argument per query parameter
        cls,
        q: str | None,
        platform: str | None,
        org_type: str | None,
        show_all: str | None,
        page: str | None,
        activity: str | None = None,
    ) -> Search:
        """Read the raw parameters; unknown types, activities and bad page numbers fall back to none and 1."""
        kind = org_type if org_type in set(t.OrgType) else ""
        # Six digits are pages enough; more would only overflow the database's OFFSET.
        number = int(page) if page and queries.ascii_digits(page) and len(page) <= 6 else 1
        text, chosen = clean(q)[:MAX_QUERY], clean(platform)
        state = activity if activity in set(queries.Activity) else ""
        return cls(text, chosen, kind or "", bool(show_all), max(number, 1), state or "")

    def params(self, page: int | None = None) -> dict[str, str | int | None]:
        """The query string of this search (on ``page``), without empty values."""
        return {
            "q": self.q,
            "platform": self.platform,
            "type": self.type,
            "activity": self.activity or None,
            "all": "1" if self.show_all else None,
            "page": page if page and page > 1 else None,
        }

    def filter(self, jurisdiction: str, active: queries.ActivityWindow | None) -> queries.OrganisationFilter:
        """The store query; only organisations with accounts unless ``show_all``."""
        return queries.OrganisationFilter(
            jurisdiction=jurisdiction,
            org_type=t.OrgType(self.type) if self.type else None,
            platform=self.platform or None,
            q=self.q or None,
            with_accounts=not self.show_all,
            activity=active,
        )


@dataclass(frozen=True)
class Entry:
    """One organisation of the directory and the accounts shown with it."""

    organisation: t.Organisation
    accounts: list[t.Account]


def directory(session: Session, settings: Settings, search: Search) -> tuple[list[Entry], int]:
    """One page of the configured jurisdiction's organisations and their accounts (only those on the
    chosen platform, and active or dormant as chosen, if any)."""
    jurisdiction = settings.jurisdiction
    activity = queries.Activity(search.activity) if search.activity else None
    active = window(session, settings, jurisdiction, activity)
    found = queries.list_organisations(
        session, search.filter(jurisdiction, active), PAGE_SIZE, (search.page - 1) * PAGE_SIZE
    )
    accounts = queries.accounts_by_organisation(session, [o.id for o in found.items])
    every = [a.id for listed in accounts.values() for a in listed]
    shown = queries.accounts_in_window(session, every, active) if active else None

    def wanted(account: t.Account) -> bool:
        chosen_platform = not search.platform or account.platform == search.platform
        return chosen_platform and (shown is None or account.id in shown)

    entries = [Entry(o, [a for a in accounts[o.id] if wanted(a)]) for o in found.items]
    return entries, found.count


@dataclass(frozen=True)
class Month:
    """The whole government's latest month, as the home page's headline figures show it."""

    period: str
    posts: str
    interaction_rate: str
    sample: bool


def government_month(session: Session, settings: Settings, code: str) -> Month | None:
    """Posts and interaction rate of the whole government in its latest month with values under the
    configured parameters (None before any are computed); the values the leaderboards and the
    scorecard API show."""
    jurisdiction, digest = settings.jurisdiction, configured(settings).digest()
    card = metric_queries.scorecard(session, jurisdiction, digest, "government", jurisdiction, "month")
    if card.period is None:
        return None
    posts, rate = (card.values.get(name) for name in ("post_volume", "interaction_rate_account"))
    return Month(
        card.period,
        format_value(posts.value if posts else None, Unit.COUNT, code),
        format_value(rate.value if rate else None, Unit.PERCENT, code),
        rankings.has_sample_data(session, jurisdiction),
    )


@router.get("/{lang}/", response_class=HTMLResponse, include_in_schema=False)
def home(
    request: Request,
    lang: LangDep,
    session: SessionDep,
    settings: SettingsDep,
    q: str | None = None,
    platform: str | None = None,
    org_type: Annotated[str | None, Query(alias="type")] = None,
    show_all: Annotated[str | None, Query(alias="all")] = None,
    page: str | None = None,
    activity: str | None = None,
) -> HTMLResponse:
    """The directory of organisations and their accounts."""
    search = Search.parse(q, platform, org_type, show_all, page, activity)
    entries, count = directory(session, settings, search)
    views = platform_views(session, lang.code)
    pages = max(1, -(-count // PAGE_SIZE))
    return render(
        request,
        lang,
        "home.html",
        section="home",
        government=government_name(session, settings, lang.code),
        figures=queries.headline(session, settings.jurisdiction),
        month=government_month(session, settings, lang.code),
        active_days=configured(settings).active_days,
        search=search,
        entries=entries,
        count=count,
        pages=pages,
        page_size=PAGE_SIZE,
        platforms=list(views.values()),
        platform=partial(platform_of, views),
        org_types=list(t.OrgType),
        example=example_account(session, settings.jurisdiction),
    )
