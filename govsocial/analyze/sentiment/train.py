"""Training the linear model from labelled CSV files (``govsocial sentiment train``).

What a model learns from, in order:

1. Every file's rows (``text,label[,weight]``, see :mod:`.data`). By default each file weighs the
   same in total (``file_weighting``), and within a file each class weighs the same: a team's few
   hundred labelled comments count as much as ten thousand shop reviews, and a file with few
   neutral rows does not teach the model that neutral is rare.
2. Long texts are also cut into pieces of about :attr:`TrainConfig.chunk_chars` characters at
   sentence ends, each carrying the text's label at a reduced weight, so that the model sees
   comment-length text even when it learns from long reviews.
3. Features (:func:`.model.features`): token 1-3-grams seen in at least ``min_df`` texts, and the
   lexicon's features multiplied by ``lexicon_scale`` (a larger scale lets regularisation spare
   them, so the model leans on what carries across domains).
4. Multinomial logistic regression (scikit-learn, needed only here: ``pip install
   'govsocial[train]'``). With ``calibrate``, a first fit on 85 % of the texts sets the
   temperature that makes probabilities on the other 15 % honest, then the model is fitted on all.
5. The weights are exported as a table (:func:`.model.write_model`), small weights dropped.
"""

from __future__ import annotations

import math
import random
import re
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from govsocial.analyze.sentiment.base import LABELS, SentimentError
from govsocial.analyze.sentiment.data import LabelledText, read_labelled
from govsocial.analyze.sentiment.lexicon import DEFAULT_LEXICON, PREFIX, Lexicon, read_lexicon
from govsocial.analyze.sentiment.model import LinearModel, features, write_model
from govsocial.analyze.sentiment.text import fold_table, opencc_script_fold, tokens

_SENTENCE_END = re.compile(r"(?<=[。！？!?\n～~])")


@dataclass(frozen=True)
class TrainConfig:
    """The choices training makes; the defaults are the ones the shipped model was trained with."""

    c: float = 4.0  # inverse regularisation strength of the logistic regression
    lexicon_scale: float = 2.0  # 1, 3 and 8 were tried: see docs/sentiment.md
    chunk_chars: int = 60
    chunk_weight: float = 0.5  # all pieces of a long text together weigh this much of the text
    min_df: int = 2
    keep: float = 0.002  # weights whose largest absolute value is smaller are dropped
    balance_classes: bool = True  # within a file, each class weighs the same
    file_weighting: str = "equal"  # each file's total weight: "equal", "sqrt" (of its rows) or "rows"
    calibrate: bool = True
    seed: int = 20251127
    max_iter: int = 300
    lexicon: Path = DEFAULT_LEXICON


@dataclass
class TrainReport:
    """What one training run did."""

    model: Path
    files: list[dict[str, Any]]
    examples: int
    features: int
    temperature: float
    seconds: float
    config: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {**asdict(self), "model": str(self.model)}


@dataclass(frozen=True)
class Example:
    """One text the model is fitted on, with its label and sample weight."""

    text: str
    label: str
    weight: float


def chunks(text: str, size: int) -> list[str]:
    """``text`` cut at sentence ends into pieces of at most about ``size`` characters."""
    pieces: list[str] = []
    current = ""
    for sentence in (s.strip() for s in _SENTENCE_END.split(text)):
        if not sentence:
            continue
        if current and len(current) + len(sentence) > size:
            pieces.append(current)
            current = ""
        current += sentence
    if current:
        pieces.append(current)
    return pieces


def examples_of(rows: Sequence[LabelledText], share: float, config: TrainConfig) -> list[Example]:
    """The examples of one file: classes balanced, weights summing to ``share``, long texts cut."""
    per_class = Counter(row.label for row in rows)
    found: list[Example] = []
    for row in rows:
        weight = share * row.weight
        weight /= len(per_class) * per_class[row.label] if config.balance_classes else len(rows)
        found.append(Example(row.text, row.label, weight))
        if config.chunk_weight and len(row.text) > config.chunk_chars:
            pieces = chunks(row.text, config.chunk_chars)
            if len(pieces) > 1:
                each = weight * config.chunk_weight / len(pieces)
                found.extend(Example(piece, row.label, each) for piece in pieces)
    return found


def gather(files: Sequence[Path], config: TrainConfig) -> tuple[list[Example], list[dict[str, Any]]]:
    """Examples from every file, and a description of each file for the model's ``about``."""
    loaded = [(path, read_labelled(path)) for path in files]
    found: list[Example] = []
    described: list[dict[str, Any]] = []
    for path, rows in loaded:
        if not rows:
            raise SentimentError(f"{path}: no labelled rows")
        share = _share(len(rows), [len(r) for _, r in loaded], config.file_weighting)
        found.extend(examples_of(rows, share, config))
        counts = Counter(row.label for row in rows)
        described.append(
            {"file": f"{path.parent.name}/{path.name}", "rows": len(rows), **{k: counts[k] for k in LABELS}}
        )
    if len({e.label for e in found}) < len(LABELS):
        raise SentimentError("training needs texts of all three labels (positive, neutral, negative)")
    return found, described


def _share(rows: int, sizes: Sequence[int], weighting: str) -> float:
    """A file's part of the total training weight."""
    if weighting == "equal":
        return 1.0 / len(sizes)
    if weighting == "sqrt":
        return math.sqrt(rows) / sum(math.sqrt(size) for size in sizes)
    if weighting == "rows":
        return rows / sum(sizes)
    raise SentimentError(f"file weighting {weighting!r} is not one of equal, sqrt, rows")


