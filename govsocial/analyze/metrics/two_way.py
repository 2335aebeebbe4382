"""Two-way communication: the study's most common complaint, made measurable.

72.7 % of the study's respondents said government pages "only push information, with no
interaction". Two things make a page two-way: posts that invite a response (a question, a poll, a
call to comment) and the page answering the citizens who do respond.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import ibis

from govsocial.analyze.metrics.common import KEYS, ratio
from govsocial.analyze.metrics.model import Goal, Unit, metric
from govsocial.analyze.metrics.sums import comment_sums, post_sums

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from govsocial.analyze.metrics.params import MetricParams
    from govsocial.analyze.metrics.view import View

_STUDY = "HKFYG Youth Research Centre 2020 (72.7 % 'only pushes information, no interaction')"


def combine(*parts: ir.Table) -> ir.Table:
    """Put per-(entity, period) tables with distinct columns side by side, keeping every key.

    A union and one group-by instead of chained outer joins: no duplicated key columns, and a key
    present in only one part gets nulls in the others' columns.
    """
    columns: dict[str, object] = {}
    for part in parts:
        for name, dtype in part.schema().items():
            if name not in KEYS:
                columns[name] = dtype
    stacked = [
        part.select(
            *KEYS,
            **{
                name: part[name] if name in part.columns else ibis.null(dtype)
                for name, dtype in columns.items()
            },
        )
        for part in parts
    ]
    union = ibis.union(*stacked)
    # Each column comes from one part, so max() picks its only non-null value per key.
    return union.group_by(list(KEYS)).aggregate(**{name: union[name].max() for name in columns})


def mean_of_present(*scores: ir.FloatingValue) -> ir.FloatingValue:
    """The mean of the scores that are not null; null when all are."""
    present = sum((score.notnull().cast("int64") for score in scores), ibis.literal(0))
    total = sum((score.fill_null(0) for score in scores), ibis.literal(0.0))
    return ratio(total, present)


def _invitations(view: View, params: MetricParams) -> ir.Table:
    sums = post_sums(view, params)
    checked = sums.filter(sums.invitation_checked > 0)  # posts checked for an invitation
    return checked.select(
        *KEYS,
        posts=checked.invitation_checked,
        inviting_posts=checked.inviting_posts,
        invitation_share=ratio(checked.inviting_posts, checked.invitation_checked, 100.0),
    )


def _replies(view: View) -> ir.Table:
    """Per entity and period with comments: citizen comments, page replies and replies per 100."""
    sums = comment_sums(view).select(*KEYS, "citizen_comments", "page_replies")
    return sums.mutate(replies_per_100=ratio(sums.page_replies, sums.citizen_comments, 100.0))


@metric(
    "invitation_share",
    goal=Goal.TWO_WAY,
    title="Posts inviting a response",
    unit=Unit.PERCENT,
    formula="posts that invite a response (question, poll, call to comment) / posts x 100",
    source=_STUDY,
    inputs=("posts", "inviting_posts"),
)
def invitation_share(view: View, params: MetricParams) -> ir.Table:
    """The share of the period's posts that ask citizens for something back: a question, a poll,
    or a call to comment or take part."""
    table = _invitations(view, params)
    return table.select(*KEYS, "posts", "inviting_posts", value=table.invitation_share)


@metric(
    "page_replies_per_100_comments",
    goal=Goal.TWO_WAY,
    title="Page replies per 100 citizen comments",
    unit=Unit.COUNT,
    formula="page replies / citizen comments x 100 (both counted in the period they were written)",
    source=_STUDY,
    inputs=("citizen_comments", "page_replies"),
)
def page_replies_per_100_comments(view: View, params: MetricParams) -> ir.Table:
    """For every 100 comments citizens wrote in the period, how many replies the page wrote."""
    table = _replies(view)
    return table.select(*KEYS, "citizen_comments", "page_replies", value=table.replies_per_100)


@metric(
    "two_way_index",
    goal=Goal.TWO_WAY,
    title="Two-way index",
    unit=Unit.SCORE,
    formula="mean of invitation_share and min(page_replies_per_100_comments, 100), of those known; 0-100",
    source=f"{_STUDY}; govsocial's own composite, both parts shown",
    inputs=(
        "invitation_share",
        "replies_per_100",
        "posts",
        "inviting_posts",
        "citizen_comments",
        "page_replies",
    ),
)
def two_way_index(view: View, params: MetricParams) -> ir.Table:
    """A 0-100 score of how two-way a page is: half for inviting a response in its posts, half for
    replying to citizens' comments. 0 is a page that only pushes information; 100 one that invites
    a response in every post and replies to every comment."""
    table = combine(_invitations(view, params), _replies(view))
    answering = ibis.ifelse(table.replies_per_100 > 100.0, 100.0, table.replies_per_100)
    return table.mutate(value=mean_of_present(table.invitation_share, answering))
