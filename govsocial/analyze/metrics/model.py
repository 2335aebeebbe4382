"""What a metric is: a name, its goal, a plain-language definition, a formula, a source, and an
engine-neutral computation over a ``View``.

A computation returns an Ibis table with the grouping columns ``entity`` and ``period``, a float
column ``value``, and any number of numeric input columns (the numbers the value is made of, shown
beside it on every page so that anyone can redo the arithmetic).
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from govsocial.analyze.metrics.params import MetricParams
    from govsocial.analyze.metrics.view import View


class Goal(enum.StrEnum):
    """The OECD framework's five goals, plus the study's three complaints made measurable."""

    PRESENCE = "presence"
    POPULARITY = "popularity"
    PENETRATION = "penetration"
    PERCEPTION = "perception"
    PURPOSE = "purpose"
    TWO_WAY = "two_way"
    TIMELINESS = "timeliness"
    ATTRACTIVENESS = "attractiveness"


class Level(enum.StrEnum):
    """Who a metric value is about."""

    ACCOUNT = "account"
    ORGANISATION = "organisation"
    PLATFORM = "platform"
    GOVERNMENT = "government"


class PeriodKind(enum.StrEnum):
    """Calendar periods, cut in the jurisdiction's time zone."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


class Unit(enum.StrEnum):
    """How a value reads."""

    COUNT = "count"
    PERCENT = "percent"
    PER_MILLE = "per_mille"
    RATIO = "ratio"
    HOURS = "hours"
    SCORE = "score"


Compute = Callable[["View", "MetricParams"], "ir.Table"]


@dataclasses.dataclass(frozen=True)
class Metric:
    """One documented metric. ``name`` is its stable identifier in the API, the CLI and the docs."""

    name: str
    goal: Goal
    title: str
    unit: Unit
    definition: str
    formula: str
    source: str
    compute: Compute
    inputs: tuple[str, ...] = ()
    #: Levels a metric makes sense at (an overperforming score is about posts, not governments).
    levels: tuple[Level, ...] = tuple(Level)


_REGISTRY: dict[str, Metric] = {}


def register(metric: Metric) -> Metric:
    """Add a metric to the registry; two metrics with one name are a bug."""
    if metric.name in _REGISTRY:
        raise ValueError(f"metric {metric.name!r} is defined twice")
    _REGISTRY[metric.name] = metric
    return metric


def metric(
    name: str,
    *,
    goal: Goal,
    title: str,
    unit: Unit,
    formula: str,
    source: str,
    inputs: tuple[str, ...] = (),
    levels: tuple[Level, ...] = tuple(Level),
) -> Callable[[Compute], Compute]:
    """Decorator: register the decorated computation, its docstring as the plain-language definition."""

    def wrap(compute: Compute) -> Compute:
        definition = " ".join((compute.__doc__ or "").split())
        register(Metric(name, goal, title, unit, definition, formula, source, compute, inputs, levels))
        return compute

    return wrap


def registry() -> dict[str, Metric]:
    """Every metric, by goal (in ``Goal`` order), then in definition order."""
    from govsocial.analyze.metrics import definitions

    definitions.load()
    # Goal order, then definition order: the same whichever module happened to be imported first.
    order = list(Goal)
    ranked = sorted(_REGISTRY.values(), key=lambda m: order.index(m.goal))
    return {m.name: m for m in ranked}
