"""The survey's releases in the store, on SQLite and PostgreSQL: migration 0015 and concurrent
submitters.

Upgrading marks the responses already stored as released (they were published) with nothing
waiting and no release recorded; the first release check records their figures. Downgrading
writes a version still waiting into its row (the browser's latest answers, as the code before 0015
kept them) and drops the new table and columns; upgrading again works.

A release holds the store's release lock and reads the waiting versions locked, so a submitter
whose new version is written while a release runs neither has it overwritten by an older one nor
releases the same batch a second time.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from sqlalchemy import Connection, Engine, func, inspect, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from govsocial.analyze import survey as analysis
from govsocial.store import db
from govsocial.store import survey as store
from govsocial.store import tables as t
from govsocial.store.db import session_factory

K = analysis.MIN_GROUP
DAY = dt.date(2026, 3, 10)
NOW = dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC)


def _old_rows(engine: Engine, ratings: list[int]) -> None:
    """Responses as the code before 0015 stored them."""
    with engine.begin() as connection:
        for i, rating in enumerate(ratings):
            connection.execute(
                text(
                    "INSERT INTO survey_responses (token_hash, submitted_on, explaining_policy, channels,"
                    " reactions) VALUES (:token, :day, :rating, '[]', '{}')"
                ),
                {"token": store.digest(f"old-{i}"), "day": DAY, "rating": rating},
            )


def _answers(rating: int) -> store.Answers:
    return store.Answers(ratings={"explaining_policy": rating}, age_band="20-24")


def _releases(engine: Engine) -> int:
    with session_factory(engine)() as session:
        return session.scalar(select(func.count()).select_from(t.SurveyRelease)) or 0


def _two_submitters(
    factory: sessionmaker[Session], first_token: str, second_token: str
) -> list[t.SurveyRelease | None]:
    """What ``release_due`` gave two submitters, as the form runs them: the first saves and checks
    (holding the release lock), the second does the same meanwhile and must wait for the first to
    commit."""
    made: list[t.SurveyRelease | None] = []
    first = factory()
    first.begin()
    store.save(first, first_token, _answers(2), DAY)
    made.append(analysis.release_due(first, "hk", NOW))  # holds the release lock now

    def second() -> None:
        with factory() as session, session.begin():
            store.save(session, second_token, _answers(3), DAY)
            made.append(analysis.release_due(session, "hk", NOW))

    other = threading.Thread(target=second)
    other.start()
    time.sleep(0.5)
    assert other.is_alive()  # waiting for the first to commit
    first.commit()
    first.close()
    other.join(30)
    assert not other.is_alive()
    return made


def test_upgrade_marks_stored_responses_released_and_downgrade_keeps_the_latest_answers(
    engine: Engine,
) -> None:
    db.downgrade(engine, "0014")
    assert "survey_releases" not in inspect(engine).get_table_names()
    _old_rows(engine, [1, 2, 3, 4, 5, 6])

    db.upgrade(engine)

    with session_factory(engine)() as session:
        rows = list(store.responses(session))
        assert [r.explaining_policy for r in rows] == [1, 2, 3, 4, 5, 6]
        assert all(r.released_at is not None and r.pending is None for r in rows)
        assert store.waiting_count(session) == 0 and store.latest_release(session) is None
        # The first check records the figures of what the upgrade found published.
        first = analysis.release_due(session, "hk", NOW)
        assert first is not None and (first.changed, first.respondents) == (0, 6)
        assert analysis.release_ratings(first)["explaining_policy"].mean == 3.5
        assert analysis.release_due(session, "hk", NOW) is None
        # A browser of before the upgrade sends new answers: they wait.
        assert store.save(session, "old-0", _answers(10), DAY + dt.timedelta(days=1))
        session.commit()

    db.downgrade(engine, "0014")

    assert "survey_releases" not in inspect(engine).get_table_names()
    columns = {c["name"] for c in inspect(engine).get_columns("survey_responses")}
    assert not {"pending", "released_at"} & columns
    with engine.connect() as connection:
        found = connection.execute(
            text("SELECT explaining_policy, age_band, submitted_on FROM survey_responses ORDER BY id")
        ).all()
    assert [row[0] for row in found] == [10, 2, 3, 4, 5, 6]
    assert found[0][1] == "20-24" and str(found[0][2]) == "2026-03-11"

    db.upgrade(engine)
    with session_factory(engine)() as session:
        assert len(list(store.responses(session))) == 6 and store.latest_release(session) is None


def test_a_version_sent_while_a_release_runs_is_not_lost(engine: Engine) -> None:
    """A submitter replaces a waiting version while another transaction releases the batch: the
    release waits for it and publishes the newer version (without the locked read it would publish
    the older one and drop the newer)."""
    factory = session_factory(engine)
    with factory() as session:
        for i in range(K):
            store.save(session, f"b{i}", _answers(1), DAY)
        session.commit()
    made: list[t.SurveyRelease | None] = []

    replacing = factory()
    replacing.begin()
    store.save(replacing, "b0", _answers(9), DAY)  # written, not committed: the row is locked

    def release() -> None:
        with factory() as session, session.begin():
            made.append(analysis.release_due(session, "hk", NOW))

    releaser = threading.Thread(target=release)
    releaser.start()
    time.sleep(0.5)  # the release is waiting for the replacement's lock
    assert releaser.is_alive()
    replacing.commit()
    replacing.close()
    releaser.join(30)
    assert not releaser.is_alive()

    [release_row] = made
    assert release_row is not None and release_row.changed == K
    with factory() as session:
        ratings = sorted(r.explaining_policy for r in store.responses(session))
        assert ratings == [1] * (K - 1) + [9] and store.waiting_count(session) == 0


def test_two_submitters_never_release_one_batch_twice(engine: Engine) -> None:
    """Two submitters complete a batch at once: one releases it, the other waits for the lock and
    then finds only its own version waiting."""
    factory = session_factory(engine)
    with factory() as session:
        for i in range(K - 1):
            store.save(session, f"b{i}", _answers(1), DAY)
        session.commit()
    made = _two_submitters(factory, "fifth", "sixth")

    assert made[0] is not None and made[0].changed == K and made[1] is None
    assert _releases(engine) == 1
    with factory() as session:
        assert len(list(store.responses(session))) == K and store.waiting_count(session) == 1


def test_a_browser_sending_again_while_a_release_runs_is_stored_and_released(engine: Engine) -> None:
    """A submission stores its version and checks for a release in one transaction, as the form
    does (``web.pages.survey._store``). A browser whose version waits sends again while another
    submitter completes the batch: neither fails, and the batch has the newer version. (Had the
    replacement written its row before taking the release lock, the release's locked read would wait
    for that row while the replacement waited for the release lock: a deadlock on PostgreSQL, and
    one of the two submitters refused.)"""
    factory = session_factory(engine)
    with factory() as session:
        for i in range(K - 1):
            store.save(session, f"b{i}", _answers(1), DAY)
        session.commit()
    failed: list[BaseException] = []

    replacing = factory()
    replacing.begin()
    store.save(replacing, "b0", _answers(9), DAY)

    def complete() -> None:
        try:
            with factory() as session, session.begin():
                store.save(session, "fifth", _answers(2), DAY)
                analysis.release_due(session, "hk", NOW)
        except Exception as error:  # the assertion below shows it
            failed.append(error)

    other = threading.Thread(target=complete)
    other.start()
    time.sleep(0.5)  # the other submitter is waiting for the replacement
    try:
        analysis.release_due(replacing, "hk", NOW)
        replacing.commit()
    except Exception as error:
        failed.append(error)
        replacing.rollback()
    finally:
        replacing.close()
    other.join(30)
    assert not other.is_alive()

    assert failed == []
    with factory() as session:
        ratings = sorted(r.explaining_policy for r in store.responses(session))
        assert ratings == [1] * (K - 2) + [2, 9] and store.waiting_count(session) == 0


def test_two_submitters_completing_a_batch_together_release_it(engine: Engine) -> None:
    """Two submitters bring the (k-1)-th and the k-th change at once. The first finds k-1 waiting
    and releases nothing; the second must then see the first's version, or k would wait with no
    release until someone else answers (each transaction alone sees only k-1)."""
    factory = session_factory(engine)
    with factory() as session:
        for i in range(K - 2):
            store.save(session, f"b{i}", _answers(1), DAY)
        session.commit()
    made = _two_submitters(factory, "fourth", "fifth")

    assert made[0] is None and made[1] is not None and made[1].changed == K
    with factory() as session:
        assert len(list(store.responses(session))) == K and store.waiting_count(session) == 0


def _due_and_made(session: Session) -> tuple[int | None, int | None]:
    """What ``due_release`` says is due (read only), then what ``release_due`` released (its
    ``changed``), in one transaction."""
    said = analysis.due_release(session)
    made = analysis.release_due(session, "hk", NOW)
    return said, made.changed if made is not None else None


def test_due_release_says_without_the_lock_what_release_due_then_does(engine: Engine) -> None:
    with session_factory(engine)() as session:
        assert _due_and_made(session) == (None, None)
        for i in range(K - 1):
            store.save(session, f"b{i}", _answers(1), DAY)
        assert _due_and_made(session) == (None, None)
        store.save(session, "last", _answers(1), DAY)
        assert _due_and_made(session) == (K, K)
        assert _due_and_made(session) == (None, None)
        store.save(session, "b0", _answers(2), DAY)  # one replacement waits: no batch
        assert _due_and_made(session) == (None, None)


def test_due_release_after_an_upgrade_is_the_record_of_what_it_found_published(engine: Engine) -> None:
    """Published responses with no release recorded, as migration 0015 leaves them: a release of no
    new responses is due once at least ``K`` are published (``release`` publishes none of fewer)."""
    with session_factory(engine)() as session:
        for i in range(K - 1):
            store.save(session, f"b{i}", _answers(1), DAY)
        store.publish(session, store.waiting(session), NOW)
        assert _due_and_made(session) == (None, None)
        store.save(session, "last", _answers(1), DAY)
        store.publish(session, store.waiting(session), NOW)
        assert _due_and_made(session) == (0, 0)
        assert _due_and_made(session) == (None, None)


def _error(connection: Connection, *statements: str) -> DBAPIError:
    """The error the last of ``statements`` raised; the connection's transaction rolled back."""
    *before, last = statements
    for statement in before:
        connection.exec_driver_sql(statement)
    with pytest.raises(DBAPIError) as raised:
        connection.exec_driver_sql(last)
    connection.rollback()
    return raised.value


