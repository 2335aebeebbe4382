"""Re-running is idempotent for the quarantine too: a bad record is stored once, however often it is met.

Importing the same broken file again (or meeting the same bad API item again) counts each bad row on
its one record (``times_seen``, ``last_run_id``, ``last_seen_at``) instead of adding it again, while
the run still reports the bad rows it met; the good rows stay as they were. A record is known by its
fingerprint (source, location, reason and stored content), which survives the retention purge;
forgetting a comment still deletes the records naming it. On SQLite and PostgreSQL, and with two
writers quarantining the same record at once.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from govsocial.cli.main import app
from govsocial.collect.importing import import_activity
from govsocial.collect.imports.base import ImportContext
from govsocial.collect.privacy import Pseudonymiser
from govsocial.collect.records import BadRecord, Batch, PostRecord
from govsocial.collect.runs import RunSummary
from govsocial.collect.storage import BatchWriter, StoreCounts, store_batch
from govsocial.plugins import importers
from govsocial.registry.load import load_registry
from govsocial.settings import PROJECT_ROOT
from govsocial.store import retention
from govsocial.store import tables as t
from govsocial.store.db import session_factory, transaction
from govsocial.store.forget import forget_comment
from tests.demo_store import KEY

T0 = dt.datetime(2026, 10, 1, 8, 0, tzinfo=dt.UTC)
#: Two good rows around two bad ones (lines 3 and 4).
BROKEN = (
    "platform,account,post_id,created_at,text,likes\n"
    "facebook,cfs.hk,p1,2024-05-01 10:00,hello,1\n"
    "facebook,cfs.hk,p2,05/01/2024 10:00,a date in the wrong form,1\n"
    "facebook,cfs.hk,p3,2024-05-01 11:00,a negative count,-3\n"
    "facebook,cfs.hk,p4,2024-05-01 12:00,hello again,2\n"
)
BAD_LINES = ["broken.csv, line 3", "broken.csv, line 4"]


@pytest.fixture
def account(engine: Engine) -> int:
    load_registry(engine, PROJECT_ROOT / "data" / "registry", actor="test", only="hk")
    with session_factory(engine)() as session:
        return session.scalars(select(t.Account.id).where(t.Account.handle == "cfs.hk")).one()


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    path = tmp_path / "broken.csv"
    path.write_text(BROKEN, encoding="utf-8")
    return path


def _import(engine: Engine, path: Path, account: int) -> RunSummary:
    context = ImportContext(timezone=ZoneInfo("Asia/Hong_Kong"))
    return import_activity(engine, path, importers()["generic"](), context, lambda _p, _r: account, KEY)


def _records(engine: Engine) -> list[t.QuarantinedRecord]:
    with session_factory(engine)() as session:
        return list(session.scalars(select(t.QuarantinedRecord).order_by(t.QuarantinedRecord.id)))


def _good(engine: Engine) -> dict[str, Any]:
    """The good rows: posts as stored, and how many engagement snapshots."""
    with session_factory(engine)() as session:
        posts = session.execute(
            select(t.Post.post_id, t.Post.text, t.Post.created_at).order_by(t.Post.post_id)
        ).all()
        snapshots = session.scalar(select(func.count()).select_from(t.PostSnapshot))
    return {"posts": [tuple(p) for p in posts], "post_snapshots": snapshots}


def _writer(account: int, run_id: int | None = None) -> BatchWriter:
    return BatchWriter(run_id, "api:facebook", lambda _p, _r: account, Pseudonymiser("k"), account)


def _store(engine: Engine, writer: BatchWriter, *bad: BadRecord, post: str = "p1") -> StoreCounts:
    counts = StoreCounts()
    posts = [PostRecord(platform="facebook", post_id=post, account_ref="cfs.hk", created_at=T0, text="通告")]
    store_batch(
        engine, session_factory(engine), writer, Batch(edge="posts", posts=posts, bad=list(bad)), counts
    )
    return counts


def _bad(location: str = "https://g.example/posts?after=A", reason: str = "no created_time") -> BadRecord:
    return BadRecord(source="api:facebook", location=location, reason=reason, content='{"id": "1_2"}')


# --- importing the same broken file twice ---------------------------------------------------------


def test_importing_a_broken_file_twice_keeps_one_record_per_bad_row_seen_twice(
    engine: Engine, account: int, broken: Path
) -> None:
    first = _import(engine, broken, account)
    good = _good(engine)
    second = _import(engine, broken, account)

    records = _records(engine)
    assert [r.location for r in records] == BAD_LINES
    assert [(r.times_seen, r.run_id, r.last_run_id) for r in records] == [
        (2, first.run_id, second.run_id)
    ] * 2
    assert all(r.last_seen_at >= r.created_at for r in records)
    assert all(r.fingerprint and len(r.fingerprint) == 64 for r in records)
    # The second run still says the file has two bad rows (and so is partial), and changed nothing else.
    assert second.counts.as_dict()["quarantined"] == 2 and second.status == "partial"
    assert {k: v for k, v in second.counts.as_dict().items() if v and not k.endswith(".noop")} == {
        "quarantined": 2
    }
    assert _good(engine) == good and [p[0] for p in good["posts"]] == ["p1", "p4"]
    with session_factory(engine)() as session:
        stored_run = session.get(t.CollectionRun, second.run_id)
        assert stored_run is not None and stored_run.counts["quarantined"] == 2


def test_a_third_import_counts_a_third_time(engine: Engine, account: int, broken: Path) -> None:
    runs = [_import(engine, broken, account) for _ in range(3)]
    assert [(r.times_seen, r.run_id, r.last_run_id) for r in _records(engine)] == [
        (3, runs[0].run_id, runs[2].run_id)
    ] * 2


def test_a_fixed_row_leaves_its_record_and_a_new_bad_row_is_a_new_record(
    engine: Engine, account: int, broken: Path
) -> None:
    first = _import(engine, broken, account)
    # Line 3 fixed, line 4 still bad, and a new bad row at line 6.
    broken.write_text(
        BROKEN.replace("05/01/2024 10:00", "2024-05-01 10:00") + "facebook,cfs.hk,p5,never,x,1\n", "utf-8"
    )
    second = _import(engine, broken, account)

    seen = {r.location: (r.times_seen, r.run_id, r.last_run_id) for r in _records(engine)}
    assert seen == {
        "broken.csv, line 3": (1, first.run_id, first.run_id),  # kept: what the first run met
        "broken.csv, line 4": (2, first.run_id, second.run_id),
        "broken.csv, line 6": (1, second.run_id, second.run_id),
    }


# --- what makes a record the same -----------------------------------------------------------------


def test_the_same_content_elsewhere_or_refused_for_another_reason_is_another_record(
    engine: Engine, account: int
) -> None:
    writer = _writer(account)
    _store(engine, writer, _bad(), _bad(location="https://g.example/posts?after=B"), _bad(reason="no id"))
    _store(engine, writer, _bad())

    assert sorted((r.location[-1], r.reason, r.times_seen) for r in _records(engine)) == [
        ("A", "no created_time", 2),
        ("A", "no id", 1),
        ("B", "no created_time", 1),
    ]


def test_one_record_met_twice_in_one_batch_is_one_row_seen_twice(engine: Engine, account: int) -> None:
    counts = _store(engine, _writer(account), _bad(), _bad())

    assert counts.as_dict()["quarantined"] == 2  # the run counts what it met
    assert [r.times_seen for r in _records(engine)] == [2]


def test_the_fingerprint_is_of_the_stored_content_after_privacy(engine: Engine, account: int) -> None:
    """The fingerprint hashes what is kept (scrubbed), so it holds nothing the row does not."""
    item = {"id": "1_2", "from": {"id": "citizen-1", "name": "Chan Tai Man"}, "message": "電話 9123 4567"}
    bad = BadRecord(
        source="api:facebook", location="page 1", reason="no created_time", content=json.dumps(item)
    )
    _store(engine, _writer(account), bad)

    (record,) = _records(engine)
    assert "Chan Tai Man" not in record.content and "9123 4567" not in record.content
    assert record.fingerprint == t.QuarantinedRecord.fingerprint_of(
        "api:facebook", "page 1", "no created_time", record.content
    )


# --- retention and forgetting -------------------------------------------------------------------------


def test_a_purged_record_met_again_is_counted_and_stays_purged(
    engine: Engine, account: int, broken: Path
) -> None:
    _import(engine, broken, account)
    with engine.begin() as connection:
        assert retention.purge_quarantine(connection, dt.datetime.now(dt.UTC) + dt.timedelta(days=1)) == 2
    before = [(r.id, r.fingerprint, r.created_at) for r in _records(engine)]
    _import(engine, broken, account)

    records = _records(engine)
    assert [(r.id, r.fingerprint, r.created_at) for r in records] == before
    assert [(r.content, r.times_seen) for r in records] == [(retention.PURGED, 2)] * 2


def test_forgetting_a_comment_still_deletes_its_quarantined_record(engine: Engine, account: int) -> None:
    comment = BadRecord(
        source="api:facebook",
        location="page 1",
        reason="no created_time",
        content='{"id": "1_2_9", "message": "x"}',
    )
    for _ in range(2):
        _store(engine, _writer(account), comment)
    assert [r.times_seen for r in _records(engine)] == [2]

    with engine.begin() as connection:
        assert forget_comment(connection, "facebook", "1_2_9").quarantined == 1
    assert _records(engine) == []
    _store(engine, _writer(account), comment)  # read again later: quarantined again, from scratch
    assert [r.times_seen for r in _records(engine)] == [1]


# --- two writers at once ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
def test_two_writers_quarantining_one_record_at_once_both_keep_their_good_rows(
    engine: Engine, account: int
) -> None:
    """The second writer's insert meets the first's uncommitted row in the unique index: it waits
    for the first to commit, then counts the record, instead of failing its batch."""
    sessions = session_factory(engine)
    failures: list[BaseException] = []

    def writes(session: Session, post: str) -> None:
        posts = [PostRecord(platform="facebook", post_id=post, account_ref="cfs.hk", created_at=T0)]
        _writer(account).write(session, Batch(edge="posts", posts=posts, bad=[_bad()]), StoreCounts())

    def second() -> None:
        try:
            with transaction(sessions) as session:
                writes(session, "p2")
        except BaseException as exc:  # reported by the test below
            failures.append(exc)

    with transaction(sessions) as session:
        writes(session, "p1")
        thread = threading.Thread(target=second)
        thread.start()
        thread.join(timeout=1.0)
        assert thread.is_alive()  # waiting for this transaction's row
    thread.join(timeout=30)

    assert failures == [] and not thread.is_alive()
    assert [r.times_seen for r in _records(engine)] == [2]
    assert [p[0] for p in _good(engine)["posts"]] == ["p1", "p2"]


def test_writers_side_by_side_store_each_record_once(engine: Engine, account: int) -> None:
    """Four threads storing batches with the same bad records (through the write lock on SQLite,
    side by side on PostgreSQL): no error, one row per record, every meeting counted."""
    failures: list[BaseException] = []
    start = threading.Barrier(4)

    def write(n: int) -> None:
        start.wait()
        try:
            for i in range(5):
                _store(engine, _writer(account), _bad(), _bad(reason="no id"), post=f"p{n}_{i}")
        except BaseException as exc:  # reported by the test below
            failures.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    assert sorted((r.reason, r.times_seen) for r in _records(engine)) == [
        ("no created_time", 20),
        ("no id", 20),
    ]
    assert len(_good(engine)["posts"]) == 20


# --- the listing ----------------------------------------------------------------------------------------


def _cli(engine: Engine, *args: str) -> tuple[int, str]:
    env = {
        "GOVSOCIAL_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "GOVSOCIAL_PSEUDONYM_KEY": KEY,
    }
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stdout


def test_the_listing_shows_each_record_once_with_how_often_and_when_last_met(
    engine: Engine, account: int, broken: Path
) -> None:
    runs = []
    for _ in range(2):
        code, output = _cli(engine, "collect", "import", str(broken), "--no-metrics", "--json")
        assert code == 1, output  # partial: the file has bad rows, the second time too
        runs.append(json.loads(output[output.find("{") :])["run_id"])

    code, output = _cli(engine, "collect", "quarantine", "--json")
    assert code == 0, output
    listing = json.loads(output)
    assert listing["count"] == 2
    for row, location in zip(listing["data"], BAD_LINES, strict=True):
        assert (row["location"], row["run"], row["last_run"], row["times_seen"]) == (
            location,
            runs[0],
            runs[1],
            2,
        )
        assert row["first_seen_at"] <= row["last_seen_at"] and "content" not in row
    for run in runs:  # a record is listed for the run that met it first and the one that met it last
        code, output = _cli(engine, "collect", "quarantine", "--run", str(run), "--json")
        assert [row["location"] for row in json.loads(output)["data"]] == BAD_LINES

    code, output = _cli(engine, "collect", "quarantine")
    text = " ".join(output.split())  # as printed, without the terminal's wrapping
    assert text.count(f"run {runs[0]} import:generic broken.csv, line ") == 2
    assert text.count(f"(seen 2 times, last by run {runs[1]} at ") == 2
