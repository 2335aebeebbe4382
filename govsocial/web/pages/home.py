"""``/{lang}/``: the directory, with the whole government's figures, search, filters and paging.

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

from govsocial.store import queries
from govsocial.store import tables as t
from govsocial.web.deps import SessionDep, SettingsDep
from govsocial.web.pages.render import (
    LangDep,
    clean,
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

    @classmethod
    def parse(
        cls, q: str | None, platform: str | None, org_type: str | None, show_all: str | None, page: str | None
    ) -> Search:
        """Read the raw parameters; unknown types and bad page numbers fall back to none and 1."""
        kind = org_type if org_type in set(t.OrgType) else ""
        # Six digits are pages enough; more would only overflow the database's OFFSET.
        number = int(page) if page and page.isascii() and page.isdigit() and len(page) <= 6 else 1
        text, chosen = clean(q)[:MAX_QUERY], clean(platform)
        return cls(text, chosen, kind or "", bool(show_all), max(number, 1))

    def params(self, page: int | None = None) -> dict[str, str | int | None]:
        """The query string of this search (on ``page``), without empty values."""
        return {
            "q": self.q, "platform": self.platform, "type": self.type,
            "all": "1" if self.show_all else None, "page": page if page and page > 1 else None,
        }

    def filter(self, jurisdiction: str) -> queries.OrganisationFilter:
        """The store query; only organisations with accounts unless ``show_all``."""
        return queries.OrganisationFilter(
            jurisdiction=jurisdiction, org_type=t.OrgType(self.type) if self.type else None,
            platform=self.platform or None, q=self.q or None, with_accounts=not self.show_all,
        )


@dataclass(frozen=True)
class Entry:
    """One organisation of the directory and the accounts shown with it."""

    organisation: t.Organisation
    accounts: list[t.Account]


def directory(session: Session, search: Search, jurisdiction: str) -> tuple[list[Entry], int]:
    """One page of organisations and their accounts (only those on the chosen platform, if any)."""
    found = queries.list_organisations(
        session, search.filter(jurisdiction), PAGE_SIZE, (search.page - 1) * PAGE_SIZE
    )
    accounts = queries.accounts_by_organisation(session, [o.id for o in found.items])
    entries = [
        Entry(o, [a for a in accounts[o.id] if not search.platform or a.platform == search.platform])
        for o in found.items
    ]
    return entries, found.count


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
) -> HTMLResponse:
    """The directory of organisations and their accounts."""
    search = Search.parse(q, platform, org_type, show_all, page)
    entries, count = directory(session, search, settings.jurisdiction)
    views = platform_views(session, lang.code)
    pages = max(1, -(-count // PAGE_SIZE))
    return render(
        request, lang, "home.html", section="home",
        government=government_name(session, settings, lang.code),
        figures=queries.headline(session, settings.jurisdiction),
        search=search, entries=entries, count=count, pages=pages, page_size=PAGE_SIZE,
        platforms=list(views.values()), platform=partial(platform_of, views), org_types=list(t.OrgType),
    )
