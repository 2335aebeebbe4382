"""Two-way communication: posts that invite a response, page replies, and the two-way index."""

from __future__ import annotations

from typing import Any

import pytest

from govsocial.analyze.metrics.model import Level
from tests.analyze.builders import build, hk, run

OWNERS = [
    {"account_id": 1, "organisation": "isd", "organisation_kind": "department"},
    {"account_id": 2, "organisation": "isd", "organisation_kind": "department"},
    {"account_id": 2, "organisation": "cmab", "organisation_kind": "bureau"},
]


def _post(i: int, invites: bool | None, account: int = 1, platform: str = "facebook") -> dict[str, Any]:
    return {
        "post_id": i,
        "account_id": account,
        "platform": platform,
        "ts": hk(2026, 10, 5),
        "invites_response": invites,
    }


def _comment(i: int, parent: str | None = None, page: bool = False, account: int = 1) -> dict[str, Any]:
    return {
        "comment_id": i,
        "post_id": 1,
        "account_id": account,
        "platform": "facebook",
        "ts": hk(2026, 10, 5, 13),
        "key": f"k{i}",
        "parent": parent,
        "is_page_reply": page,
    }


POSTS = [
    _post(1, True),
    _post(2, False),
    _post(3, False),
    _post(4, False),
    _post(5, None),  # not classified: left out
    _post(6, True, platform="rss"),  # a press release, not a social post
]
COMMENTS = [
    _comment(1),
    _comment(2),
    _comment(3),
    _comment(4, parent="k1"),  # a citizen answering a citizen counts as a citizen comment
    _comment(5, parent="k1", page=True),
    _comment(6, parent="k2", page=True),
    _comment(7, page=True),  # the page's own top-level comment is neither
]


def _one(name: str, level: Level = Level.ACCOUNT, **frames: Any) -> dict[str, Any]:
    rows = run(build(**frames), name, level)
    assert len(rows) == 1, rows
    return rows[0]


def test_invitation_share_over_classified_social_posts() -> None:
    row = _one("invitation_share", posts=POSTS)
    assert row["inputs"] == {"posts": 4, "inviting_posts": 1}
    assert row["value"] == pytest.approx(25.0)


def test_page_replies_per_100_citizen_comments() -> None:
    row = _one("page_replies_per_100_comments", comments=COMMENTS)
    assert row["inputs"] == {"citizen_comments": 4, "page_replies": 2}
    assert row["value"] == pytest.approx(50.0)


def test_two_way_index_is_the_mean_of_its_two_parts() -> None:
    row = _one("two_way_index", posts=POSTS, comments=COMMENTS)
    assert row["inputs"]["invitation_share"] == pytest.approx(25.0)
    assert row["inputs"]["replies_per_100"] == pytest.approx(50.0)
    assert row["value"] == pytest.approx(37.5)


def test_two_way_index_caps_replies_at_100_per_100_comments() -> None:
    comments = [_comment(1), *(_comment(i, parent="k1", page=True) for i in range(2, 5))]
    row = _one("two_way_index", posts=POSTS, comments=comments)
    assert row["inputs"]["replies_per_100"] == pytest.approx(300.0)
    assert row["value"] == pytest.approx((25.0 + 100.0) / 2)


def test_two_way_index_without_comments_is_the_invitation_share() -> None:
    row = _one("two_way_index", posts=POSTS)
    assert row["inputs"]["replies_per_100"] is None
    assert row["value"] == pytest.approx(25.0)


def test_a_page_that_only_pushes_information_scores_zero() -> None:
    row = _one("two_way_index", posts=[_post(1, False)], comments=[_comment(1)])
    assert row["value"] == 0.0


def test_two_way_metrics_at_organisation_level() -> None:
    posts = [*POSTS, _post(7, True, account=2)]
    comments = [*COMMENTS, _comment(8, account=2)]
    rows = run(build(posts=posts, comments=comments, owners=OWNERS), "two_way_index", Level.ORGANISATION)
    got = {r["entity"]: r for r in rows}
    assert got["isd"]["inputs"]["posts"] == 5 and got["isd"]["inputs"]["citizen_comments"] == 5
    assert got["isd"]["value"] == pytest.approx((40.0 + 40.0) / 2)
    assert got["cmab"]["value"] == pytest.approx((100.0 + 0.0) / 2)
