"""The API's OpenAPI document as the app builds it, for the tests that walk its endpoints."""

from __future__ import annotations

from typing import Any

from govsocial.settings import Settings
from govsocial.store.db import make_engine
from govsocial.web.app import create_app


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document as the app builds it (no store needed: it comes from the routes)."""
    engine = make_engine("sqlite://")
    try:
        return create_app(Settings.load(database_url="sqlite://"), engine).openapi()
    finally:
        engine.dispose()
