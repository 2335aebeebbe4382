"""The default analyser: the linear model shipped in this package, or one retrained into a folder.

Loading reads one gzip'd JSON file (about a second for the shipped model); scoring needs only the
standard library, so the default analyser works wherever govsocial installs.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from govsocial.analyze.sentiment.base import Sentiment
from govsocial.analyze.sentiment.model import LinearModel, probabilities, read_model
from govsocial.analyze.sentiment.text import DROPPED

#: The model trained on ``data/sentiment/train`` (see docs/sentiment.md), shipped in the package.
SHIPPED_MODEL = Path(__file__).with_name("model")
NAME = "linear"
#: The sentiment of a text with nothing to read (empty, spaces, line breaks, emoji modifiers only).
#: Without it the model would answer with its biases alone, which lean negative: an empty comment
#: would count as a complaint.
BLANK = Sentiment("neutral", 0.0, 0.0, 1.0, 0.0)


class LinearAnalyser:
    """Scores texts with a :class:`LinearModel`."""

    def __init__(self, model: LinearModel, name: str = NAME) -> None:
        self.model = model
        self.name = name

    @classmethod
    def from_folder(cls, folder: Path) -> LinearAnalyser:
        """The analyser of a model folder written by ``govsocial sentiment train``."""
        return cls(read_model(folder), name=f"{NAME}:{folder}")

    def analyse(self, texts: Sequence[str]) -> list[Sentiment]:
        """One sentiment per text, in order; :data:`BLANK` for a text without a token."""
        model = self.model
        tokens, logits, make = model.tokens, model.logits, Sentiment.from_probabilities
        return [BLANK if _blank(text) else make(*probabilities(logits(tokens(text)))) for text in texts]


def _blank(text: str) -> bool:
    """Whether ``text`` has nothing to read: only white space and characters that folding drops.

    Checked on the text, not the tokens, because folding turns a line break into a full stop.
    """
    return not text.translate(_INVISIBLE).strip()


#: What :func:`_blank` ignores besides white space: what folding drops (emoji modifiers, joiners).
_INVISIBLE = dict.fromkeys(map(ord, DROPPED))


@lru_cache(maxsize=1)
def default_analyser() -> LinearAnalyser:
    """The shipped model, loaded once per process."""
    return LinearAnalyser(read_model(SHIPPED_MODEL))
