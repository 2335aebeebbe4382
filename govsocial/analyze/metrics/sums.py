"""The sums of posts and of comments per entity and period, shared by the metrics built on them.

About thirty metrics (interactions per post, the Bonsón indicators, the interaction rate of posts,
post volume, the shares of posts inviting a response or linking to an e-service, the
click-through rate, interactions per post of each format...) each add up or count the same posts
per entity and period. Each takes its columns from ``post_sums`` instead of grouping the posts
itself: one expression, the same for every metric, so a scorecard, which runs all the metrics of
a level in one query, groups the posts once, not once per metric (docs/performance.md, "Metrics").
Each column is the aggregate its metric's formula names; a metric over a subset of posts (those
whose links were checked, say) counts them with a condition and keeps only the groups that have
some, as a filter before the group-by would. The metrics that look at each account's posts (which
accounts are active, the interaction rate divided by each account's follower count) share
``account_sums``, the same per account and period.

The comments' counts (``comment_sums``: citizen comments, page replies, sentiment labels) add up
``comment_days``, the comments counted per account and day once when the frames are loaded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from govsocial.analyze.metrics.common import KEYS, citizen, interactions, known, likes, n, only, ratio, tally

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from govsocial.analyze.metrics.params import MetricParams
    from govsocial.analyze.metrics.view import View

#: Post formats with a column of their own (``{format}_posts``, ``{format}_interactions``).
FORMATS = ("text", "image", "video", "link", "live")
#: Bonsón's dimensions: p (likes), c (comments), v (shares); e is all three.
DIMENSIONS = ("p", "c", "v")


def counted(posts: ir.Table, params: MetricParams, dimension: str) -> ir.IntegerColumn:
    """Per post, the number a Bonsón dimension counts: likes (per the parameters), comments,
    shares, or (``e``) the three added up."""
    if dimension == "p":
        return likes(posts, params)
    if dimension == "c":
        return n(posts.comments)
    if dimension == "v":
        return n(posts.shares)
    return likes(posts, params) + n(posts.comments) + n(posts.shares)


def add_up(view: View, per_account: ir.Table, means: tuple[str, ...] = ()) -> ir.Table:
    """Per entity and period, every column of ``per_account`` (one row per account and period,
    of sums and counts) added up over the entity's accounts (``View.entities``); for each name in
    ``means``, its mean: the added-up ``{name}_sum`` divided by the added-up ``{name}_n``.

    Adding up per account first and then per entity gives the sums of the rows themselves, but
    the engine groups each post once instead of once per entity it counts in: in the scorecard's
    view of every level, four times or more (docs/performance.md, "Metrics"). The means are
    divided inside the group-by, not in a projection after it: Ibis writes a block used by many
    metrics once into their query when it ends in a group-by, not when it ends in a projection.
    """
    joined = per_account.join(view.entities, "account_id")
    parts = {f"{name}_{part}" for name in means for part in ("sum", "n")}
    columns = [name for name in per_account.columns if name not in ("account_id", "period", *parts)]
    added = {name: joined[name].sum() for name in columns}
    added |= {name: ratio(joined[f"{name}_sum"].sum(), joined[f"{name}_n"].sum()) for name in means}
    return joined.group_by(list(KEYS)).aggregate(**added)


def post_sums(view: View, params: MetricParams) -> ir.Table:
    """Per entity and period, over the view's posts:

    * ``posts``, ``interactions``;
    * per Bonsón dimension ``d`` (p, c, v): ``d_hit`` (posts with at least one), ``d_sum``;
    * over posts with a follower count at posting: ``rate_interactions``, ``rate_followers``,
      ``rate_posts``, ``rate_mean`` (mean of interactions / followers x 100), and
      ``rate_posts_without`` (posts without a count); the same with the count as a float for the
      Bonsón indicators divided by fans: ``fans``, ``fan_interactions``, ``fan_posts``, and per
      dimension d (p, c, v, e) ``d_x`` and ``d_mean_ratio`` (mean of x / fans x 1000);
    * per format f: ``f_posts``, ``f_interactions``;
    * ``eservice_checked``, ``eservice_posts`` (posts whose links were checked, and those linking
      to an e-service); ``invitation_checked``, ``inviting_posts``; ``ctr_posts``, ``ctr_clicks``,
      ``ctr_views`` (posts reporting both clicks and views, and their sums).

    Sums and counts per account and period, added up per entity (``add_up``); a mean is the sum
    of its values divided by their number, both added up.
    """
    posts = view.account_posts
    posts = posts.mutate(
        interactions=interactions(posts, params),
        fans=posts.followers_at_posting.cast("float64"),
        **{f"x_{d}": counted(posts, params, d) for d in (*DIMENSIONS, "e")},
    )
    sums: dict[str, ir.Value] = {"posts": posts.count(), "interactions": posts.interactions.sum()}
    for d in DIMENSIONS:
        sums[f"{d}_hit"] = tally(posts[f"x_{d}"] > 0)
        sums[f"{d}_sum"] = posts[f"x_{d}"].sum()
    followers = posts.followers_at_posting
    ok = known(followers)
    means = {"rate_mean": only(ratio(posts.interactions, followers, 100.0), ok)}
    sums |= {
        "rate_interactions": only(posts.interactions, ok).sum(),
        "rate_followers": only(followers, ok).sum(),
        "rate_posts": tally(ok),
        "rate_posts_without": tally(~ok),
    }
    fan = known(posts.fans)
    sums |= {
        "fans": only(posts.fans, fan).sum(),
        "fan_interactions": only(posts.interactions, fan).sum(),
        "fan_posts": tally(fan),
        "fan_posts_without": tally(~fan),
    }
    for d in (*DIMENSIONS, "e"):
        x = posts[f"x_{d}"]
        sums[f"{d}_x"] = only(x, fan).sum()
        means[f"{d}_mean_ratio"] = only(ratio(x, posts.fans, 1000.0), fan)
    for post_format in FORMATS:
        of_format = posts.format == post_format
        sums[f"{post_format}_posts"] = tally(of_format)
        sums[f"{post_format}_interactions"] = only(posts.interactions, of_format).sum()
    sums |= {
        "eservice_checked": tally(posts.links_eservice.notnull()),
        "eservice_posts": tally(posts.links_eservice),
        "invitation_checked": tally(posts.invites_response.notnull()),
        "inviting_posts": tally(posts.invites_response),
    }
    reported = posts.clicks.notnull() & posts.views.notnull()
    sums |= {
        "ctr_posts": tally(reported),
        "ctr_clicks": only(posts.clicks, reported).sum(),
        "ctr_views": only(posts.views, reported).sum(),
    }
    for name, values in means.items():  # a mean: the sum of the values present, and their number
        sums |= {f"{name}_sum": values.sum(), f"{name}_n": values.count()}
    return add_up(view, posts.group_by(["account_id", "period"]).aggregate(**sums), tuple(means))


def account_sums(view: View, params: MetricParams) -> ir.Table:
    """Per entity, period and account with posts: ``posts``, ``interactions``, per Bonsón
    dimension d (p, c, v, e) ``x_d`` (the sum of what it counts), and ``last_ts`` (the latest
    post's time).

    What a metric needs of each account's posts in a period, for the metrics that look at
    accounts one by one (which accounts are active; the interaction rate divided by each
    account's follower count in the period): one group-by of the posts, once per account (not
    once per entity it counts in), shared, and the follower counts joined to a row per account
    and period instead of to every post.
    """
    posts = view.account_posts
    per_account = posts.group_by(["account_id", "period"]).aggregate(
        posts=posts.count(),
        interactions=interactions(posts, params).sum(),
        last_ts=posts.ts.max(),
        **{f"x_{d}": counted(posts, params, d).sum() for d in (*DIMENSIONS, "e")},
    )
    return per_account.join(view.entities, "account_id")


#: The columns of ``comment_days`` that ``comment_sums`` adds up.
COMMENT_COUNTS = (
    "citizen_comments",
    "page_replies",
    "scored",
    "positive",
    "neutral",
    "negative",
    "score_sum",
)


def comment_days(comments: ir.Table) -> ir.Table:
    """The ``comments`` frame counted per account, platform and day (with the day's week, month and
    year, so that every period kind can cut it): ``COMMENT_COUNTS``.

    * ``citizen_comments``: comments that are not the page's own (``common.citizen``);
      ``page_replies``: the page's replies to a comment;
    * ``scored``: citizen comments with a sentiment label, ``positive``, ``neutral``, ``negative``:
      those with each label, ``score_sum``: the sum of their scores (null if none has a score).

    Every count a metric needs of comments is a sum of these, whatever the level and period kind,
    so they are counted once, when the frames are loaded into an engine (``engines.derive``),
    instead of reading every comment once per level: a year of 10 million comments is about half
    a million account-days.
    """
    c = comments
    written = citizen(c)
    scored = written & c.sentiment.notnull()
    return c.group_by(["account_id", "platform", "day", "week", "month", "year"]).aggregate(
        citizen_comments=tally(written),
        page_replies=tally(~written & c.parent.notnull()),
        scored=tally(scored),
        positive=tally(scored & (c.sentiment == "positive")),
        neutral=tally(scored & (c.sentiment == "neutral")),
        negative=tally(scored & (c.sentiment == "negative")),
        score_sum=only(c.sentiment_score, scored).sum(),
    )


def comment_sums(view: View) -> ir.Table:
    """Per entity and period with comments: ``COMMENT_COUNTS`` added up over the view's
    ``comment_days``. One expression for the sentiment and two-way metrics, so a scorecard groups
    the days once."""
    days = view.comment_days
    return days.group_by(list(KEYS)).aggregate(**{name: days[name].sum() for name in COMMENT_COUNTS})
