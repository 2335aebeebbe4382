"""Retention and forgetting: old comment texts purged with the numbers kept, one comment forgotten.

The store is the registry and one month of the demo dataset (September 2026) on SQLite and
PostgreSQL; the clock is passed in, so the cutoff falls in the middle of the month whatever today is.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pyarrow as pa
from sqlalchemy import Engine, insert, select

from govsocial.analyze import pipeline, signals
from govsocial.analyze.retention import purge
from govsocial.settings import Settings
from govsocial.store import retention
from govsocial.store import tables as t
from govsocial.store.db import make_engine
from tests.demo_store import cli, demo_store

CUTOFF = dt.datetime(2026, 9, 15, tzinfo=dt.UTC)
DAYS = 730
NOW = CUTOFF + dt.timedelta(days=DAYS)


def _comments(engine: Engine) -> dict[int, tuple[dt.datetime, str | None, bool | None]]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(t.Comment.id, t.Comment.created_at, t.Comment.text, t.Comment.is_question)
        ).all()
    return {i: (when.replace(tzinfo=when.tzinfo or dt.UTC), text, asked) for i, when, text, asked in rows}


def _metric_values(engine: Engine) -> dict[tuple[str, ...], float | None]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                t.MetricValue.metric,
                t.MetricValue.level,
                t.MetricValue.entity,
                t.MetricValue.period,
                t.MetricValue.value,
            )
        ).all()
    return {(m, lv, e, p): v for m, lv, e, p, v in rows}


def test_old_texts_are_purged_and_the_numbers_stay(database_url: str, tmp_path: Path) -> None:
    url = demo_store(tmp_path, months=1, url=database_url)
    engine = make_engine(url)
    settings = Settings.load(database_url=url, comment_retention_days=0)
    pipeline.refresh(engine, settings, period_kinds=["day", "month"])
    before, values = _comments(engine), _metric_values(engine)
    old = {i for i, (when, text, _) in before.items() if when < CUTOFF and text is not None}
    assert old and len(old) < len(before)  # the cutoff splits the month

    report = purge(engine, DAYS, now=NOW)
    after = _comments(engine)
    assert report.comments == len(old) and report.cutoff == CUTOFF
    for i, (_when, text, asked) in after.items():
        if i in old:
            expected = signals.is_question_column(pa.array([before[i][1]], pa.string()))[0].as_py()
            assert text is None and asked is expected
        else:
            assert text == before[i][1] and asked is None
    assert purge(engine, DAYS, now=NOW).comments == 0  # idempotent

    # The metrics read what purging kept: recomputed, every value is the same.
    second = pipeline.refresh(engine, settings, period_kinds=["day", "month"])
    assert second.counts.as_dict()["update"] == 0 and second.counts.as_dict()["delete"] == 0
    assert _metric_values(engine) == values
    engine.dispose()


def test_raw_payloads_and_quarantine_older_than_the_period_are_emptied(tmp_path: Path) -> None:
    engine = make_engine(demo_store(tmp_path, months=1))
    old, new = CUTOFF - dt.timedelta(days=1), CUTOFF + dt.timedelta(days=1)
    with engine.begin() as connection:
        for when in (old, new):
            connection.execute(
                insert(t.RawPayloadRow).values(
                    source="facebook:/{post-id}/comments",
                    location="test",
                    fetched_at=when,
                    status=200,
                    body='{"data": [{"id": "1_2", "message": "an old comment"}]}',
                )
            )
            connection.execute(
                insert(t.QuarantinedRecord).values(
                    source="test", location="test", reason="test", content='{"message": "x"}', created_at=when
                )
            )
    report = purge(engine, DAYS, now=NOW)
    assert (report.payloads, report.quarantined) >= (1, 1)
    with engine.connect() as connection:
        bodies = dict(connection.execute(select(t.RawPayloadRow.fetched_at, t.RawPayloadRow.body)).all())
    kept = {when.replace(tzinfo=when.tzinfo or dt.UTC): body for when, body in bodies.items()}
    assert kept[old] == retention.PURGED and "an old comment" in kept[new]
    assert purge(engine, 0).cutoff is None  # 0: retention off
    engine.dispose()


def test_forget_removes_one_comment_everywhere(tmp_path: Path) -> None:
    url = demo_store(tmp_path, months=1)
    engine = make_engine(url)
    with engine.begin() as connection:
        comment_id, platform, row_id, account = connection.execute(
            select(t.Comment.comment_id, t.Comment.platform, t.Comment.id, t.Post.account_id)
            .join(t.Post)
            .where(t.Comment.text.is_not(None))
            .limit(1)
        ).one()
        connection.execute(
            insert(t.CommentSentiment).values(
                comment_id=row_id, analyser="test", content_hash="x", label="neutral", score=0.0
            )
        )
        page = {"data": [{"id": comment_id, "message": "forget me"}, {"id": "other_1", "message": "keep me"}]}
        connection.execute(
            insert(t.RawPayloadRow).values(
                account_id=account,
                source="test",
                location="test",
                fetched_at=NOW,
                status=200,
                body=json.dumps(page),
            )
        )
        connection.execute(
            insert(t.QuarantinedRecord).values(
                source="test", location="test", reason="test", content=json.dumps({"comment_id": comment_id})
            )
        )
        # A comment quarantined for want of its post, its content purged since: found by location.
        connection.execute(
            insert(t.QuarantinedRecord).values(
                source="test", location=f"comment {comment_id}", reason="test", content=retention.PURGED
            )
        )

    code, output = cli(url, "privacy", "forget", "--platform", platform, "--comment-id", comment_id, "--json")
    assert code == 0, output
    expected = {"comments": 1, "sentiments": 1, "payloads": 1, "quarantined": 2, "found": True}
    assert expected.items() <= json.loads(output).items()
    with engine.connect() as connection:
        assert connection.scalar(select(t.Comment.id).where(t.Comment.id == row_id)) is None
        assert (
            connection.scalar(
                select(t.CommentSentiment.comment_id).where(t.CommentSentiment.comment_id == row_id)
            )
            is None
        )
        body = connection.scalar(select(t.RawPayloadRow.body).where(t.RawPayloadRow.source == "test"))
        assert body is not None and json.loads(body) == {"data": [{"id": "other_1", "message": "keep me"}]}
        assert (
            connection.scalar(select(t.QuarantinedRecord.id).where(t.QuarantinedRecord.source == "test"))
            is None
        )
    code, output = cli(url, "privacy", "forget", "--platform", platform, "--comment-id", comment_id)
    assert code == 1 and "no " in output
    engine.dispose()


def test_purge_command_reports_what_it_did(tmp_path: Path) -> None:
    url = demo_store(tmp_path, months=1)
    code, output = cli(url, "privacy", "purge", "--days", "1", "--json")
    assert code == 0, output
    report = json.loads(output)
    assert report["days"] == 1 and report["comments"] > 0  # the demo month is long past a day
    code, output = cli(url, "privacy", "purge", "--days", "0")
    assert code == 0 and "off" in output
