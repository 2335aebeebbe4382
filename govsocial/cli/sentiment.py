"""``govsocial sentiment``: score the stored comments, label texts, evaluate an analyser on labelled
comments, retrain the model."""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from govsocial.analyze.sentiment import load_analyser
from govsocial.analyze.sentiment.data import read_labelled
from govsocial.analyze.sentiment.evaluate import evaluate
from govsocial.cli import known
from govsocial.cli.common import (
    JsonOption,
    console,
    engine_of,
    errors,
    friendly_errors,
    output_folder,
    print_json,
    read_session,
    settings_of,
    writing,
)

app = typer.Typer(help="Comment sentiment: score, label, evaluate, retrain.", no_args_is_help=True)

AnalyserOption = typer.Option(
    "--analyser",
    "-a",
    help="Analyser name (NAME or NAME:ARG from `govsocial sentiment analysers`) or a retrained model folder.",
)


@app.command()
@friendly_errors
def score(
    ctx: typer.Context,
    analyser: Annotated[str | None, AnalyserOption] = None,
    rescore: Annotated[
        bool, typer.Option("--rescore", help="Score every comment again, even those already scored.")
    ] = False,
    jurisdiction: Annotated[
        str | None, typer.Option(help="Only this jurisdiction's comments (default: all).")
    ] = None,
    as_json: bool = JsonOption,
) -> None:
    """Score the stored comments that need it (new, edited, or scored by another analyser).

    The metrics refresh does this by itself; run it to score at once, with another analyser
    (default: the `sentiment_analyser` setting), or to rescore everything.
    """
    from govsocial.analyze.comment_sentiment import score_comments

    if jurisdiction is not None:
        with read_session(ctx) as session:
            known.jurisdiction(session, jurisdiction)
    engine = engine_of(ctx)  # before the progress bar: an error is then the only line on stderr
    model = load_analyser(analyser or settings_of(ctx).sentiment_analyser or None)
    progress = Progress(
        TextColumn("scoring comments"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=errors,
        transient=True,
    )
    with progress:
        task = progress.add_task("scoring", total=None)

        def tick(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        report = score_comments(engine, model, jurisdiction, rescore, progress=tick)
    if as_json:
        print_json(report.as_dict())
    else:
        console.print(report.summary(), highlight=False, soft_wrap=True)  # one line, however narrow


@app.command("eval")
@friendly_errors
def eval_(
    file: Annotated[Path, typer.Argument(help="CSV with columns text,label (positive/neutral/negative).")],
    analyser: Annotated[str | None, AnalyserOption] = None,
) -> None:
    """Score an analyser on labelled texts; print one JSON object (accuracy, macro_f1, per class, speed).

    A file whose labels are only positive and negative is scored as binary: each prediction is
    the more probable of positive and negative.
    """
    rows = read_labelled(file)
    print_json(evaluate(load_analyser(analyser), rows).as_dict())


@app.command()
@friendly_errors
def label(
    ctx: typer.Context,
    texts: Annotated[
        list[str], typer.Argument(help="Texts to label; '-' reads one text per line from stdin.")
    ],
    analyser: Annotated[str | None, AnalyserOption] = None,
    as_json: bool = JsonOption,
) -> None:
    """Label texts: positive / neutral / negative, the score (-1..1) and the probabilities, with the
    analyser the comments are scored with (default: the `sentiment_analyser` setting)."""
    if texts == ["-"]:
        # "\r\n" too: a file saved on Windows must label as the same texts typed on the line.
        texts = [line.rstrip("\r\n") for line in sys.stdin if line.strip()]
    results = load_analyser(analyser or settings_of(ctx).sentiment_analyser or None).analyse(texts)
    if as_json:
        print_json([{"text": t, **r.as_dict()} for t, r in zip(texts, results, strict=True)])
        return
    table = Table("label", "score", "neg", "neu", "pos", "text")
    for text, result in zip(texts, results, strict=True):
        probabilities = (f"{p:.2f}" for p in (result.negative, result.neutral, result.positive))
        table.add_row(result.label, f"{result.score:+.2f}", *probabilities, text)
    console.print(table)


@app.command()
@friendly_errors
def train(
    files: Annotated[list[Path], typer.Argument(help="Labelled CSV files (text,label[,weight]).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the model to.")],
    c: Annotated[float, typer.Option(help="Inverse regularisation strength (larger fits closer).")] = 4.0,
    file_weighting: Annotated[
        str,
        typer.Option(
            help="Each file's total weight: equal, sqrt (of its rows) or rows (every row the same)."
        ),
    ] = "equal",
    calibrate: Annotated[bool, typer.Option(help="Fit a temperature on 15 % held out.")] = True,
    as_json: bool = JsonOption,
) -> None:
    """Train the linear model on labelled CSV files; use it with --analyser OUT (needs scikit-learn)."""
    from govsocial.analyze.sentiment.train import TrainConfig
    from govsocial.analyze.sentiment.train import train as train_model

    if not math.isfinite(c) or c <= 0:  # scikit-learn would refuse it only after reading the files
        raise typer.BadParameter(f"{c}: give a positive, finite number", param_hint="--c")
    output_folder(out)
    config = TrainConfig(c=c, file_weighting=file_weighting, calibrate=calibrate)
    with writing(out):  # an error reading the files is about them, and stays as it is
        report = train_model(files, out, config)
    if as_json:
        print_json(report.as_dict())
        return
    console.print(
        f"model written to {report.model}: {report.examples} examples, {report.features} features, "
        f"temperature {report.temperature:.2f}, {report.seconds:.0f} s"
    )
    console.print(f"evaluate it: govsocial sentiment eval FILE --analyser {out}")


@app.command()
def analysers() -> None:
    """List the analysers that plugins provide (the first is the default)."""
    from govsocial.plugins import sentiment_analysers

    for spec in sentiment_analysers().values():
        console.print(f"[bold]{spec.name}[/bold]  {spec.description}", highlight=False)
