"""Breakdowns for the portal and reports: what kind of post works (not metrics: tables).

Each breakdown splits an entity's posts of a period by one property (format, local hour, weekday,
text length) and gives, per group, the posts, their interactions, interactions per post (the mean)
and the median interactions per post (engagement is very skewed: one viral post lifts a mean, not a
median; Lev-On & Steinfeld 2015). Press releases (RSS items) are not social posts and are left out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import ibis

from govsocial.analyze.metrics.common import KEYS, interactions, ratio

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from govsocial.analyze.metrics.params import MetricParams
    from govsocial.analyze.metrics.view import View

#: Text length buckets in characters: [low, high) and their labels; the last is open-ended.
LENGTH_BUCKETS = ((0, 50, "<50"), (50, 150, "50-149"), (150, 400, "150-399"), (400, None, "400+"))


def _scored(view: View, params: MetricParams) -> ir.Table:
    posts = view.posts
    return posts.mutate(interactions=interactions(posts, params))


def _breakdown(posts: ir.Table, column: str) -> ir.Table:
    sums = posts.group_by([*KEYS, column]).aggregate(
        posts=posts.count(),
        interactions=posts.interactions.sum(),
        median_interactions=posts.interactions.median().cast("float64"),
    )
    table = sums.mutate(interactions_per_post=ratio(sums.interactions, sums.posts))
    return table.select(
        *KEYS, column, "posts", "interactions", "interactions_per_post", "median_interactions"
    ).order_by([*KEYS, column])


def by_format(view: View, params: MetricParams) -> ir.Table:
    """Per entity, period and post format (text, image, video, link, live, other)."""
    return _breakdown(_scored(view, params), "format")


def by_hour(view: View, params: MetricParams) -> ir.Table:
    """Per entity, period and local hour of posting (0-23)."""
    return _breakdown(_scored(view, params), "hour")


def by_weekday(view: View, params: MetricParams) -> ir.Table:
    """Per entity, period and local weekday of posting (0 = Monday ... 6 = Sunday)."""
    return _breakdown(_scored(view, params), "weekday")


def length_bucket(length: ir.IntegerValue) -> ir.StringValue:
    """The label of a text length's bucket (``LENGTH_BUCKETS``); "unknown" without a length."""
    branches = [
        ((length >= low) & (length < high), label) if high is not None else (length >= low, label)
        for low, high, label in LENGTH_BUCKETS
    ]
    bucket: ir.StringValue = ibis.cases(*branches, else_="unknown")
    return bucket


def by_length(view: View, params: MetricParams) -> ir.Table:
    """Per entity, period and text length bucket (characters: <50, 50-149, 150-399, 400+)."""
    posts = _scored(view, params)
    return _breakdown(posts.mutate(length=length_bucket(posts.text_length)), "length")


def top_posts(view: View, params: MetricParams, n: int = 10, worst: bool = False) -> ir.Table:
    """The ``n`` posts with the most (or, with ``worst``, the fewest) interactions, per entity and
    period, ranked from 1; ties go to the earlier post.

    Columns: entity, period, rank, post_id, account_id, platform, ts, format, url, interactions.
    """
    posts = _scored(view, params)
    order = posts.interactions if worst else posts.interactions.desc()
    window = ibis.window(group_by=list(KEYS), order_by=[order, posts.ts, posts.post_id])
    ranked = posts.mutate(rank=ibis.row_number().over(window) + 1)
    kept = ranked.filter(ranked.rank <= n)
    return kept.select(
        *KEYS, "rank", "post_id", "account_id", "platform", "ts", "format", "url", "interactions"
    ).order_by([*KEYS, "rank"])
