"""Purpose (OECD): does the government answer the citizens who write to it?

Most of these metrics are about *threads*: a citizen's top-level comment (no parent, not written by
the page) and the page's replies to it (comments by the page whose parent is that comment). A
thread is answered when the page replied at least once; its response time runs from the citizen's
comment to the page's FIRST reply. Threads belong to the period in which the citizen wrote, and a
reply counts whenever it came (as of the latest collection).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import ibis

from govsocial.analyze.metrics.common import KEYS, citizen, only, ratio, tally
from govsocial.analyze.metrics.model import Goal, Unit, metric
from govsocial.analyze.metrics.sums import post_sums

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from govsocial.analyze.metrics.params import MetricParams
    from govsocial.analyze.metrics.view import View

_FANPAGE_KARMA = "Fanpage Karma (academy.fanpagekarma.com)"
_HOUR = 3600.0


#: The columns of ``comment_threads`` that a level's view cuts like a frame: the comment's account,
#: platform and calendar (every period kind's column), then the thread's own.
THREAD_COLUMNS = (
    "comment_id",
    "post_id",
    "account_id",
    "platform",
    "ts",
    "day",
    "week",
    "month",
    "year",
    "hour",
    "weekday",
    "first_reply_ts",
    "is_question",
    "deleted",
    "answered",
    "hours",
)


def comment_threads(comments: ir.Table) -> ir.Table:
    """One row per citizen top-level comment of the ``comments`` frame, with the page's first reply.

    Which reply answers which comment does not depend on the level a scorecard is computed at, so
    this is computed once, from the whole frame, when the frames are loaded into an engine
    (``engines.derive``), and the views cut it like a frame (``View.threads``): the join
    of every citizen comment with its first reply is done once, not once per level.

    Columns: ``THREAD_COLUMNS``; ``first_reply_ts`` and ``hours`` (to the first reply) are null if
    unanswered. The page's replies are reduced to the first per parent before the join, so the
    join's build side is small; a key is only unique within its post, so post and key are matched
    together.
    """
    c = comments
    written = citizen(c)
    replies = c.filter(~written & c.parent.notnull())
    first = replies.group_by(reply_post=replies.post_id, reply_parent=replies.parent).aggregate(
        first_reply_ts=replies.ts.min()
    )
    top = c.filter(c.parent.isnull() & written)
    joined = top.left_join(first, [top.post_id == first.reply_post, top.key == first.reply_parent])
    gap = joined.first_reply_ts - joined.ts
    table: ir.Table = joined.select(
        *THREAD_COLUMNS[:12],
        is_question=joined.is_question.fill_null(False),
        deleted=joined.deleted.fill_null(False),
        answered=joined.first_reply_ts.notnull(),
        # A reply stamped before its comment is clock skew between snapshots, not a negative wait.
        hours=ibis.ifelse(gap < 0, 0, gap).cast("float64") / _HOUR,
    )
    return table


def threads(view: View) -> ir.Table:
    """One row per citizen top-level comment of the view, with the page's first reply to it.

    Columns: entity, period, post_id, comment_id, ts, hour, weekday, is_question, deleted,
    first_reply_ts (null if unanswered), answered, hours (to the first reply, null if unanswered).
    The view's ``threads`` (``comment_threads``, cut for the view's level and period kind).
    """
    t = view.threads
    return t.select(
        "entity",
        "period",
        "post_id",
        "comment_id",
        "ts",
        "hour",
        "weekday",
        "first_reply_ts",
        "is_question",
        "deleted",
        "answered",
        "hours",
    )


def business_hours(table: ir.Table, params: MetricParams) -> ir.BooleanValue:
    """Whether a local hour and weekday (0 = Monday) fall in office hours, Monday to Friday."""
    start, end = params.business_hours
    inside: ir.BooleanValue = (table.weekday < 5) & (table.hour >= start) & (table.hour < end)
    return inside


#: Counts of threads per account and day that no parameter changes (``thread_days``).
THREAD_COUNTS = ("asked", "answered", "questions", "questions_answered", "deleted", "handled", "waiting")


def thread_days(threads: ir.Table) -> ir.Table:
    """The ``comment_threads`` counted per account, platform and day (with the day's week, month
    and year, so that every period kind can cut it): ``THREAD_COUNTS``.

    ``asked`` (threads), ``answered``, ``questions``, ``questions_answered``, ``deleted``,
    ``handled`` (answered or deleted) and ``waiting`` (neither) are sums of these whatever the
    level and period kind, so they are counted once, when the frames are loaded into an engine
    (``engines.derive``), instead of reading every thread once per level.
    """
    t = threads
    answered, question, deleted = t.answered, t.is_question, t.deleted
    return t.group_by(["account_id", "platform", "day", "week", "month", "year"]).aggregate(
        asked=t.count(),
        answered=tally(answered),
        questions=tally(question),
        questions_answered=tally(question & answered),
        deleted=tally(deleted),
        handled=tally(answered | deleted),
        waiting=tally(~answered & ~deleted),
    )


def summary(view: View, params: MetricParams) -> ir.Table:
    """Every purpose number about threads, per entity and period with threads.

    ``THREAD_COUNTS`` add up the view's ``thread_days``. What depends on the parameters or needs
    every response time (``within_target``; the median, 90th percentile and mean hours, in all
    and in and out of business hours, with the answered threads they are over) is one group-by of
    the answered threads only (a fifth of them in a year of data), joined on. The metrics below
    each select their columns from this table. It is the same expression for all of them, so a
    scorecard that runs them in one query computes it once.
    """
    days = view.thread_days
    counts = days.group_by(list(KEYS)).aggregate(**{name: days[name].sum() for name in THREAD_COUNTS})
    t = threads(view)
    answered = t.filter(t.answered)
    business = business_hours(answered, params)
    off = ~business
    hours = answered.hours
    times = answered.group_by(list(KEYS)).aggregate(
        within_target=tally(hours <= params.response_hours),
        # One aggregate for both: the engine keeps the hours once, not once per quantile.
        quantiles=hours.quantile([0.5, 0.9]),
        mean_hours=hours.mean(),
        business_answered=tally(business),
        business_median=only(hours, business).quantile(0.5),
        business_mean=only(hours, business).mean(),
        off_answered=tally(off),
        off_median=only(hours, off).quantile(0.5),
        off_mean=only(hours, off).mean(),
    )
    joined = counts.left_join(times, [counts.entity == times.entity, counts.period == times.period])
    tallies = ("within_target", "business_answered", "off_answered")  # 0, not null, without answers
    return joined.select(
        counts.entity,
        counts.period,
        *(counts[name] for name in THREAD_COUNTS),
        *(times[name].fill_null(0).name(name) for name in tallies),
        times.quantiles[0].name("median_hours"),
        times.quantiles[1].name("p90_hours"),
        *(times[name] for name in times.columns if name not in (*KEYS, *tallies, "quantiles")),
    )


def service_level_percent(user_posts: int, liked: int, answered: int, deleted: int) -> float | None:
    """Fanpage Karma's service level: user posts the page reacted to (like, reply or deletion), in %.

    The three counts are of distinct posts, as in Fanpage Karma's published example.
    """
    if user_posts == 0:
        return None
    return (liked + answered + deleted) * 100.0 / user_posts


@metric(
    "response_rate",
    goal=Goal.PURPOSE,
    title="Response rate",
    unit=Unit.PERCENT,
    formula="answered / asked x 100; asked = citizen top-level comments, answered = those with a page reply",
    source="Socialbakers 'Socially Devoted' (response rate); OECD purpose",
    inputs=("asked", "answered"),
)
def response_rate(view: View, params: MetricParams) -> ir.Table:
    """Of the comments citizens wrote on the government's posts in the period, the share that the
    page answered with a reply (at any time up to the latest collection)."""
    t = summary(view, params)
    return t.select(*KEYS, "asked", "answered", value=ratio(t.answered, t.asked, 100.0))


@metric(
    "question_response_rate",
    goal=Goal.PURPOSE,
    title="Question response rate",
    unit=Unit.PERCENT,
    formula="questions answered / questions asked x 100 (citizen top-level comments that are questions)",
    source="Socialbakers 'Socially Devoted': questions answered / questions asked",
    inputs=("asked", "answered"),
)
def question_response_rate(view: View, params: MetricParams) -> ir.Table:
    """Of the questions citizens asked in comments in the period, the share the page answered."""
    t = summary(view, params)
    return t.select(
        *KEYS,
        asked=t.questions,
        answered=t.questions_answered,
        value=ratio(t.questions_answered, t.questions, 100.0),
    )


def _time(view: View, params: MetricParams, value: str, answered: str, mean: str) -> ir.Table:
    """A response-time column of the summary, with the answered comments and mean hours it is over."""
    t = summary(view, params)
    return t.select(*KEYS, value=t[value], answered=t[answered], mean_hours=t[mean])


@metric(
    "response_time_median",
    goal=Goal.PURPOSE,
    title="Response time (median)",
    unit=Unit.HOURS,
    formula="median over answered comments of (first page reply - comment) in hours",
    source=f"{_FANPAGE_KARMA}: response time is the median time to the page's first reply",
    inputs=("answered", "mean_hours"),
)
def response_time_median(view: View, params: MetricParams) -> ir.Table:
    """How long a citizen who got an answer typically waited for the page's first reply, in hours:
    half waited less, half waited more. The mean is shown beside it; a few very late replies pull
    the mean up, which is why the median is the headline."""
    return _time(view, params, "median_hours", "answered", "mean_hours")


@metric(
    "response_time_p90",
    goal=Goal.PURPOSE,
    title="Response time (90th percentile)",
    unit=Unit.HOURS,
    formula="90th percentile (linear interpolation) over answered comments of hours to the first page reply",
    source=f"{_FANPAGE_KARMA}; METRICS.md section 5 (report median and 90th percentile)",
    inputs=("answered", "mean_hours"),
)
def response_time_p90(view: View, params: MetricParams) -> ir.Table:
    """The wait for the page's first reply that nine in ten answered citizens did not exceed, in
    hours: the slow end of the service."""
    return _time(view, params, "p90_hours", "answered", "mean_hours")


@metric(
    "response_time_median_business_hours",
    goal=Goal.PURPOSE,
    title="Response time in office hours (median)",
    unit=Unit.HOURS,
    formula="median hours to the first page reply, comments written Mon-Fri within business_hours",
    source=f"{_FANPAGE_KARMA}; METRICS.md section 5 (business hours versus off hours)",
    inputs=("answered", "mean_hours"),
)
def response_time_median_business_hours(view: View, params: MetricParams) -> ir.Table:
    """The median wait for a first reply, for comments written during office hours (Monday to
    Friday, local time; public holidays are not taken out)."""
    return _time(view, params, "business_median", "business_answered", "business_mean")


@metric(
    "response_time_median_off_hours",
    goal=Goal.PURPOSE,
    title="Response time out of office hours (median)",
    unit=Unit.HOURS,
    formula="median hours to the first page reply, comments written at weekends or outside business_hours",
    source=f"{_FANPAGE_KARMA}; METRICS.md section 5 (business hours versus off hours)",
    inputs=("answered", "mean_hours"),
)
def response_time_median_off_hours(view: View, params: MetricParams) -> ir.Table:
    """The median wait for a first reply, for comments written in the evening, at night or at the
    weekend (local time)."""
    return _time(view, params, "off_median", "off_answered", "off_mean")


@metric(
    "service_level",
    goal=Goal.PURPOSE,
    title="Service level",
    unit=Unit.PERCENT,
    formula="(comments answered or deleted) / citizen top-level comments x 100",
    source=f"{_FANPAGE_KARMA}: user posts with a page reaction (like, reply or deletion) / all user posts",
    inputs=("asked", "answered", "deleted", "handled"),
)
def service_level(view: View, params: MetricParams) -> ir.Table:
    """Of the comments citizens wrote in the period, the share the page dealt with: answered, or
    removed. (Fanpage Karma also counts a page's like of a comment; the platforms do not tell us
    who liked a comment, so ours counts replies and deletions only.)"""
    t = summary(view, params)
    return t.select(*KEYS, "asked", "answered", "deleted", "handled", value=ratio(t.handled, t.asked, 100.0))


@metric(
    "replied_within_target",
    goal=Goal.PURPOSE,
    title="Answered within the target time",
    unit=Unit.PERCENT,
    formula="comments with a first page reply within response_hours / citizen top-level comments x 100",
    source="METRICS.md section 5; target set by the response_hours parameter",
    inputs=("asked", "within_target"),
)
def replied_within_target(view: View, params: MetricParams) -> ir.Table:
    """Of the comments citizens wrote in the period, the share the page answered within the target
    time (24 hours unless set otherwise). Comments never answered count as missed."""
    t = summary(view, params)
    return t.select(*KEYS, "asked", "within_target", value=ratio(t.within_target, t.asked, 100.0))


@metric(
    "comments_waiting",
    goal=Goal.PURPOSE,
    title="Comments waiting for a reply",
    unit=Unit.COUNT,
    formula="citizen top-level comments of the period with no page reply and not deleted",
    source="METRICS.md section 5 (the list of comments still waiting for a reply)",
    inputs=("asked", "waiting"),
)
def comments_waiting(view: View, params: MetricParams) -> ir.Table:
    """How many of the comments citizens wrote in the period still have no reply from the page
    (as of the latest collection; removed comments are not waiting)."""
    t = summary(view, params)
    return t.select(*KEYS, "asked", "waiting", value=t.waiting.cast("float64"))


@metric(
    "socially_devoted",
    goal=Goal.PURPOSE,
    title="Socially devoted",
    unit=Unit.RATIO,
    formula="1 if question_response_rate >= socially_devoted x 100, else 0 (null without questions)",
    source="Socialbakers 'Socially Devoted' (at least 65 % of user questions answered)",
    inputs=("asked", "answered", "rate"),
)
def socially_devoted(view: View, params: MetricParams) -> ir.Table:
    """1 when the page answered at least 65 % of the questions citizens asked in the period (the bar
    Socialbakers set for a "socially devoted" page), 0 when it did not; empty without questions."""
    rates = question_response_rate(view, params)
    bar = params.socially_devoted * 100.0
    flag = ibis.ifelse(rates.value >= bar, 1.0, 0.0)
    return rates.select(
        *KEYS,
        rates.asked,
        rates.answered,
        rate=rates.value,
        value=ibis.ifelse(rates.value.isnull(), ibis.null("float64"), flag),
    )


@metric(
    "eservice_link_share",
    goal=Goal.PURPOSE,
    title="Posts linking to an e-service",
    unit=Unit.PERCENT,
    formula="posts linking to an e-service domain / posts x 100 (posts whose links were checked)",
    source="OECD purpose (Mickoleit 2014): share of posts linking to e-services",
    inputs=("posts", "eservice_posts"),
)
def eservice_link_share(view: View, params: MetricParams) -> ir.Table:
    """The share of the period's posts that link to one of the government's online services (the
    jurisdiction's list of e-service web addresses)."""
    sums = post_sums(view, params)
    checked = sums.filter(sums.eservice_checked > 0)  # posts whose links were checked
    return checked.select(
        *KEYS,
        posts=checked.eservice_checked,
        eservice_posts=checked.eservice_posts,
        value=ratio(checked.eservice_posts, checked.eservice_checked, 100.0),
    )


@metric(
    "click_through_rate",
    goal=Goal.PURPOSE,
    title="Click-through rate",
    unit=Unit.PERCENT,
    formula="sum(clicks) / sum(views) x 100 over posts reporting both (page-admin insights only)",
    source="OECD purpose (Mickoleit 2014): click-through rate, only with page-admin insights",
    inputs=("posts", "clicks", "views"),
)
def click_through_rate(view: View, params: MetricParams) -> ir.Table:
    """Of the times the period's posts were seen, the share in which someone clicked through. Only
    pages whose administrators share their insights have these numbers."""
    sums = post_sums(view, params)
    known = sums.filter(sums.ctr_posts > 0)  # posts reporting both clicks and views
    return known.select(
        *KEYS,
        posts=known.ctr_posts,
        clicks=known.ctr_clicks,
        views=known.ctr_views,
        value=ratio(known.ctr_clicks, known.ctr_views, 100.0),
    )


def waiting_comments(view: View, params: MetricParams, limit: int = 50, as_of: int | None = None) -> ir.Table:
    """The citizen comments still waiting for a reply, longest wait first (not a metric: a list).

    Columns: comment_id, post_id, entity, period, ts, is_question, hours_waiting. The wait runs to
    ``as_of`` (epoch seconds), by default the latest time in the data (the last comment or post
    collected), so a list from an old export does not grow with the wall clock.
    """
    t = threads(view)
    if as_of is None:
        # as_scalar: a subquery over ALL comments and posts; without it Ibis would read ``ts``
        # as the column of the waiting comments derived from them.
        comments, posts = view.comments.ts.max().as_scalar(), view.posts.ts.max().as_scalar()
        latest = ibis.greatest(comments, posts.fill_null(0))
    else:
        latest = ibis.literal(as_of, "int64")
    waiting = t.filter(~t.answered & ~t.deleted)
    hours = ibis.greatest(latest - waiting.ts, 0).cast("float64") / _HOUR
    listed = waiting.select(
        "comment_id", "post_id", "entity", "period", "ts", "is_question", hours_waiting=hours
    )
    return listed.order_by([ibis.desc("hours_waiting"), "comment_id"]).limit(limit)
