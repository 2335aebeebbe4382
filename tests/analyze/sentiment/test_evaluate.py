"""Evaluation is exact: figures worked by hand on fixture files (see the comments)."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from types import ModuleType

import pytest
from typer.testing import CliRunner

from govsocial.analyze.sentiment import SentimentError
from govsocial.analyze.sentiment.data import read_labelled
from govsocial.analyze.sentiment.evaluate import evaluate
from govsocial.cli.main import app

from .conftest import FIXTURES, StubAnalyser

# three_class.csv through the stub:
#   row  text          label     predicted
#   1    good day      positive  positive   right
#   2    good grief    negative  positive
#   3    bad service   negative  negative   right
#   4    bad bad bad   negative  negative   right
#   5    bad but fine  neutral   negative
#   6    so so         neutral   neutral    right
#   7    okay          positive  neutral
#   8    fine          negative  neutral
# positive: 1 hit / 2 predicted / 2 labelled -> P 1/2, R 1/2, F1 1/2
# negative: 2 hits / 3 predicted / 4 labelled -> P 2/3, R 1/2, F1 4/7
# neutral:  1 hit / 3 predicted / 2 labelled -> P 1/3, R 1/2, F1 2/5
# accuracy 4/8; macro-F1 (1/2 + 4/7 + 2/5) / 3 = 103/210
THREE_CLASS = {
    "positive": (Fraction(1, 2), Fraction(1, 2), Fraction(1, 2), 2),
    "negative": (Fraction(2, 3), Fraction(1, 2), Fraction(4, 7), 4),
    "neutral": (Fraction(1, 3), Fraction(1, 2), Fraction(2, 5), 2),
}

# binary.csv (only positive/negative labels): each prediction is the more probable of the two.
#   row  text         label     stub probabilities (neg, neu, pos)  binary prediction
#   1    good day     positive  0.1  0.2  0.7                       positive  right
#   2    good grief   negative  0.1  0.2  0.7                       positive
#   3    bad service  negative  0.7  0.2  0.1                       negative  right
#   4    okay         positive  0.1  0.5  0.4 (neutral)             positive  right
#   5    fine         positive  0.35 0.4  0.25 (neutral)            negative
#   6    so so        negative  0.2  0.6  0.2 (neutral, a tie)      positive
# positive: 2 hits / 4 predicted / 3 labelled -> P 1/2, R 2/3, F1 4/7
# negative: 1 hit / 2 predicted / 3 labelled -> P 1/2, R 1/3, F1 2/5
# accuracy 3/6; macro-F1 (4/7 + 2/5) / 2 = 17/35
BINARY = {
    "positive": (Fraction(1, 2), Fraction(2, 3), Fraction(4, 7), 3),
    "negative": (Fraction(1, 2), Fraction(1, 3), Fraction(2, 5), 3),
}


def _check(result: dict[str, object], expected: dict[str, tuple[Fraction, Fraction, Fraction, int]]) -> None:
    per_class = result["per_class"]
    assert isinstance(per_class, dict)
    assert set(per_class) == set(expected)
    for label, (precision, recall, f1, support) in expected.items():
        assert per_class[label] == pytest.approx(
            {"precision": float(precision), "recall": float(recall), "f1": float(f1), "support": support},
            abs=1e-12,
        )


def test_three_class_figures_are_exact() -> None:
    result = evaluate(StubAnalyser(), read_labelled(FIXTURES / "three_class.csv")).as_dict()
    assert result["mode"] == "3-class" and result["n"] == 8
    assert result["accuracy"] == pytest.approx(0.5, abs=1e-12)
    assert result["macro_f1"] == pytest.approx(103 / 210, abs=1e-12)
    assert result["predicted"] == {"negative": 3, "neutral": 3, "positive": 2}
    _check(result, THREE_CLASS)


def test_binary_file_maps_neutral_to_the_more_probable_pole() -> None:
    result = evaluate(StubAnalyser(), read_labelled(FIXTURES / "binary.csv")).as_dict()
    assert result["mode"] == "binary" and result["n"] == 6
    assert result["accuracy"] == pytest.approx(0.5, abs=1e-12)
    assert result["macro_f1"] == pytest.approx(17 / 35, abs=1e-12)
    assert result["predicted"] == {"negative": 2, "positive": 4}
    _check(result, BINARY)


@pytest.mark.parametrize(("name", "macro_f1"), [("three_class.csv", 103 / 210), ("binary.csv", 17 / 35)])
def test_eval_command_prints_one_json_object(stub_plugin: ModuleType, name: str, macro_f1: float) -> None:
    result = CliRunner().invoke(app, ["sentiment", "eval", str(FIXTURES / name), "--analyser", "stub"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert printed["analyser"] == "stub"
    assert printed["macro_f1"] == pytest.approx(macro_f1, abs=1e-12)
    assert {"accuracy", "macro_f1", "per_class", "n", "texts_per_second"} <= set(printed)
    assert printed["texts_per_second"] > 0


def test_bad_label_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("text,label\nfine,positive\nmeh,mixed\n", encoding="utf-8")
    with pytest.raises(SentimentError, match=r"bad.csv:3: label 'mixed'"):
        read_labelled(path)
    result = CliRunner().invoke(app, ["sentiment", "eval", str(path)])
    assert result.exit_code == 2 and "mixed" in result.output


def test_missing_columns_and_empty_files_are_errors(tmp_path: Path) -> None:
    path = tmp_path / "cols.csv"
    path.write_text("comment,sentiment\nfine,positive\n", encoding="utf-8")
    with pytest.raises(SentimentError, match="text and label"):
        read_labelled(path)
    path.write_text("text,label\n", encoding="utf-8")
    with pytest.raises(SentimentError, match="no labelled texts"):
        evaluate(StubAnalyser(), read_labelled(path))
