"""``/{lang}/timeline`` and ``/{lang}/timeline.atom``: what every official account posted, newest first.

One feed across platforms, of published accounts only (an account under review or archived may not
be the government's). Filters are a plain GET form (platform, organisation) and paging is links, so
the page works without JavaScript; the Atom feed takes the same filters and gives the newest posts.
The feed is built with ElementTree, which escapes every text and attribute.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial
from urllib.parse import quote
from xml.etree import ElementTree as ET

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from govsocial.store import queries
from govsocial.store import tables as t
from govsocial.store.times import utc
from govsocial.web.deps import SessionDep, SettingsDep
from govsocial.web.pages.account import excerpt, post_rows
from govsocial.web.pages.i18n import Language, translations
from govsocial.web.pages.render import (
    LangDep,
    clean,
    display_name,
    government_name,
    http_url,
    page_url,
    platform_of,
    platform_views,
    render,
)

router = APIRouter()

PAGE_SIZE = 50
FEED_ENTRIES = 50
TITLE_CHARS = 80
ATOM = "http://www.w3.org/2005/Atom"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
#: The authority and date of the feed's tag: URIs (RFC 4151); never change them, readers key on them.
TAG_PREFIX = "tag:govsocial,2026:"


@dataclass(frozen=True)
class TimelineSearch:
    """The timeline's query string, cleaned: bad page numbers fall back to 1."""

    platform: str = ""
    organisation: str = ""
    page: int = 1

    @classmethod
    def parse(cls, platform: str | None, organisation: str | None, page: str | None) -> TimelineSearch:
        """Read the raw parameters leniently, as the directory does."""
        number = int(page) if page and queries.ascii_digits(page) and len(page) <= 6 else 1
        return cls(clean(platform)[:32], clean(organisation)[:100], max(number, 1))

    def params(self, page: int | None = None) -> dict[str, str | int | None]:
        """The query string of this search (on ``page``), without empty values."""
        return {
            "platform": self.platform,
            "organisation": self.organisation,
            "page": page if page and page > 1 else None,
        }

    def filter(self, jurisdiction: str) -> queries.TimelineFilter:
        """The store query."""
        return queries.TimelineFilter(jurisdiction, self.platform or None, self.organisation or None)


def account_name(code: str, account: t.Account) -> str:
    """The account's display name in language ``code``, or its handle when it has none."""
    return display_name(code, account) or account.handle


def organisations(session: Session, jurisdiction: str) -> list[t.Organisation]:
    """The organisations with accounts, for the filter's choices."""
    f = queries.OrganisationFilter(jurisdiction=jurisdiction, with_accounts=True)
    return queries.list_organisations(session, f, 10_000).items


@router.get("/{lang}/timeline", response_class=HTMLResponse, include_in_schema=False)
def timeline_page(
    request: Request,
    lang: LangDep,
    session: SessionDep,
    settings: SettingsDep,
    platform: str | None = None,
    organisation: str | None = None,
    page: str | None = None,
) -> HTMLResponse:
    """The government timeline, one page of posts."""
    search = TimelineSearch.parse(platform, organisation, page)
    offset = (search.page - 1) * PAGE_SIZE
    found = queries.timeline(session, search.filter(settings.jurisdiction), PAGE_SIZE, offset)
    pages = max(1, -(-found.count // PAGE_SIZE))
    if search.page > pages:
        # Past the last page is no page (404), not an empty one that says "Page 9999 of 19".
        message = f"Page {search.page} is past the last page of these posts ({pages})."
        return render(request, lang, "error.html", status_code=404, status=404, message=message)
    zone = queries.jurisdiction_zone(session, settings.jurisdiction)
    views = platform_views(session, lang.code)
    return render(
        request,
        lang,
        "timeline.html",
        section="timeline",
        government=government_name(session, settings, lang.code),
        search=search,
        rows=post_rows(found.items, zone),
        count=found.count,
        pages=pages,
        sample=any(v.is_sample for v in found.items),
        platforms=list(views.values()),
        platform=partial(platform_of, views),
        organisations=organisations(session, settings.jurisdiction),
        feed_url=page_url(lang.code, "timeline.atom", **search.params()),
    )


def _stamp(moment: dt.datetime) -> str:
    """An RFC 3339 time in UTC, as Atom wants it."""
    return utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    child = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    child.text = text
    return child


def atom(views: list[queries.PostView], lang: Language, title: str, self_url: str, page: str) -> bytes:
    """The Atom 1.0 document of ``views``; ``page`` is the HTML page's absolute address (the id too)."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": lang.html})
    _sub(feed, "id", page)
    _sub(feed, "title", title)
    # The newest post's time: a feed with no change keeps its date (and its ETag).
    _sub(feed, "updated", _stamp(views[0].post.created_at) if views else "1970-01-01T00:00:00Z")
    _sub(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    _sub(feed, "link", rel="alternate", type="text/html", href=page)
    for view in views:
        post, name = view.post, account_name(lang.code, view.account)
        entry = _sub(feed, "entry")
        _sub(entry, "id", f"{TAG_PREFIX}{quote(post.platform, safe='')}/{quote(post.post_id, safe='')}")
        text = excerpt(post.text, TITLE_CHARS)
        _sub(entry, "title", f"{name}: {text}" if text else name)
        _sub(entry, "published", _stamp(post.created_at))
        _sub(entry, "updated", _stamp(post.created_at))
        _sub(_sub(entry, "author"), "name", name)
        link = http_url(post.url)  # feed readers make it a link: http(s) only
        if link:
            _sub(entry, "link", rel="alternate", href=link)
        _sub(entry, "category", term=post.platform)
        if view.is_sample:
            _sub(entry, "category", term="sample", label=translations(lang.code).gettext("sample"))
        _sub(entry, "content", post.text or "", type="text")
    document: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return document


@router.get("/{lang}/timeline.atom", include_in_schema=False)
def timeline_feed(
    request: Request,
    lang: LangDep,
    session: SessionDep,
    settings: SettingsDep,
    platform: str | None = None,
    organisation: str | None = None,
) -> Response:
    """The newest posts of the timeline as an Atom feed, with the page's filters."""
    search = TimelineSearch.parse(platform, organisation, None)
    found = queries.timeline(session, search.filter(settings.jurisdiction), FEED_ENTRIES)
    base = str(request.base_url).rstrip("/")
    title = translations(lang.code).gettext("Government timeline")
    government = government_name(session, settings, lang.code)
    body = atom(
        found.items,
        lang,
        f"{title} · {government}",
        base + page_url(lang.code, "timeline.atom", **search.params()),
        base + page_url(lang.code, "timeline", **search.params()),
    )
    return Response(body, media_type=ATOM_TYPE)
