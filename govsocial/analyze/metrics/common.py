"""Building blocks shared by metric definitions: interactions per platform, safe division."""

from __future__ import annotations

from typing import TYPE_CHECKING

import ibis

from govsocial.analyze.metrics.params import LikesMeaning, MetricParams

if TYPE_CHECKING:
    import ibis.expr.types as ir

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


def ratio(numerator: ir.NumericValue, denominator: ir.NumericValue, scale: float = 1.0) -> ir.FloatingValue:
    """numerator / denominator x scale, or null where the denominator is zero or missing."""
    value: ir.FloatingValue = ibis.ifelse(
        denominator.fill_null(0) == 0, ibis.null("float64"), numerator.cast("float64") * scale / denominator
    )
    return value
