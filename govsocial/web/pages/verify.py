"""``/{lang}/verify``: "Is this account official?", answered from the registry.

Text that is not an account address is the reader's mistake, not a server error: the form comes
back with the message beside it and status 400, instead of the error page.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from govsocial.errors import AddressError
from govsocial.registry.verify import Verdict, verify
from govsocial.web.deps import CatalogueDep, SessionDep
from govsocial.web.pages.render import LangDep, clean, platform_of, platform_views, render

router = APIRouter()

MAX_URL = 2000


@router.get("/{lang}/verify", response_class=HTMLResponse, include_in_schema=False)
def verify_page(
    request: Request,
    lang: LangDep,
    session: SessionDep,
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
            verdict = verify(session, catalogue, text, chosen or None)
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
    )