def _require_sklearn() -> Any:
    try:
        import sklearn
    except ImportError:  # pragma: no cover - depends on the environment
        raise SentimentError(
            "training needs scikit-learn: pip install 'govsocial[train]' (or scikit-learn)"
        ) from None
    return sklearn


def _fit(matrix: Any, labels: Sequence[str], weights: Any, config: TrainConfig) -> Any:
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=config.c, max_iter=config.max_iter, tol=1e-3)
    with warnings.catch_warnings():
        # lbfgs often stops at max_iter a little short of tol; the published figures are for such
        # a model, so the warning would only alarm the person retraining.
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(matrix, list(labels), sample_weight=weights)


def _temperature(model: Any, matrix: Any, labels: Sequence[str], weights: Any) -> float:
    """The temperature that minimises the weighted log-loss of ``model`` on held-out texts."""
    import numpy as np

    logits = model.decision_function(matrix)
    truth = np.array([list(model.classes_).index(label) for label in labels])

    def loss(t: float) -> float:
        scaled = logits / t
        scaled = scaled - scaled.max(axis=1, keepdims=True)
        log_probs = scaled - np.log(np.exp(scaled).sum(axis=1, keepdims=True))
        return float(-(weights * log_probs[np.arange(len(truth)), truth]).sum() / weights.sum())

    grid = [0.5 + 0.05 * i for i in range(71)]  # 0.5 .. 4.0: coarse is enough for a scalar
    return min(grid, key=loss)


def _held_out(count: int, seed: int) -> set[int]:
    indices = list(range(count))
    random.Random(seed).shuffle(indices)  # noqa: S311 - a reproducible split, not a secret
    return set(indices[: math.ceil(count * 0.15)])


def train(files: Sequence[Path], out: Path, config: TrainConfig | None = None) -> TrainReport:
    """Train a model on labelled CSV ``files`` and write it to the folder ``out``."""
    config = config or TrainConfig()
    _require_sklearn()
    import numpy as np
    from sklearn.feature_extraction import DictVectorizer

    started = time.perf_counter()
    found, described = gather(files, config)
    script_fold = opencc_script_fold()
    table = fold_table(script_fold)
    entries = read_lexicon(config.lexicon)
    lexicon = Lexicon.build(entries, table)
    vectorizer = DictVectorizer()
    matrix = vectorizer.fit_transform(
        _scaled(features(tokens(e.text, table), lexicon), config) for e in found
    )
    matrix, names = _frequent(matrix, vectorizer.get_feature_names_out(), config.min_df)
    labels = [e.label for e in found]
    weights = np.array([e.weight for e in found])
    weights = weights / weights.mean()
    temperature = 1.0
    if config.calibrate:
        held = _held_out(len(found), config.seed)
        fit_rows = [i for i in range(len(found)) if i not in held]
        test_rows = sorted(held)
        first = _fit(matrix[fit_rows], [labels[i] for i in fit_rows], weights[fit_rows], config)
        temperature = _temperature(
            first, matrix[test_rows], [labels[i] for i in test_rows], weights[test_rows]
        )
    fitted = _fit(matrix, labels, weights, config)
    model = _export(fitted, names, script_fold, entries, temperature, config)
    model.about = {"files": described, "examples": len(found), "config": _config_dict(config)}
    path = write_model(model, out)
    return TrainReport(
        path,
        described,
        len(found),
        len(model.weights),
        temperature,
        round(time.perf_counter() - started, 1),
        _config_dict(config),
    )


def _scaled(found: dict[str, float], config: TrainConfig) -> dict[str, float]:
    if config.lexicon_scale == 1.0:
        return found
    return {k: v * config.lexicon_scale if k.startswith(PREFIX) else v for k, v in found.items()}


def _frequent(matrix: Any, names: Any, min_df: int) -> tuple[Any, list[str]]:
    """Only the features found in at least ``min_df`` examples (rarer ones are mostly noise)."""
    import numpy as np

    df = np.diff(matrix.tocsc().indptr)
    keep = np.where((df >= min_df) | np.char.startswith(names.astype(str), PREFIX))[0]
    return matrix[:, keep].tocsr(), [str(names[j]) for j in keep]


def _export(
    fitted: Any,
    names: Sequence[str],
    script_fold: dict[str, str],
    entries: dict[str, str],
    temperature: float,
    config: TrainConfig,
) -> LinearModel:
    """The weights table: each feature's negative and positive weight minus its neutral one."""
    order = [list(fitted.classes_).index(label) for label in LABELS]
    coef, intercept = fitted.coef_[order], fitted.intercept_[order]
    weights: dict[str, tuple[float, float]] = {}
    for j, name in enumerate(names):
        scale = config.lexicon_scale if name.startswith(PREFIX) else 1.0
        pair = ((coef[0][j] - coef[1][j]) * scale, (coef[2][j] - coef[1][j]) * scale)
        if max(abs(pair[0]), abs(pair[1])) >= config.keep:
            weights[name] = (float(pair[0]), float(pair[1]))
    bias = (float(intercept[0] - intercept[1]), float(intercept[2] - intercept[1]))
    return LinearModel(script_fold, entries, weights, bias, temperature)


def _config_dict(config: TrainConfig) -> dict[str, Any]:
    found = asdict(config)
    found["lexicon"] = config.lexicon.name
    return found
