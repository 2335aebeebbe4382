"""Penetration (OECD): interaction and exchange with users — interaction rates, Bonsón P/C/V/E."""

from __future__ import annotations

from typing import TYPE_CHECKING

from govsocial.analyze.metrics.common import KEYS, interactions, ratio
from govsocial.analyze.metrics.model import Goal, Unit, metric

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from govsocial.analyze.metrics.params import MetricParams
    from govsocial.analyze.metrics.view import View


@metric(
    "interactions_per_post",
    goal=Goal.PENETRATION,
    title="Interactions per post",
    unit=Unit.COUNT,
    formula="sum(interactions) / posts",
    source="CrowdTangle; Bonsón et al. 2015",
    inputs=("interactions", "posts"),
)
def interactions_per_post(view: View, params: MetricParams) -> ir.Table:
    """The average number of interactions a post got, as its platform counts them."""
    posts = view.posts.mutate(interactions=interactions(view.posts, params))
    sums = posts.group_by(list(KEYS)).aggregate(interactions=posts.interactions.sum(), posts=posts.count())
    return sums.mutate(value=ratio(sums.interactions, sums.posts))
