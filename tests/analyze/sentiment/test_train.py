"""Training: a model trained on the repository's own comments round-trips through its folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from govsocial.analyze.sentiment import LinearAnalyser, SentimentError, analyse, load_analyser
from govsocial.analyze.sentiment.data import read_labelled
from govsocial.analyze.sentiment.evaluate import evaluate
from govsocial.analyze.sentiment.model import read_model, write_model
from govsocial.analyze.sentiment.train import TrainConfig, chunks, train
from govsocial.cli.main import app
from govsocial.settings import PROJECT_ROOT

COMMENTS = PROJECT_ROOT / "data" / "sentiment" / "comments"


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("model")
    train([COMMENTS / "train.csv"], out, TrainConfig(max_iter=200))
    return out


def test_train_then_load_round_trip(trained: Path) -> None:
    analyser = load_analyser(str(trained))
    assert isinstance(analyser, LinearAnalyser)
    assert analyser.model.about["files"][0]["file"] == "comments/train.csv"
    assert 0.5 <= analyser.model.temperature <= 4.0
    assert analyse("多謝晒，好有用", analyser).label == "positive"
    assert analyse("垃圾，浪費公帑", analyser).label == "negative"
    assert evaluate(analyser, read_labelled(COMMENTS / "holdout.csv")).macro_f1 > 0.6
    assert load_analyser(f"linear:{trained}").analyse(["好"])[0] == analyser.analyse(["好"])[0]


def test_model_files_are_byte_for_byte_reproducible(trained: Path, tmp_path: Path) -> None:
    write_model(read_model(trained), tmp_path)
    assert (tmp_path / "model.json.gz").read_bytes() == (trained / "model.json.gz").read_bytes()


def test_train_and_eval_commands(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "mine"
    trained = runner.invoke(
        app,
        ["sentiment", "train", str(COMMENTS / "train.csv"), "--out", str(out), "--no-calibrate", "--json"],
    )
    assert trained.exit_code == 0, trained.output
    assert json.loads(trained.stdout)["temperature"] == 1.0
    evaluated = runner.invoke(
        app, ["sentiment", "eval", str(COMMENTS / "holdout.csv"), "--analyser", str(out)]
    )
    assert evaluated.exit_code == 0, evaluated.output
    assert json.loads(evaluated.stdout)["n"] == len(read_labelled(COMMENTS / "holdout.csv"))
    labelled = runner.invoke(app, ["sentiment", "label", "多謝晒", "--analyser", str(out), "--json"])
    assert json.loads(labelled.stdout)[0]["label"] == "positive"


def test_training_needs_every_label(tmp_path: Path) -> None:
    path = tmp_path / "two.csv"
    path.write_text("text,label\n好,positive\n差,negative\n", encoding="utf-8")
    with pytest.raises(SentimentError, match="all three labels"):
        train([path], tmp_path / "out")


def test_long_texts_are_cut_at_sentence_ends() -> None:
    text = "第一句好長好長。第二句！Third one? 最後"
    assert chunks(text, 10) == ["第一句好長好長。", "第二句！", "Third one?", "最後"]
    assert chunks(text, 20) == ["第一句好長好長。第二句！", "Third one?最後"]
    assert chunks("短", 10) == ["短"]
