"""Shared rendering for the portal: template environments, the page language, names and URLs.

There is one Jinja2 environment per language, built on first use and kept for the process, with
that language's translations installed and its name-picking helpers as globals; so templates
call ``name(org)`` and ``_("...")`` and never think about the language. Autoescaping is on for
every template: everything a user types, and everything in the registry, is text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Protocol
from urllib.parse import quote, urlencode, urlsplit

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape
from sqlalchemy import exists, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from govsocial.errors import NotFoundError
from govsocial.registry.names import to_simplified
from govsocial.settings import Settings
from govsocial.store import queries
from govsocial.store import tables as t
from govsocial.web.deps import get_settings, get_state
from govsocial.web.pages import text_lang
from govsocial.web.pages.dates import week_dates, zone_name
from govsocial.web.pages.i18n import LANGUAGES, N_, Language, translations

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
STATIC = "/static"

STATUS_LABELS: dict[t.AccountStatus, str] = {
    t.AccountStatus.PUBLISHED: N_("Official"),
    t.AccountStatus.UNDER_REVIEW: N_("Under review"),
    t.AccountStatus.ARCHIVED: N_("Archived"),
}
ORG_TYPE_LABELS: dict[t.OrgType, str] = {
    t.OrgType.GOVERNMENT: N_("Government"),
    t.OrgType.BUREAU: N_("Policy bureau"),
    t.OrgType.DEPARTMENT: N_("Department"),
    t.OrgType.OFFICE: N_("Office"),
    t.OrgType.OFFICIAL_POST: N_("Official post"),
    t.OrgType.STATUTORY_BODY: N_("Statutory body"),
    t.OrgType.OTHER: N_("Other"),
}


class Named(Protocol):
    """Anything with a name in the three scripts: organisations, platforms, jurisdictions."""

    @property
    def name_en(self) -> str: ...
    @property
    def name_zh_hant(self) -> str | None: ...
    @property
    def name_zh_hans(self) -> str | None: ...


@dataclass(frozen=True)
class PlatformView:
    """A platform as pages show it: its name in the page's language and its icon's URL."""

    key: str
    name: str
    icon: str | None


def clean(value: str | None) -> str:
    """A query parameter as text to search for: trimmed, without control characters.

    PostgreSQL refuses NUL in a string, and no name or address contains control characters.
    """
    return "".join(ch for ch in (value or "") if ch.isprintable()).strip()


def pick(code: str, en: str | None, zh_hant: str | None, zh_hans: str | None) -> str:
    """The name in the script of language ``code``, falling back to English (or any name at all)."""
    if code == "zh-hant":
        chosen = zh_hant
    elif code == "zh-hans":
        # Stored rows carry a derived Simplified name; convert here too for rows that predate that.
        chosen = zh_hans or (to_simplified(zh_hant) if zh_hant else None)
    else:
        chosen = en
    return chosen or en or zh_hant or zh_hans or ""


def name(code: str, thing: Named) -> str:
    """``thing``'s name in language ``code``."""
    return pick(code, thing.name_en, thing.name_zh_hant, thing.name_zh_hans)


def display_name(code: str, account: t.Account) -> str:
    """An account's display name in language ``code`` (empty if it has none)."""
    return pick(code, account.display_name_en, account.display_name_zh_hant, account.display_name_zh_hans)


def other_name(code: str, thing: Named) -> tuple[str, str] | None:
    """The name a reader of ``code`` may also know ``thing`` by, with its HTML language tag.

    Hong Kong is bilingual: an English page shows the Chinese name too, and a Chinese page the
    English one, so either name finds the organisation.
    """
    if code == "en":
        other = pick("zh-hant", None, thing.name_zh_hant, None)
        return (other, LANGUAGES["zh-hant"].html) if other else None
    return (thing.name_en, "en") if thing.name_en else None


