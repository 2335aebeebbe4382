"""Extraction: store rows -> analytic frames, on SQLite and PostgreSQL (the ``engine`` fixture)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from govsocial.analyze import frames as F
from govsocial.analyze.extract import extract
from govsocial.analyze.metrics.params import MetricParams
from govsocial.errors import NotFoundError
from govsocial.store import tables as t
from tests.analyze.store_rows import Store, epoch, hk


@dataclass
class Ids:
    """The ids of the rows the scenario wrote."""

    fb: int
    x: int
    rss: int
    other: int
    fb_post: int
    x_post: int
    late_post: int
    no_like_post: int
    release: int
    retelling: int
    question: int
    reply: int
    deleted: int


RELEASE = "天文台發出八號烈風或暴風信號，市民應留在安全地方，遠離海旁。"
RETELLING = "【八號烈風或暴風信號】天文台發出八號信號，請市民留在安全地方，遠離海旁！"


def _scenario(session: Session) -> Ids:
    s = Store(session)
    s.jurisdiction("hk", domains=["gov.hk"])
    s.jurisdiction("mo", domains=[])
    hko = s.organisation("hk-hko")
    isd = s.organisation("hk-isd")
    bureau = s.organisation("hk-eeb", t.OrgType.BUREAU)
    elsewhere = s.organisation("mo-gov", t.OrgType.GOVERNMENT, jurisdiction="mo")
    fb = s.account("facebook", [hko, bureau])
    x = s.account("x", [hko])
    rss = s.account("rss", [isd])
    other = s.account("facebook", [elsewhere], jurisdiction="mo")

    s.followers(fb, hk(2026, 9, 28), 1000)
    s.followers(fb, hk(2026, 10, 2), 1100)
    s.followers(fb, hk(2026, 10, 3), None)  # a profile without a count is not a follower snapshot
    s.followers(other, hk(2026, 10, 2), 5)

    # 2026-09-30 17:30 UTC is 1:30 on 1 October in Hong Kong: October, not September.
    fb_post = s.post(
        fb,
        dt.datetime(2026, 9, 30, 17, 30, tzinfo=dt.UTC),
        "你點睇？詳情 https://www.gov.hk/tc/residents/",
        format="link",
        url="https://facebook.com/p/1",
    )
    s.snapshot(fb_post, hk(2026, 10, 1, 3), reactions={"like": 1}, comments=0)
    s.snapshot(
        fb_post, hk(2026, 10, 2), reactions={"like": 5, "love": 2, "angry": 1}, likes=5, comments=3, shares=4
    )
    x_post = s.post(x, hk(2026, 10, 5), "Typhoon signal No. 8 https://example.com/?next=gov.hk", link=None)
    s.snapshot(x_post, hk(2026, 10, 6), likes=7, shares=2, quotes=1, views=100)
    late_post = s.post(fb, hk(2026, 10, 20), None, followers_at_posting=None)
    no_like_post = s.post(fb, hk(2026, 10, 2, 18), "x", followers_at_posting=990)
    s.snapshot(no_like_post, hk(2026, 10, 3), reactions={"love": 3}, likes=9)
    s.post(other, hk(2026, 10, 2), "elsewhere")

    release = s.post(rss, hk(2026, 10, 7, 9), RELEASE, format="link")
    retelling = s.post(fb, hk(2026, 10, 7, 11), RETELLING)
    s.post(fb, hk(2026, 10, 7, 10), "今日天氣晴朗，歡迎市民參觀展覽。")  # earlier, unrelated

    question = s.comment(fb_post, hk(2026, 10, 1, 9), "幾時開始申請？", author="u1")
    reply = s.comment(
        fb_post,
        hk(2026, 10, 1, 10),
        "下星期一開始，多謝查詢。",
        is_page_reply=True,
        parent_comment_id="cq",
        comment_id="cr",
    )
    deleted = s.comment(fb_post, hk(2026, 10, 1, 11), "好", deleted_at=hk(2026, 10, 2))
    session.commit()
    return Ids(
        fb,
        x,
        rss,
        other,
        fb_post,
        x_post,
        late_post,
        no_like_post,
        release,
        retelling,
        question,
        reply,
        deleted,
    )


@pytest.fixture
def scenario(engine: Engine, session: Session) -> tuple[Engine, Ids]:
    return engine, _scenario(session)


def _by(table: Any, key: str) -> dict[Any, dict[str, Any]]:
    return {row[key]: row for row in table.to_pylist()}


def test_frames_have_the_schemas_and_only_this_jurisdictions_rows(scenario: tuple[Engine, Ids]) -> None:
    engine, ids = scenario
    frames = extract(engine, "hk")
    frames.validate()
    assert frames.jurisdiction == "hk" and frames.population == 7_524_100
    accounts = _by(frames.tables["accounts"], "account_id")
    assert set(accounts) == {ids.fb, ids.x, ids.rss}
    assert accounts[ids.fb]["status"] == "published" and accounts[ids.rss]["platform"] == "rss"
    assert ids.other not in {r["account_id"] for r in frames.tables["posts"].to_pylist()}
    assert {r["account_id"] for r in frames.tables["followers"].to_pylist()} == {ids.fb}


def test_owners_carry_organisation_code_and_kind(scenario: tuple[Engine, Ids]) -> None:
    engine, ids = scenario
    owners = {
        (r["account_id"], r["organisation"], r["organisation_kind"])
        for r in extract(engine, "hk").tables["owners"].to_pylist()
    }
    assert owners == {
        (ids.fb, "hk-hko", "department"),
        (ids.fb, "hk-eeb", "bureau"),
        (ids.x, "hk-hko", "department"),
        (ids.rss, "hk-isd", "department"),
    }


def test_posts_carry_the_latest_snapshot_with_reactions_spread(scenario: tuple[Engine, Ids]) -> None:
    engine, ids = scenario
    posts = _by(extract(engine, "hk").tables["posts"], "post_id")
    fb = posts[ids.fb_post]
    assert (fb["like"], fb["love"], fb["angry"], fb["haha"], fb["reactions"]) == (5, 2, 1, None, 8)
    assert (fb["comments"], fb["shares"]) == (3, 4)
    x = posts[ids.x_post]
    assert (x["reactions"], x["like"], x["love"], x["shares"], x["quotes"], x["views"]) == (
        7,
        7,
        None,
        2,
        1,
        100,
    )
    # Reaction types without a Like count: the platform's likes stand for the Likes.
    assert (posts[ids.no_like_post]["like"], posts[ids.no_like_post]["reactions"]) == (9, 3)
    assert posts[ids.late_post]["reactions"] is None  # no snapshot: unknown, not 0


def test_posts_come_account_by_account_in_time_order(scenario: tuple[Engine, Ids]) -> None:
    # The metrics group posts by account, faster over rows kept together; the scenario's posts
    # were stored out of that order (a Facebook post stored after later ones of another account).
    engine, _ = scenario
    posts = extract(engine, "hk").tables["posts"]
    keys = list(zip(*(posts[c].to_pylist() for c in ("account_id", "ts", "post_id")), strict=True))
    assert keys == sorted(keys)
    assert keys != sorted(keys, key=lambda k: k[2])  # not the order they were stored in
    assert len({account for account, _, _ in keys}) > 2


def test_times_are_epoch_seconds_with_the_calendar_in_local_time(scenario: tuple[Engine, Ids]) -> None:
    engine, ids = scenario
    post = _by(extract(engine, "hk").tables["posts"], "post_id")[ids.fb_post]
    assert post["ts"] == epoch(dt.datetime(2026, 9, 30, 17, 30, tzinfo=dt.UTC))
    assert (post["day"], post["month"], post["week"], post["hour"]) == (
        "2026-10-01",
        "2026-10",
        "2026-W40",
        1,
    )


def test_text_signals_use_the_jurisdictions_eservice_domains(scenario: tuple[Engine, Ids]) -> None:
    engine, ids = scenario
    posts = _by(extract(engine, "hk").tables["posts"], "post_id")
    fb, x, empty = posts[ids.fb_post], posts[ids.x_post], posts[ids.late_post]
    assert (fb["has_link"], fb["links_eservice"], fb["invites_response"]) == (True, True, True)
    assert fb["text_length"] == len("你點睇？詳情 https://www.gov.hk/tc/residents/")
    # gov.hk in a query string is not a link to gov.hk; a "?" inside a link is not a question.
    assert (x["has_link"], x["links_eservice"], x["invites_response"]) == (True, False, False)
    assert (empty["text_length"], empty["has_link"], empty["invites_response"]) == (0, False, False)


def test_a_missing_follower_count_at_posting_comes_from_the_latest_earlier_snapshot(
    scenario: tuple[Engine, Ids],
) -> None:
    engine, ids = scenario
    posts = _by(extract(engine, "hk").tables["posts"], "post_id")
    assert posts[ids.fb_post]["followers_at_posting"] == 1000  # 28 Sep snapshot, not the 2 Oct one
    assert posts[ids.no_like_post]["followers_at_posting"] == 990  # given by the source: kept
    assert posts[ids.late_post]["followers_at_posting"] is None  # 18 days after the last snapshot
    assert posts[ids.x_post]["followers_at_posting"] is None  # no snapshot of that account


def test_comments_carry_reply_structure_and_flags(scenario: tuple[Engine, Ids]) -> None:
    engine, ids = scenario
    comments = _by(extract(engine, "hk").tables["comments"], "comment_id")
    assert set(comments) == {ids.question, ids.reply, ids.deleted}
    question, reply, deleted = comments[ids.question], comments[ids.reply], comments[ids.deleted]
    assert (question["is_question"], question["is_page_reply"], question["author"]) == (True, False, "u1")
    assert (reply["is_page_reply"], reply["parent"], reply["key"], reply["is_question"]) == (
        True,
        "cq",
        "cr",
        False,
    )
    assert (deleted["deleted"], question["deleted"]) == (True, False)
    assert {c["account_id"] for c in comments.values()} == {ids.fb}
    assert {c["post_id"] for c in comments.values()} == {ids.fb_post}


def test_a_press_release_is_matched_to_the_first_similar_social_post(scenario: tuple[Engine, Ids]) -> None:
    engine, ids = scenario
    matches = extract(engine, "hk").tables["matches"].to_pylist()
    assert len(matches) == 1
    match = matches[0]
    assert (match["release_post_id"], match["release_account_id"]) == (ids.release, ids.rss)
    assert (match["post_id"], match["account_id"], match["delay_s"]) == (ids.retelling, ids.fb, 2 * 3600)
    assert match["similarity"] >= MetricParams().timeliness_similarity
    assert match["day"] == "2026-10-07"
    stricter = extract(engine, "hk", MetricParams(timeliness_max_hours=1)).tables["matches"]
    assert stricter.num_rows == 0


def test_periods_cover_the_data(scenario: tuple[Engine, Ids]) -> None:
    engine, _ = scenario
    periods = extract(engine, "hk").tables["periods"].to_pylist()
    months = {p["period"] for p in periods if p["kind"] == "month"}
    assert months == {"2026-09", "2026-10"}


def test_reading_in_small_chunks_gives_the_same_frames(scenario: tuple[Engine, Ids]) -> None:
    engine, _ = scenario
    whole, chunked = extract(engine, "hk"), extract(engine, "hk", chunk=2)
    for name in F.SCHEMAS:
        key = F.SCHEMAS[name].names[0]
        assert whole.tables[name].sort_by(key).equals(chunked.tables[name].sort_by(key)), name


def test_an_empty_jurisdiction_gives_empty_valid_frames(engine: Engine, session: Session) -> None:
    Store(session).jurisdiction("hk")
    session.commit()
    frames = extract(engine, "hk")
    frames.validate()
    assert all(table.num_rows == 0 for table in frames.tables.values())


def test_an_unknown_jurisdiction_is_not_found(engine: Engine) -> None:
    with pytest.raises(NotFoundError, match="zz"):
        extract(engine, "zz")
