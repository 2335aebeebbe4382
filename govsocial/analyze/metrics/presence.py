"""Presence (OECD): is the government on social media, and active there?"""

from __future__ import annotations

from typing import TYPE_CHECKING

from govsocial.analyze.metrics.common import DAY_S, KEYS, PRESENT_STATUSES, days, ratio
from govsocial.analyze.metrics.model import Goal, Unit, metric
from govsocial.analyze.metrics.sums import account_sums, post_sums

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from govsocial.analyze.metrics.params import MetricParams
    from govsocial.analyze.metrics.view import View

_OECD = "OECD (Mickoleit 2014), presence"


@metric(
    "accounts",
    goal=Goal.PRESENCE,
    title="Accounts",
    unit=Unit.COUNT,
    formula="count(accounts in the registry, not archived or under review)",
    source=_OECD + ": accounts per organisation and platform",
    inputs=("accounts",),
)
def accounts(view: View, params: MetricParams) -> ir.Table:
    """How many official accounts the registry lists (archived accounts and accounts still under
    review are not counted). The registry has no history, so every period shows today's count."""
    per = _present_counts(view)
    return per.mutate(value=per.accounts.cast("float64"))


@metric(
    "active_accounts",
    goal=Goal.PRESENCE,
    title="Active accounts",
    unit=Unit.COUNT,
    formula="count(accounts with >= 1 post in the active_days days up to the period's end)",
    source=_OECD + ": active = at least one post in the last 30 days",
    inputs=("accounts", "active_accounts"),
)
def active_accounts(view: View, params: MetricParams) -> ir.Table:
    """How many of the listed accounts published at least one post in the 30 days (a parameter)
    before the end of the period."""
    activity = _activity(view, params)
    return activity.mutate(value=activity.active_accounts.cast("float64"))


@metric(
    "dormant_share",
    goal=Goal.PRESENCE,
    title="Dormant accounts",
    unit=Unit.PERCENT,
    formula="(accounts - active_accounts) / accounts x 100",
    source=_OECD + ": active = at least one post in the last 30 days",
    inputs=("accounts", "active_accounts", "dormant_accounts"),
)
def dormant_share(view: View, params: MetricParams) -> ir.Table:
    """The share of listed accounts that published nothing in the 30 days (a parameter) before the
    end of the period, in percent."""
    activity = _activity(view, params)
    dormant = activity.accounts - activity.active_accounts
    return activity.mutate(dormant_accounts=dormant, value=ratio(dormant, activity.accounts, 100.0))


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
    sums = post_sums(view, params)
    return sums.select(*KEYS, value=sums.posts.cast("float64"), posts=sums.posts)


@metric(
    "posts_per_day",
    goal=Goal.PRESENCE,
    title="Posts per day",
    unit=Unit.COUNT,
    formula="posts / days in the period",
    source="OECD (Mickoleit 2014): posts per day / week / month",
    inputs=("posts", "days"),
)
def posts_per_day(view: View, params: MetricParams) -> ir.Table:
    """The average number of posts published per day over the period."""
    per = _posts_and_days(view, params)
    return per.mutate(value=ratio(per.posts, per.days))


@metric(
    "posts_per_week",
    goal=Goal.PRESENCE,
    title="Posts per week",
    unit=Unit.COUNT,
    formula="posts / days in the period x 7",
    source="OECD (Mickoleit 2014): posts per day / week / month",
    inputs=("posts", "days"),
)
def posts_per_week(view: View, params: MetricParams) -> ir.Table:
    """The average number of posts published per week over the period."""
    per = _posts_and_days(view, params)
    return per.mutate(value=ratio(per.posts, per.days, 7.0))


def _present_counts(view: View) -> ir.Table:
    """Per entity and period: the accounts present in the registry (one row for every period)."""
    present = view.accounts.filter(view.accounts.status.isin(PRESENT_STATUSES))
    counts = present.group_by("entity").aggregate(accounts=present.account_id.nunique())
    return counts.cross_join(view.periods.select("period")).select("entity", "period", "accounts")


def _activity(view: View, params: MetricParams) -> ir.Table:
    """Per entity and period: ``accounts`` present, and ``active_accounts`` among them.

    An account is active at a period's end when its latest post before that end is at most
    ``active_days`` old. The latest post of each period an account posted in is enough to decide
    it, so posts are first reduced to one row per account and period (``account_sums``, shared
    with the other metrics that need each account's posts), then matched to the periods whose end
    falls less than ``active_days`` after it (a range join).
    """
    present = view.accounts.filter(view.accounts.status.isin(PRESENT_STATUSES))
    last = account_sums(view, params).select("entity", "account_id", "period", "last_ts")
    last = last.semi_join(present, ["entity", "account_id"]).rename(posted_in="period")
    periods = view.periods
    window = params.active_days * DAY_S
    hits = last.join(periods, [last.last_ts < periods.end_ts, last.last_ts >= periods.end_ts - window])
    active = hits.group_by(list(KEYS)).aggregate(active_accounts=hits.account_id.nunique())
    counts = _present_counts(view)
    joined = counts.left_join(active, list(KEYS))
    return joined.select("entity", "period", "accounts", active_accounts=joined.active_accounts.fill_null(0))


def _posts_and_days(view: View, params: MetricParams) -> ir.Table:
    """Per entity and period with posts: ``posts`` and the ``days`` of the period."""
    sums = post_sums(view, params)
    counts = sums.select(*KEYS, "posts")
    periods = view.periods.select("period", days=days(view.periods))
    return counts.join(periods, "period")
