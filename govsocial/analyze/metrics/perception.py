"""Perception (OECD): how citizens feel about what the government posts.

The reaction mix reads Facebook's seven reaction types; platforms with a single "like" have no mix
and get no value. In Hong Kong, "haha" and "angry" on government posts are widely used as mockery
and protest, so they are shown on their own and "haha" is never counted as a positive reaction.

The influence score is a transparent replacement for the Klout score the study names (Klout closed
in 2018): three published parts on fixed scales, so an account's score does not move when other
accounts are added to the data.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import ibis

from govsocial.analyze.metrics.common import KEYS, follower_spans, n, ratio
from govsocial.analyze.metrics.model import Goal, Unit, metric
from govsocial.analyze.metrics.sums import add_up, post_sums

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from govsocial.analyze.metrics.params import MetricParams
    from govsocial.analyze.metrics.view import View

#: Facebook's reaction types, as columns of the posts frame.
REACTIONS = ("like", "love", "haha", "wow", "sad", "angry", "care")
_TYPED = REACTIONS[1:]  # Like alone is what single-like platforms report; the other six mean typed data

#: Influence score anchors: fixed, published scales (docs/metrics.md, "influence_score").
REACH_ANCHORS = (1.0, 1_000_000.0)  # followers: 1 -> 0 points, 1,000,000 -> 100 points (log scale)
ENGAGEMENT_ANCHORS = (0.01, 1.0)  # interaction rate in %: 0.01 % -> 0, 1 % -> 100 (log scale)
RESPONSIVENESS_ANCHORS = (0.0, 100.0)  # response rate in %: linear

_SOURCE = "OECD perception (Mickoleit 2014): reaction mix"


def typed_posts(posts: ir.Table) -> ir.Table:
    """``posts`` that report reaction types (Facebook's); others have no reaction mix."""
    known = posts[_TYPED[0]].notnull()
    for name in _TYPED[1:]:
        known = known | posts[name].notnull()
    typed: ir.Table = posts.filter(known)
    return typed


def _total(posts: ir.Table) -> ir.IntegerValue:
    """All reactions of a post: its reaction count, or the sum of the types where that is missing."""
    summed = n(posts.like)
    for name in _TYPED:
        summed = summed + n(posts[name])
    total: ir.IntegerValue = ibis.coalesce(posts.reactions, summed)
    return total


def reaction_sums(view: View) -> ir.Table:
    """Each reaction type's sum and all reactions, per entity and period, over typed posts.

    One table for every share metric: the same expression each time, so a scorecard that runs the
    metrics in one query computes it once.
    """
    posts = typed_posts(view.account_posts)
    sums = {name: n(posts[name]).sum() for name in REACTIONS}
    per_account = posts.group_by(["account_id", "period"]).aggregate(**sums, reactions=_total(posts).sum())
    return add_up(view, per_account)


def _share(view: View, names: tuple[str, ...], label: str) -> ir.Table:
    sums = reaction_sums(view)
    counted = sums[names[0]]
    for name in names[1:]:
        counted = counted + sums[name]
    return sums.select(*KEYS, "reactions", **{label: counted}, value=ratio(counted, sums.reactions, 100.0))


def _register_share(reaction: str, meaning: str) -> None:
    def compute(view: View, params: MetricParams) -> ir.Table:
        return _share(view, (reaction,), reaction)

    compute.__doc__ = (
        f'The share of all reactions to the period\'s posts that were "{reaction}" ({meaning}). '
        "Only posts on platforms with reaction types (Facebook) count."
    )
    metric(
        f"reaction_{reaction}_share",
        goal=Goal.PERCEPTION,
        title=f"{reaction.capitalize()} share of reactions",
        unit=Unit.PERCENT,
        formula=f"sum({reaction}) / sum(all reactions) x 100, posts with reaction types",
        source=_SOURCE,
        inputs=(reaction, "reactions"),
    )(compute)


for _reaction, _meaning in (
    ("love", "warmth and approval"),
    ("haha", "amusement; on Hong Kong government posts widely used as mockery"),
    ("angry", "anger; on Hong Kong government posts widely used as protest"),
    ("sad", "sadness or sympathy"),
    ("wow", "surprise, admiring or sarcastic"),
    ("care", "support and solidarity"),
    ("like", "the default reaction, a mild acknowledgement"),
):
    _register_share(_reaction, _meaning)


@metric(
    "positive_reaction_share",
    goal=Goal.PERCEPTION,
    title="Positive reactions",
    unit=Unit.PERCENT,
    formula="(sum(love) + sum(care)) / sum(all reactions) x 100, posts with reaction types",
    source=f"{_SOURCE}; govsocial's choice of reaction types (docs/metrics.md)",
    inputs=("positive", "reactions"),
)
def positive_reaction_share(view: View, params: MetricParams) -> ir.Table:
    """The share of all reactions that were clearly warm: "love" and "care". "Like" is the default
    click, "wow" can be admiring or sarcastic, and "haha" on government posts in Hong Kong is
    mostly mockery, so none of them count as positive."""
    return _share(view, ("love", "care"), "positive")


def _log_score(value: ir.FloatingValue, anchors: tuple[float, float]) -> ir.FloatingValue:
    """0-100 on a log scale between two fixed anchors, clamped; null stays null."""
    low, high = anchors
    floored = ibis.ifelse(value < low, low, value)
    scaled = (floored.log10() - math.log10(low)) * 100.0 / (math.log10(high) - math.log10(low))
    score: ir.FloatingValue = ibis.ifelse(scaled > 100.0, 100.0, scaled)
    return score


def _reach(view: View) -> ir.Table:
    """Followers: each account's last count in the period, summed over the entity's accounts
    (from ``follower_spans``, which the popularity metrics read too)."""
    spans = follower_spans(view)
    return spans.group_by(list(KEYS)).aggregate(followers=spans.followers_end.sum())


def _engagement(view: View, params: MetricParams) -> ir.Table:
    """Interaction rate of posts with a follower count at posting: interactions / followers x 100
    (from the posts' shared sums, over the groups with such posts)."""
    sums = post_sums(view, params)
    sums = sums.filter(sums.rate_posts > 0)
    return sums.select(
        *KEYS,
        interactions=sums.rate_interactions,
        followers_at_posting=sums.rate_followers,
        interaction_rate=ratio(sums.rate_interactions, sums.rate_followers, 100.0),
    )


def _responsiveness(view: View, params: MetricParams) -> ir.Table:
    from govsocial.analyze.metrics.purpose import summary

    t = summary(view, params)
    return t.select(*KEYS, "asked", "answered", response_rate=ratio(t.answered, t.asked, 100.0))


@metric(
    "influence_score",
    goal=Goal.PERCEPTION,
    title="Influence score",
    unit=Unit.SCORE,
    formula=(
        "mean of the known parts, each 0-100: reach = 100 x log10(followers) / 6; "
        "engagement = 100 x (log10(interaction rate %) + 2) / 2; responsiveness = response rate %"
    ),
    source="Replaces Klout (closed 2018), which the study names; govsocial's own documented composite",
    inputs=(
        "followers",
        "interactions",
        "followers_at_posting",
        "interaction_rate",
        "asked",
        "answered",
        "response_rate",
        "reach_score",
        "engagement_score",
        "responsiveness_score",
    ),
)
def influence_score(view: View, params: MetricParams) -> ir.Table:
    """A 0-100 score of how far an account's voice carries, made of three equal parts anyone can
    check: how many people follow it (reach), how much they interact with its posts relative to
    that following (engagement), and how often it answers citizens' comments (responsiveness).
    Each part is on a fixed scale, so a score does not change when other accounts are added."""
    # Imported here, not at the top, so that perception's metrics register before purpose's.
    from govsocial.analyze.metrics.two_way import combine, mean_of_present

    table = combine(_reach(view), _engagement(view, params), _responsiveness(view, params))
    reach = _log_score(table.followers.cast("float64"), REACH_ANCHORS)
    engagement = _log_score(table.interaction_rate, ENGAGEMENT_ANCHORS)
    low, high = RESPONSIVENESS_ANCHORS
    responsiveness = (table.response_rate - low) * 100.0 / (high - low)
    scored = table.mutate(reach_score=reach, engagement_score=engagement, responsiveness_score=responsiveness)
    # Equal weights: the plain mean of the parts that can be computed (a part without data is left
    # out rather than counted as 0, so a page nobody comments on is not marked unresponsive).
    return scored.mutate(
        value=mean_of_present(scored.reach_score, scored.engagement_score, scored.responsiveness_score)
    )
