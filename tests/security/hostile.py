"""A store full of hostile text, and a checker of the HTML the portal makes of it.

``hostile_store(folder)`` builds the demo store through the CLI, then writes script payloads into
everything that users, the registry or the platforms can put on a page (organisation and account
names, handles, display names, evidence notes, post texts, comment texts) and ``javascript:`` and
``data:`` URLs into every link that comes from outside (account and evidence URLs, websites, post
links), and refreshes the metrics so that topics and crises are computed from those texts.
``problems(html)`` lists what would run in a browser: script elements, event-handler or style
attributes, and links or sources that are neither relative nor http(s).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import func, select, update

from govsocial.store import tables as t
from govsocial.store.db import make_engine, session_factory
from tests.demo_store import demo_store, run

SCRIPT = "<script>alert('xss-script')</script>"
IMG = '"><img src=x onerror=alert("xss-img")>'
SVG = "'><svg/onload=alert('xss-svg')>"
PAYLOADS = (SCRIPT, IMG, SVG)
JS_URLS = (
    "javascript:alert('xss-href')",
    " JaVaScRiPt:alert('xss-href2')",
    "data:text/html,<script>alert(1)</script>",
)
#: What must never appear in a page's source: each payload's markup, unescaped.
RAW = ("<script>alert(", '"><img src=x', "<img src=x", "'><svg/onload", "<svg/onload")
#: URL attributes, and the schemes a page may use in them (or none: a relative URL).
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "data"}
SAFE_SCHEMES = re.compile(r"^(?:https?://|/|#|\?|[^:/?#]+(?:[/?#]|$))", re.IGNORECASE)


@dataclass(frozen=True)
class Hostile:
    """The hostile store: its URL and what was made hostile in it."""

    url: str
    org_code: str
    parent_code: str | None
    account_id: int
    handle: str


def hostile_store(folder: Path) -> Hostile:
    """The demo store with hostile names, texts and links (see the module docstring)."""
    url = demo_store(folder, months=1)
    engine = make_engine(url)
    with session_factory(engine)() as session:
        account = session.scalars(
            select(t.Account)
            .join(t.Post, t.Post.account_id == t.Account.id)
            .where(t.Account.status == t.AccountStatus.PUBLISHED)
            .group_by(t.Account.id)
            .order_by(func.count(t.Post.id).desc())
        ).first()
        assert account is not None
        org = account.organisations[0].organisation
        org_code, parent_code = org.code, org.parent.code if org.parent else None
        handle = f"{IMG}{account.handle}"
        org.name_en, org.name_zh_hant, org.name_zh_hans = f"{SCRIPT} Org", f"{IMG}機構", f"{SVG}机构"
        org.website = JS_URLS[0]
        account.handle = handle
        account.display_name_en, account.display_name_zh_hant = SVG, SCRIPT
        account.url, account.evidence_url = JS_URLS[1], JS_URLS[0]
        account.evidence_note = f"{SCRIPT} {IMG}"
        session.execute(
            update(t.Post)
            .where(t.Post.account_id == account.id)
            .values(text=f"{SCRIPT} {IMG} 公告", url=JS_URLS[2])
        )
        posts = select(t.Post.id).where(t.Post.account_id == account.id)
        session.execute(
            update(t.Comment).where(t.Comment.post_id.in_(posts)).values(text=f"{SVG} {SCRIPT} 請問幾時？")
        )
        account_id = account.id
        session.commit()
    engine.dispose()
    run(url, "metrics", "refresh", "--period-kind", "month")
    return Hostile(url, org_code, parent_code, account_id, handle)


def page_paths(h: Hostile, lang: str = "en") -> list[str]:
    """Every kind of page, with the hostile rows on it and hostile query strings echoed."""
    q = quote(SCRIPT + IMG)
    paths = [
        f"/{lang}/",
        f"/{lang}/?q={q}",
        f"/{lang}/?q={quote('Org')}&type={q}&platform={q}&page={q}",
        f"/{lang}/organisations/hk/{quote(h.org_code)}",
        f"/{lang}/accounts/{h.account_id}",
        f"/{lang}/timeline",
        f"/{lang}/timeline?organisation={quote(h.org_code)}&platform={q}&page={q}",
        f"/{lang}/leaderboards",
        f"/{lang}/leaderboards?metric={q}&level={q}&period={q}&platform={q}",
        f"/{lang}/leaderboards?level=account",
        f"/{lang}/compare?org={quote(h.org_code)}&org={q}&period={q}",
        f"/{lang}/verify?url={q}",
        f"/{lang}/verify?url={quote(JS_URLS[0])}",
        f"/{lang}/verify?url={quote('https://www.facebook.com/' + SCRIPT)}",
        f"/{lang}/how-we-measure",
        f"/{lang}/open-data",
        f"/{lang}/api",
        f"/{lang}/organisations/hk/{q}",  # 404 pages echo what was asked for
        f"/{lang}/accounts/{q}",
        f"/{lang}/{q}",
        f"/{q}/",
    ]
    if h.parent_code:
        paths.append(f"/{lang}/organisations/hk/{quote(h.parent_code)}")
    return paths


class _Audit(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.found.append("a <script> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>: an event handler")
            if name == "style":
                self.found.append(f"<{tag} style=...>: an inline style (CSP style-src 'self' blocks it)")
            if name in URL_ATTRIBUTES and value is not None and not SAFE_SCHEMES.match(value.strip()):
                self.found.append(f"<{tag} {name}={value!r}>: neither relative nor http(s)")
            if (
                name in URL_ATTRIBUTES
                and value is not None
                and re.match(r"\s*(javascript|data|vbscript):", value, re.I)
            ):
                self.found.append(f"<{tag} {name}={value!r}>: a script URL")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


def problems(html: str) -> list[str]:
    """What in ``html`` would run script or break the Content-Security-Policy."""
    found = [f"unescaped {marker!r}" for marker in RAW if marker in html]
    audit = _Audit()
    audit.feed(html)
    return found + audit.found
