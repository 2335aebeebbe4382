"""What the web app holds for its lifetime: settings, engine and session factory."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from govsocial.settings import Settings


@dataclass(frozen=True)
class AppState:
    """Built once by ``create_app`` and reached by routes through ``request.app.state.govsocial``."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
