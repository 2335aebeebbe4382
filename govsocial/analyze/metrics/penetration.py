"""Penetration (OECD): interaction and exchange with users — interaction rates, Bonsón P/C/V/E,
the overperforming score."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import ibis

from govsocial.analyze.metrics.common import KEYS, days, interactions, known, n, only, ratio, tally, with_fans
from govsocial.analyze.metrics.model import Goal, PeriodKind, Unit, metric
from govsocial.analyze.metrics.params import Aggregation, FollowerBasis
from govsocial.analyze.metrics.sums import DIMENSIONS, account_sums, add_up, post_sums

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from govsocial.analyze.metrics.params import MetricParams
    from govsocial.analyze.metrics.view import View

_CT_RATE = "CrowdTangle help centre, article 1141064 (interaction rate)"
_CT_SCORE = "CrowdTangle help centre, article 2013937 (overperforming scores)"
_BONSON = "Bonsón, Royo & Ratkai (2015), Government Information Quarterly 32(1):52-62"


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
    sums = post_sums(view, params)
    return sums.select(*KEYS, "interactions", "posts", value=ratio(sums.interactions, sums.posts))


# --- Sums over posts with a follower count ---------------------------------------------------------


def fan_sums(view: View, params: MetricParams, basis: FollowerBasis) -> ir.Table:
    """Per entity and period, over posts with a follower count ``fans`` per ``basis``: ``posts``,
    ``fans`` (their sum), ``interactions``, ``posts_without_followers``, and for each Bonsón
    dimension ``d`` (p, c, v, e) ``d_x`` (the sum) and ``d_mean_ratio`` (the mean of x / fans x
    1000). One group-by for every metric divided by fans; with the count at posting, it is part of
    the posts' shared sums (``sums.post_sums``); with the other counts, the accounts' shared sums
    (``sums.account_sums``) with each account's count joined on (``with_fans``)."""
    dimensions = (*DIMENSIONS, "e")
    if basis is FollowerBasis.AT_POSTING:
        shared = post_sums(view, params)
        return shared.select(
            *KEYS,
            interactions=shared.fan_interactions,
            posts=shared.fan_posts,
            fans=shared.fans,
            posts_without_followers=shared.fan_posts_without,
            **{f"{d}_{name}": shared[f"{d}_{name}"] for d in dimensions for name in ("x", "mean_ratio")},
        )
    # Every post of an account in a period has the same count with these bases, so the posts are
    # added up per account first (``account_sums``) and the count joined to a row per account: a
    # sum over posts of fans is posts x fans, and a mean over posts of x / fans is sum(x) / fans
    # over the posts counted.
    accounts = with_fans(view, account_sums(view, params), basis)
    ok = known(accounts.fans)
    counted_posts = ibis.ifelse(ok, accounts.posts, 0).sum()
    per_dimension = {}
    for d in dimensions:
        x = accounts[f"x_{d}"]
        per_dimension[f"{d}_x"] = only(x, ok).sum()
        per_mille = only(ratio(x, accounts.fans, 1000.0), ok).sum()
        per_dimension[f"{d}_mean_ratio"] = ratio(per_mille, counted_posts)
    return accounts.group_by(list(KEYS)).aggregate(
        interactions=only(accounts.interactions, ok).sum(),
        posts=counted_posts,
        fans=only(accounts.fans * accounts.posts, ok).sum(),
        posts_without_followers=ibis.ifelse(ok, 0, accounts.posts).sum(),
        **per_dimension,
    )


# --- Interaction rates ---------------------------------------------------------------------------


@metric(
    "interaction_rate_post",
    goal=Goal.PENETRATION,
    title="Interaction rate per post",
    unit=Unit.PERCENT,
    formula="interactions / followers at posting x 100 (mean over posts, or sum / sum)",
    source=_CT_RATE + ": post interaction rate",
    inputs=("interactions", "followers_at_posting", "posts", "posts_without_followers"),
)
def interaction_rate_post(view: View, params: MetricParams) -> ir.Table:
    """Of the people who followed the account when a post went out, how many interacted with it,
    in percent. Posts whose follower count at the time is unknown are left out, and counted."""
    sums = post_sums(view, params)
    if params.aggregation is Aggregation.MEAN_OF_RATIOS:
        value = sums.rate_mean
    else:
        value = ratio(sums.rate_interactions, sums.rate_followers, 100.0)
    return sums.select(
        *KEYS,
        interactions=sums.rate_interactions,
        followers_at_posting=sums.rate_followers,
        posts=sums.rate_posts,
        posts_without_followers=sums.rate_posts_without,
        value=value,
    )


