"""Rebuild the shipped sentiment training data in ``data/sentiment/`` from ``../shared/eval``.

    .venv/bin/python -m bench.sentiment_data [--eval ../shared/eval]

Only the sets whose licences allow a model that ships to learn from them are copied (OpenRice,
CC BY 4.0; HKTVmall, MIT; see ``data/sentiment/README.md``); the forum and Simplified Chinese
sets are never copied. Each is written as ``text,label`` with labels mapped to
positive / neutral / negative, and split once, by label, into ``train.csv`` (80 %) and
``holdout.csv`` (20 %) with a fixed seed: the shipped model never sees the holdout, so its figures
on it are honest. govsocial's own labelled comments (``data/sentiment/comments/``) are written by
hand and are not rebuilt here.
"""

from __future__ import annotations

import argparse
import csv
import random
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from govsocial.settings import PROJECT_ROOT

OUT = PROJECT_ROOT / "data" / "sentiment"
SEED = 20251127
HOLDOUT = 0.2
OPENRICE = {"smile": "positive", "ok": "neutral", "cry": "negative"}
STARS = {"1": "negative", "2": "negative", "3": "neutral", "4": "positive", "5": "positive"}


def openrice(folder: Path) -> list[tuple[str, str]]:
    """OpenRice reviews (``label<TAB>text_a``; smile / ok / cry)."""
    with (folder / "openrice" / "valid.tsv").open(encoding="utf-8", newline="") as handle:
        return [(r["text_a"], OPENRICE[r["label"]]) for r in csv.DictReader(handle, delimiter="\t")]


def hktvmall(folder: Path) -> list[tuple[str, str]]:
    """HKTVmall reviews (``stars,text``): 1-2 negative, 3 neutral, 4-5 positive."""
    with (folder / "hktvmall" / "train.csv").open(encoding="utf-8", newline="") as handle:
        return [(r["text"], STARS[r["stars"]]) for r in csv.DictReader(handle)]


def split(
    rows: list[tuple[str, str]], seed: int = SEED
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(train, holdout): ``HOLDOUT`` of each label's rows held out, original order kept."""
    by_label: dict[str, list[int]] = defaultdict(list)
    for i, (_, label) in enumerate(rows):
        by_label[label].append(i)
    rng = random.Random(seed)
    held: set[int] = set()
    for label in sorted(by_label):
        indices = by_label[label][:]
        rng.shuffle(indices)
        held.update(indices[: round(len(indices) * HOLDOUT)])
    return [r for i, r in enumerate(rows) if i not in held], [r for i, r in enumerate(rows) if i in held]


def write(path: Path, rows: Iterable[tuple[str, str]]) -> int:
    """Write ``text,label`` rows; the number written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["text", "label"])
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval", type=Path, default=PROJECT_ROOT.parent / "shared" / "eval")
    args = parser.parse_args()
    for name, rows in (("openrice", openrice(args.eval)), ("hktvmall", hktvmall(args.eval))):
        train, holdout = split(rows)
        print(
            name,
            "train",
            write(OUT / name / "train.csv", train),
            "holdout",
            write(OUT / name / "holdout.csv", holdout),
        )


if __name__ == "__main__":
    main()
