"""Attractiveness: which posts people engage with.

77.0 % of the study's respondents said government posts are "not attractive". These metrics split
interactions per post by format (one metric per format, so the scorecard stays one value per entity
and period), and count online interaction events (live streams) with their participation. The
portal's finer tables (by length, hour, weekday; top posts) are in ``breakdowns``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from govsocial.analyze.metrics.common import KEYS, ratio
from govsocial.analyze.metrics.model import Goal, Unit, metric
from govsocial.analyze.metrics.sums import post_sums

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from govsocial.analyze.metrics.params import MetricParams
    from govsocial.analyze.metrics.view import View

_STUDY = "HKFYG Youth Research Centre 2020 (77.0 % 'posts not attractive')"

#: Post formats with a metric each, and how a citizen would name them.
FORMATS = {
    "text": "text-only",
    "image": "image",
    "video": "video",
    "link": "link",
    "live": "live-stream",
}


def format_sums(view: View, params: MetricParams) -> ir.Table:
    """Posts and interactions of each format (``{format}_posts``, ``{format}_interactions``), all
    posts, and comments on live posts, per entity and period: the posts' shared sums
    (``sums.post_sums``, one group-by for every metric here and the other sums of posts, so a
    scorecard in one query computes it once)."""
    return post_sums(view, params)


def per_post(view: View, params: MetricParams, post_format: str) -> ir.Table:
    """Interactions per post of one format (social posts only); no row where none was posted."""
    sums = format_sums(view, params)
    count, total = sums[f"{post_format}_posts"], sums[f"{post_format}_interactions"]
    return sums.filter(count > 0).select(*KEYS, interactions=total, posts=count, value=ratio(total, count))


def _register_format(post_format: str, noun: str) -> None:
    def compute(view: View, params: MetricParams) -> ir.Table:
        return per_post(view, params, post_format)

    compute.__doc__ = (
        f"The average number of interactions a {noun} post got in the period, as its platform "
        "counts them. Compare the formats of one page to see which its audience responds to."
    )
    metric(
        f"interactions_per_post_{post_format}",
        goal=Goal.ATTRACTIVENESS,
        title=f"Interactions per {noun} post",
        unit=Unit.COUNT,
        formula=f"sum(interactions) / posts, posts of format '{post_format}'",
        source=f"{_STUDY}; CrowdTangle post types",
        inputs=("interactions", "posts"),
    )(compute)


for _format, _noun in FORMATS.items():
    _register_format(_format, _noun)


@metric(
    "live_events",
    goal=Goal.ATTRACTIVENESS,
    title="Live events",
    unit=Unit.COUNT,
    formula="count(posts of format 'live') in the period (0 when the entity posted, but not live)",
    source=f"{_STUDY}; the study's online interaction events (live streams, Q&A sessions)",
    inputs=("live_posts", "posts"),
)
def live_events(view: View, params: MetricParams) -> ir.Table:
    """How many live streams (online events where citizens can take part as it happens) the page
    held in the period."""
    sums = format_sums(view, params)
    return sums.select(*KEYS, "posts", live_posts=sums.live_posts, value=sums.live_posts.cast("float64"))


@metric(
    "live_participation",
    goal=Goal.ATTRACTIVENESS,
    title="Participation in live events",
    unit=Unit.COUNT,
    formula="sum(comments on live posts) / live posts",
    source=f"{_STUDY}; the study's online interaction events with their participation",
    inputs=("comments", "live_posts", "interactions"),
)
def live_participation(view: View, params: MetricParams) -> ir.Table:
    """How many comments (questions, remarks) were written per live stream: taking part in an
    online event means writing, so comments are the measure; all interactions are shown beside.
    The platform's comment count includes the page's own replies (docs/metrics.md, "Known limit")."""
    sums = format_sums(view, params).filter(lambda t: t.live_posts > 0)
    return sums.select(
        *KEYS,
        comments=sums.live_comments,
        live_posts=sums.live_posts,
        interactions=sums.live_interactions,
        value=ratio(sums.live_comments, sums.live_posts),
    )
