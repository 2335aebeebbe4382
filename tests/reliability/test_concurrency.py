"""The portal under load while a collection and an import write, on SQLite and on PostgreSQL.

The portal runs as in production (``uvicorn --factory govsocial.web.asgi:app``, its own process,
page cache off so every request reads the store). Four client threads request the home page, an
account page and ``/api/v1/accounts`` for as long as the writer runs: the registry's Facebook
accounts collected from the fake Graph API through the real runner, then a month of sample activity
imported from CSV (``tests.reliability.load``). Asserted: no 5xx, no transport error and no
"database is locked" in any answer or in the portal's log, every run of the writer ``ok``, and the
store holding exactly what was served and imported. Requests per second are measured, not asserted,
and printed with the reliability figures (``docs/reliability.md``); ``make soak`` runs the same for
minutes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from govsocial.registry.load import load_registry
from govsocial.settings import PROJECT_ROOT
from tests.reliability.load import LOCKED, Readers, make_sample, portal_process, reader_paths, write_activity
from tests.reliability.tally import TALLY

#: Posts per Facebook account served by the fake (comments follow ``tests.fakeplatform.graph``).
POSTS_PER_PAGE = 12


@pytest.fixture
def loaded(engine: Engine) -> Engine:
    report = load_registry(engine, PROJECT_ROOT / "data" / "registry", actor="test", only="hk")
    assert not report.problems
    return engine


def test_the_portal_serves_while_collection_and_import_write_and_nothing_is_lost(
    loaded: Engine, database_url: str, tmp_path: Path
) -> None:
    make_sample(tmp_path / "sample", months=1)
    log = tmp_path / "portal.log"
    with portal_process(database_url, log) as root, Readers(root, reader_paths(loaded)) as readers:
        written = write_activity(loaded, tmp_path / "sample", POSTS_PER_PAGE)
    stats = readers.stats

    assert written.lost == []
    assert stats.failures == []
    assert stats.requests > 0 and set(stats.statuses) == {200}, stats.statuses
    assert LOCKED not in log.read_text() and "Traceback" not in log.read_text()
    backend = loaded.dialect.name
    rows = sum(v for run in written.runs for k, v in run.counts.as_dict().items() if k.endswith(".insert"))
    TALLY.note(
        f"{backend}: {stats.requests} requests in {stats.seconds:.1f} s ({stats.per_second:.0f}/s) while "
        f"{rows} rows were written in {written.seconds:.1f} s; errors 0, rows lost 0"
    )
