"""The scorecard's metrics written the way a researcher would in pandas: the baseline of the benchmark.

Straightforward pandas: ``groupby`` / ``merge`` on DataFrames, one function per metric, each level
cut by adding an ``entity`` column, no engine. It follows govsocial's definitions (the Ibis
expressions in ``govsocial.analyze.metrics``) step for step, so that ``bench.metrics`` can check
that both give the same numbers; it is not used by govsocial itself. Default parameters only.

``METRICS`` lists the metrics implemented; ``bench.metrics`` reports any registered metric that is
missing here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from govsocial.analyze.metrics.params import MetricParams

KEYS = ["entity", "period"]
DAY_S = 86_400
WEEK_S = 7 * DAY_S
PRESENT = ("active", "published")
#: The statuses of the accounts that count above the account level: under review ("review") is not.
OFFICIAL = ("active", "published", "archived")
TYPED = ("love", "haha", "wow", "sad", "angry", "care")
RELEASES = ("rss",)


@dataclass
class View:
    """The frames of one level and period kind, each with ``entity`` (and ``period`` when timed)."""

    accounts: pd.DataFrame
    posts: pd.DataFrame
    comments: pd.DataFrame
    followers: pd.DataFrame
    matches: pd.DataFrame
    releases: pd.DataFrame
    periods: pd.DataFrame
    population: int | None


def make_view(
    frames: dict[str, pd.DataFrame], level: str, kind: str, jurisdiction: str, population: int | None
) -> View:
    """Add ``entity`` (account, organisation, platform or government) and ``period`` to each frame.

    Above the account level, only the rows of official accounts (``OFFICIAL``) are there."""
    if level != "account":
        accounts = frames["accounts"]
        official = accounts.loc[accounts["status"].isin(OFFICIAL), "account_id"]
        frames = {
            name: df[df["account_id"].isin(official)] if "account_id" in df.columns else df
            for name, df in frames.items()
        }
    owners = frames["owners"][["account_id", "organisation"]].rename(columns={"organisation": "entity"})
    platforms = frames["accounts"][["account_id", "platform"]].rename(columns={"platform": "entity"})

    def entity(df: pd.DataFrame) -> pd.DataFrame:
        if level == "organisation":
            return df.merge(owners, on="account_id")
        if level == "account":
            return df.assign(entity=df["account_id"].astype("int64").astype(str))
        if level == "platform":
            if "platform" in df.columns:
                return df.assign(entity=df["platform"])
            return df.merge(platforms, on="account_id")
        return df.assign(entity=jurisdiction)

    timed = {name: entity(frames[name]) for name in ("posts", "comments", "followers", "matches")}
    timed = {name: df.assign(period=df[kind]) for name, df in timed.items()}
    # Press releases (RSS items) are not social media: kept apart, and their feeds are not accounts.
    posts = timed.pop("posts")
    release = posts["platform"].isin(RELEASES)
    accounts = entity(frames["accounts"])
    accounts = accounts[~accounts["platform"].isin(RELEASES)]
    periods = frames["periods"][frames["periods"]["kind"] == kind].drop(columns="kind")
    return View(
        accounts=accounts,
        posts=posts[~release],
        releases=posts[release],
        periods=periods,
        population=population,
        **timed,
    )


# --- building blocks ------------------------------------------------------------------------------


def n(s: pd.Series) -> pd.Series:
    return s.fillna(0)


def ratio(num: pd.Series, den: pd.Series, scale: float = 1.0) -> pd.Series:
    den = den.astype("float64")
    return (num.astype("float64") * scale / den).where(den.fillna(0) != 0)


def interactions(p: pd.DataFrame, params: MetricParams) -> pd.Series:
    x = n(p["shares"]) + n(p["reactions"])
    if params.x_count_replies:
        x = x + n(p["replies"])
    if params.x_count_quotes:
        x = x + n(p["quotes"])
    likes_comments = n(p["reactions"]) + n(p["comments"])
    default = n(p["reactions"]) + n(p["comments"]) + n(p["shares"])
    return pd.Series(
        np.where(
            p["platform"] == "x",
            x,
            np.where(p["platform"].isin(["instagram", "youtube"]), likes_comments, default),
        ),
        index=p.index,
    )


def citizen(c: pd.DataFrame) -> pd.Series:
    """Whether each comment is a citizen's: not the page's own (unknown counts as a citizen's)."""
    return ~c["is_page_reply"].fillna(False).astype(bool)


def days(periods: pd.DataFrame) -> pd.Series:
    return (periods["end_ts"] - periods["start_ts"] + DAY_S // 2) // DAY_S


def social(v: View) -> pd.DataFrame:
    return v.posts


def follower_spans(v: View) -> pd.DataFrame:
    snaps = v.followers[v.followers["followers"].notna()].sort_values("ts", kind="stable")
    g = snaps.groupby(["entity", "period", "account_id"], sort=False)
    return pd.DataFrame(
        {
            "followers_start": g["followers"].first(),
            "followers_end": g["followers"].last(),
            "start_ts": g["ts"].min(),
            "end_ts": g["ts"].max(),
        }
    ).reset_index()


def out(df: pd.DataFrame, value: pd.Series | str) -> pd.DataFrame:
    """The scorecard columns of a per-(entity, period) result."""
    values = df[value] if isinstance(value, str) else value
    return pd.DataFrame(
        {"entity": df["entity"].astype(str), "period": df["period"], "value": values.astype("float64")}
    )


def sums(df: pd.DataFrame, **aggs: tuple[str, str]) -> pd.DataFrame:
    return df.groupby(KEYS, sort=False).agg(**aggs).reset_index()


# --- presence -------------------------------------------------------------------------------------


def _present_counts(v: View) -> pd.DataFrame:
    present = v.accounts[v.accounts["status"].isin(PRESENT)]
    counts = present.groupby("entity")["account_id"].nunique().rename("accounts").reset_index()
    return counts.merge(v.periods[["period"]], how="cross")


def _activity(v: View, params: MetricParams) -> pd.DataFrame:
    present = v.accounts[v.accounts["status"].isin(PRESENT)][["entity", "account_id"]].drop_duplicates()
    last = (
        v.posts.groupby(["entity", "account_id", "period"], sort=False)["ts"]
        .max()
        .rename("last_ts")
        .reset_index()
    )
    last = last.merge(present, on=["entity", "account_id"])[["entity", "account_id", "last_ts"]]
    hits = last.merge(v.periods[["period", "end_ts"]], how="cross")
    window = params.active_days * DAY_S
    hits = hits[(hits["last_ts"] < hits["end_ts"]) & (hits["last_ts"] >= hits["end_ts"] - window)]
    active = hits.groupby(KEYS)["account_id"].nunique().rename("active_accounts").reset_index()
    joined = _present_counts(v).merge(active, on=KEYS, how="left")
    joined["active_accounts"] = joined["active_accounts"].fillna(0)
    return joined


def accounts(v: View, params: MetricParams) -> pd.DataFrame:
    c = _present_counts(v)
    return out(c, "accounts")


def active_accounts(v: View, params: MetricParams) -> pd.DataFrame:
    return out(_activity(v, params), "active_accounts")


def dormant_share(v: View, params: MetricParams) -> pd.DataFrame:
    a = _activity(v, params)
    return out(a, ratio(a["accounts"] - a["active_accounts"], a["accounts"], 100.0))


def post_volume(v: View, params: MetricParams) -> pd.DataFrame:
    c = v.posts.groupby(KEYS, sort=False).size().rename("posts").reset_index()
    return out(c, "posts")


def _posts_and_days(v: View) -> pd.DataFrame:
    c = v.posts.groupby(KEYS, sort=False).size().rename("posts").reset_index()
    return c.merge(v.periods.assign(days=days(v.periods))[["period", "days"]], on="period")


def posts_per_day(v: View, params: MetricParams) -> pd.DataFrame:
    c = _posts_and_days(v)
    return out(c, ratio(c["posts"], c["days"]))


def posts_per_week(v: View, params: MetricParams) -> pd.DataFrame:
    c = _posts_and_days(v)
    return out(c, ratio(c["posts"], c["days"], 7.0))


# --- popularity -----------------------------------------------------------------------------------


def followers(v: View, params: MetricParams) -> pd.DataFrame:
    s = sums(follower_spans(v), followers=("followers_end", "sum"))
    return out(s, "followers")


def follower_share_of_population(v: View, params: MetricParams) -> pd.DataFrame:
    s = sums(follower_spans(v), followers=("followers_end", "sum"))
    population = pd.Series(float(v.population or 0), index=s.index)
    return out(s, ratio(s["followers"], population, 100.0))


def _growth(v: View) -> pd.DataFrame:
    spans = follower_spans(v)
    spans = spans[spans["end_ts"] > spans["start_ts"]].assign(span=lambda d: d["end_ts"] - d["start_ts"])
    g = sums(spans, fs=("followers_start", "sum"), fe=("followers_end", "sum"), span=("span", "mean"))
    return g.assign(weeks=g["span"] / WEEK_S)


def follower_growth_weekly(v: View, params: MetricParams) -> pd.DataFrame:
    g = _growth(v)
    weekly = (g["fe"].astype("float64") / g["fs"]) ** (1.0 / g["weeks"]) - 1.0
    return out(g, (weekly * 100.0).where((g["fs"] > 0) & (g["weeks"] > 0)))


def follower_growth(v: View, params: MetricParams) -> pd.DataFrame:
    g = _growth(v)
    return out(g, g["fe"] - g["fs"])


# --- penetration ----------------------------------------------------------------------------------


def interactions_per_post(v: View, params: MetricParams) -> pd.DataFrame:
    p = v.posts.assign(i=interactions(v.posts, params))
    s = sums(p, i=("i", "sum"), posts=("i", "size"))
    return out(s, ratio(s["i"], s["posts"]))


def _with_fans(v: View, posts: pd.DataFrame, basis: str) -> pd.DataFrame:
    if basis == "posting":
        return posts.assign(fans=posts["followers_at_posting"].astype("float64"))
    spans = follower_spans(v)
    if basis == "window_mean":
        fans = (spans["followers_start"] + spans["followers_end"]).astype("float64") / 2
    else:
        fans = spans["followers_end"].astype("float64")
    keys = ["entity", "period", "account_id"]
    return posts.merge(spans[keys].assign(fans=fans), on=keys, how="left")


def _fan_sums(p: pd.DataFrame, x: str, fans: str) -> pd.DataFrame:
    ok = p[fans].fillna(0) > 0
    p = p.assign(xo=p[x].where(ok), fo=p[fans].where(ok), ok=ok)
    return sums(p, x=("xo", "sum"), fans=("fo", "sum"), posts=("ok", "sum"))


def interaction_rate_post(v: View, params: MetricParams) -> pd.DataFrame:
    p = v.posts.assign(i=interactions(v.posts, params))
    s = _fan_sums(p, "i", "followers_at_posting")
    return out(s, ratio(s["x"], s["fans"], 100.0))


def interaction_rate_account(v: View, params: MetricParams) -> pd.DataFrame:
    p = _with_fans(v, v.posts.assign(i=interactions(v.posts, params)), str(params.account_rate_basis))
    s = _fan_sums(p, "i", "fans")
    return out(s, ratio(s["x"], s["fans"], 100.0))


def engagement_daily(v: View, params: MetricParams) -> pd.DataFrame:
    p = v.posts.assign(i=interactions(v.posts, params))
    daily = p.groupby(["entity", "period", "day"], sort=False)["i"].sum().reset_index()
    snaps = v.followers[v.followers["followers"].notna()].sort_values("ts", kind="stable")
    counts = (
        snaps.groupby(["entity", "account_id", "day"], sort=False)["followers"]
        .last()
        .rename("fans")
        .reset_index()
    )
    counts["d"] = pd.to_datetime(counts["day"], format="%Y-%m-%d")
    wanted = daily[["entity", "period", "day"]].merge(
        counts[["entity", "account_id"]].drop_duplicates(), on="entity"
    )
    wanted["d"] = pd.to_datetime(wanted["day"], format="%Y-%m-%d")
    # The last count on or before each post day, per account of the entity (an as-of join).
    asof = pd.merge_asof(
        wanted.sort_values("d"),
        counts[["entity", "account_id", "d", "fans"]].sort_values("d"),
        on="d",
        by=["entity", "account_id"],
        direction="backward",
    )
    fans = (
        asof.dropna(subset=["fans"])
        .groupby(["entity", "period", "day"], sort=False)["fans"]
        .sum()
        .reset_index()
    )
    d = daily.merge(fans, on=["entity", "period", "day"], how="left")
    ok = d["fans"].fillna(0) > 0
    d = d.assign(rate=ratio(d["i"], d["fans"]).where(ok))
    s = d.groupby(KEYS, sort=False)["rate"].sum(min_count=1).rename("rate_sum").reset_index()
    s = s.merge(v.periods.assign(days=days(v.periods))[["period", "days"]], on="period")
    return out(s, ratio(s["rate_sum"], s["days"], 100.0))


def _counted(p: pd.DataFrame, params: MetricParams, dimension: str) -> pd.Series:
    likes = n(p["like"]) if str(params.likes) == "like" else n(p["reactions"])
    if dimension == "p":
        return likes
    if dimension == "c":
        return n(p["comments"])
    if dimension == "v":
        return n(p["shares"])
    return likes + n(p["comments"]) + n(p["shares"])


def _bonson_share(dimension: str) -> Callable[[View, MetricParams], pd.DataFrame]:
    def compute(v: View, params: MetricParams) -> pd.DataFrame:
        p = v.posts.assign(hit=_counted(v.posts, params, dimension) > 0)
        s = sums(p, posts=("hit", "size"), hit=("hit", "sum"))
        return out(s, ratio(s["hit"], s["posts"], 100.0))

    return compute


def _bonson_per_post(dimension: str) -> Callable[[View, MetricParams], pd.DataFrame]:
    def compute(v: View, params: MetricParams) -> pd.DataFrame:
        p = v.posts.assign(x=_counted(v.posts, params, dimension))
        s = sums(p, posts=("x", "size"), x=("x", "sum"))
        return out(s, ratio(s["x"], s["posts"]))

    return compute


def _bonson_per_mille(dimension: str) -> Callable[[View, MetricParams], pd.DataFrame]:
    def compute(v: View, params: MetricParams) -> pd.DataFrame:
        p = _with_fans(v, v.posts.assign(x=_counted(v.posts, params, dimension)), str(params.follower_basis))
        s = _fan_sums(p, "x", "fans")
        return out(s, ratio(s["x"], s["fans"], 1000.0))

    return compute


def overperforming_share(v: View, params: MetricParams) -> pd.DataFrame:
    p = v.posts.assign(actual=interactions(v.posts, params), kind=v.posts["format"].fillna(""))
    group = ["entity", "account_id", "kind"]
    p = p.sort_values(["ts", "post_id"], ascending=False)
    # Row numbers from 0, as Ibis numbers rows.
    p["recency"] = p.groupby(group, sort=False).cumcount()
    recent = p[p["recency"] < params.overperforming_posts].sort_values(["actual", "post_id"])
    recent = recent.assign(rank=recent.groupby(group, sort=False).cumcount())
    recent["size"] = recent.groupby(group, sort=False)["rank"].transform("size")
    cut = recent["size"] // 4
    middle = recent[(recent["rank"] >= cut) & (recent["rank"] < recent["size"] - cut)]
    bench = middle.groupby(group, sort=False)["actual"].mean().rename("expected").reset_index()
    s = p.merge(bench, on=group)
    a, b, m = s["actual"].astype("float64"), s["expected"], params.overperforming_minimum
    floor = np.maximum(b, m)
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.select(
            [floor == 0, a >= b, b < m, a == 0], [np.nan, a / floor, -(b - a) / m, -2.0 * b], default=-b / a
        )
    s = s.assign(scored=~np.isnan(score), over=score > 1)
    t = sums(s, posts=("scored", "sum"), over=("over", "sum"))
    return out(t, ratio(t["over"], t["posts"], 100.0))


# --- perception -----------------------------------------------------------------------------------


def _typed(v: View) -> pd.DataFrame:
    known = v.posts[list(TYPED)].notna().any(axis=1)
    return v.posts[known]


def _reaction_share(names: tuple[str, ...]) -> Callable[[View, MetricParams], pd.DataFrame]:
    def compute(v: View, params: MetricParams) -> pd.DataFrame:
        p = _typed(v)
        counted = sum((n(p[name]) for name in names[1:]), n(p[names[0]]))
        summed = sum((n(p[name]) for name in TYPED), n(p["like"]))
        total = p["reactions"].fillna(summed)
        s = sums(p.assign(c=counted, t=total), c=("c", "sum"), t=("t", "sum"))
        return out(s, ratio(s["c"], s["t"], 100.0))

    return compute


def _sentiment_sums(v: View) -> pd.DataFrame:
    c = v.comments
    c = c[citizen(c) & c["sentiment"].notna()]
    c = c.assign(**{label: c["sentiment"] == label for label in ("positive", "neutral", "negative")})
    return sums(
        c,
        scored=("sentiment", "size"),
        positive=("positive", "sum"),
        neutral=("neutral", "sum"),
        negative=("negative", "sum"),
        score_sum=("sentiment_score", "sum"),
    )


def _comment_share(label: str) -> Callable[[View, MetricParams], pd.DataFrame]:
    def compute(v: View, params: MetricParams) -> pd.DataFrame:
        s = _sentiment_sums(v)
        return out(s, ratio(s[label], s["scored"], 100.0))

    return compute


def comments_scored(v: View, params: MetricParams) -> pd.DataFrame:
    return out(_sentiment_sums(v), "scored")


def net_sentiment(v: View, params: MetricParams) -> pd.DataFrame:
    s = _sentiment_sums(v)
    return out(s, ratio(s["positive"] - s["negative"], s["scored"], 100.0))


def mean_sentiment_score(v: View, params: MetricParams) -> pd.DataFrame:
    s = _sentiment_sums(v)
    return out(s, ratio(s["score_sum"], s["scored"]))


def _log_score(value: pd.Series, low: float, high: float) -> pd.Series:
    floored = value.where(~(value < low), low)
    scaled = (np.log10(floored) - np.log10(low)) * 100.0 / (np.log10(high) - np.log10(low))
    return scaled.where(~(scaled > 100.0), 100.0)


def _mean_of_present(*scores: pd.Series) -> pd.Series:
    present = sum(s.notna().astype("int64") for s in scores)
    total = sum(s.fillna(0) for s in scores)
    return ratio(total, present)


def _outer(*parts: pd.DataFrame) -> pd.DataFrame:
    table = parts[0]
    for part in parts[1:]:
        table = table.merge(part, on=KEYS, how="outer")
    return table


def influence_score(v: View, params: MetricParams) -> pd.DataFrame:
    snaps = v.followers[v.followers["followers"].notna()].sort_values("ts", kind="stable")
    last = snaps.groupby([*KEYS, "account_id"], sort=False)["followers"].last().reset_index()
    reach = last.groupby(KEYS, sort=False)["followers"].sum().reset_index()
    p = social(v)
    p = p[p["followers_at_posting"] > 0]
    e = sums(p.assign(i=interactions(p, params)), i=("i", "sum"), f=("followers_at_posting", "sum"))
    e = e.assign(rate=ratio(e["i"], e["f"], 100.0))[[*KEYS, "rate"]]
    t = threads(v)
    r = sums(t, asked=("answered", "size"), answered=("answered", "sum"))
    r = r.assign(rr=ratio(r["answered"], r["asked"], 100.0))[[*KEYS, "rr"]]
    table = _outer(reach, e, r)
    reach_score = _log_score(table["followers"].astype("float64"), 1.0, 1_000_000.0)
    engagement = _log_score(table["rate"], 0.01, 1.0)
    return out(table, _mean_of_present(reach_score, engagement, table["rr"]))


# --- purpose --------------------------------------------------------------------------------------


def threads(v: View) -> pd.DataFrame:
    """One row per citizen top-level comment, with the page's first reply to it."""
    c = v.comments
    page = ~citizen(c)
    replies = c[page & c["parent"].notna()]
    first = (
        replies.groupby(["post_id", "parent"], sort=False)["ts"].min().rename("first_reply_ts").reset_index()
    )
    top = c[c["parent"].isna() & ~page]
    t = top.merge(
        first, left_on=["post_id", "key"], right_on=["post_id", "parent"], how="left", suffixes=("", "_r")
    )
    gap = (t["first_reply_ts"] - t["ts"]).clip(lower=0)
    return pd.DataFrame(
        {
            "entity": t["entity"],
            "period": t["period"],
            "hour": t["hour"],
            "weekday": t["weekday"],
            "is_question": t["is_question"].fillna(False).astype(bool),
            "deleted": t["deleted"].fillna(False).astype(bool),
            "answered": t["first_reply_ts"].notna(),
            "hours": gap / 3600.0,
        }
    )


def response_rate(v: View, params: MetricParams) -> pd.DataFrame:
    s = sums(threads(v), asked=("answered", "size"), answered=("answered", "sum"))
    return out(s, ratio(s["answered"], s["asked"], 100.0))


def question_response_rate(v: View, params: MetricParams) -> pd.DataFrame:
    t = threads(v)
    t = t.assign(q=t["is_question"], qa=t["is_question"] & t["answered"])
    s = sums(t, asked=("q", "sum"), answered=("qa", "sum"))
    return out(s, ratio(s["answered"], s["asked"], 100.0))


def _office(t: pd.DataFrame, params: MetricParams) -> pd.Series:
    start, end = params.business_hours
    return (t["weekday"] < 5) & (t["hour"] >= start) & (t["hour"] < end)


def _time(
    q: float, where: Callable[[pd.DataFrame, MetricParams], pd.Series] | None = None
) -> Callable[[View, MetricParams], pd.DataFrame]:
    def compute(v: View, params: MetricParams) -> pd.DataFrame:
        t = threads(v)
        hours = t["hours"] if where is None else t["hours"].where(where(t, params))
        s = t.assign(h=hours).groupby(KEYS, sort=False)["h"].quantile(q).rename("value").reset_index()
        return out(s, "value")

    return compute


def service_level(v: View, params: MetricParams) -> pd.DataFrame:
    t = threads(v)
    s = sums(t.assign(h=t["answered"] | t["deleted"]), asked=("h", "size"), handled=("h", "sum"))
    return out(s, ratio(s["handled"], s["asked"], 100.0))


def replied_within_target(v: View, params: MetricParams) -> pd.DataFrame:
    t = threads(v)
    within = t["answered"] & (t["hours"] <= params.response_hours)
    s = sums(t.assign(w=within), asked=("w", "size"), within=("w", "sum"))
    return out(s, ratio(s["within"], s["asked"], 100.0))


def comments_waiting(v: View, params: MetricParams) -> pd.DataFrame:
    t = threads(v)
    s = sums(t.assign(w=~t["answered"] & ~t["deleted"]), waiting=("w", "sum"))
    return out(s, "waiting")


def socially_devoted(v: View, params: MetricParams) -> pd.DataFrame:
    rates = question_response_rate(v, params)
    value = (
        (rates["value"] >= params.socially_devoted * 100.0).astype("float64").where(rates["value"].notna())
    )
    return rates.assign(value=value)


def _checked_share(column: str) -> Callable[[View, MetricParams], pd.DataFrame]:
    def compute(v: View, params: MetricParams) -> pd.DataFrame:
        p = social(v)
        p = p[p[column].notna()]
        s = sums(p.assign(hit=p[column].astype(bool)), posts=("hit", "size"), hit=("hit", "sum"))
        return out(s, ratio(s["hit"], s["posts"], 100.0))

    return compute


def click_through_rate(v: View, params: MetricParams) -> pd.DataFrame:
    p = social(v)
    p = p[p["clicks"].notna() & p["views"].notna()]
    s = sums(p, clicks=("clicks", "sum"), views=("views", "sum"))
    return out(s, ratio(s["clicks"], s["views"], 100.0))


# --- two-way --------------------------------------------------------------------------------------


def _replies(v: View) -> pd.DataFrame:
    c = v.comments
    page = ~citizen(c)
    s = sums(
        c.assign(citizen=~page, reply=page & c["parent"].notna()), cc=("citizen", "sum"), pr=("reply", "sum")
    )
    return s.assign(per100=ratio(s["pr"], s["cc"], 100.0))


def page_replies_per_100_comments(v: View, params: MetricParams) -> pd.DataFrame:
    return out(_replies(v), "per100")


def two_way_index(v: View, params: MetricParams) -> pd.DataFrame:
    inv = _checked_share("invites_response")(v, params).rename(columns={"value": "share"})
    table = _outer(inv, _replies(v)[[*KEYS, "per100"]])
    answering = table["per100"].where(~(table["per100"] > 100.0), 100.0)
    return out(table, _mean_of_present(table["share"], answering))


# --- timeliness -----------------------------------------------------------------------------------


def _accepted(v: View, params: MetricParams) -> pd.DataFrame:
    m = v.matches
    ok = (m["similarity"].fillna(1.0) >= params.timeliness_similarity) & (m["delay_s"] >= 0)
    return m[ok & (m["delay_s"] <= params.timeliness_max_hours * 3600.0)]


def _release_delay(q: float) -> Callable[[View, MetricParams], pd.DataFrame]:
    def compute(v: View, params: MetricParams) -> pd.DataFrame:
        m = _accepted(v, params).sort_values("delay_s", kind="stable")
        first = m.groupby(["entity", "release_post_id"], sort=False).first().reset_index()
        first["hours"] = first["delay_s"] / 3600.0
        s = first.groupby(KEYS, sort=False)["hours"].quantile(q).rename("value").reset_index()
        return out(s, "value")

    return compute


def releases_followed_share(v: View, params: MetricParams) -> pd.DataFrame:
    r = v.releases
    m = _accepted(v, params)
    official = v.accounts.loc[v.accounts["status"].isin(OFFICIAL), "account_id"]
    followed = r["post_id"].isin(m.loc[m["account_id"].isin(official), "release_post_id"])
    s = sums(r.assign(f=followed), releases=("f", "size"), followed=("f", "sum"))
    return out(s, ratio(s["followed"], s["releases"], 100.0))


# --- attractiveness -------------------------------------------------------------------------------


def _per_format(fmt: str) -> Callable[[View, MetricParams], pd.DataFrame]:
    def compute(v: View, params: MetricParams) -> pd.DataFrame:
        p = social(v)
        p = p[p["format"] == fmt]
        s = sums(p.assign(i=interactions(p, params)), i=("i", "sum"), posts=("i", "size"))
        return out(s, ratio(s["i"], s["posts"]))

    return compute


def live_events(v: View, params: MetricParams) -> pd.DataFrame:
    p = social(v)
    s = sums(p.assign(live=p["format"] == "live"), live=("live", "sum"))
    return out(s, "live")


def live_participation(v: View, params: MetricParams) -> pd.DataFrame:
    """Citizen comments per live post: those collected, where a live post's comments were (the
    page's replies left out); the platform's count where they were not."""
    p = social(v)
    p = p[p["format"] == "live"]
    c = v.comments
    # Only the live posts' comments, once each (a comment has a row per entity it counts in).
    c = c[c["post_id"].isin(p["post_id"].unique())].drop_duplicates("comment_id")
    per_post = c.assign(citizen=citizen(c)).groupby("post_id")["citizen"].agg(["size", "sum"])
    collected = p["post_id"].map(per_post["size"]).notna()
    written = np.where(collected, p["post_id"].map(per_post["sum"]), n(p["comments"]))
    p = p.assign(c=pd.Series(written, index=p.index).astype("float64"))
    s = sums(p, c=("c", "sum"), live=("c", "size"))
    return out(s, ratio(s["c"], s["live"]))


METRICS: dict[str, Callable[[View, MetricParams], pd.DataFrame]] = {
    "accounts": accounts,
    "active_accounts": active_accounts,
    "dormant_share": dormant_share,
    "post_volume": post_volume,
    "posts_per_day": posts_per_day,
    "posts_per_week": posts_per_week,
    "followers": followers,
    "follower_share_of_population": follower_share_of_population,
    "follower_growth_weekly": follower_growth_weekly,
    "follower_growth": follower_growth,
    "interactions_per_post": interactions_per_post,
    "interaction_rate_post": interaction_rate_post,
    "interaction_rate_account": interaction_rate_account,
    "engagement_daily": engagement_daily,
    **{f"bonson_{d}1": _bonson_share(d) for d in "pcv"},
    **{f"bonson_{d}2": _bonson_per_post(d) for d in "pcv"},
    **{f"bonson_{d}3": _bonson_per_mille(d) for d in "pcv"},
    "bonson_e": _bonson_per_mille("e"),
    "overperforming_share": overperforming_share,
    **{
        f"reaction_{r}_share": _reaction_share((r,))
        for r in ("love", "haha", "angry", "sad", "wow", "care", "like")
    },
    "positive_reaction_share": _reaction_share(("love", "care")),
    "influence_score": influence_score,
    "comments_scored": comments_scored,
    **{f"comment_{label}_share": _comment_share(label) for label in ("positive", "neutral", "negative")},
    "net_sentiment": net_sentiment,
    "mean_sentiment_score": mean_sentiment_score,
    "response_rate": response_rate,
    "question_response_rate": question_response_rate,
    "response_time_median": _time(0.5),
    "response_time_p90": _time(0.9),
    "response_time_median_business_hours": _time(0.5, _office),
    "response_time_median_off_hours": _time(0.5, lambda t, params: ~_office(t, params)),
    "service_level": service_level,
    "replied_within_target": replied_within_target,
    "comments_waiting": comments_waiting,
    "socially_devoted": socially_devoted,
    "eservice_link_share": _checked_share("links_eservice"),
    "click_through_rate": click_through_rate,
    "invitation_share": _checked_share("invites_response"),
    "page_replies_per_100_comments": page_replies_per_100_comments,
    "two_way_index": two_way_index,
    "release_delay_median": _release_delay(0.5),
    "release_delay_p90": _release_delay(0.9),
    "releases_followed_share": releases_followed_share,
    **{f"interactions_per_post_{f}": _per_format(f) for f in ("text", "image", "video", "link", "live")},
    "live_events": live_events,
    "live_participation": live_participation,
}


def scorecard(
    frames: dict[str, pd.DataFrame],
    jurisdiction: str,
    population: int | None,
    levels: tuple[str, ...],
    kind: str,
    names: list[str],
    params: MetricParams | None = None,
) -> pd.DataFrame:
    """Every metric of ``names`` at every level: metric, level, entity, period, value."""
    params = params or MetricParams()
    parts = []
    for level in levels:
        view = make_view(frames, level, kind, jurisdiction, population)
        for name in names:
            part = METRICS[name](view, params)
            parts.append(part.assign(metric=name, level=level))
    return pd.concat(parts, ignore_index=True)
