"""Comment sentiment: a label (positive / neutral / negative), a score in [-1, 1] and probabilities.

The default analyser (:mod:`.linear`) is a linear model over character n-grams and a hand-written
Cantonese, Chinese, English and emoji lexicon, shipped inside the package and run with the
standard library alone; :mod:`.train` retrains it from labelled CSV files and :mod:`.evaluate`
measures any analyser exactly. Other analysers plug in through the
``govsocial_sentiment_analysers`` hook. docs/sentiment.md explains the model and its figures.

Reactions (Facebook's "haha", "angry", ...) are a separate signal and are never folded in here.
"""

from __future__ import annotations

from pathlib import Path

from govsocial.analyze.sentiment.base import LABELS, Analyser, AnalyserSpec, Label, Sentiment, SentimentError
from govsocial.analyze.sentiment.linear import NAME as DEFAULT_ANALYSER
from govsocial.analyze.sentiment.linear import LinearAnalyser, default_analyser

__all__ = [
    "DEFAULT_ANALYSER",
    "LABELS",
    "Analyser",
    "AnalyserSpec",
    "Label",
    "LinearAnalyser",
    "Sentiment",
    "SentimentError",
    "analyse",
    "default_analyser",
    "load_analyser",
]


def load_analyser(name: str | None = None) -> Analyser:
    """The analyser called ``name``: ``NAME`` or ``NAME:ARG`` of a plugin, or a model folder.

    None is the default analyser. A folder (or a ``model.json.gz``) that exists on disk is a model
    written by ``govsocial sentiment train``, so ``--analyser ./my-model`` needs no prefix.
    """
    if not name:
        return default_analyser()
    if Path(name).exists():
        return LinearAnalyser.from_folder(Path(name))
    from govsocial.plugins import sentiment_analysers

    base, _, arg = name.partition(":")
    specs = sentiment_analysers()
    if base not in specs:
        known = ", ".join(sorted(specs)) or "none"
        raise SentimentError(
            f"no sentiment analyser {base!r} and no model folder {name!r}; analysers: {known}"
        )
    return specs[base].load(arg or None)


def analyse(text: str, analyser: Analyser | None = None) -> Sentiment:
    """The sentiment of one text (by the default analyser unless one is given)."""
    return (analyser or default_analyser()).analyse([text])[0]
