"""Which accounts the levels count: the organisation, platform and government levels count the
official accounts (published, and archived: their posts were official when published); an account
under review counts at its own account level only (``view._with_entity``, ``OFFICIAL_STATUSES``).

One organisation, ``hkpf``, has a published, an archived and an under-review Facebook page (the
last maybe an alternate handle of the first); ``isd`` has a published X account and a press
release feed. Each page posts, is commented on and answers, has followers and retells a release.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from govsocial.analyze import frames as F
from govsocial.analyze.extract import extract
from govsocial.analyze.metrics import engines, scorecard
from govsocial.analyze.metrics.model import Level, PeriodKind, registry
from govsocial.store import tables as t
from tests.analyze.builders import build, hk
from tests.analyze.store_rows import Store
from tests.analyze.store_rows import hk as stored_hk

PUBLISHED, ARCHIVED, REVIEW, X, FEED = 1, 2, 3, 4, 5
ACCOUNTS = [
    {"account_id": PUBLISHED, "platform": "facebook", "status": "published"},
    {"account_id": ARCHIVED, "platform": "facebook", "status": "archived"},
    {"account_id": REVIEW, "platform": "facebook", "status": "under_review"},
    {"account_id": X, "platform": "x", "status": "published"},
    {"account_id": FEED, "platform": "rss", "status": "published"},
]
OWNERS = {PUBLISHED: "hkpf", ARCHIVED: "hkpf", REVIEW: "hkpf", X: "isd", FEED: "isd"}
#: Posts per social account: the one under review posts most, so that counting it shows.
POSTS = {PUBLISHED: 3, ARCHIVED: 2, REVIEW: 5, X: 2}
#: Followers per account (a snapshot at the start and one at the end of October).
FOLLOWERS = {PUBLISHED: 1_000, ARCHIVED: 200, REVIEW: 5_000, X: 300}
START = hk(2026, 10, 1, 9)
END = hk(2026, 10, 28, 18)  # the last row of the data: an official account's follower count


def _post(post_id: int, account: int, platform: str, ts: int, n: int) -> dict[str, Any]:
    return {
        "post_id": post_id,
        "account_id": account,
        "platform": platform,
        "ts": ts,
        "format": ("text", "image", "video", "link", "live")[(account + n) % 5],
        "text_length": 40 * n,
        "has_link": n % 2 == 0,
        "links_eservice": n % 3 == 0,
        "invites_response": n % 2 == 1,
        "followers_at_posting": FOLLOWERS.get(account),
        "reactions": 10 * account + n,
        "like": 8 * account + n,
        "love": account,
        "angry": n % 2,
        "comments": 2,
        "shares": n,
        "views": 100 * n,
        "clicks": 3 * n,
    }


def _comments(post: dict[str, Any], first_id: int) -> list[dict[str, Any]]:
    """A citizen's question and the page's answer an hour later."""
    base = {"post_id": post["post_id"], "account_id": post["account_id"], "platform": post["platform"]}
    question = {
        **base,
        "comment_id": first_id,
        "ts": post["ts"] + 1_800,
        "key": f"c{first_id}",
        "is_page_reply": False,
        "is_question": True,
        "author": f"citizen-{first_id % 3}",
        "sentiment": ("negative", "neutral", "positive")[first_id % 3],
        "sentiment_score": (-0.5, 0.0, 0.5)[first_id % 3],
    }
    answer = {
        **base,
        "comment_id": first_id + 1,
        "ts": post["ts"] + 5_400,
        "key": f"c{first_id + 1}",
        "parent": f"c{first_id}",
        "is_page_reply": True,
        "author": f"page-{post['account_id']}",
    }
    return [question, answer]


def _rows() -> dict[str, list[dict[str, Any]]]:
    """Every frame's rows as dictionaries (``build`` fills in the rest)."""
    posts: list[dict[str, Any]] = []
    for account, count in POSTS.items():
        platform = "x" if account == X else "facebook"
        for n in range(count):
            ts = START + (account * 5 + n) * 86_400 // 3
            posts.append(_post(100 * account + n, account, platform, ts, n))
    releases = [
        {"post_id": 900 + n, "account_id": FEED, "platform": "rss", "ts": START + n * 86_400}
        for n in range(3)
    ]
    comments = [c for i, post in enumerate(posts) for c in _comments(post, 10_000 + 2 * i)]
    followers = [
        {"account_id": account, "ts": ts, "followers": count + bump}
        for account, count in FOLLOWERS.items()
        for ts, bump in ((START, 0), (END - 3_600 * account, 10 * account))
    ]
    followers.append({"account_id": X, "ts": END, "followers": FOLLOWERS[X] + 50})
    matches = [
        _match(900, posts[0]),  # the published page retells the first release
        _match(901, next(p for p in posts if p["account_id"] == REVIEW)),  # only the page under review
        _match(902, next(p for p in posts if p["account_id"] == ARCHIVED)),
    ]
    return {
        "accounts": [{**a, "handle": f"a{a['account_id']}", "jurisdiction": "hk"} for a in ACCOUNTS],
        "owners": [
            {"account_id": a, "organisation": o, "organisation_kind": "department"} for a, o in OWNERS.items()
        ],
        "posts": [*posts, *releases],
        "comments": comments,
        "followers": followers,
        "matches": matches,
    }


