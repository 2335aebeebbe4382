"""``clarifications.csv`` in a registry folder: parsed, linted and loaded into ``clarification_marks``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from govsocial.registry.bundle import load_bundle
from govsocial.registry.load import load_registry
from govsocial.registry.sync import Outcome
from govsocial.store import tables as t

HEADER = "post_url,rumour_first_seen,rumour_url,note,source\n"
GOOD = (
    "https://www.facebook.com/dh/posts/1,2026-08-24T09:30+08:00,https://forum.example/t/1,masks,reviewer A\n"
    "https://www.facebook.com/dh/posts/2,,,,reviewer B\n"
)


def _folder(tmp_path: Path, rows: str) -> Path:
    folder = tmp_path / "xx"
    folder.mkdir(exist_ok=True)
    (folder / "jurisdiction.toml").write_text('code = "xx"\nname_en = "X"\ntimezone = "Asia/Hong_Kong"\n')
    (folder / "clarifications.csv").write_text(HEADER + rows, encoding="utf-8")
    return folder


def test_bad_rows_name_file_and_line(tmp_path: Path) -> None:
    rows = (
        GOOD
        + "https://www.facebook.com/dh/posts/3,2026-08-24T09:30,,,reviewer\n"  # no zone
        + "not-a-url,,,,reviewer\n"
        + "https://www.facebook.com/dh/posts/4,,,,\n"  # no source
    )
    bundle = load_bundle(_folder(tmp_path, rows))
    assert len(bundle.clarifications) == 2
    problems = [str(p) for p in bundle.problems]
    assert problems[0].startswith("xx/clarifications.csv, line 4: rumour_first_seen")
    assert "time zone" in problems[0]
    assert problems[1].startswith("xx/clarifications.csv, line 5: post_url")
    assert problems[2].startswith("xx/clarifications.csv, line 6: source")


def _marks(engine: Engine) -> list[tuple[str, dt.datetime | None, str]]:
    with Session(engine) as session:
        rows = session.execute(
            select(
                t.ClarificationMark.post_url,
                t.ClarificationMark.rumour_first_seen_at,
                t.ClarificationMark.source,
            ).order_by(t.ClarificationMark.post_url)
        ).all()
    return [(u, s if s is None or s.tzinfo else s.replace(tzinfo=dt.UTC), r) for u, s, r in rows]


def test_load_is_idempotent_and_follows_the_file(engine: Engine, tmp_path: Path) -> None:
    folder = _folder(tmp_path, GOOD)
    first = load_registry(engine, folder, actor="tests")
    assert not first.problems
    assert first.counts[("clarifications", Outcome.INSERT)] == 2
    seen = dt.datetime(2026, 8, 24, 1, 30, tzinfo=dt.UTC)
    assert _marks(engine) == [
        ("https://www.facebook.com/dh/posts/1", seen, "reviewer A"),
        ("https://www.facebook.com/dh/posts/2", None, "reviewer B"),
    ]
    again = load_registry(engine, folder, actor="tests")
    assert again.counts[("clarifications", Outcome.NOOP)] == 2
    assert again.counts[("clarifications", Outcome.UPDATE)] == 0
    # One row changed, one removed.
    _folder(tmp_path, "https://www.facebook.com/dh/posts/1,2026-08-24T08:00+08:00,,masks,reviewer A\n")
    changed = load_registry(engine, folder, actor="tests")
    assert changed.counts[("clarifications", Outcome.UPDATE)] == 1
    assert _marks(engine) == [
        ("https://www.facebook.com/dh/posts/1", seen - dt.timedelta(hours=1.5), "reviewer A")
    ]
    with Session(engine) as session:
        actions = session.scalars(
            select(t.Change.action).where(t.Change.entity == "clarification_mark").order_by(t.Change.id)
        ).all()
    assert actions == ["insert", "insert", "update", "delete"]


def test_a_bad_row_deletes_nothing(engine: Engine, tmp_path: Path) -> None:
    folder = _folder(tmp_path, GOOD)
    load_registry(engine, folder, actor="tests")
    _folder(tmp_path, "not-a-url,,,,reviewer\n")
    report = load_registry(engine, folder, actor="tests")
    assert [p.line for p in report.problems] == [2]
    assert len(_marks(engine)) == 2


def test_duplicate_urls_are_problems(engine: Engine, tmp_path: Path) -> None:
    row = "https://www.facebook.com/dh/posts/1,,,,reviewer\n"
    report = load_registry(engine, _folder(tmp_path, row + row), actor="tests")
    assert [str(p) for p in report.problems] == [
        "xx/clarifications.csv, line 3: post_url 'https://www.facebook.com/dh/posts/1' is already on line 2"
    ]
    assert len(_marks(engine)) == 1


def test_lint_reports_bad_and_duplicate_rows(tmp_path: Path) -> None:
    from govsocial.registry.addresses import PlatformCatalogue
    from govsocial.registry.lint import lint_bundle

    row = "https://www.facebook.com/dh/posts/1,,,,reviewer\n"
    bundle = load_bundle(_folder(tmp_path, row + "x,,,,reviewer\n" + row))
    messages = [str(p) for p in lint_bundle(bundle, PlatformCatalogue.default())]
    assert any(m.startswith("xx/clarifications.csv, line 3: post_url") for m in messages)
    assert (
        "xx/clarifications.csv, line 4: post_url 'https://www.facebook.com/dh/posts/1' is already on line 2"
        in messages
    )
