"""Sentiment test fixtures: a stub analyser plugged in through the real hook, and fixture files."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from types import ModuleType

import pytest

from govsocial.analyze.sentiment import AnalyserSpec, Sentiment
from govsocial.hookspecs import hookimpl
from govsocial.plugins import plugin_manager

FIXTURES = Path(__file__).parent / "fixtures"

#: The stub's probabilities (negative, neutral, positive), by the first keyword a text contains.
STUB_RULES = (
    ("good", (0.1, 0.2, 0.7)),
    ("bad", (0.7, 0.2, 0.1)),
    ("so so", (0.2, 0.6, 0.2)),
    ("okay", (0.1, 0.5, 0.4)),
    ("fine", (0.35, 0.4, 0.25)),
)


class StubAnalyser:
    """Keyword rules with fixed probabilities, so that evaluation figures can be worked by hand."""

    name = "stub"

    def analyse(self, texts: Sequence[str]) -> list[Sentiment]:
        return [self._one(text) for text in texts]

    @staticmethod
    def _one(text: str) -> Sentiment:
        for word, probabilities in STUB_RULES:
            if word in text:
                return Sentiment.from_probabilities(*probabilities)
        return Sentiment.from_probabilities(0.3, 0.4, 0.3)


def _stub_plugin() -> ModuleType:
    module = ModuleType("govsocial_test_stub_sentiment")

    @hookimpl
    def govsocial_sentiment_analysers() -> list[AnalyserSpec]:
        return [
            AnalyserSpec("stub", "keyword rules for tests", lambda arg: StubAnalyser()),
            AnalyserSpec(
                "linear", "an impostor that must not replace the built-in", lambda arg: StubAnalyser()
            ),
        ]

    module.govsocial_sentiment_analysers = govsocial_sentiment_analysers  # type: ignore[attr-defined]
    return module


@pytest.fixture
def stub_plugin() -> Iterator[ModuleType]:
    """The stub analyser registered with the process's plugin manager for one test."""
    module = _stub_plugin()
    plugin_manager().register(module)
    try:
        yield module
    finally:
        plugin_manager().unregister(module)
