"""The opinion section names the analysers of its subject's comments without reading the comments:
an account or organisation page view runs no query over ``comment_sentiments`` for them, and says
what it said when it did (``comment_analysers``, recorded by each scoring run).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, event

from govsocial.settings import Settings
from govsocial.web.app import create_app
from tests.web.test_pages import main_text
from tests.web.test_sentiment_section import _account, _section, scored_db

__all__ = ["scored_db"]  # a module fixture of test_sentiment_section, used here

#: The analyser as the section names it, govsocial's own model with its fingerprint.
NAMED = re.compile(r'<code lang="en">linear@[0-9a-f]{12}</code>, govsocial(?:\'|&#39;)s own model')


@contextmanager
def statements() -> Iterator[list[str]]:
    """Every SQL statement run meanwhile, on any engine (the app makes its own)."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", record)


def _reads_every_comment_for_the_analysers(statement: str) -> bool:
    """The query the section ran on every page view: the distinct analysers over the subject's
    comments, joined to their sentiment."""
    flat = " ".join(statement.split())
    return "DISTINCT comment_sentiments.analyser" in flat


def test_account_and_organisation_pages_name_the_analyser_without_reading_the_comments(
    scored_db: str,
) -> None:
    account, _ = _account(scored_db, "cfs.hk")
    # No page cache: every request below renders its page and runs its queries.
    with TestClient(create_app(Settings.load(database_url=scored_db, page_cache_seconds=0))) as client:
        for path in (f"/en/accounts/{account}", "/en/organisations/hk/cfs"):
            client.get(path)  # the app's first request warms what it loads once
            with statements() as seen:
                response = client.get(path)
            assert response.status_code == 200, path
            assert NAMED.search(_section(main_text(response))), path
            assert not [s for s in seen if _reads_every_comment_for_the_analysers(s)], path
            print(f"{path}: {len(seen)} SQL statements")  # the count the report gives
