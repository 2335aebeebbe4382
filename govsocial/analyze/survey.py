"""The citizen survey's results: means with 95 % confidence intervals, shares and counts, by age band,
beside the study's 2020 baseline (``data/survey/baseline_2020.toml``).

The interval of a mean is Student's t: mean ± t(0.975, n-1) · s / √n, with s the sample standard
deviation (n-1 in the denominator). The t quantile comes from a table (``T_975``); between two
tabulated degrees of freedom the smaller one is used, which widens the interval slightly (never
narrows it), and from 1,000 on the normal 1.96. With one answer there is no interval. Shares are
of the people who answered that question, with the Wilson score interval (better than the normal
approximation for small n and for shares near 0 or 100 %).
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from govsocial.settings import PROJECT_ROOT
from govsocial.store import survey as store
from govsocial.store import tables as t

_DATA_CANDIDATES = (
    PROJECT_ROOT / "data" / "survey",
    Path(__file__).resolve().parents[1] / "_bundled" / "survey",
)
BASELINE_FILE = "baseline_2020.toml"
# A table, laid out by hand: the formatter would give each pair a line of its own.
# fmt: off
#: t(0.975, df): two-sided 95 % critical values of Student's t for the tabulated degrees of freedom.
T_975 = (
    (1, 12.706), (2, 4.303), (3, 3.182), (4, 2.776), (5, 2.571), (6, 2.447), (7, 2.365), (8, 2.306),
    (9, 2.262), (10, 2.228), (11, 2.201), (12, 2.179), (13, 2.160), (14, 2.145), (15, 2.131),
    (16, 2.120), (17, 2.110), (18, 2.101), (19, 2.093), (20, 2.086), (21, 2.080), (22, 2.074),
    (23, 2.069), (24, 2.064), (25, 2.060), (26, 2.056), (27, 2.052), (28, 2.048), (29, 2.045),
    (30, 2.042), (40, 2.021), (50, 2.009), (60, 2.000), (80, 1.990), (100, 1.984), (120, 1.980),
    (200, 1.972), (500, 1.965), (1000, 1.962),
)
# fmt: on
Z_975 = 1.96
#: The age band key for everyone, whether or not they gave a band.
EVERYONE = "all"


def t_975(df: int) -> float:
    """The 0.975 quantile of Student's t with ``df`` degrees of freedom (conservative between rows)."""
    if df < 1:
        raise ValueError("a t quantile needs at least one degree of freedom")
    if df > T_975[-1][0]:
        return Z_975
    return next(value for top, value in reversed(T_975) if top <= df)


@dataclass(frozen=True)
class Estimate:
    """A mean with its 95 % interval (``None`` below two answers) and how many answered."""

    mean: float | None
    low: float | None
    high: float | None
    n: int


def mean_ci(values: Sequence[float]) -> Estimate:
    """The mean of ``values`` with Student's t 95 % interval."""
    n = len(values)
    if n == 0:
        return Estimate(None, None, None, 0)
    mean = math.fsum(values) / n
    if n == 1:
        return Estimate(mean, None, None, 1)
    sd = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1))
    half = t_975(n - 1) * sd / math.sqrt(n)
    return Estimate(mean, mean - half, mean + half, n)


def share_ci(hits: int, n: int) -> Estimate:
    """A share in per cent with the Wilson score 95 % interval."""
    if n == 0:
        return Estimate(None, None, None, 0)
    p = hits / n
    centre = (p + Z_975**2 / (2 * n)) / (1 + Z_975**2 / n)
    half = Z_975 * math.sqrt(p * (1 - p) / n + Z_975**2 / (4 * n * n)) / (1 + Z_975**2 / n)
    return Estimate(100 * p, 100 * max(0.0, centre - half), 100 * min(1.0, centre + half), n)


@dataclass(frozen=True)
class Baseline:
    """The study's 2020 figures: rating means and counts, and shares in per cent."""

    source: dict[str, Any]
    ratings: dict[str, tuple[float, int]]
    shares: dict[str, dict[str, float]]


@lru_cache(maxsize=1)
def baseline() -> Baseline:
    """The 2020 baseline, read once from ``data/survey`` (or the copy bundled into the wheel)."""
    folder = next((p for p in _DATA_CANDIDATES if (p / BASELINE_FILE).is_file()), _DATA_CANDIDATES[0])
    data = tomllib.loads((folder / BASELINE_FILE).read_text(encoding="utf-8"))
    ratings = {k: (float(v["mean"]), int(v["n"])) for k, v in data["ratings"].items()}
    shares = {
        section: {k: float(v) for k, v in data[section].items() if k != "n"}
        for section in ("channels", "reactions", "expectation", "consideration")
    }
    return Baseline(data["source"], ratings, shares)


@dataclass(frozen=True)
class Results:
    """The survey's results for one group of respondents (everyone, or one age band)."""

    respondents: int
    ratings: dict[str, Estimate]
    #: Shares in per cent of those who answered the question: channels, reactions ("often or
    #: sometimes"), expectation, consideration.
    shares: dict[str, dict[str, Estimate]] = field(default_factory=dict)


def summarise(rows: Iterable[t.SurveyResponse]) -> Results:
    """Means, intervals and shares of ``rows``."""
    rows = list(rows)
    ratings = {
        name: mean_ci([float(v) for r in rows if (v := getattr(r, name)) is not None])
        for name in store.RATINGS
    }
    with_channels = [r for r in rows if r.channels]
    channels = {
        c: share_ci(sum(c in r.channels for r in with_channels), len(with_channels)) for c in store.CHANNELS
    }
    reactions = {}
    for kind in store.REACTIONS:
        answered = [r.reactions[kind] for r in rows if r.reactions.get(kind, "dont_know") != "dont_know"]
        reactions[kind] = share_ci(sum(a in store.ACTIVE_FREQUENCIES for a in answered), len(answered))
    return Results(
        len(rows),
        ratings,
        {
            "channels": channels,
            "reactions": reactions,
            "expectation": _single([r.expectation for r in rows], store.EXPECTATIONS),
            "consideration": _single([r.consideration for r in rows], store.CONSIDERATIONS),
        },
    )


def _single(answers: list[str | None], choices: tuple[str, ...]) -> dict[str, Estimate]:
    given = [a for a in answers if a is not None]
    return {c: share_ci(given.count(c), len(given)) for c in choices}


def by_age_band(rows: Iterable[t.SurveyResponse]) -> dict[str, Results]:
    """Results for everyone (``EVERYONE``) and for each age band with at least one response."""
    rows = list(rows)
    groups = {EVERYONE: summarise(rows)}
    for band in store.AGE_BANDS:
        members = [r for r in rows if r.age_band == band]
        if members:
            groups[band] = summarise(members)
    return groups
