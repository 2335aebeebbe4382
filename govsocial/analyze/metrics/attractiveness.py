"""Attractiveness: which posts people engage with.

77.0 % of the study's respondents said government posts are "not attractive". These metrics split
interactions per post by format (one metric per format, so the scorecard stays one value per entity
and period), and count online interaction events (live streams) with their participation. The
portal's finer tables (by length, hour, weekday; top posts) are in ``breakdowns``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import ibis

from govsocial.analyze.metrics.common import KEYS, citizen, n, ratio, tally
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
    """Posts and interactions of each format (``{format}_posts``, ``{format}_interactions``) and all
    posts, per entity and period: the posts' shared sums
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


def live_days(posts: ir.Table, comments: ir.Table) -> ir.Table:
    """The citizens' comments on live posts (``posts``: social posts only), counted per account,
    platform and day of the post (with the day's week, month and year, so that every period kind
    can cut it): ``comments``.

    A live post whose comments were collected (it has rows in ``comments``) counts its citizens'
    comments there (``common.citizen``: the page's own replies are not participation); one without
    counts its platform's comment count, the only number there is (platforms do not split it).
    Counted once, when the frames are loaded into an engine (``engines.derive``): the scorecard
    reads these few rows, not every comment (docs/performance.md, "A change measured and
    withdrawn"). Every live post counts in its day's row, with 0 where nobody wrote.
    """
    live = posts.filter(posts.format == "live")
    c = comments.semi_join(live.select("post_id"), "post_id")
    per_post = c.group_by(collected_post=c.post_id).aggregate(citizens=tally(citizen(c)))
    joined = live.left_join(per_post, live.post_id == per_post.collected_post)
    written = ibis.ifelse(joined.collected_post.notnull(), joined.citizens, n(joined.comments))
    return joined.group_by(["account_id", "platform", "day", "week", "month", "year"]).aggregate(
        comments=written.sum()
    )


@metric(
    "live_participation",
    goal=Goal.ATTRACTIVENESS,
    title="Participation in live events",
    unit=Unit.COUNT,
    formula="sum(citizen comments on live posts) / live posts (the platform's comment count for a "
    "live post whose comments were not collected)",
    source=f"{_STUDY}; the study's online interaction events with their participation",
    inputs=("comments", "live_posts", "interactions"),
)
def live_participation(view: View, params: MetricParams) -> ir.Table:
    """How many comments (questions, remarks) citizens wrote per live stream: taking part in an
    online event means writing, so comments are the measure, not the page's own replies; all
    interactions are shown beside. The comments are added up from the view's ``live_days``
    (counted when the frames were loaded) per entity and period of the live posts."""
    sums = format_sums(view, params).filter(lambda t: t.live_posts > 0)
    days = view.live_days
    written = days.group_by(list(KEYS)).aggregate(comments=days.comments.sum())
    joined = sums.left_join(written, [sums.entity == written.entity, sums.period == written.period])
    # Every live post counts in ``live_days``: the left join and the 0 only guard against a row
    # of the posts that the view cut differently, which would otherwise lose its live posts.
    comments = joined.comments.fill_null(0)
    return joined.select(
        sums.entity,
        sums.period,
        comments=comments,
        live_posts=joined.live_posts,
        interactions=joined.live_interactions,
        value=ratio(comments, joined.live_posts),
    )
