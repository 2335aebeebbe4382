"""The OpenAPI document declares the ``Link`` header on exactly the lists that send it, so a client
generated from the document (or a researcher reading it) knows how to page."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from typing import get_args

from fastapi import APIRouter
from fastapi.routing import APIRoute
from sqlalchemy import create_engine

from govsocial.settings import Settings
from govsocial.web import api
from govsocial.web.api.paging import Pager
from govsocial.web.app import create_app


def api_routes() -> list[APIRoute]:
    """Every route of the API's resource routers (``govsocial.web.api.*.router``)."""
    modules = [
        importlib.import_module(f"{api.__name__}.{m.name}") for m in pkgutil.iter_modules(api.__path__)
    ]
    routers = [m.router for m in modules if isinstance(getattr(m, "router", None), APIRouter)]
    return [r for router in routers for r in router.routes if isinstance(r, APIRoute)]


def test_every_paged_list_declares_its_link_header_and_no_other_does() -> None:
    document = create_app(Settings(database_url="sqlite://"), create_engine("sqlite://")).openapi()
    paged, declared = set(), set()
    for route in api_routes():
        if not route.include_in_schema or "GET" not in route.methods:
            continue
        hints = inspect.signature(route.endpoint, eval_str=True).parameters.values()
        if any(Pager in (p.annotation, *get_args(p.annotation)) for p in hints):
            paged.add(route.path)
        ok = document["paths"]["/api/v1" + route.path]["get"]["responses"].get("200", {})
        if "Link" in ok.get("headers", {}):
            declared.add(route.path)
    assert len(paged) >= 8 and declared == paged
