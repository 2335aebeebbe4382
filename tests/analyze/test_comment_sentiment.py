"""Stored comment sentiment on SQLite and PostgreSQL: who is scored, when again, and what the frames
and the refresh make of it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest
from sqlalchemy import Engine, delete, select, update
from sqlalchemy.orm import Session

from govsocial.analyze import pipeline
from govsocial.analyze.comment_sentiment import ScoreReport, analyser_id, score_comments
from govsocial.analyze.extract import extract
from govsocial.analyze.sentiment import Sentiment, default_analyser
from govsocial.analyze.sentiment.linear import LinearAnalyser
from govsocial.analyze.sentiment.model import LinearModel
from govsocial.settings import Settings
from govsocial.store import tables as t
from tests.analyze.store_rows import Store, hk


@dataclass
class Words:
    """A test analyser: "good" is positive, "bad" negative, anything else neutral; remembers its calls."""

    name: str = "words"
    calls: list[list[str]] = field(default_factory=list)

    def analyse(self, texts: Sequence[str]) -> list[Sentiment]:
        self.calls.append(list(texts))
        return [_label(text) for text in texts]

    @property
    def seen(self) -> list[str]:
        return [text for call in self.calls for text in call]


def _label(text: str) -> Sentiment:
    if "good" in text:
        return Sentiment.from_probabilities(0.1, 0.2, 0.7)
    if "bad" in text:
        return Sentiment.from_probabilities(0.8, 0.1, 0.1)
    return Sentiment.from_probabilities(0.2, 0.6, 0.2)


@dataclass(frozen=True)
class Ids:
    good: int
    bad: int
    plain: int
    reply: int
    empty: int
    blank: int
    elsewhere: int


def _scenario(session: Session) -> Ids:
    s = Store(session)
    s.jurisdiction("hk")
    s.jurisdiction("mo")
    fb = s.account("facebook", [s.organisation("hk-isd")])
    other = s.account("facebook", [s.organisation("mo-gov", jurisdiction="mo")], jurisdiction="mo")
    post = s.post(fb, hk(2026, 10, 1), "一則帖文")
    far = s.post(other, hk(2026, 10, 1), "elsewhere")
    ids = Ids(
        good=s.comment(post, hk(2026, 10, 1, 13), "good work 好嘢"),
        bad=s.comment(post, hk(2026, 10, 1, 14), "bad news 垃圾"),
        plain=s.comment(post, hk(2026, 10, 2), "幾點開門？"),
        reply=s.comment(post, hk(2026, 10, 2, 13), "good question, thanks", is_page_reply=True),
        empty=s.comment(post, hk(2026, 10, 2, 14), None),
        blank=s.comment(post, hk(2026, 10, 2, 15), "   "),
        elsewhere=s.comment(far, hk(2026, 10, 3), "good"),
    )
    session.commit()
    return ids


@pytest.fixture
def ids(session: Session) -> Ids:
    return _scenario(session)


def _stored(engine: Engine) -> dict[int, tuple[str, str, str, float]]:
    s = t.CommentSentiment
    with engine.connect() as connection:
        rows = connection.execute(select(s.comment_id, s.analyser, s.content_hash, s.label, s.score)).all()
    return {row.comment_id: (row.analyser, row.content_hash, row.label, row.score) for row in rows}


def test_citizen_comments_with_text_are_scored_and_stored(engine: Engine, ids: Ids) -> None:
    words = Words()
    report = score_comments(engine, words)
    assert (report.analyser, report.pending, report.scored) == ("words", 4, 4)
    stored = _stored(engine)
    # Page replies, comments without text and blank ones are never scored.
    assert set(stored) == {ids.good, ids.bad, ids.plain, ids.elsewhere}
    assert stored[ids.good][:3] == ("words", "x", "positive")
    assert stored[ids.good][3] == pytest.approx(0.6)
    assert stored[ids.bad][2:] == ("negative", pytest.approx(-0.7))
    assert stored[ids.plain][2:] == ("neutral", pytest.approx(0.0))
    assert sorted(words.seen) == sorted(["good work 好嘢", "bad news 垃圾", "幾點開門？", "good"])


def test_a_second_run_finds_nothing_to_do(engine: Engine, ids: Ids) -> None:
    score_comments(engine, Words())
    again = Words()
    report = score_comments(engine, again)
    assert (report.pending, report.scored) == (0, 0)
    assert again.seen == []
    assert "already scored by words" in report.summary()


def test_a_changed_text_is_scored_again_and_only_it(engine: Engine, ids: Ids) -> None:
    score_comments(engine, Words())
    with engine.begin() as connection:
        connection.execute(
            update(t.Comment).where(t.Comment.id == ids.plain).values(text="good answer", content_hash="y")
        )
    # Until it is scored again, the frames show no sentiment for the changed comment.
    frame = extract(engine, "hk").tables["comments"].to_pylist()
    assert {r["comment_id"]: r["sentiment"] for r in frame}[ids.plain] is None
    words = Words()
    report = score_comments(engine, words)
    assert report.scored == 1 and words.seen == ["good answer"]
    assert _stored(engine)[ids.plain][1:3] == ("y", "positive")


def test_another_analyser_or_rescore_scores_everything_again(engine: Engine, ids: Ids) -> None:
    score_comments(engine, Words())
    assert score_comments(engine, Words(name="other")).scored == 4
    assert {row[0] for row in _stored(engine).values()} == {"other"}
    assert score_comments(engine, Words(name="other"), rescore=True).scored == 4


def test_one_jurisdiction_leaves_the_others_alone(engine: Engine, ids: Ids) -> None:
    report = score_comments(engine, Words(), jurisdiction="hk")
    assert (report.jurisdiction, report.scored) == ("hk", 3)
    assert ids.elsewhere not in _stored(engine)
    assert score_comments(engine, Words(), jurisdiction="mo").scored == 1


def test_pages_of_comments_report_progress(engine: Engine, ids: Ids) -> None:
    calls: list[tuple[int, int]] = []
    words = Words()
    report = score_comments(engine, words, chunk=3, progress=lambda done, total: calls.append((done, total)))
    assert report.scored == 4
    assert calls == [(0, 4), (3, 4), (4, 4)]
    assert [len(call) for call in words.calls] == [3, 1]


def test_a_removed_comment_takes_its_sentiment_with_it(engine: Engine, ids: Ids) -> None:
    score_comments(engine, Words())
    with engine.begin() as connection:
        connection.execute(delete(t.Comment).where(t.Comment.id == ids.bad))
    assert ids.bad not in _stored(engine) and len(_stored(engine)) == 3


def test_the_frames_carry_the_stored_label_and_score(engine: Engine, ids: Ids) -> None:
    score_comments(engine, Words())
    table = extract(engine, "hk").tables["comments"]
    assert str(table.schema.field("sentiment").type) == "string"
    assert str(table.schema.field("sentiment_score").type) == "double"
    rows = {r["comment_id"]: (r["sentiment"], r["sentiment_score"]) for r in table.to_pylist()}
    assert rows[ids.good] == ("positive", pytest.approx(0.6))
    assert rows[ids.bad] == ("negative", pytest.approx(-0.7))
    assert rows[ids.reply] == rows[ids.empty] == rows[ids.blank] == (None, None)


def test_the_default_analyser_scores_cantonese_comments(engine: Engine, ids: Ids) -> None:
    report = score_comments(engine)
    assert report.analyser == analyser_id(default_analyser()) and report.scored == 4
    assert {label for _, _, label, _ in _stored(engine).values()} <= {"negative", "neutral", "positive"}


def _linear(bias: tuple[float, float]) -> LinearAnalyser:
    model = LinearModel(script_fold={}, lexicon_entries={}, weights={"好": (0.0, 1.0)}, bias=bias)
    return LinearAnalyser(model)


def test_the_analyser_id_changes_with_the_model() -> None:
    first, same, retrained = _linear((0.0, 0.0)), _linear((0.0, 0.0)), _linear((0.1, 0.0))
    assert analyser_id(first).startswith("linear@") and len(analyser_id(first)) == len("linear@") + 12
    assert analyser_id(first) == analyser_id(same) != analyser_id(retrained)
    assert analyser_id(Words()) == "words"  # no model, no version: the bare name

    @dataclass
    class Versioned(Words):
        version: str = "2.1"

    assert analyser_id(Versioned(name="plugin")) == "plugin@2.1"
    assert len(analyser_id(Words(name="x" * 300))) == 100  # what the column holds


def test_the_report_reads_as_json_and_as_one_line() -> None:
    report = ScoreReport("linear@abc", "hk", pending=10, scored=10, seconds=0.5)
    assert report.as_dict() == {
        "analyser": "linear@abc",
        "jurisdiction": "hk",
        "pending": 10,
        "scored": 10,
        "seconds": 0.5,
        "per_second": 20,
    }
    assert report.summary() == "sentiment (hk): 10 comments scored by linear@abc in 0.5 s (20 comments/s)"


def test_the_refresh_scores_first_and_the_metrics_read_it(
    engine: Engine, ids: Ids, monkeypatch: pytest.MonkeyPatch
) -> None:
    words = Words()
    monkeypatch.setattr("govsocial.analyze.comment_sentiment.load_analyser", lambda name: words)
    settings = Settings.load(
        database_url=engine.url.render_as_string(hide_password=False), sentiment_analyser="words"
    )
    names = ["comments_scored", "comment_positive_share", "net_sentiment"]
    report = pipeline.refresh(engine, settings, "hk", ["month"], metrics=names)
    assert report.scored == 3 and report.seconds["sentiment"] >= 0
    assert report.as_dict()["scored"] == 3 and "3 comment(s) scored for sentiment" in report.summary()
    with engine.connect() as connection:
        values = dict(
            connection.execute(
                select(t.MetricValue.metric, t.MetricValue.value).where(
                    t.MetricValue.level == "government", t.MetricValue.period == "2026-10"
                )
            ).all()
        )
    # good, bad, plain: one positive and one negative of three; the page's reply is not counted.
    assert values == {
        "comments_scored": 3.0,
        "comment_positive_share": pytest.approx(100 / 3),
        "net_sentiment": pytest.approx(0.0),
    }
    assert pipeline.refresh(engine, settings, "hk", ["month"], metrics=names).scored == 0


def test_an_analyser_that_cannot_load_fails_sentiment_alone(engine: Engine, ids: Ids) -> None:
    settings = Settings.load(
        database_url=engine.url.render_as_string(hide_password=False), sentiment_analyser="no-such-analyser"
    )
    report = pipeline.refresh(engine, settings, "hk", ["month"], metrics=["comments_scored"])
    assert list(report.failed) == ["sentiment"] and "no-such-analyser" in report.failed["sentiment"]
    assert report.scored == 0 and _stored(engine) == {}
    assert report.rows == 0  # nothing scored, so no value yet; the refresh itself went through
