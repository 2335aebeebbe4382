"""What every sentiment analyser is: texts in, one label, score and probabilities per text out.

An analyser is anything with a ``name`` and ``analyse(texts)``; the default one is the linear
model shipped in this package (:mod:`.linear`), others come from plugins through the
``govsocial_sentiment_analysers`` hook as :class:`AnalyserSpec` (a name and a loader), so that a
transformer model a user keeps on disk plugs in without govsocial depending on it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from govsocial.errors import GovsocialError

Label = Literal["negative", "neutral", "positive"]
#: The labels, in the order of every probability triple.
LABELS: tuple[Label, Label, Label] = ("negative", "neutral", "positive")


class SentimentError(GovsocialError, ValueError):
    """A labelled file, model or analyser name that cannot be used."""


@dataclass(frozen=True, slots=True)
class Sentiment:
    """One text's sentiment: the label, a score in [-1, 1] and the three probabilities.

    The score is P(positive) - P(negative): -1 is surely negative, +1 surely positive, and 0
    either neutral or torn between the two.
    """

    label: Label
    score: float
    negative: float
    neutral: float
    positive: float

    @classmethod
    def from_probabilities(cls, negative: float, neutral: float, positive: float) -> Sentiment:
        """The sentiment whose label is the most probable class (ties: neutral, then positive)."""
        label: Label = "neutral"
        if negative > neutral and negative > positive:
            label = "negative"
        elif positive > neutral and positive >= negative:
            label = "positive"
        return cls(label, positive - negative, negative, neutral, positive)

    @property
    def probabilities(self) -> dict[Label, float]:
        """Probability of each label."""
        return {"negative": self.negative, "neutral": self.neutral, "positive": self.positive}

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {"label": self.label, "score": self.score, "probabilities": self.probabilities}


class Analyser(Protocol):
    """Gives each text its :class:`Sentiment`; batches so that a model can score many at once."""

    name: str

    def analyse(self, texts: Sequence[str]) -> list[Sentiment]:
        """One sentiment per text, in order."""
        ...


@dataclass(frozen=True)
class AnalyserSpec:
    """An analyser a plugin offers: its name, a line about it, and how to load it.

    ``load`` gets the text after ``NAME:`` in ``--analyser NAME:ARG`` (for example the folder of
    a model on disk), or None when only the name was given.
    """

    name: str
    description: str
    load: Callable[[str | None], Analyser]
