"""The ASGI entry point for process managers: an application factory that reads its own settings.

``govsocial serve --workers N`` and a process manager run the portal in several worker processes
with ``uvicorn --factory govsocial.web.asgi:app --workers N`` (or gunicorn with uvicorn workers).
A worker process cannot be handed a settings object, so each one calls ``app()`` and builds its
settings from the environment (``GOVSOCIAL_*``) and the TOML file named by ``GOVSOCIAL_CONFIG``,
exactly as the command line does. Nothing happens at import time.

The collection scheduler is never started here: in several processes it would collect every
account once per worker. Run it in one ``govsocial serve --collect`` process, or schedule
``govsocial collect --all``.
"""

from __future__ import annotations

import threading

from fastapi import FastAPI

from govsocial.analyze.topics.segment import default_segmenter
from govsocial.settings import Settings
from govsocial.web.app import create_app


def app() -> FastAPI:
    """The portal and the API, with settings from the environment and ``GOVSOCIAL_CONFIG``."""
    # The segmenter's dictionary takes about a second to load: each worker loads its own while it
    # starts, so that the first page with a topics section does not wait for it.
    threading.Thread(target=default_segmenter, name="warm-segmenter", daemon=True).start()
    return create_app(Settings.load())
