"""Exact evaluation of an analyser on labelled texts: what ``govsocial sentiment eval`` prints.

Three-class files are scored on the analyser's labels. A file whose labels are only
``positive`` and ``negative`` is scored as binary: each text's prediction is the more probable of
positive and negative (positive when they are equal), so an analyser is never marked wrong for
saying "neutral" about a text that the file could not call neutral, and never rewarded for it.

For each class: precision = true positives / texts predicted as the class, recall = true positives
/ texts labelled as the class, F1 = 2PR / (P + R); a ratio whose denominator is 0 counts as 0.
``macro_f1`` is the unweighted mean of the F1 of every class that occurs in the labels or in the
predictions (so a three-class file always averages three classes unless one is absent from both),
and ``accuracy`` is correct predictions / n. ``texts_per_second`` is n over the wall-clock time of
the one ``analyse`` call that scored every text (loading the analyser is not counted).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from govsocial.analyze.sentiment.base import LABELS, Analyser, Label, Sentiment, SentimentError
from govsocial.analyze.sentiment.data import LabelledText


@dataclass(frozen=True)
class ClassScores:
    """Precision, recall and F1 of one class, and how many texts carry its label."""

    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Evaluation:
    """Scores of one analyser on one labelled set."""

    analyser: str
    mode: str  # "3-class" or "binary"
    n: int
    accuracy: float
    macro_f1: float
    per_class: dict[Label, ClassScores]
    texts_per_second: float
    predicted: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        """The JSON object ``sentiment eval`` prints."""
        return {
            "analyser": self.analyser,
            "mode": self.mode,
            "n": self.n,
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            "per_class": {name: vars(scores) for name, scores in self.per_class.items()},
            "predicted": self.predicted,
            "texts_per_second": self.texts_per_second,
        }


def is_binary(labels: Sequence[Label]) -> bool:
    """Whether a file's labels are only positive and negative."""
    return bool(labels) and set(labels) <= {"positive", "negative"}


def binary_label(sentiment: Sentiment) -> Label:
    """The more probable of positive and negative (positive on a tie)."""
    return "positive" if sentiment.positive >= sentiment.negative else "negative"


def _ratio(top: int, bottom: int) -> float:
    return top / bottom if bottom else 0.0


def class_scores(truth: Sequence[Label], predicted: Sequence[Label], label: Label) -> ClassScores:
    """Precision, recall and F1 of ``label``."""
    hits = sum(1 for t, p in zip(truth, predicted, strict=True) if t == p == label)
    precision = _ratio(hits, sum(1 for p in predicted if p == label))
    recall = _ratio(hits, sum(1 for t in truth if t == label))
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return ClassScores(precision, recall, f1, sum(1 for t in truth if t == label))


def score(analyser: str, truth: Sequence[Label], predicted: Sequence[Label], seconds: float) -> Evaluation:
    """The evaluation of ``predicted`` against ``truth``."""
    binary = is_binary(truth)
    present = set(truth) | set(predicted)
    classes = [label for label in LABELS if label in present]
    per_class = {label: class_scores(truth, predicted, label) for label in classes}
    n = len(truth)
    return Evaluation(
        analyser=analyser,
        mode="binary" if binary else "3-class",
        n=n,
        accuracy=_ratio(sum(1 for t, p in zip(truth, predicted, strict=True) if t == p), n),
        macro_f1=sum(s.f1 for s in per_class.values()) / len(per_class) if per_class else 0.0,
        per_class=per_class,
        texts_per_second=round(n / seconds, 1) if seconds > 0 else 0.0,
        predicted=dict(sorted(Counter(predicted).items())),
    )


def evaluate(analyser: Analyser, rows: Sequence[LabelledText]) -> Evaluation:
    """Run ``analyser`` on every text of ``rows`` (one timed call) and score its labels."""
    if not rows:
        raise SentimentError("no labelled texts to evaluate")
    texts = [row.text for row in rows]
    started = time.perf_counter()
    results = analyser.analyse(texts)
    seconds = time.perf_counter() - started
    if len(results) != len(texts):
        raise SentimentError(f"analyser {analyser.name} gave {len(results)} results for {len(texts)} texts")
    truth = [row.label for row in rows]
    binary = is_binary(truth)
    predicted = [binary_label(r) if binary else r.label for r in results]
    return score(analyser.name, truth, predicted, seconds)
