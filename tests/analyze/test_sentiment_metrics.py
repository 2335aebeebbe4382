"""Perception, comment sentiment: shares of labelled citizen comments, net sentiment, mean score.

The worked example (docs/metrics.md, "Comment sentiment"): account 1 has, in October 2026, five
citizen comments with a label (2 positive, 1 neutral, 2 negative; scores 0.8, 0.6, 0.0, -0.4,
-0.9), one citizen comment without a label, and a page reply labelled positive that never counts.
Account 2, owned by the same organisation, has one negative comment (-0.5) in October.
"""

from __future__ import annotations

from typing import Any

import pytest

from govsocial.analyze.metrics.model import Level, PeriodKind, registry
from tests.analyze.builders import build, hk, run

OWNERS = [
    {"account_id": 1, "organisation": "isd", "organisation_kind": "department"},
    {"account_id": 2, "organisation": "isd", "organisation_kind": "department"},
]


def _comment(
    i: int, label: str | None, score: float | None, account: int = 1, reply: bool = False, day: int = 5
) -> dict[str, Any]:
    return {
        "comment_id": i,
        "post_id": account,
        "account_id": account,
        "platform": "facebook",
        "ts": hk(2026, 10, day),
        "is_page_reply": reply,
        "parent": "c1" if reply else None,
        "sentiment": label,
        "sentiment_score": score,
    }


def _comments() -> list[dict[str, Any]]:
    return [
        _comment(1, "positive", 0.8),
        _comment(2, "positive", 0.6),
        _comment(3, "neutral", 0.0),
        _comment(4, "negative", -0.4),
        _comment(5, "negative", -0.9),
        _comment(6, None, None),  # not scored (no text): left out
        _comment(7, "positive", 0.95, reply=True),  # the page speaking: never counted
        _comment(8, "negative", -0.5, account=2),
    ]


def _value(name: str, level: Level = Level.ACCOUNT, entity: str = "1") -> dict[str, Any]:
    rows = [r for r in run(build(comments=_comments(), owners=OWNERS), name, level) if r["entity"] == entity]
    assert len(rows) == 1, rows
    return rows[0]


def test_comments_scored_counts_labelled_citizen_comments() -> None:
    row = _value("comments_scored")
    assert row["value"] == 5.0
    assert row["inputs"] == {"positive": 2, "neutral": 1, "negative": 2}


@pytest.mark.parametrize(
    ("label", "count", "share"), [("positive", 2, 40.0), ("neutral", 1, 20.0), ("negative", 2, 40.0)]
)
def test_each_share_is_over_labelled_citizen_comments(label: str, count: int, share: float) -> None:
    row = _value(f"comment_{label}_share")
    assert row["inputs"] == {label: count, "scored": 5}
    assert row["value"] == pytest.approx(share)


def test_net_sentiment_is_positive_share_minus_negative_share() -> None:
    row = _value("net_sentiment")
    assert row["inputs"] == {"positive": 2, "negative": 2, "scored": 5}
    assert row["value"] == pytest.approx(0.0)
    organisation = _value("net_sentiment", Level.ORGANISATION, "isd")
    # Both accounts: 2 positive, 3 negative of 6 -> 33.3 % - 50 % = -16.7 points.
    assert organisation["inputs"] == {"positive": 2, "negative": 3, "scored": 6}
    assert organisation["value"] == pytest.approx(100 * (2 - 3) / 6)


def test_mean_score_is_the_mean_of_labelled_citizen_comments() -> None:
    row = _value("mean_sentiment_score")
    assert row["inputs"]["scored"] == 5
    assert row["inputs"]["score_sum"] == pytest.approx(0.1)
    assert row["value"] == pytest.approx(0.02)  # (0.8 + 0.6 + 0 - 0.4 - 0.9) / 5
    government = _value("mean_sentiment_score", Level.GOVERNMENT, "hk")
    assert government["value"] == pytest.approx((0.1 - 0.5) / 6)


def test_every_level_and_week_gets_the_metrics() -> None:
    frames = build(comments=_comments(), owners=OWNERS)
    for level in Level:
        rows = run(frames, "comment_negative_share", level)
        assert rows and all(r["value"] is not None for r in rows), level
    weeks = run(frames, "comments_scored", Level.ACCOUNT, PeriodKind.WEEK)
    assert {(r["entity"], r["period"], r["value"]) for r in weeks} == {
        ("1", "2026-W41", 5.0),
        ("2", "2026-W41", 1.0),
    }


def test_without_labels_there_is_no_row() -> None:
    unscored = [_comment(1, None, None), _comment(2, "positive", 0.9, reply=True)]
    for name in ("comments_scored", "comment_positive_share", "net_sentiment", "mean_sentiment_score"):
        assert run(build(comments=unscored), name) == []


def test_frames_built_without_sentiment_give_no_sentiment_rows() -> None:
    frames = build(comments=[{"comment_id": 1, "post_id": 1, "account_id": 1, "ts": hk(2026, 10, 5)}])
    assert frames.tables["comments"].column("sentiment").null_count == 1
    assert run(frames, "comments_scored") == []


def test_the_metrics_are_perception_metrics_beside_the_reaction_mix() -> None:
    metrics = registry()
    names = [
        "comments_scored",
        "comment_positive_share",
        "comment_neutral_share",
        "comment_negative_share",
        "net_sentiment",
        "mean_sentiment_score",
    ]
    assert all(str(metrics[name].goal) == "perception" for name in names)
    # Reactions are a separate signal: no comment sentiment metric takes a reaction as an input.
    reactions = {"like", "love", "haha", "wow", "sad", "angry", "care", "reactions"}
    assert not any(set(metrics[name].inputs) & reactions for name in names)
