"""Stub: filled in by the helper that owns this page."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
