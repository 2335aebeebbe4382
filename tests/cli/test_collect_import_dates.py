"""``govsocial collect import`` of a Meta Business Suite export re-saved by Excel, whose dates could be
read day first or month first: refused naming ``--day-first`` and ``--month-first`` (the admin area
names its own field for them, through the same code: ``imports.base.DATE_ORDER_OPTIONS``), and read in
the order one of them says."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from govsocial.collect.imports.base import DATE_ORDER_OPTIONS
from govsocial.store import tables as t
from govsocial.store.db import make_engine, session_factory
from tests.collect.test_import_robustness import MBS, import_file, runs, store, write

__all__ = ["store"]  # the fixture, shared with test_import_robustness

HK = ZoneInfo("Asia/Hong_Kong")
CFS = "https://www.facebook.com/cfs.hk"
#: Not zero-padded as Business Suite writes them, and no field past 12: only the officer can tell.
AMBIGUOUS = MBS + "7701,,6/5/2026 10:00,first,9\n7702,,1/7/2026 9:30,second,9\n"


def _days(url: str) -> dict[str, dt.date]:
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            found = session.execute(select(t.Post.post_id, t.Post.created_at)).all()
    finally:
        engine.dispose()
    return {post_id: when.replace(tzinfo=dt.UTC).astimezone(HK).date() for post_id, when in found}


def test_an_ambiguous_file_is_refused_naming_the_options(store: str, tmp_path: Path) -> None:
    outcome = import_file(store, write(tmp_path, "export.csv", AMBIGUOUS), "--account", CFS)
    assert outcome.code == 1 and outcome.summary is not None and outcome.summary["status"] == "failed"
    [error] = outcome.summary["errors"]
    assert error["message"].endswith(f"import again with {DATE_ORDER_OPTIONS}")
    assert DATE_ORDER_OPTIONS == "--day-first or --month-first"
    assert runs(store)[-1].errors == outcome.summary["errors"] and _days(store) == {}


def test_day_first_reads_the_file_day_first(store: str, tmp_path: Path) -> None:
    path = write(tmp_path, "export.csv", AMBIGUOUS)
    outcome = import_file(store, path, "--account", CFS, "--day-first")
    assert outcome.code == 0, outcome.output
    assert _days(store) == {"7701": dt.date(2026, 5, 6), "7702": dt.date(2026, 7, 1)}
