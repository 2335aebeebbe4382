"""Typed dependency aliases shared by every router (FastAPI ``Annotated`` style)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Query, Request
from pydantic import BeforeValidator
from sqlalchemy.orm import Session

from govsocial.registry.addresses import PlatformCatalogue
from govsocial.registry.catalogue import load_catalogue
from govsocial.settings import Settings
from govsocial.store.queries import MAX_ID, ascii_digits
from govsocial.web.state import AppState


def get_state(request: Request) -> AppState:
    """The app's state object."""
    state: AppState = request.app.state.govsocial
    return state


def get_session(request: Request) -> Iterator[Session]:
    """A read session for one request."""
    with get_state(request).sessions() as session:
        yield session


def get_settings(request: Request) -> Settings:
    """The settings the app was built with."""
    return get_state(request).settings


def get_catalogue(session: Annotated[Session, Depends(get_session)]) -> PlatformCatalogue:
    """The platform catalogue in force (read from the store, so run-time edits apply)."""
    return load_catalogue(session)


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
CatalogueDep = Annotated[PlatformCatalogue, Depends(get_catalogue)]


#: The largest id or offset a query takes: PostgreSQL's ``integer`` (SQLite fails above 2**63 - 1).
MAX_INT = MAX_ID


def _digits_only(value: object) -> object:
    """A number as the API takes it: ASCII digits and nothing else. Pydantic's lax integers would
    also read "1_4", "+14", " 14" and "14.0" as 14, so that several addresses named one account."""
    if isinstance(value, str) and not ascii_digits(value):
        raise ValueError("a number here is written with the digits 0-9 only (no sign, space, point or _)")
    return value


#: Put after the ``Path``/``Query`` of an integer parameter (placed before it, it would spoil the
#: bounds in the OpenAPI document): only ASCII digits are read as a number.
DIGITS_ONLY = BeforeValidator(_digits_only)

#: An account id in a path: ASCII digits, bounded, so an absurd number is a 422 rather than a
#: driver error.
AccountId = Annotated[int, Path(ge=1, le=MAX_INT, description="The account's id."), DIGITS_ONLY]
#: An account id in a query string, as strict as ``AccountId``.
AccountQuery = Annotated[
    int | None, Query(ge=1, le=MAX_INT, description="Only this account (its id)."), DIGITS_ONLY
]

#: A day as the API takes it: ``YYYY-MM-DD`` and nothing else (``date.fromisoformat`` and pydantic
#: would also read ``20260901``, ``2026-W36-1`` or a Unix timestamp such as ``0``).
DAY = re.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _day(value: object) -> object:
    if isinstance(value, str):
        if not DAY.fullmatch(value):
            raise ValueError(f"a day is written YYYY-MM-DD, such as 2026-09-01, not {value[:40]!r}")
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a day of the calendar") from None
    return value


#: Put after the ``Query`` of a date parameter: only ``YYYY-MM-DD`` is read as a day.
DAY_ONLY = BeforeValidator(_day)
#: ``since``: the first day of what is listed (``YYYY-MM-DD``).
SinceQuery = Annotated[dt.date | None, Query(description="Only from this day on (YYYY-MM-DD)."), DAY_ONLY]
#: ``until``: the last day of what is listed (``YYYY-MM-DD``, included).
UntilQuery = Annotated[
    dt.date | None, Query(description="Only until this day, included (YYYY-MM-DD)."), DAY_ONLY
]


class Paging:
    """``limit`` and ``offset`` query parameters, capped by the settings."""

    def __init__(
        self,
        settings: SettingsDep,
        limit: Annotated[int | None, Query(ge=1, description="Items per page."), DIGITS_ONLY] = None,
        offset: Annotated[int, Query(ge=0, le=MAX_INT, description="Items to skip."), DIGITS_ONLY] = 0,
    ) -> None:
        self.limit = min(limit or settings.page_size, settings.max_page_size)
        self.offset = offset


PagingDep = Annotated[Paging, Depends()]
