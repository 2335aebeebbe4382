"""The open JSON API, ``/api/v1``: one router per resource."""

from __future__ import annotations

from fastapi import APIRouter

from govsocial.web.api import (
    accounts,
    downloads,
    leaderboards,
    metrics,
    opinion,
    organisations,
    platforms,
    survey,
    timeline,
    topics,
    verify,
)

PREFIX = "/api/v1"


def router() -> APIRouter:
    """Every API router under ``/api/v1``."""
    api = APIRouter(prefix=PREFIX)
    routers = (organisations, accounts, verify, platforms, metrics, leaderboards, opinion, topics, timeline)
    for module in (*routers, survey, downloads):
        api.include_router(module.router)
    return api