def _match(release: int, post: dict[str, Any]) -> dict[str, Any]:
    return {
        "release_post_id": release,
        "release_account_id": FEED,
        "post_id": post["post_id"],
        "account_id": post["account_id"],
        "ts": post["ts"],
        "delay_s": 3_600,
        "similarity": 0.9,
    }


def _frames(without: int | None = None) -> F.Frames:
    """The frames, or the frames as if account ``without`` had never been listed nor collected."""
    rows = {name: [r for r in table if r.get("account_id") != without] for name, table in _rows().items()}
    frames = build("hk", 7_500_000, **rows)
    frames.validate()
    return frames


Scorecard = dict[tuple[str, str, str, str], dict[str, Any]]


def _scorecard(frames: F.Frames, con: Any = None) -> Scorecard:
    """Every metric at every level by month: (metric, level, entity, period) -> value and inputs."""
    con = con if con is not None else engines.duckdb(frames)
    table = scorecard.compute(con, "hk", frames.population, None, tuple(Level), PeriodKind.MONTH)
    return {
        (r["metric"], r["level"], r["entity"], r["period"]): {
            "value": r["value"],
            "inputs": json.loads(r["inputs"]),
        }
        for r in table.to_pylist()
    }


def _at(card: Scorecard, level: Level, entity: str | None = None) -> Scorecard:
    return {k: v for k, v in card.items() if k[1] == str(level) and (entity is None or k[2] == entity)}


@pytest.fixture(scope="module")
def card() -> Scorecard:
    return _scorecard(_frames())


@pytest.fixture(scope="module")
def never_listed() -> Scorecard:
    """The scorecard of the same government without the account under review."""
    return _scorecard(_frames(without=REVIEW))


@pytest.mark.parametrize("level", [Level.ORGANISATION, Level.PLATFORM, Level.GOVERNMENT])
def test_levels_above_the_account_count_every_metric_as_if_the_account_under_review_were_not_listed(
    card: Scorecard, never_listed: Scorecard, level: Level
) -> None:
    """Every metric, every entity of the level: posts, comments, followers, response times,
    timeliness, sentiment, live events... the same values and inputs, as if it did not exist."""
    assert _at(card, level) == _at(never_listed, level)
    metrics = {key[0] for key in _at(card, level)}
    assert metrics == set(registry()), "every metric has values at the level"


def test_the_account_under_review_keeps_its_own_account_level(
    card: Scorecard, never_listed: Scorecard
) -> None:
    own = _at(card, Level.ACCOUNT, str(REVIEW))
    assert own[("post_volume", "account", str(REVIEW), "2026-10")]["value"] == POSTS[REVIEW]
    assert own[("followers", "account", str(REVIEW), "2026-10")]["value"] == FOLLOWERS[REVIEW] + 10 * REVIEW
    assert own[("response_rate", "account", str(REVIEW), "2026-10")]["inputs"] == {
        "asked": POSTS[REVIEW],
        "answered": POSTS[REVIEW],
    }
    assert own[("release_delay_median", "account", str(REVIEW), "2026-10")]["value"] == 1.0
    # Not one of the registry's present accounts, as before (nor is the archived page).
    assert ("accounts", "account", str(REVIEW), "2026-10") not in own
    # The other accounts' own values do not depend on it; the feed's release that only the page
    # under review retold is not followed, at the feed's level as at every other.
    others = {k: v for k, v in _at(card, Level.ACCOUNT).items() if k[2] != str(REVIEW)}
    assert others == _at(never_listed, Level.ACCOUNT)
    followed = card[("releases_followed_share", "account", str(FEED), "2026-10")]
    assert followed["inputs"] == {"releases": 3, "followed": 2}