@metric(
    "interaction_rate_account",
    goal=Goal.PENETRATION,
    title="Interaction rate of an account",
    unit=Unit.PERCENT,
    formula="(interactions / posts) / mean(F_start, F_end) x 100",
    source=_CT_RATE + ": account interaction rate over a time frame",
    inputs=("interactions", "posts", "followers", "posts_without_followers"),
)
def interaction_rate_account(view: View, params: MetricParams) -> ir.Table:
    """The average interactions per post divided by the number of followers, in percent: how many
    followers, out of a hundred, an average post reached. The follower count is the average of the
    first and last count in the period (a parameter)."""
    sums = fan_sums(view, params, params.account_rate_basis)
    # sum(fans) / posts is the follower count of an average post: the account's count at the
    # account level, and the post-weighted mean count of the accounts at the levels above.
    return sums.select(
        "entity",
        "period",
        "interactions",
        "posts",
        "posts_without_followers",
        followers=ratio(sums.fans, sums.posts),
        value=ratio(sums.interactions, sums.fans, 100.0),
    )


@metric(
    "engagement_daily",
    goal=Goal.PENETRATION,
    title="Engagement (daily)",
    unit=Unit.PERCENT,
    formula="mean over the days of the period of (interactions that day / fans that day) x 100",
    source="Fanpage Karma academy: engagement",
    inputs=("interactions", "days", "post_days", "post_days_without_fans"),
)
def engagement_daily(view: View, params: MetricParams) -> ir.Table:
    """For each day, the interactions on that day's posts divided by the number of fans that day;
    then the average over all the days of the period, days without posts counting as zero, in
    percent."""
    daily = _daily(view, params)
    ok = known(daily.fans)
    sums = daily.group_by(list(KEYS)).aggregate(
        interactions=only(daily.interactions, ok).sum(),
        post_days=tally(ok),
        post_days_without_fans=tally(~ok),
        rate_sum=only(ratio(daily.interactions, daily.fans), ok).sum(),
    )
    periods = view.periods.select("period", days=days(view.periods))
    joined = sums.join(periods, "period")
    return joined.mutate(
        interactions=joined.interactions.fill_null(0), value=ratio(joined.rate_sum, joined.days, 100.0)
    ).drop("rate_sum")


def follower_changes(followers: ir.Table) -> ir.Table:
    """The ``followers`` frame's counts (snapshots without a count left out), each with ``change``:
    its difference from the account's previous count (the first count is its own change)."""
    snaps = followers.filter(followers.followers.notnull())
    previous = snaps.followers.lag().over(ibis.window(group_by="account_id", order_by=["ts", "followers"]))
    changed: ir.Table = snaps.mutate(change=snaps.followers - previous.fill_null(0))
    return changed


#: The counts whose sums ``fan_days`` keeps per account and day: what ``interactions`` adds up.
_COUNTS = ("reactions", "comments", "shares", "replies", "quotes")
#: The frames' calendar columns, one per period kind.
_TIME = tuple(str(kind) for kind in PeriodKind)


