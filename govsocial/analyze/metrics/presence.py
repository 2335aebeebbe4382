"""Presence (OECD): is the government on social media, and active there?"""

from __future__ import annotations

from typing import TYPE_CHECKING

from govsocial.analyze.metrics.common import KEYS
from govsocial.analyze.metrics.model import Goal, Unit, metric

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from govsocial.analyze.metrics.params import MetricParams
    from govsocial.analyze.metrics.view import View


@metric(
    "post_volume",
    goal=Goal.PRESENCE,
    title="Post volume",
    unit=Unit.COUNT,
    formula="count(posts in the period)",
    source="OECD (Mickoleit 2014): posts per day / week / month",
    inputs=("posts",),
)
def post_volume(view: View, params: MetricParams) -> ir.Table:
    """How many posts were published in the period."""
    posts = view.posts
    return posts.group_by(list(KEYS)).aggregate(value=posts.count().cast("float64"), posts=posts.count())