def organisation_url(code: str, organisation: t.Organisation) -> str:
    """The page of ``organisation`` in language ``code``."""
    jurisdiction, org_code = quote(organisation.jurisdiction, safe=""), quote(organisation.code, safe="")
    return f"/{code}/organisations/{jurisdiction}/{org_code}"


def http_url(value: str | None) -> str | None:
    """``value`` if it is an absolute http(s) URL with a host, else None: the only addresses from
    the registry or the platforms that pages make into links (a ``javascript:`` or ``data:`` URL
    in a post's link would run in the reader's browser when clicked)."""
    if not value:
        return None
    parts = urlsplit(value.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return value.strip()


def page_url(code: str, path: str = "", /, **params: str | int | None) -> str:
    """``/{code}/{path}`` with the non-empty ``params`` as its query string (``page`` is one of them)."""
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"/{code}/{path}" + (f"?{query}" if query else "")


def language_links(request: Request, current: Language | None) -> list[tuple[Language, str]]:
    """This page (same path, same query string) in every language; the home page if none applies."""
    rest = "/"
    if current is not None:
        parts = request.url.path.split("/", 2)
        rest = "/" + (parts[2] if len(parts) > 2 else "")
    query = f"?{request.url.query}" if current is not None and request.url.query else ""
    return [(lang, f"/{lang.code}{quote(rest)}{query}") for lang in LANGUAGES.values()]


def listing(code: str, items: Iterable[str]) -> Markup:
    """``items`` as one list in language ``code``; each escaped unless it is already markup."""
    # The separator is escaped like any text (it has nothing to escape); the join of markup escapes
    # every item that is not markup already, so nothing is marked safe without being escaped.
    return escape("、" if code != "en" else ", ").join(items)


@lru_cache(maxsize=len(LANGUAGES))
def environment(code: str) -> Environment:
    """The template environment of language ``code``, built once per process."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # Collapse whitespace inside {% trans %} blocks, as the extractor does (babel.cfg: trimmed).
    env.policies["ext.i18n.trimmed"] = True
    # Every link to an address from the registry or a platform goes through this filter.
    env.filters["http_url"] = http_url
    gettext = translations(code)
    # The i18n extension adds this method at run time, hence getattr for the type checker.
    getattr(env, "install_gettext_translations")(gettext, newstyle=True)  # noqa: B009
    env.globals.update(
        lang=LANGUAGES[code],
        languages=list(LANGUAGES.values()),
        static=STATIC,
        name=lambda thing: name(code, thing),
        display_name=lambda account: display_name(code, account),
        other_name=lambda thing: other_name(code, thing),
        organisation_url=lambda organisation: organisation_url(code, organisation),
        page_url=lambda path="", /, **params: page_url(code, path, **params),
        status_label=lambda status: gettext.gettext(STATUS_LABELS[t.AccountStatus(status)]),
        type_label=lambda org_type: gettext.gettext(ORG_TYPE_LABELS[t.OrgType(org_type)]),
        # The language of text the page did not write (posts, keywords), where it is not the page's
        # (None otherwise); macros.html's lang_attr writes it. ``content``: ``content_lang`` of render.
        text_lang=lambda text, content=None: text_lang.tag(text or "", LANGUAGES[code], content),
        # Its paragraphs, for text that may mix languages (macros.html's lang_text).
        text_paragraphs=lambda text: text_lang.paragraphs(text or ""),
        # The active filters of a page, named in a list as its language writes one (、 in Chinese).
        listing=lambda items: listing(code, items),
        # An ISO week's days in the page's language (None for a label that is no week).
        week_dates=lambda label: week_dates(code, label),
        # A time zone's name in the page's language, for the sentences that say whose dates these are.
        zone_name=lambda zone: zone_name(code, zone),
    )
    return env


def render(
    request: Request,
    lang: Language | None,
    template: str,
    status_code: int = 200,
    section: str | None = None,
    **context: Any,
) -> HTMLResponse:
    """Render ``template`` in ``lang`` (the default language if None) as an HTML response.

    Every page gets ``content_lang``: the configured Chinese content language, which ``lang_attr``
    gives to Chinese text written in characters both scripts share.
    """
    locale = default_locale(request)
    shown = lang or LANGUAGES.get(locale, LANGUAGES[BUILT_IN_LOCALE])
    content_lang = text_lang.content_chinese(locale)
    html = (
        environment(shown.code)
        .get_template(template)
        .render(
            language_links=language_links(request, lang),
            section=section,
            content_lang=content_lang,
            **context,
        )
    )
    return HTMLResponse(html, status_code=status_code)


#: The interface language when neither the settings nor the jurisdiction choose one.
BUILT_IN_LOCALE = str(Settings.model_fields["default_locale"].default)


def default_locale(request: Request) -> str:
    """The interface language when the URL names none (``queries.default_locale`` of the configured
    jurisdiction)."""
    settings = get_settings(request)
    try:
        with get_state(request).sessions() as session:
            return queries.default_locale(session, settings, settings.jurisdiction)
    except SQLAlchemyError:
        # The error page of a store that is down still needs a language.
        return settings.default_locale


def default_language(request: Request) -> Language:
    """The language of :func:`default_locale` (繁體中文 if that is not one we have)."""
    return LANGUAGES.get(default_locale(request), LANGUAGES[BUILT_IN_LOCALE])


def path_language(lang: str) -> Language:
    """The ``{lang}`` path segment as a language; an unknown one is a 404 page."""
    language = LANGUAGES.get(lang)
    if language is None:
        raise NotFoundError(f"no language {lang!r}: use one of {', '.join(LANGUAGES)}")
    return language


LangDep = Annotated[Language, Depends(path_language)]


def platform_views(session: Session, code: str) -> dict[str, PlatformView]:
    """Every platform of the catalogue, in its display order, named in language ``code``."""
    views = {}
    for row in queries.platforms(session):
        icon = row.definition.get("icon") or f"{row.key}.svg"
        views[row.key] = PlatformView(row.key, name(code, row), f"{STATIC}/icons/{quote(str(icon))}")
    return views


def platform_of(views: dict[str, PlatformView], key: str) -> PlatformView:
    """The view of platform ``key``; a bare one (its key, no icon) if the catalogue lost it."""
    return views.get(key) or PlatformView(key, key, None)


def government_name(session: Session, settings: Settings, code: str) -> str:
    """The name of the default jurisdiction's government, or its code before a registry is loaded."""
    try:
        return name(code, queries.get_jurisdiction(session, settings.jurisdiction))
    except NotFoundError:
        return settings.jurisdiction


def example_account(session: Session, jurisdiction: str) -> t.Account | None:
    """The account the forms' hints show as an example: ``jurisdiction``'s published account with a
    handle and an address that has the lowest id (None before its registry is loaded).

    Taken from the registry, so that a portal for another government never shows Hong Kong's."""
    query = (
        select(t.Account)
        .where(
            t.Account.jurisdiction == jurisdiction,
            t.Account.status == t.AccountStatus.PUBLISHED,
            t.Account.kind == "handle",
            t.Account.url.is_not(None),
        )
        .order_by(t.Account.id)
        .limit(1)
    )
    return session.scalars(query).first()


def example_organisations(session: Session, jurisdiction: str, count: int = 2) -> list[t.Organisation]:
    """Up to ``count`` of ``jurisdiction``'s organisations with a published account, lowest id first:
    the examples of the API page."""
    published = (
        select(t.AccountOrganisation)
        .join(t.Account)
        .where(
            t.AccountOrganisation.organisation_id == t.Organisation.id,
            t.Account.status == t.AccountStatus.PUBLISHED,
        )
    )
    query = (
        select(t.Organisation)
        .where(t.Organisation.jurisdiction == jurisdiction, exists(published))
        .order_by(t.Organisation.id)
        .limit(count)
    )
    return list(session.scalars(query).all())