def fan_days(followers: ir.Table, posts: ir.Table, accounts: ir.Table) -> ir.Table:
    """Per account and day: ``fans``, its last follower count on or before that day (0 before its
    first), and ``posts`` with the sums of the counts interactions are made of (``_COUNTS``, a
    missing count as 0; null on a day without posts) on its posts that day; with ``platform`` and
    ``day_number``, the day as days since 1970 (a whole number sorts and groups faster than the
    date's text). ``posts``: social media posts (press releases left out).

    Every account has a row for every day of the data (a day with a post or a count of any account)
    from its first count on, and for each day it posted. So the fans of an entity on a day are the
    sum of its accounts' rows that day: a group-by, with no as-of join and no running sum per
    entity and level. It does not depend on the level or the parameters (interactions are summed
    per platform from the counts), so it is derived once, when the frames are loaded
    (``engines.derive``), and the views cut it like a frame (``View.fan_days``).
    """
    changes = follower_changes(followers)
    # The days from the frames themselves, not from ``changes``: Spark would compute its window
    # again for them.
    snaps = followers.filter(followers.followers.notnull())
    calendar = snaps.select(*_TIME).union(posts.select(*_TIME), distinct=True)
    calendar = calendar.mutate(day_number=_day_number(calendar))
    numbered = changes.mutate(day_number=_day_number(changes))
    change = numbered.group_by(["account_id", "day_number"]).aggregate(change=numbered.change.sum())
    numbered_posts = posts.mutate(day_number=_day_number(posts))
    counts = {name: n(numbered_posts[name]).sum() for name in _COUNTS}
    posted = numbered_posts.group_by(["account_id", "day_number"]).aggregate(
        posts=numbered_posts.count(), **counts
    )
    fans = _running_fans(change, posted, calendar.select("day_number"))
    days = fans.join(calendar, "day_number").left_join(posted, ["account_id", "day_number"])
    result: ir.Table = days.join(accounts.select("account_id", "platform"), "account_id").select(
        "account_id",
        "platform",
        *_TIME,
        "day_number",
        "fans",
        posts=days.posts.fill_null(0),
        **{name: days[name] for name in _COUNTS},
    )
    return result


def _running_fans(change: ir.Table, posted: ir.Table, numbers: ir.Table) -> ir.Table:
    """``fans`` per account and day number: the running sum of the account's ``change`` on every
    day of ``numbers`` from its first change on, and on the days it ``posted`` before (or without)
    a count, where it is 0."""
    first = change.group_by("account_id").aggregate(first=change.day_number.min())
    counted = first.join(numbers, numbers.day_number >= first.first).select("account_id", "day_number")
    early = posted.left_join(first, "account_id")
    early = early.filter(early.first.isnull() | (early.day_number < early.first))
    keys = counted.union(early.select("account_id", "day_number"), distinct=False)
    # The running sum over the keys and their change alone: the window sorts narrow rows.
    with_change = keys.left_join(change, ["account_id", "day_number"]).select(
        "account_id", "day_number", change=ibis._.change.fill_null(0)
    )
    running = ibis.window(group_by="account_id", order_by="day_number", rows=(None, 0))
    fans: ir.Table = with_change.select(
        "account_id", "day_number", fans=with_change.change.sum().over(running)
    )
    return fans


def _day_number(table: ir.Table) -> ir.IntegerColumn:
    """Days since 1970-01-01 of the ``day`` column (a local date as text)."""
    number: ir.IntegerColumn = table.day.cast("date").epoch_days().cast("int32")
    return number


def _daily(view: View, params: MetricParams) -> ir.Table:
    """Per entity, period and day with posts: ``interactions`` and ``fans``, the sum over the
    entity's accounts of each one's last follower count on or before that day (0 when no account
    had been counted yet): a sum of ``fan_days``, so a government of 2,000 accounts costs no more
    per account than one account.
    """
    rows = view.fan_days  # fan_days, cut for the view's level
    sums = rows.group_by([*KEYS, "day_number"]).aggregate(
        posts=rows.posts.sum(), interactions=interactions(rows, params).sum(), fans=rows.fans.sum()
    )
    return sums.filter(sums.posts > 0).select(*KEYS, "interactions", "fans")


# --- Bonsón, Royo & Ratkai (2015): popularity, commitment, virality, engagement ---------------------

#: Bonsón's three dimensions: what is counted, and the name of its input columns.
_DIMENSIONS = {"p": ("likes", "liked"), "c": ("comments", "commented"), "v": ("shares", "shared")}


def _share_of_posts(view: View, params: MetricParams, dimension: str) -> ir.Table:
    """P1 / C1 / V1: the share of posts with at least one like, comment or share, in percent."""
    _, adjective = _DIMENSIONS[dimension]
    sums = post_sums(view, params)
    hit = sums[f"{dimension}_hit"]
    return sums.select(
        "entity",
        "period",
        "posts",
        value=ratio(hit, sums.posts, 100.0),
        **{f"posts_{adjective}": hit},
    )


