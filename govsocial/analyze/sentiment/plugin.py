"""The built-in analyser, registered through the same hook a third-party analyser uses."""

from __future__ import annotations

from pathlib import Path

from govsocial.analyze.sentiment.base import Analyser, AnalyserSpec
from govsocial.analyze.sentiment.linear import NAME, LinearAnalyser, default_analyser
from govsocial.hookspecs import hookimpl


def load_linear(folder: str | None) -> Analyser:
    """The shipped model, or the model retrained into ``folder``."""
    return LinearAnalyser.from_folder(Path(folder)) if folder else default_analyser()


@hookimpl
def govsocial_sentiment_analysers() -> list[AnalyserSpec]:
    """The default analyser: the linear model shipped in govsocial (``linear:DIR`` for a retrained one)."""
    return [
        AnalyserSpec(
            NAME,
            "character n-grams + Cantonese/Chinese/English/emoji lexicon, linear model (shipped; "
            "linear:DIR loads one retrained with `govsocial sentiment train`)",
            load_linear,
        )
    ]
