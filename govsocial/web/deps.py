"""Typed dependency aliases shared by every router (FastAPI ``Annotated`` style)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Query, Request
from sqlalchemy.orm import Session

from govsocial.registry.addresses import PlatformCatalogue
from govsocial.registry.catalogue import load_catalogue
from govsocial.settings import Settings
from govsocial.store.queries import MAX_ID
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

#: An account id in a path or query: bounded, so an absurd number is a 422 rather than a driver error.
AccountId = Annotated[int, Path(ge=1, le=MAX_INT, description="The account's id.")]


class Paging:
    """``limit`` and ``offset`` query parameters, capped by the settings."""

    def __init__(
        self,
        settings: SettingsDep,
        limit: Annotated[int | None, Query(ge=1, description="Items per page.")] = None,
        offset: Annotated[int, Query(ge=0, le=MAX_INT, description="Items to skip.")] = 0,
    ) -> None:
        self.limit = min(limit or settings.page_size, settings.max_page_size)
        self.offset = offset


PagingDep = Annotated[Paging, Depends()]