def _per_post(view: View, params: MetricParams, dimension: str) -> ir.Table:
    """P2 / C2 / V2: likes, comments or shares per post."""
    noun, _ = _DIMENSIONS[dimension]
    sums = post_sums(view, params)
    x = sums[f"{dimension}_sum"]
    return sums.select("entity", "period", "posts", value=ratio(x, sums.posts), **{noun: x})


def _per_mille_of_fans(view: View, params: MetricParams, dimension: str) -> ir.Table:
    """P3 / C3 / V3 / E: per post and per fan, x 1000, with F and the aggregation per the parameters.

    Ratio of sums: sum(x) / sum(F) x 1000, i.e. (x per post) / (F of an average post) x 1000.
    Mean of ratios: the mean over posts of x / F x 1000. Posts without F are left out and counted.
    """
    sums = fan_sums(view, params, params.follower_basis)
    x = sums[f"{dimension}_x"]
    if params.aggregation is Aggregation.MEAN_OF_RATIOS:
        value = sums[f"{dimension}_mean_ratio"]
    else:
        value = ratio(x, sums.fans, 1000.0)
    noun = _DIMENSIONS[dimension][0] if dimension in _DIMENSIONS else "interactions"
    return sums.select(
        "entity",
        "period",
        "posts",
        "posts_without_followers",
        followers=ratio(sums.fans, sums.posts),
        value=value,
        **{noun: x},
    )


#: The inputs of the indicators divided by fans.
_F = ("posts", "followers", "posts_without_followers")


@metric(
    "bonson_p1",
    goal=Goal.PENETRATION,
    title="Posts liked (Bonsón P1)",
    unit=Unit.PERCENT,
    formula="posts with >= 1 like / posts x 100",
    source=_BONSON,
    inputs=("posts", "posts_liked"),
)
def bonson_p1(view: View, params: MetricParams) -> ir.Table:
    """The share of posts that at least one person liked, in percent."""
    return _share_of_posts(view, params, "p")


@metric(
    "bonson_p2",
    goal=Goal.PENETRATION,
    title="Likes per post (Bonsón P2)",
    unit=Unit.COUNT,
    formula="likes / posts",
    source=_BONSON,
    inputs=("likes", "posts"),
)
def bonson_p2(view: View, params: MetricParams) -> ir.Table:
    """The average number of likes a post got."""
    return _per_post(view, params, "p")


@metric(
    "bonson_p3",
    goal=Goal.PENETRATION,
    title="Popularity of posts (Bonsón P3)",
    unit=Unit.PER_MILLE,
    formula="(likes / posts) / F x 1000",
    source=_BONSON,
    inputs=("likes", *_F),
)
def bonson_p3(view: View, params: MetricParams) -> ir.Table:
    """The average likes per post for every thousand fans."""
    return _per_mille_of_fans(view, params, "p")


@metric(
    "bonson_c1",
    goal=Goal.PENETRATION,
    title="Posts commented (Bonsón C1)",
    unit=Unit.PERCENT,
    formula="posts with >= 1 comment / posts x 100",
    source=_BONSON,
    inputs=("posts", "posts_commented"),
)
def bonson_c1(view: View, params: MetricParams) -> ir.Table:
    """The share of posts that received at least one comment, in percent."""
    return _share_of_posts(view, params, "c")


@metric(
    "bonson_c2",
    goal=Goal.PENETRATION,
    title="Comments per post (Bonsón C2)",
    unit=Unit.COUNT,
    formula="comments / posts",
    source=_BONSON,
    inputs=("comments", "posts"),
)
def bonson_c2(view: View, params: MetricParams) -> ir.Table:
    """The average number of comments a post got."""
    return _per_post(view, params, "c")


@metric(
    "bonson_c3",
    goal=Goal.PENETRATION,
    title="Commitment of fans (Bonsón C3)",
    unit=Unit.PER_MILLE,
    formula="(comments / posts) / F x 1000",
    source=_BONSON,
    inputs=("comments", *_F),
)
def bonson_c3(view: View, params: MetricParams) -> ir.Table:
    """The average comments per post for every thousand fans."""
    return _per_mille_of_fans(view, params, "c")


