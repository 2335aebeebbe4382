"""``/{lang}/verify``: "Is this account official?", answered from the registry.

Text that is not an account address is the reader's mistake, not a server error: the form comes
back with the message beside it and status 400, instead of the error page.

Only the configured jurisdiction's accounts are official here: an address of another government's
account is not, and the verdict names that government (``Verdict.other_jurisdiction``).
"""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from govsocial.errors import AddressError
from govsocial.registry.verify import Verdict, verify
from govsocial.store import tables as t
from govsocial.web.deps import CatalogueDep, SessionDep, SettingsDep
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

MAX_URL = 2000


@router.get("/{lang}/verify", response_class=HTMLResponse, include_in_schema=False)
def verify_page(
    request: Request,
    lang: LangDep,
    session: SessionDep,
    settings: SettingsDep,
    catalogue: CatalogueDep,
    url: Annotated[str | None, Query()] = None,
    platform: Annotated[str | None, Query()] = None,
) -> HTMLResponse:
    """The form, and the verdict when ``url`` is given."""
    text, chosen = clean(url)[:MAX_URL], clean(platform)
    verdict: Verdict | None = None
    error: str | None = None
    if text:
        try:
            verdict = verify(session, catalogue, text, chosen or None, jurisdiction=settings.jurisdiction)
        except AddressError as exc:
            error = str(exc)
    views = platform_views(session, lang.code)
    return render(
        request,
        lang,
        "verify.html",
        status_code=400 if error else 200,
        section="verify",
        url=text,
        chosen=chosen,
        verdict=verdict,
        error=error,
        platforms=list(views.values()),
        platform=partial(platform_of, views),
        government=government_name(session, settings, lang.code),
        elsewhere=other_jurisdiction(session, verdict),
        example=example_account(session, settings.jurisdiction),
    )


def other_jurisdiction(session: Session, verdict: Verdict | None) -> t.Jurisdiction | None:
    """The jurisdiction whose account the address is, when that is not the portal's (None otherwise)."""
    if verdict is None or verdict.other_jurisdiction is None:
        return None
    return session.get(t.Jurisdiction, verdict.other_jurisdiction)
