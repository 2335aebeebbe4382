"""Popularity (OECD): how many people follow the government's accounts, and how that grows."""

from __future__ import annotations

from typing import TYPE_CHECKING

import ibis

from govsocial.analyze.metrics.common import KEYS, WEEK_S, follower_spans, ratio
from govsocial.analyze.metrics.model import Goal, Unit, metric

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from govsocial.analyze.metrics.params import MetricParams
    from govsocial.analyze.metrics.view import View

_OECD = "OECD (Mickoleit 2014), popularity"


@metric(
    "followers",
    goal=Goal.POPULARITY,
    title="Followers",
    unit=Unit.COUNT,
    formula="sum over accounts of the last follower count in the period",
    source=_OECD,
    inputs=("followers", "accounts"),
)
def followers(view: View, params: MetricParams) -> ir.Table:
    """How many followers the accounts had at the end of the period (the last count we took in
    it), added up over the accounts."""
    return _latest(view).mutate(value=ibis._.followers.cast("float64"))


@metric(
    "follower_share_of_population",
    goal=Goal.POPULARITY,
    title="Followers per 100 residents",
    unit=Unit.PERCENT,
    formula="followers / population x 100",
    source=_OECD + ": followers over the domestic population",
    inputs=("followers", "population"),
)
def follower_share_of_population(view: View, params: MetricParams) -> ir.Table:
    """Followers as a share of the jurisdiction's population, in percent. A person who follows two
    accounts counts twice, so this can pass 100 %."""
    latest = _latest(view)
    population = ibis.literal(view.population, type="int64")
    return latest.select(
        "entity",
        "period",
        "followers",
        population=population,
        value=ratio(latest.followers, population, 100.0),
    )


@metric(
    "follower_growth_weekly",
    goal=Goal.POPULARITY,
    title="Weekly follower growth",
    unit=Unit.PERCENT,
    formula="((F_end / F_start) ^ (1 / weeks) - 1) x 100, weeks = (t_end - t_start) / 604800",
    source=_OECD + ": weekly compound follower growth",
    inputs=("followers_start", "followers_end", "accounts", "weeks"),
)
def follower_growth_weekly(view: View, params: MetricParams) -> ir.Table:
    """How fast the follower count grew, as the steady weekly growth in percent that would turn
    the period's first count into its last one."""
    growth = _growth(view)
    weekly = (growth.followers_end.cast("float64") / growth.followers_start) ** (1.0 / growth.weeks) - 1.0
    value = ibis.ifelse(
        (growth.followers_start > 0) & (growth.weeks > 0), weekly * 100.0, ibis.null("float64")
    )
    return growth.mutate(value=value)


@metric(
    "follower_growth",
    goal=Goal.POPULARITY,
    title="Follower growth",
    unit=Unit.COUNT,
    formula="F_end - F_start",
    source=_OECD,
    inputs=("followers_start", "followers_end", "accounts"),
)
def follower_growth(view: View, params: MetricParams) -> ir.Table:
    """How many followers the accounts gained (or lost, when negative) between the first and the
    last count we took in the period."""
    growth = _growth(view).drop("weeks")
    return growth.mutate(value=(growth.followers_end - growth.followers_start).cast("float64"))


def _latest(view: View) -> ir.Table:
    """Per entity and period: ``followers`` (sum of each account's last count) and ``accounts``."""
    spans = follower_spans(view)
    return spans.group_by(list(KEYS)).aggregate(followers=spans.followers_end.sum(), accounts=spans.count())


def _growth(view: View) -> ir.Table:
    """Per entity and period: first and last counts summed over accounts with two snapshots in the
    period, and ``weeks``, the mean time between each account's two snapshots.

    Summing before dividing weighs accounts by their size, so the growth of an organisation is the
    growth of its audience, not the average growth of its accounts; the mean span assumes the
    accounts were counted on about the same schedule (they are, by the same collection runs).
    """
    spans = follower_spans(view)
    spans = spans.filter(spans.end_ts > spans.start_ts)
    return spans.group_by(list(KEYS)).aggregate(
        followers_start=spans.followers_start.sum(),
        followers_end=spans.followers_end.sum(),
        accounts=spans.count(),
        weeks=(spans.end_ts - spans.start_ts).mean() / WEEK_S,
    )