@metric(
    "bonson_v1",
    goal=Goal.PENETRATION,
    title="Posts shared (Bonsón V1)",
    unit=Unit.PERCENT,
    formula="posts with >= 1 share / posts x 100",
    source=_BONSON,
    inputs=("posts", "posts_shared"),
)
def bonson_v1(view: View, params: MetricParams) -> ir.Table:
    """The share of posts that at least one person shared, in percent."""
    return _share_of_posts(view, params, "v")


@metric(
    "bonson_v2",
    goal=Goal.PENETRATION,
    title="Shares per post (Bonsón V2)",
    unit=Unit.COUNT,
    formula="shares / posts",
    source=_BONSON,
    inputs=("shares", "posts"),
)
def bonson_v2(view: View, params: MetricParams) -> ir.Table:
    """The average number of times a post was shared."""
    return _per_post(view, params, "v")


@metric(
    "bonson_v3",
    goal=Goal.PENETRATION,
    title="Virality (Bonsón V3)",
    unit=Unit.PER_MILLE,
    formula="(shares / posts) / F x 1000",
    source=_BONSON,
    inputs=("shares", *_F),
)
def bonson_v3(view: View, params: MetricParams) -> ir.Table:
    """The average shares per post for every thousand fans."""
    return _per_mille_of_fans(view, params, "v")


@metric(
    "bonson_e",
    goal=Goal.PENETRATION,
    title="Engagement (Bonsón E)",
    unit=Unit.PER_MILLE,
    formula="P3 + C3 + V3 = ((likes + comments + shares) / posts) / F x 1000",
    source=_BONSON,
    inputs=("interactions", *_F),
)
def bonson_e(view: View, params: MetricParams) -> ir.Table:
    """Likes, comments and shares per post for every thousand fans: the popularity, commitment and
    virality indicators added up."""
    return _per_mille_of_fans(view, params, "e")


# --- Overperforming score (CrowdTangle) ----------------------------------------------------------


def overperforming_score(actual: float, benchmark: float, minimum: float) -> float | None:
    """CrowdTangle's overperforming score of a post with ``actual`` interactions.

    At or above the benchmark: actual / max(benchmark, minimum) (2.0 = twice the usual; below 1
    when a small benchmark is not yet reached by ``minimum`` interactions). Below it: -benchmark /
    actual (-2.0 = half the usual), -2 x benchmark for no interaction at all, and, where the
    benchmark itself is under the minimum, -(benchmark - actual) / minimum, between 0 and -1 (our
    choice: CrowdTangle's article gives no example of that case). None when nothing can be
    expected (benchmark and minimum both 0).
    """
    floor = max(benchmark, minimum)
    if floor == 0:
        return None
    if actual >= benchmark:
        return actual / floor
    if benchmark < minimum:
        return -(benchmark - actual) / minimum
    if actual == 0:
        return -2.0 * benchmark
    return -benchmark / actual


def _score(actual: ir.NumericValue, benchmark: ir.NumericValue, minimum: float) -> ir.FloatingValue:
    """``overperforming_score`` as an Ibis expression (the same rule, branch for branch)."""
    a = actual.cast("float64")
    b = benchmark.cast("float64")
    m = ibis.literal(minimum, type="float64")
    floor = ibis.greatest(b, m)
    value: ir.FloatingValue = ibis.cases(
        (floor == 0, ibis.null("float64")),
        (a >= b, a / floor),
        (b < m, -(b - a) / m),
        (a == 0, -2.0 * b),
        else_=-b / a,
    )
    return value


def scored_posts(posts: ir.Table, params: MetricParams) -> ir.Table:
    """``posts`` with ``actual`` (interactions, per the parameters) and ``kind`` (the format, ''
    when unknown): what an overperforming score compares, and what its benchmark is grouped by."""
    return posts.mutate(actual=interactions(posts, params), kind=posts.format.fill_null(""))


#: What a benchmark is per: an account's posts of one format.
BENCHMARK_KEYS = ("account_id", "kind")
#: The metrics that read the benchmarks (through ``overperforming_scores``): a scorecard that runs
#: one makes them once for every level (``View.benchmarks``).
BENCHMARK_METRICS = frozenset({"overperforming_share"})


