"""The metrics benchmark's dataset: a government's year on social media, generated with numpy.

Deterministic (one seed), built directly as Arrow columns: 1 million posts and 10 million comments
take seconds, not minutes. The shape follows what collection stores (``govsocial.analyze.frames``):

* accounts on Facebook, Instagram, X, YouTube, Threads and press-release RSS feeds, each owned by
  one of ~120 organisations (5 % by two); a few archived or under review;
* posts spread over 2025 very unevenly (a few busy accounts post most), heavy-tailed interactions,
  Facebook's reaction types, counts a platform does not report left null, follower counts at
  posting, formats (text, image, video, link, live), some with insights (clicks);
* comments concentrated on popular posts; citizens' top-level comments (a third are questions),
  citizens' replies to each other, and the page's replies to about a fifth of the citizens'
  comments after a heavy-tailed delay (some twice, some in office hours); a few deleted;
* a follower snapshot per account and day, growing; press releases matched to social posts.

Calendar columns are cut in Hong Kong time (UTC+8 all year, no daylight saving since 1979), from
day numbers through small lookup tables; ``check_calendar`` compares a sample with
``frames.calendar``.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from govsocial.analyze import frames as F

SEED = 20251127
TZ = "Asia/Hong_Kong"
OFFSET_S = 8 * 3600
START = int(dt.datetime(2025, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=8))).timestamp())
YEAR_S = 365 * 86_400
ORGANISATIONS = 120
PLATFORMS = np.array(["facebook", "instagram", "x", "youtube", "threads", "rss"])
PLATFORM_SHARE = np.array([0.36, 0.18, 0.16, 0.08, 0.07, 0.15])
FORMATS = np.array(["text", "image", "video", "link", "live", "other"])
FORMAT_SHARE = np.array([0.18, 0.42, 0.16, 0.18, 0.02, 0.04])
#: Share of citizens' comments the page answers (once; a tenth of those twice).
ANSWERED = 0.2


def generate(accounts: int = 2_000, posts: int = 1_000_000, comments: int = 10_000_000) -> F.Frames:
    """The whole dataset as validated frames."""
    rng = np.random.default_rng(SEED)
    acc = _accounts(rng, accounts)
    tables = {"accounts": acc, "owners": _owners(rng, accounts)}
    tables["posts"] = _posts(rng, acc, posts)
    tables["comments"] = _comments(rng, tables["posts"], comments)
    tables["followers"] = _followers(rng, accounts)
    tables["matches"] = _matches(rng, tables["posts"])
    tables["periods"] = F.periods(tables, TZ)
    # Generated in time order (comments and matches above index them so); kept in the order the
    # store's extract gives them: by account, then time.
    order = pc.sort_indices(tables["posts"], [("account_id", "ascending"), ("ts", "ascending")])
    tables["posts"] = tables["posts"].take(order)
    frames = F.Frames("hk", 7_500_000, tables)
    frames.validate()
    return frames


# --- calendar -------------------------------------------------------------------------------------


def calendar(ts: np.ndarray) -> dict[str, pa.Array]:
    """Hong Kong calendar columns of epoch seconds: strings taken from per-day lookup tables."""
    local = ts + OFFSET_S
    day = local // 86_400
    first, last = int(day.min()), int(day.max())
    dates = [dt.date(1970, 1, 1) + dt.timedelta(days=d) for d in range(first, last + 1)]
    index = pa.array(day - first)
    labels = {
        "day": [d.isoformat() for d in dates],
        "week": [f"{d.isocalendar().year}-W{d.isocalendar().week:02d}" for d in dates],
        "month": [d.strftime("%Y-%m") for d in dates],
        "year": [str(d.year) for d in dates],
    }
    out: dict[str, pa.Array] = {name: pa.array(values).take(index) for name, values in labels.items()}
    out["hour"] = pa.array(((local % 86_400) // 3600).astype(np.int32))
    out["weekday"] = pa.array(((day + 3) % 7).astype(np.int32))  # 1970-01-01 was a Thursday; Monday = 0
    return out


def check_calendar(ts: np.ndarray) -> None:
    """The fast calendar agrees with ``frames.calendar`` (the time-zone database) on a sample."""
    sample = ts[:: max(1, len(ts) // 5_000)]
    fast = calendar(sample)
    slow = F.calendar(pa.array(sample), TZ)
    for name, column in fast.items():
        assert column.equals(pa.array(slow[name])), f"calendar column {name} differs"


# --- frames ---------------------------------------------------------------------------------------


def _accounts(rng: np.random.Generator, n: int) -> pa.Table:
    platform = PLATFORMS[rng.choice(len(PLATFORMS), n, p=PLATFORM_SHARE)]
    status = np.where(rng.random(n) < 0.95, "active", np.where(rng.random(n) < 0.5, "archived", "review"))
    ids = np.arange(1, n + 1, dtype=np.int64)
    return pa.table(
        {
            "account_id": ids,
            "platform": platform,
            "handle": pc.binary_join_element_wise("acct", pc.cast(pa.array(ids), pa.string()), ""),
            "status": status,
            "jurisdiction": np.full(n, "hk"),
        },
        schema=F.SCHEMAS["accounts"],
    )


def _owners(rng: np.random.Generator, n: int) -> pa.Table:
    ids = np.arange(1, n + 1, dtype=np.int64)
    first = rng.integers(0, ORGANISATIONS, n)
    shared = ids[rng.random(n) < 0.05]  # accounts run jointly by two organisations
    second = (first[shared - 1] + rng.integers(1, ORGANISATIONS, len(shared))) % ORGANISATIONS
    account = np.concatenate([ids, shared])
    org = np.concatenate([first, second])
    names = np.array([f"org{i:03d}" for i in range(ORGANISATIONS)])
    kinds = np.array(["bureau" if i < 15 else "department" for i in range(ORGANISATIONS)])
    return pa.table(
        {"account_id": account, "organisation": names[org], "organisation_kind": kinds[org]},
        schema=F.SCHEMAS["owners"],
    )


def _nullable(values: np.ndarray, missing: np.ndarray) -> pa.Array:
    return pa.array(values, pa.int64(), mask=missing)


def _posts(rng: np.random.Generator, accounts: pa.Table, n: int) -> pa.Table:
    n_acc = accounts.num_rows
    activity = rng.pareto(1.2, n_acc) + 0.05  # a few busy accounts post most
    account = rng.choice(n_acc, n, p=activity / activity.sum())
    platform = accounts.column("platform").to_numpy(zero_copy_only=False)[account]
    ts = START + np.sort(rng.integers(0, YEAR_S, n))  # post ids follow time, as in a store
    fb, x = platform == "facebook", platform == "x"
    rss = platform == "rss"
    fmt = FORMATS[rng.choice(len(FORMATS), n, p=FORMAT_SHARE)]
    fmt = np.where(rss, "link", fmt)
    audience = np.exp(rng.normal(9.0, 1.5, n_acc))[account]  # followers of the account
    reactions = np.floor(audience * np.exp(rng.normal(-5.0, 1.3, n))).astype(np.int64)
    reactions = np.where(rss, 0, reactions)
    like = np.where(fb, np.floor(reactions * rng.uniform(0.6, 0.95, n)), reactions).astype(np.int64)
    rest = reactions - like
    split = rng.dirichlet([3, 1.5, 1, 1, 1.5, 0.5], n)  # love, haha, wow, sad, angry, care
    typed = {name: np.floor(rest * split[:, i]).astype(np.int64) for i, name in enumerate(_TYPED)}
    comments_n = np.floor(reactions * rng.uniform(0.0, 0.25, n)).astype(np.int64)
    shares = np.floor(reactions * rng.uniform(0.0, 0.3, n)).astype(np.int64)
    video = np.isin(fmt, ["video", "live"])
    ids = np.arange(1, n + 1, dtype=np.int64)
    columns = {
        "post_id": ids,
        "account_id": account.astype(np.int64) + 1,
        "platform": platform,
        "ts": ts,
        **calendar(ts),
        "format": fmt,
        "text_length": rng.integers(0, 800, n).astype(np.int32),
        "has_link": (fmt == "link") | (rng.random(n) < 0.1),
        "links_eservice": pa.array(rng.random(n) < 0.06, mask=rng.random(n) < 0.1),
        "invites_response": pa.array(rng.random(n) < 0.2, mask=rss),
        "url": pc.binary_join_element_wise(
            "https://social.example/p/", pc.cast(pa.array(ids), pa.string()), ""
        ),
        "followers_at_posting": _nullable(np.floor(audience).astype(np.int64), rng.random(n) < 0.05),
        "reactions": _nullable(reactions, rss),
        "like": _nullable(like, rss),
        **{name: _nullable(values, ~fb) for name, values in typed.items()},
        "comments": _nullable(comments_n, rss),
        "shares": _nullable(shares, ~(fb | x | (platform == "threads"))),
        "views": _nullable(np.floor(audience * rng.uniform(0.05, 2.0, n)).astype(np.int64), ~video),
        "quotes": _nullable(np.floor(shares * 0.1).astype(np.int64), ~x),
        "replies": _nullable(np.floor(comments_n * 0.8).astype(np.int64), ~x),
        "clicks": _nullable(
            np.floor(reactions * rng.uniform(0.1, 3.0, n)).astype(np.int64), rng.random(n) > 0.1
        ),
    }
    return pa.table(columns, schema=F.SCHEMAS["posts"])


_TYPED = ("love", "haha", "wow", "sad", "angry", "care")


def _comments(rng: np.random.Generator, posts: pa.Table, n: int) -> pa.Table:
    """Citizens' comments (top-level and replies to each other) and the page's replies."""
    social = ~pc.equal(posts.column("platform"), "rss").to_numpy(zero_copy_only=False)
    weight = np.where(social, posts.column("reactions").fill_null(0).to_numpy() + 1.0, 0.0)
    answered = int(n * ANSWERED / (1 + ANSWERED * 1.1))
    twice = answered // 10
    page = answered + twice
    citizens = n - page
    # Sorted draws make the search walk the cumulative weights once, and give post order.
    post = np.searchsorted(np.cumsum(weight), np.sort(rng.random(citizens)) * weight.sum())
    wait = np.floor(rng.exponential(6 * 3600, citizens)).astype(np.int64)
    wait = np.sort((post.astype(np.int64) << 32) | np.minimum(wait, 2**31)) & 0xFFFFFFFF
    ts = posts.column("ts").to_numpy()[post] + wait  # a post's comments together, in time order
    # Citizens' replies to each other point at the comment before, on the same post.
    chatter = rng.random(citizens) < 0.1
    top = ~chatter
    # The page answers some top-level comments: the first reply after a heavy-tailed delay, a
    # tenth of them a second time later.
    top_idx = np.flatnonzero(top)
    pool = top_idx[rng.random(len(top_idx)) < min(1.0, 1.05 * answered / len(top_idx))]
    target = pool[np.linspace(0, len(pool) - 1, answered).astype(np.int64)]
    target = np.concatenate([target, target[:twice]])
    delay = np.minimum(np.floor(np.exp(rng.normal(8.5, 1.8, page))), 60 * 86_400).astype(np.int64) + 60
    delay[answered:] += 3600
    source = np.concatenate([np.arange(citizens), target])
    order_ts = np.concatenate([ts, ts[target] + delay])
    ids = np.arange(1, n + 1, dtype=np.int64)
    keys = pc.cast(pa.array(ids), pa.string())
    parent_idx = np.where(chatter, np.maximum(np.arange(citizens) - 1, 0), -1)  # the comment before
    same_post = np.zeros(citizens, dtype=bool)
    same_post[1:] = post[1:] == post[:-1]
    parent_idx = np.where(chatter & same_post, parent_idx, -1)
    parent_all = np.concatenate([parent_idx, target])
    has_parent = parent_all >= 0
    parent = pc.if_else(pa.array(has_parent), keys.take(pa.array(np.maximum(parent_all, 0))), None)
    posts_of = post[source]
    is_page = np.concatenate([np.zeros(citizens, bool), np.ones(page, bool)])
    account = posts.column("account_id").to_numpy()[posts_of]
    # A few citizens write most comments (log-uniform over 500,000 pseudonyms).
    citizen_id = np.floor(np.exp(rng.uniform(0, np.log(500_000), citizens))).astype(np.int64)
    author = pc.if_else(
        pa.array(is_page),
        pc.binary_join_element_wise("page-", pc.cast(pa.array(account), pa.string()), ""),
        pc.binary_join_element_wise(
            "u", pc.cast(pa.array(np.concatenate([citizen_id, np.zeros(page, int)])), pa.string()), ""
        ),
    )
    columns = {
        "comment_id": ids,
        "post_id": posts.column("post_id").to_numpy()[posts_of],
        "account_id": account,
        "platform": posts.column("platform").take(pa.array(posts_of)),
        "ts": order_ts,
        **calendar(order_ts),
        "key": keys,
        "parent": parent,
        "is_page_reply": is_page,
        "is_question": np.concatenate([(rng.random(citizens) < 0.33) & top, np.zeros(page, bool)]),
        "deleted": np.concatenate([rng.random(citizens) < 0.02, np.zeros(page, bool)]),
        "author": author,
        **_sentiment(ids, is_page),
    }
    return pa.table(columns, schema=F.SCHEMAS["comments"])


#: Stored sentiment of citizen comments, taken in turn by comment id (one in five not scored), so
#: the seeded draws, and every other column, stay what they were before comments had a sentiment.
_LABELS = np.array(["negative", "neutral", "positive", "positive", None], dtype=object)
_SCORES = np.array([-0.7, 0.05, 0.6, 0.3, np.nan])


def _sentiment(ids: np.ndarray, is_page: np.ndarray) -> dict[str, pa.Array]:
    turn = ids % len(_LABELS)
    unscored = is_page | (turn == len(_LABELS) - 1)  # page replies are never scored
    return {
        "sentiment": pa.array(np.where(unscored, None, _LABELS[turn]), pa.string()),
        "sentiment_score": pa.array(_SCORES[turn], pa.float64(), mask=unscored),
    }


def _followers(rng: np.random.Generator, n_acc: int) -> pa.Table:
    """One snapshot per account and day (collection runs daily), at a varying hour; growing."""
    days = 365
    base = np.exp(rng.normal(9.0, 1.5, n_acc))
    growth = rng.normal(0.0004, 0.0006, n_acc)
    account = np.repeat(np.arange(1, n_acc + 1, dtype=np.int64), days)
    day = np.tile(np.arange(days), n_acc)
    value = np.floor(np.repeat(base, days) * np.exp(np.repeat(growth, days) * day)).astype(np.int64)
    ts = START + day * 86_400 + rng.integers(3600, 20 * 3600, n_acc * days)
    columns = {
        "account_id": account,
        "ts": ts,
        **calendar(ts),
        "followers": _nullable(value, rng.random(len(ts)) < 0.01),
    }
    return pa.table(columns, schema=F.SCHEMAS["followers"])


def _matches(rng: np.random.Generator, posts: pa.Table) -> pa.Table:
    """Press releases matched to a later social post (70 % of releases; some too late or weak)."""
    platform = posts.column("platform").to_numpy(zero_copy_only=False)
    ts = posts.column("ts").to_numpy()
    release = np.flatnonzero(platform == "rss")
    release = release[rng.random(len(release)) < 0.7]
    social = np.flatnonzero(platform != "rss")
    delay = np.floor(rng.exponential(10 * 3600, len(release))).astype(np.int64) + 300
    # The first social post at or after the release time plus the delay (posts are sorted by time).
    at = np.minimum(np.searchsorted(ts[social], ts[release] + delay), len(social) - 1)
    post = social[at]
    when = ts[post]
    ids = posts.column("post_id").to_numpy()
    accounts = posts.column("account_id").to_numpy()
    columns = {
        "release_post_id": ids[release],
        "release_account_id": accounts[release],
        "post_id": ids[post],
        "account_id": accounts[post],
        "ts": when,
        **calendar(when),
        "delay_s": when - ts[release],
        "similarity": np.round(rng.uniform(0.2, 1.0, len(release)), 3),
    }
    return pa.table(columns, schema=F.SCHEMAS["matches"])
