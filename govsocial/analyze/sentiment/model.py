"""The linear sentiment model: features, the weights table, and the model file.

A comment's features are its token 1- to 3-grams (:mod:`.text`), each occurrence worth
``1 / sqrt(number of n-gram occurrences)`` so that a long review and a short comment are on one
scale, plus the lexicon's features (:mod:`.lexicon`). The model is multinomial logistic
regression over them, stored as a table ``feature -> (negative, positive) weights``:
scoring a comment is a few dictionary look-ups and additions, with no numerical library at run
time. Probabilities are the softmax of the summed weights divided by a temperature that training
fits on held-out predictions, so that they are calibrated.

The model file (``model.json.gz``) holds everything scoring needs: the character folding table,
the lexicon as it was when the model was trained, the weights, biases and temperature, and a
description of the training data. A retrained model is one folder with that file.
"""

from __future__ import annotations

import gzip
import json
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govsocial.analyze.sentiment.base import LABELS, SentimentError
from govsocial.analyze.sentiment.lexicon import Lexicon, lexicon_features
from govsocial.analyze.sentiment.text import fold_table, tokens

CLASSES = LABELS
MODEL_FILE = "model.json.gz"
FORMAT = 1
MAX_N = 3


def ngram_counts(toks: Sequence[str]) -> Counter[str]:
    """How often each 1- to 3-gram of ``toks`` occurs (the reference for :meth:`LinearModel.logits`)."""
    counts: Counter[str] = Counter()
    for size in range(1, MAX_N + 1):
        for i in range(len(toks) - size + 1):
            counts[" ".join(toks[i : i + size])] += 1
    return counts


def ngram_scale(length: int) -> float:
    """``1 / sqrt(n-gram occurrences)`` of a sequence of ``length`` >= 2 tokens (markers included):
    ``length`` unigrams, ``length - 1`` bigrams and ``length - 2`` trigrams."""
    return 1.0 / math.sqrt(3 * length - 3)


def features(toks: Sequence[str], lexicon: Lexicon) -> dict[str, float]:
    """Every feature of a token sequence and its value: what training fits the weights on."""
    scale = ngram_scale(len(toks))
    found = {gram: count * scale for gram, count in ngram_counts(toks).items()}
    found.update(lexicon_features(toks, lexicon))
    return found


def probabilities(logits: tuple[float, float]) -> tuple[float, float, float]:
    """(negative, neutral, positive) from the two logits relative to neutral (whose logit is 0)."""
    top = max(logits[0], 0.0, logits[1])
    neg, neu, pos = math.exp(logits[0] - top), math.exp(-top), math.exp(logits[1] - top)
    total = neg + neu + pos
    return neg / total, neu / total, pos / total


@dataclass
class LinearModel:
    """Weights per feature, biases and temperature; scores token sequences.

    A softmax does not change when one number is added to all three logits, so every weight triple
    is stored relative to its neutral weight: two numbers, ``(negative, positive)``, per feature.
    """

    script_fold: dict[str, str]
    lexicon_entries: dict[str, str]
    weights: dict[str, tuple[float, float]]
    bias: tuple[float, float]
    temperature: float = 1.0
    about: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.table = fold_table(self.script_fold)
        self.lexicon = Lexicon.build(self.lexicon_entries, self.table)

    def tokens(self, text: str) -> list[str]:
        """``text`` as this model's token sequence."""
        return tokens(text, self.table)

    def logits(self, toks: Sequence[str]) -> tuple[float, float]:
        """(negative, positive) logits relative to neutral, over the temperature.

        The n-gram part is :func:`ngram_counts` unrolled into one pass over the n-grams that end
        at each token (this is the hot loop: a few look-ups per token); tests check it against
        :func:`features`.
        """
        get = self.weights.get
        neg = pos = 0.0
        before = bigram = ""
        for token in toks:
            found = get(token)
            if found is not None:
                neg += found[0]
                pos += found[1]
            if before:
                if bigram:
                    found = get(bigram + " " + token)
                    if found is not None:
                        neg += found[0]
                        pos += found[1]
                bigram = before + " " + token
                found = get(bigram)
                if found is not None:
                    neg += found[0]
                    pos += found[1]
            before = token
        scale = ngram_scale(len(toks))
        neg, pos = neg * scale + self.bias[0], pos * scale + self.bias[1]
        for name, value in lexicon_features(toks, self.lexicon).items():
            found = get(name)
            if found is not None:
                neg += found[0] * value
                pos += found[1] * value
        return neg / self.temperature, pos / self.temperature

    def probabilities(self, text: str) -> tuple[float, float, float]:
        """(negative, neutral, positive) probabilities of ``text``."""
        return probabilities(self.logits(self.tokens(text)))


def write_model(model: LinearModel, folder: Path) -> Path:
    """Write ``model`` to ``folder/model.json.gz``: weights rounded to 4 decimals, keys sorted."""
    folder.mkdir(parents=True, exist_ok=True)
    payload = {
        "format": FORMAT,
        "classes": list(CLASSES),
        "about": model.about,
        "temperature": round(model.temperature, 6),
        "bias": [round(b, 6) for b in model.bias],
        "script_fold": dict(sorted(model.script_fold.items())),
        "lexicon": dict(sorted(model.lexicon_entries.items())),
        "weights": {k: [round(w, 4) for w in v] for k, v in sorted(model.weights.items())},
    }
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    path = folder / MODEL_FILE
    # mtime=0: the same model always gives the same bytes, so a retrain that changes nothing
    # leaves git nothing to commit.
    path.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
    return path


def read_model(folder: Path) -> LinearModel:
    """The model in ``folder`` (a folder holding ``model.json.gz``, or that file itself)."""
    path = folder if folder.is_file() else folder / MODEL_FILE
    try:
        payload = json.loads(gzip.decompress(path.read_bytes()).decode("utf-8"))
    except (OSError, ValueError) as exc:
        raise SentimentError(f"{path}: not a readable sentiment model ({exc})") from None
    if payload.get("format") != FORMAT or tuple(payload.get("classes", ())) != CLASSES:
        raise SentimentError(f"{path}: not a govsocial sentiment model of format {FORMAT}")
    return LinearModel(
        script_fold=payload["script_fold"],
        lexicon_entries=payload["lexicon"],
        weights={k: (v[0], v[1]) for k, v in payload["weights"].items()},
        bias=(payload["bias"][0], payload["bias"][1]),
        temperature=payload["temperature"],
        about=payload["about"],
    )
