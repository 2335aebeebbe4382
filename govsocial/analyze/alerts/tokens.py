"""Check the platforms' tokens for the ``token_expiry`` alert: ask the platform when the token of
the settings expires (``collect.facebook.token``) and store its answer (``store.tokens``), never the
token. ``govsocial alerts tokens`` runs it; ``alerts run`` runs it first for every enabled
``token_expiry`` rule without ``expires_on``.

A check that fails on the way (network, outage, a malformed answer) stores nothing, so the last
answer stands, and is reported; a token the platform refuses is stored as invalid.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import httpx
from sqlalchemy.orm import Session

from govsocial.collect.errors import CollectError
from govsocial.collect.facebook.token import TokenInfo, debug_token
from govsocial.settings import Settings
from govsocial.store import tables as t
from govsocial.store import tokens as store

#: Platforms whose token expiry the platform tells (Graph ``debug_token``), with their token setting.
CHECKABLE = {"facebook": "facebook_token", "instagram": "instagram_token"}
TIMEOUT = 30.0
#: How the platforms are reached when no transport is given: None is the network; tests set an
#: ``httpx.MockTransport`` here to drive the commands.
TRANSPORT: httpx.AsyncBaseTransport | None = None


@dataclass(frozen=True)
class Outcome:
    """One platform's check: the stored row, or why there is none this time."""

    platform: str
    check: t.TokenCheck | None = None
    failure: str | None = None


def graph_root(settings: Settings, platform: str) -> str:
    """Where ``debug_token`` is asked: the platform's API root override, else the pinned Graph API."""
    return settings.api_base_urls.get(platform) or f"https://graph.facebook.com/{settings.graph_api_version}"


def configured(settings: Settings) -> list[str]:
    """The checkable platforms whose token the settings hold."""
    return [p for p, name in CHECKABLE.items() if getattr(settings, name) is not None]


async def _ask_all(
    settings: Settings, platforms: list[str], transport: httpx.AsyncBaseTransport | None
) -> dict[str, TokenInfo | str]:
    answers: dict[str, TokenInfo | str] = {}
    async with httpx.AsyncClient(transport=transport, timeout=TIMEOUT) as client:
        for platform in platforms:
            secret = getattr(settings, CHECKABLE[platform])
            if secret is None:
                answers[platform] = f"{platform}: no token; set GOVSOCIAL_{CHECKABLE[platform].upper()}"
                continue
            try:
                answers[platform] = await debug_token(
                    client, graph_root(settings, platform), secret.get_secret_value()
                )
            except CollectError as exc:
                answers[platform] = str(exc)
    return answers


def check(
    session: Session,
    settings: Settings,
    platforms: Iterable[str],
    now: dt.datetime,
    transport: httpx.AsyncBaseTransport | None = None,
) -> list[Outcome]:
    """Ask each platform about its token and store the answers (flushed, not committed)."""
    wanted = [p for p in dict.fromkeys(platforms) if p in CHECKABLE]
    answers = asyncio.run(_ask_all(settings, wanted, transport or TRANSPORT)) if wanted else {}
    outcomes: list[Outcome] = []
    for platform, answer in answers.items():
        if isinstance(answer, str):
            outcomes.append(Outcome(platform, store.latest(session, platform), answer))
            continue
        found = store.Answer(answer.is_valid, answer.expires_at, answer.data_access_expires_at, answer.error)
        outcomes.append(Outcome(platform, store.record(session, platform, found, now)))
    return outcomes
