"""``govsocial sentiment score``: scores the stored comments that need it, says how many and how fast."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from govsocial.analyze.comment_sentiment import analyser_id
from govsocial.analyze.sentiment import default_analyser
from govsocial.store import tables as t
from govsocial.store.db import make_engine
from tests.cli.sample_store import cli, sample_store


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    return sample_store(tmp_path_factory.mktemp("sentiment-score"))


def _counts(url: str) -> tuple[int, int]:
    """Citizen comments with text, and stored sentiment rows."""
    engine = make_engine(url)
    with engine.connect() as connection:
        c = t.Comment
        citizen = connection.execute(
            select(func.count()).where(~c.is_page_reply, c.text.is_not(None), func.trim(c.text) != "")
        ).scalar_one()
        stored = connection.execute(select(func.count()).select_from(t.CommentSentiment)).scalar_one()
    engine.dispose()
    return citizen, stored


def test_score_stores_every_citizen_comment_then_finds_nothing_left(store: str) -> None:
    code, out = cli(store, "sentiment", "score")
    assert code == 0, out
    citizen, stored = _counts(store)
    assert citizen == stored > 0
    ident = analyser_id(default_analyser())
    assert re.search(
        rf"sentiment: {citizen:,} comments scored by {re.escape(ident)} in [\d.]+ s \([\d,]+ comments/s\)",
        out,
    )
    code, out = cli(store, "sentiment", "score", "--json")
    report = json.loads(out)
    assert (report["pending"], report["scored"], report["analyser"]) == (0, 0, ident)


def test_a_changed_comment_is_rescored_and_rescore_does_them_all(store: str) -> None:
    cli(store, "sentiment", "score")
    engine = make_engine(store)
    with engine.begin() as connection:
        first = connection.execute(select(func.min(t.CommentSentiment.comment_id))).scalar_one()
        connection.execute(
            update(t.Comment)
            .where(t.Comment.id == first)
            .values(text="多謝晒，好有用", content_hash="changed")
        )
    engine.dispose()
    code, out = cli(store, "sentiment", "score", "--json")
    assert code == 0 and json.loads(out)["scored"] == 1
    code, out = cli(store, "sentiment", "score", "--rescore", "--jurisdiction", "hk", "--json")
    report = json.loads(out)
    assert report["jurisdiction"] == "hk" and report["scored"] == _counts(store)[0]


def test_an_unknown_analyser_is_a_one_line_error(store: str) -> None:
    code, out = cli(store, "sentiment", "score", "--analyser", "no-such-analyser")
    assert code == 2 and "no sentiment analyser 'no-such-analyser'" in out


def test_a_retrained_model_folder_rescores_with_its_own_identifier(store: str, tmp_path: Path) -> None:
    from govsocial.analyze.sentiment.model import LinearModel, write_model

    write_model(LinearModel({}, {}, {"好": (0.0, 2.0)}, (0.0, 0.0), about={"trained": "test"}), tmp_path)
    code, out = cli(store, "sentiment", "score", "--analyser", str(tmp_path), "--json")
    report = json.loads(out)
    assert code == 0 and report["scored"] == _counts(store)[0]
    assert report["analyser"].startswith(f"linear:{tmp_path}"[:80]) and "@" in report["analyser"]
