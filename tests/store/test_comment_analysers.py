"""``comment_analysers`` on SQLite and PostgreSQL: which analysers labelled the comments on each
account's posts, recorded by each scoring run and read by the opinion sections by key.

It must name exactly what the ``DISTINCT`` over the subject's comments named, which the sections ran
on every page view before: :func:`_distinct` is that query, kept here as the reference.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.orm import Session

from govsocial.analyze.comment_sentiment import score_comments
from govsocial.analyze.sentiment import Sentiment
from govsocial.store import db, sentiments
from govsocial.store import tables as t
from govsocial.store.db import session_factory
from tests.analyze.store_rows import Store, hk


@dataclass
class Named:
    """A test analyser that labels every text neutral under the name it is given."""

    name: str

    def analyse(self, texts: Sequence[str]) -> list[Sentiment]:
        return [Sentiment.from_probabilities(0.2, 0.6, 0.2) for _ in texts]


@dataclass(frozen=True)
class Accounts:
    first: int
    second: int
    quiet: int
    elsewhere: int


def _accounts(session: Session) -> Accounts:
    """Two Hong Kong accounts with comments, one without, and one of another jurisdiction."""
    s = Store(session)
    s.jurisdiction("hk")
    s.jurisdiction("mo")
    org = s.organisation("hk-isd")
    ids = Accounts(
        first=s.account("facebook", [org]),
        second=s.account("facebook", [org]),
        quiet=s.account("facebook", [org]),
        elsewhere=s.account("facebook", [s.organisation("mo-gov", jurisdiction="mo")], jurisdiction="mo"),
    )
    for account in (ids.first, ids.second, ids.elsewhere):
        post = s.post(account, hk(2026, 10, 1), "帖文")
        s.comment(post, hk(2026, 10, 1, 13), "good work")
        s.comment(post, hk(2026, 10, 1, 14), "幾點開門？")
    s.post(ids.quiet, hk(2026, 10, 1), "無人留言")
    session.commit()
    return ids


def _distinct(session: Session, account_ids: Sequence[int]) -> tuple[str, ...]:
    """What the opinion section ran on every page view before ``comment_analysers``."""
    found = session.scalars(
        select(t.CommentSentiment.analyser)
        .join(t.Comment, t.Comment.id == t.CommentSentiment.comment_id)
        .join(t.Post, t.Post.id == t.Comment.post_id)
        .where(t.Post.account_id.in_(account_ids))
        .distinct()
    )
    return tuple(sorted(found))


def _recorded(engine: Engine) -> set[tuple[int, str]]:
    with engine.connect() as connection:
        rows = connection.execute(select(t.CommentAnalyser.account_id, t.CommentAnalyser.analyser))
        return {(account, analyser) for account, analyser in rows}


def _first_comment(session: Session, account_id: int) -> int:
    return (
        session.scalars(
            select(t.Comment.id).join(t.Post).where(t.Post.account_id == account_id).order_by(t.Comment.id)
        ).first()
        or 0
    )


def _same_as_the_distinct(session: Session, ids: Accounts) -> None:
    subjects = [(ids.first,), (ids.second,), (ids.quiet,), (ids.first, ids.second, ids.quiet)]
    for subject in subjects:
        assert sentiments.analysers(session, subject) == _distinct(session, subject), subject


def test_a_scoring_run_records_the_analysers_of_its_jurisdiction(engine: Engine, session: Session) -> None:
    ids = _accounts(session)
    score_comments(engine, Named("one@1"), "hk")
    assert _recorded(engine) == {(ids.first, "one@1"), (ids.second, "one@1")}  # not Macao's yet
    _same_as_the_distinct(session, ids)
    score_comments(engine, Named("two@2"))  # every jurisdiction, every comment scored again
    assert _recorded(engine) == {(ids.first, "two@2"), (ids.second, "two@2"), (ids.elsewhere, "two@2")}
    _same_as_the_distinct(session, ids)
    assert sentiments.analysers(session, ()) == ()


def test_mixed_and_forgotten_labels_are_recorded_by_the_next_run(engine: Engine, session: Session) -> None:
    ids = _accounts(session)
    score_comments(engine, Named("one@1"), "hk")
    # One comment scored by another analyser since (a plugin's run on a few comments), and all of the
    # second account's comments forgotten.
    session.execute(
        update(t.CommentSentiment)
        .where(t.CommentSentiment.comment_id == _first_comment(session, ids.first))
        .values(analyser="other@3")
    )
    session.execute(
        delete(t.Comment).where(
            t.Comment.post_id.in_(select(t.Post.id).where(t.Post.account_id == ids.second))
        )
    )
    session.commit()
    with engine.begin() as connection:
        assert sentiments.record_analysers(connection, "hk") == 2  # one added, one gone
        assert sentiments.record_analysers(connection, "hk") == 0  # nothing changed since
    assert _recorded(engine) == {(ids.first, "one@1"), (ids.first, "other@3")}
    _same_as_the_distinct(session, ids)
    assert sentiments.analysers(session, (ids.first,)) == ("one@1", "other@3")


def test_the_upgrade_to_0021_records_what_is_stored(engine: Engine, session: Session) -> None:
    ids = _accounts(session)
    score_comments(engine, Named("one@1"))
    db.downgrade(engine, "0020")
    session.close()
    db.upgrade(engine)
    assert _recorded(engine) == {(ids.first, "one@1"), (ids.second, "one@1"), (ids.elsewhere, "one@1")}
    with session_factory(engine)() as fresh:
        _same_as_the_distinct(fresh, ids)
        # An account removed from the registry takes its rows with it (the foreign key cascades).
        fresh.execute(delete(t.Account).where(t.Account.id == ids.elsewhere))
        fresh.commit()
    assert (ids.elsewhere, "one@1") not in _recorded(engine)