def test_only_a_store_refusing_writes_is_read_only(engine: Engine) -> None:
    """``refused_as_read_only`` on each backend's own errors: a write in a read-only transaction
    (PostgreSQL's SQLSTATE 25006, as on a hot standby) or on an SQLite connection that may not write
    (``SQLITE_READONLY``) is; a lock not obtained in time or a broken constraint is not."""
    postgres = engine.dialect.name == "postgresql"
    write = "UPDATE survey_releases SET id = id"
    with engine.connect() as connection, engine.connect() as holder:
        if postgres:
            refused = _error(connection, "SET TRANSACTION READ ONLY", write)
        else:
            refused = _error(connection, "PRAGMA query_only = ON", write)
            connection.exec_driver_sql("PRAGMA query_only = OFF")
        holder.exec_driver_sql(write)  # holds the table's (SQLite: the store's) write lock
        if postgres:
            locked = _error(connection, "SET lock_timeout = '10ms'", "LOCK TABLE survey_releases")
        else:
            locked = _error(connection, "PRAGMA busy_timeout = 0", write)
            connection.exec_driver_sql("PRAGMA busy_timeout = 30000")
        holder.rollback()
        duplicate = "INSERT INTO survey_keys (id, key) VALUES (1, 'k')"
        connection.exec_driver_sql(duplicate)
        broken = _error(connection, duplicate)
    assert store.refused_as_read_only(refused)
    assert not store.refused_as_read_only(locked) and "lock" in str(locked)
    assert not store.refused_as_read_only(broken)
