"""``govsocial sentiment label``: texts read from stdin are the texts written, whatever the line ends."""

from __future__ import annotations

import io
import json
import sys

import pytest
import typer
from typer.testing import CliRunner

from govsocial.cli import sentiment as command
from govsocial.cli.main import app


def _labelled(arguments: list[str], stdin: str | None = None) -> list[dict[str, object]]:
    result = CliRunner().invoke(app, ["sentiment", "label", *arguments, "--json"], input=stdin)
    assert result.exit_code == 0, result.output
    printed: list[dict[str, object]] = json.loads(result.stdout)
    return printed


def test_windows_line_ends_on_stdin_do_not_change_the_texts_or_their_scores(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    typed = _labelled(["好", "垃圾"])
    # A real stdin on Linux and macOS keeps "\r" (CliRunner's input would translate it away).
    raw = io.TextIOWrapper(io.BytesIO("好\r\n\r\n垃圾\r\n".encode()), encoding="utf-8", newline="\n")
    monkeypatch.setattr(sys, "stdin", raw)
    command.label(typer.Context(typer.main.get_command(app)), ["-"], None, as_json=True)
    piped = json.loads(capsys.readouterr().out)
    assert [row["text"] for row in piped] == ["好", "垃圾"]
    assert piped == typed


def test_an_empty_text_is_labelled_neutral() -> None:
    (row,) = _labelled([""])
    assert row["label"] == "neutral" and row["score"] == 0.0


def test_texts_are_labelled_with_the_analyser_the_comments_are_scored_with() -> None:
    # The `sentiment_analyser` setting is read: a name that names no analyser is refused by name.
    env = {"GOVSOCIAL_SENTIMENT_ANALYSER": "nosuch"}
    result = CliRunner().invoke(app, ["sentiment", "label", "好"], env=env)
    assert result.exit_code != 0 and "nosuch" in result.output
    chosen = CliRunner().invoke(app, ["sentiment", "label", "好", "--analyser", "linear", "--json"], env=env)
    assert chosen.exit_code == 0 and json.loads(chosen.stdout)[0]["label"] == "positive"
