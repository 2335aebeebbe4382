"""Building blocks shared by metric definitions: interactions, safe division, follower counts."""

from __future__ import annotations

from typing import TYPE_CHECKING

import ibis

from govsocial.analyze.metrics.params import FollowerBasis, LikesMeaning, MetricParams

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from govsocial.analyze.metrics.view import View

KEYS = ("entity", "period")


def n(column: ir.IntegerColumn) -> ir.IntegerColumn:
    """A count where a missing number counts as zero (a platform that does not report shares)."""
    return column.fill_null(0)


def likes(posts: ir.Table, params: MetricParams) -> ir.IntegerColumn:
    """Likes as the parameters define them: the Like reaction alone, or every reaction."""
    return n(posts.like) if params.likes is LikesMeaning.LIKE_ONLY else n(posts.reactions)


def interactions(posts: ir.Table, params: MetricParams) -> ir.IntegerColumn:
    """Interactions per post, per platform (docs/metrics.md, "Interactions").

    Facebook: reactions + comments + shares; X: reposts + likes (+ replies, + quotes when the
    parameters say so); Instagram, YouTube: likes + comments; other platforms: reactions +
    comments + shares, as far as they report them.
    """
    x = n(posts.shares) + n(posts.reactions)
    if params.x_count_replies:
        x = x + n(posts.replies)
    if params.x_count_quotes:
        x = x + n(posts.quotes)
    likes_comments = n(posts.reactions) + n(posts.comments)
    default = n(posts.reactions) + n(posts.comments) + n(posts.shares)
    result: ir.IntegerColumn = ibis.cases(
        (posts.platform == "x", x),
        (posts.platform.isin(["instagram", "youtube"]), likes_comments),
        else_=default,
    )
    return result


def citizen(comments: ir.Table) -> ir.BooleanColumn:
    """Whether each comment is a citizen's: not written by the page (``is_page_reply``; unknown
    counts as a citizen's). The one rule every metric of comments counts by: the page's replies
    are the government speaking, not the public taking part."""
    result: ir.BooleanColumn = ~comments.is_page_reply.fill_null(False)
    return result


def ratio(numerator: ir.NumericValue, denominator: ir.NumericValue, scale: float = 1.0) -> ir.FloatingValue:
    """numerator / denominator x scale, or null where the denominator is zero or missing."""
    value: ir.FloatingValue = ibis.ifelse(
        denominator.fill_null(0) == 0, ibis.null("float64"), numerator.cast("float64") * scale / denominator
    )
    return value


#: Seconds in a day and in a week: periods and growth are measured in integer epoch seconds.
DAY_S = 86_400
WEEK_S = 7 * DAY_S

#: Registry statuses of an account that is present (the frames say ``active``; the store's registry
#: says ``published``). Archived accounts and accounts under review are not counted.
PRESENT_STATUSES = ("active", "published")
#: Registry statuses of the accounts that are official: present, or archived (their posts were
#: official when published). Only these count at the organisation, platform and government levels
#: (``view._with_entity``); any other status, ``under_review`` above all (``review`` in the
#: benchmark's generated frames), counts at the account level only.
OFFICIAL_STATUSES = (*PRESENT_STATUSES, "archived")


def days(periods: ir.Table) -> ir.IntegerColumn:
    """Days in each period that the data covers (the first and last periods may be partial)."""
    result: ir.IntegerColumn = ((periods.end_ts - periods.start_ts + DAY_S // 2) // DAY_S).cast("int64")
    return result


def follower_spans(view: View) -> ir.Table:
    """Per entity, period and account: the first and the last follower snapshot in the period.

    Columns: ``entity``, ``period``, ``account_id``, ``followers_start``, ``followers_end`` (the
    counts) and ``start_ts``, ``end_ts`` (when they were taken). Snapshots without a count are
    ignored.
    """
    snaps = view.account_followers.filter(view.account_followers.followers.notnull())
    spans = snaps.group_by(["account_id", "period"]).aggregate(
        followers_start=snaps.followers.argmin(snaps.ts),
        followers_end=snaps.followers.argmax(snaps.ts),
        start_ts=snaps.ts.min(),
        end_ts=snaps.ts.max(),
    )
    # Per account first, then to each entity it counts in: each snapshot is read once.
    joined: ir.Table = spans.join(view.entities, "account_id")
    return joined


def with_fans(view: View, posts: ir.Table, basis: FollowerBasis) -> ir.Table:
    """``posts`` plus ``fans``: the follower count each post is divided by, per ``basis``.

    At posting: the count stored on the post. Window mean: the mean of the account's first and
    last snapshot in the post's period. Latest: the account's last snapshot in the period. Null
    where the count is unknown.
    """
    if basis is FollowerBasis.AT_POSTING:
        return posts.mutate(fans=posts.followers_at_posting.cast("float64"))
    spans = follower_spans(view)
    if basis is FollowerBasis.WINDOW_MEAN:
        fans = (spans.followers_start + spans.followers_end).cast("float64") / 2
    else:
        fans = spans.followers_end.cast("float64")
    keys = ["entity", "period", "account_id"]
    joined = posts.left_join(spans.select(*keys, fans=fans), keys)
    return joined.drop(*(f"{key}_right" for key in keys))


def known(value: ir.NumericValue) -> ir.BooleanValue:
    """A positive, present number (a follower count that can divide)."""
    result: ir.BooleanValue = value.fill_null(0) > 0
    return result


# Aggregates over the rows that meet a condition are written as an aggregate of a CASE, not with
# Ibis's ``where=`` (SQL's ``FILTER (WHERE ...)``): DuckDB runs a filtered aggregate as a
# selection of its own per aggregate, and the scorecard's query has about 60 of them. The CASE
# form gives the same values and cost each level's query (as it was then) about 5-10 % less CPU
# (docs/performance.md, "Metrics").


def tally(condition: ir.BooleanValue) -> ir.IntegerScalar:
    """The number of rows where ``condition`` is true (not false, not null): ``count(where=...)``
    in a group-by (whose groups are never empty; over no rows at all it would be null, not 0)."""
    result: ir.IntegerScalar = ibis.ifelse(condition, 1, 0).sum()
    return result


def only(value: ir.Value, condition: ir.BooleanValue) -> ir.Value:
    """``value`` where ``condition`` is true, null elsewhere: ``only(x, c).sum()`` is
    ``x.sum(where=c)`` (null when no row qualifies), and so for mean and quantile."""
    result: ir.Value = ibis.ifelse(condition, value, ibis.null(value.type()))
    return result