def test_the_organisation_counts_the_published_and_the_archived_page(card: Scorecard) -> None:
    def value(metric: str, level: str, entity: str) -> Any:
        return card[(metric, level, entity, "2026-10")]

    official = POSTS[PUBLISHED] + POSTS[ARCHIVED]
    assert value("post_volume", "organisation", "hkpf")["value"] == official
    assert value("post_volume", "platform", "facebook")["value"] == official
    assert value("post_volume", "government", "hk")["value"] == official + POSTS[X]
    assert value("followers", "organisation", "hkpf")["inputs"] == {
        "followers": FOLLOWERS[PUBLISHED] + 10 * PUBLISHED + FOLLOWERS[ARCHIVED] + 10 * ARCHIVED,
        "accounts": 2,
    }
    assert value("page_replies_per_100_comments", "organisation", "hkpf")["inputs"] == {
        "citizen_comments": official,
        "page_replies": official,
    }
    assert value("release_delay_median", "government", "hk")["inputs"] == {"releases": 2, "mean_hours": 1.0}
    assert value("accounts", "organisation", "hkpf")["value"] == 1  # present: the published page


def test_an_entity_with_accounts_under_review_only_has_no_rows() -> None:
    """Its only account under review, an organisation (and its platform) counts nothing: no rows,
    as for an organisation without accounts, rather than rows of zeros."""
    rows = _rows()
    rows["accounts"].append(
        {
            "account_id": 6,
            "platform": "threads",
            "status": "under_review",
            "handle": "t",
            "jurisdiction": "hk",
        }
    )
    rows["owners"].append({"account_id": 6, "organisation": "cmab", "organisation_kind": "bureau"})
    rows["posts"].append(_post(600, 6, "threads", START + 86_400, 1))
    card = _scorecard(build("hk", 7_500_000, **rows))
    assert not [k for k in card if k[2] in ("cmab", "threads")]
    assert card[("post_volume", "account", "6", "2026-10")]["value"] == 1


# --- the store: a retelling by an account under review does not stand in for the official one ------

RELEASE = "天文台發出八號烈風或暴風信號，市民應留在安全地方，遠離海旁。"
RETELLING = "【八號烈風或暴風信號】天文台發出八號信號，請市民留在安全地方，遠離海旁！"


def test_a_release_is_matched_to_the_first_official_post_not_one_under_review(
    engine: Engine, session: Session
) -> None:
    s = Store(session)
    s.jurisdiction("hk")
    hkpf, isd = s.organisation("hk-hkpf"), s.organisation("hk-isd")
    page = s.account("facebook", [hkpf])
    doubtful = s.account("facebook", [hkpf], status=t.AccountStatus.UNDER_REVIEW)
    retired = s.account("x", [hkpf], status=t.AccountStatus.ARCHIVED)
    feed = s.account("rss", [isd])
    released = stored_hk(2026, 10, 7, 10)
    release = s.post(feed, released, RELEASE)
    s.post(doubtful, released + dt.timedelta(hours=1), RETELLING)
    official = s.post(page, released + dt.timedelta(hours=3), RETELLING)
    second = s.post(feed, stored_hk(2026, 10, 8, 10), RELEASE + "（第二次）")
    archived = s.post(retired, stored_hk(2026, 10, 8, 12), RETELLING)
    session.commit()
    frames = extract(engine, "hk")
    matches = {m["release_post_id"]: m for m in frames.tables["matches"].to_pylist()}
    assert (matches[release]["post_id"], matches[release]["account_id"]) == (official, page)
    assert matches[release]["delay_s"] == 3 * 3600
    assert (matches[second]["post_id"], matches[second]["account_id"]) == (archived, retired)
    assert {a["account_id"]: a["status"] for a in frames.tables["accounts"].to_pylist()}[
        doubtful
    ] == "under_review"