def benchmarks(posts: ir.Table, params: MetricParams, by: Sequence[str] = BENCHMARK_KEYS) -> ir.Table:
    """Per ``by`` (an account and format, ``BENCHMARK_KEYS``, plus the entity when the posts are a
    level's): ``expected``, the benchmark of the overperforming score. ``posts`` as
    ``scored_posts`` returns them.

    Of the account's last ``overperforming_posts`` posts of that format, drop the top and bottom
    quarter by interactions and take the mean of the middle half. A benchmark depends on the
    account's posts alone, not on the level: a scorecard computes it once for every level
    (``view.frame_benchmarks``).
    """
    group = list(by)
    newest = ibis.window(group_by=group, order_by=[ibis.desc("ts"), ibis.desc("post_id")])
    recent = posts.mutate(recency=ibis.row_number().over(newest))
    recent = recent.filter(recent.recency < params.overperforming_posts)
    ranked = recent.mutate(
        rank=ibis.row_number().over(ibis.window(group_by=group, order_by=["actual", "post_id"])),
        size=recent.count().over(ibis.window(group_by=group)),
    )
    cut = ranked.size // 4
    middle = ranked.filter((ranked.rank >= cut) & (ranked.rank < ranked.size - cut))
    return middle.group_by(group).aggregate(expected=middle.actual.cast("float64").mean())


def overperforming_scores(view: View, params: MetricParams) -> ir.Table:
    """Per post: ``post_id``, ``entity``, ``period``, ``actual`` and ``expected`` interactions, ``score``.

    The benchmark of a post is its account's usual performance for the post's format
    (``benchmarks``). We compare the latest counts, not counts at the same post age as
    CrowdTangle does, because snapshots at matching ages are rarely available; so the benchmark
    is the account's recent usual, and very recent posts, whose counts are still growing, score
    low. A view registered by a scorecard carries the benchmarks computed once for all levels
    (``View.benchmarks``, for the parameters it names); any other view computes them here, per
    entity as well (at the organisation level an account shared by two owners is in both).
    """
    posts = scored_posts(view.posts, params)
    if view.benchmarks is not None and view.benchmark_params == params.digest():
        scored = posts.join(view.benchmarks, list(BENCHMARK_KEYS))
    else:
        keys = ["entity", *BENCHMARK_KEYS]
        scored = posts.join(benchmarks(posts, params, keys), keys)
    return scored.select(
        "post_id",
        "entity",
        "period",
        "actual",
        "expected",
        score=_score(scored.actual, scored.expected, params.overperforming_minimum),
    )


@metric(
    "overperforming_share",
    goal=Goal.PENETRATION,
    title="Overperforming posts",
    unit=Unit.PERCENT,
    formula="posts with overperforming score > 1 / posts with a score x 100",
    source=_CT_SCORE,
    inputs=("posts", "overperforming_posts"),
)
def overperforming_share(view: View, params: MetricParams) -> ir.Table:
    """The share of posts that did better than usual for their account and format (an
    overperforming score above 1), in percent.

    With the benchmarks of every account made once (``View.benchmarks``), a post's score does not
    depend on the entity: each post is scored and counted once per account, and the counts added
    up per entity (``sums.add_up``)."""
    if view.benchmarks is not None and view.benchmark_params == params.digest():
        posts = scored_posts(view.account_posts, params).join(view.benchmarks, list(BENCHMARK_KEYS))
        scores = posts.mutate(score=_score(posts.actual, posts.expected, params.overperforming_minimum))
        sums = add_up(view, _count_overperforming(scores, ["account_id", "period"]))
    else:
        sums = _count_overperforming(overperforming_scores(view, params), list(KEYS))
    return sums.mutate(value=ratio(sums.overperforming_posts, sums.posts, 100.0))


def _count_overperforming(scores: ir.Table, by: list[str]) -> ir.Table:
    """Per ``by``: ``posts`` with a score, ``overperforming_posts`` (a score above 1)."""
    return scores.group_by(by).aggregate(
        posts=tally(scores.score.notnull()), overperforming_posts=tally(scores.score > 1)
    )
