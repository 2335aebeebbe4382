"""Topics: Cantonese-aware segmentation, terms and phrases, the log-odds statistic, and the view.

``seed`` builds a small store (also used by the web and CLI tests): a week in which many comments
complain that 屯馬綫 is delayed again, after weeks in which people talked about buses.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import fields
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from govsocial.analyze.topics import rising as r
from govsocial.analyze.topics import view as tv
from govsocial.analyze.topics.segment import Word, default_segmenter, fold
from govsocial.analyze.topics.terms import comment_terms, frequent_phrases, join, keys_of, terms_of
from govsocial.store import tables as t
from govsocial.store.texts import CommentText
from tests.analyze.store_rows import Store, hk

HK = ZoneInfo("Asia/Hong_Kong")

#: The week compared (Monday 2026-09-14 to Sunday 2026-09-20, ISO week 38) and the one before.
NOW, BEFORE = dt.date(2026, 9, 16), dt.date(2026, 9, 9)
DELAY = "屯馬綫又延誤，真係離譜！"
BUS = "巴士班次好疏，等咗好耐"
THANKS = "Thanks for the update"
POST_NOW = "屯馬綫服務受阻，乘客請預留額外時間。"


def seed(session: Session) -> dict[str, int]:
    """The store the topic tests share; returns the ids they look up."""
    s = Store(session)
    s.jurisdiction()
    td = s.organisation("td")
    other = s.organisation("fehd")
    account = s.account("facebook", [td])
    elsewhere = s.account("facebook", [other])
    older = s.post(account, hk(2026, 8, 20), "巴士路線重組諮詢")
    for week in range(4):  # 2026-08-17 .. 2026-09-07: buses, thanks, a few delays
        day = dt.date(2026, 8, 17) + dt.timedelta(weeks=week)
        post = s.post(account, hk(day.year, day.month, day.day, 9), f"交通消息 {week}")
        for n in range(12):
            s.comment(post, hk(day.year, day.month, day.day, 10, n), BUS)
        for n in range(6):
            s.comment(post, hk(day.year, day.month, day.day, 11, n), THANKS)
        s.comment(post, hk(day.year, day.month, day.day, 12), "屯馬綫好迫")
    now_post = s.post(account, hk(2026, 9, 15, 8), POST_NOW)
    for n in range(25):
        s.comment(now_post, hk(2026, 9, 15, 9, n), DELAY)
    for n in range(10):
        s.comment(older, hk(2026, 9, 16, 10, n), BUS)
    s.comment(now_post, hk(2026, 9, 16, 11), "多謝你嘅查詢", is_page_reply=True)
    s.comment(now_post, hk(2026, 9, 16, 12), "屯馬綫延誤 deleted", deleted_at=hk(2026, 9, 16, 13))
    other_post = s.post(elsewhere, hk(2026, 9, 15), "街市清潔")
    for n in range(5):
        s.comment(other_post, hk(2026, 9, 15, 10, n), "街市好污糟")
    session.commit()
    return {"account": account, "elsewhere": elsewhere, "post_now": now_post, "older": older}


@pytest.fixture(autouse=True)
def _fresh_views() -> Iterator[None]:
    tv.clear_cache()
    yield
    tv.clear_cache()


# --- Segmentation ------------------------------------------------------------------------------


def words(text: str) -> list[str]:
    return [w.surface for w in default_segmenter().words(text) if w is not None]


def test_cantonese_words_are_one_token_and_particles_are_dropped() -> None:
    tokens = [tok for tok, _, _ in default_segmenter().tokens("佢哋話屯馬綫又延誤咗喎")]
    assert "佢哋" in tokens
    assert "屯马线" in tokens  # the folded (Simplified) form is what jieba sees
    kept = words("佢哋話屯馬綫又延誤咗喎，唔該搞掂佢啦")
    assert "屯馬綫" in kept and "延誤" in kept and "搞掂" in kept
    for particle in ("咗", "喎", "啦", "佢哋", "唔該"):
        assert particle not in kept


def test_hong_kong_terms_stay_whole() -> None:
    kept = words("北部都會區、公屋同強積金，食環署同康文署都要跟進")
    for term in ("北部都會區", "公屋", "強積金", "食環署", "康文署"):
        assert term in kept


def test_traditional_and_simplified_spellings_are_one_term() -> None:
    hant = comment_terms("公屋輪候時間太長")
    hans = comment_terms("公屋轮候时间太长")
    assert [k for k, _ in hant.words] == [k for k, _ in hans.words]
    assert ("公屋", "公屋") in hant.words
    assert dict(hant.words)[fold("輪候時間")] == "輪候時間"  # shown as written
    assert dict(hans.words)[fold("輪候時間")] == "轮候时间"


def test_english_is_lower_cased_and_noise_dropped() -> None:
    kept = words("Great VIDEO!! see https://example.com/x @someone 2026 #Scam 100%")
    assert "video" in kept and "great" in kept and "scam" in kept
    assert not any("http" in w or "example" in w or "someone" in w or w[:1].isdigit() for w in kept)
    assert "see" in kept and "the" not in words("the video")


def test_counted_amounts_and_fillers_are_not_terms() -> None:
    terms = comment_terms("公屋仲要等六年，等咗八個鐘")
    assert [surface for _, surface in terms.words] == ["公屋"]  # 鐘 alone is no term either
    assert "八號風球" in words("八號風球幾時除")  # a numeral inside a name stays


def test_emoji_are_terms_and_empty_text_has_none() -> None:
    terms = comment_terms("冇用😡😡")
    assert "😡" in dict(terms.words)
    assert comment_terms("  ").words == ()
    assert comment_terms("嘅咗啦喎").words == ()


# --- Terms and phrases -------------------------------------------------------------------------


def test_a_phrase_joins_a_split_word_and_needs_enough_comments() -> None:
    split = [Word("消费", "消費"), Word("券", "券", single=True), None, Word("延误", "延誤")]
    terms = terms_of(split)
    assert dict(terms.words) == {"消费": "消費", "延误": "延誤"}  # the lone 券 is no term by itself
    assert dict(terms.phrases) == {"消费券": "消費券"}  # ...but joins its neighbour; no phrase over a break
    assert join("stay", "safe") == "stay safe" and join("屯马线", "延误") == "屯马线延误"
    assert frequent_phrases([terms] * 2, minimum=3) == frozenset()
    common = frequent_phrases([terms] * 3, minimum=3)
    assert common == {"消费券"}
    assert keys_of(terms, common) == ["消费", "延误", "消费券"]


def test_adjacent_words_of_real_text_form_phrases() -> None:
    terms = comment_terms("屯馬綫延誤，stay safe")
    assert dict(terms.phrases) == {fold("屯馬綫延誤"): "屯馬綫延誤", "stay safe": "stay safe"}


# --- The statistic -----------------------------------------------------------------------------


def test_log_odds_matches_a_hand_computed_example() -> None:
    # a: 10 of 15 mentions now, 2 of 10 before; prior 3 pseudo-counts each (a_0 = 6):
    # delta = log(13 / (15 + 6 - 10 - 3)) - log(5 / (10 + 6 - 2 - 3)) = log(13/8) - log(5/11)
    scores = r.log_odds({"a": 10, "b": 5}, {"a": 2, "b": 8}, {"a": 3.0, "b": 3.0})
    a = scores["a"]
    assert a.delta == pytest.approx(1.2739651761, abs=1e-9)
    assert a.variance == pytest.approx(1 / 13 + 1 / 5)
    assert a.z == pytest.approx(1.2739651761 / math.sqrt(1 / 13 + 1 / 5), abs=1e-9)
    assert a.z == pytest.approx(2.4209063105, abs=1e-9)
    assert scores["b"].delta == pytest.approx(-a.delta)
    assert scores["b"].z < 0


def test_a_term_that_is_all_there_is_has_no_odds() -> None:
    assert r.log_odds({"only": 1}, {"only": 1}, {"only": 1.0}) == {}
    assert r.log_odds({}, {}, {}) == {}
    scores = r.log_odds({"only": 1}, {}, {"only": 1.0, "other": 1.0})
    assert scores["only"].delta > 0


def test_prior_is_proportional_to_history() -> None:
    assert r.prior_from({"a": 30, "b": 10, "c": 0}, 8.0) == {"a": 6.0, "b": 2.0}
    assert r.prior_from({}, 8.0) == {}


def test_rising_needs_enough_comments_and_orders_by_z() -> None:
    now = {"big": 40, "steady": 50, "rare": 2, "new": 12}
    before = {"big": 5, "steady": 50, "rare": 0, "new": 0}
    history = {"big": 60, "steady": 400, "rare": 2, "new": 12}
    weight = sum(now.values()) + sum(before.values())
    scores = r.log_odds(now, before, r.prior_from(history, weight))
    found = [s.term for s in r.rising(scores)]
    assert found[0] == "big"  # 5 -> 40 is surer than 0 -> 12
    assert "new" in found
    assert "rare" not in found  # 2 comments: below the minimum, however large its ratio
    assert "steady" not in found
    assert all(a.z >= b.z for a, b in zip(r.rising(scores), r.rising(scores)[1:], strict=False))


def test_overlapping_terms_with_as_many_comments_are_listed_once() -> None:
    items = [("加强宣传", 5), ("加强", 5), ("宣传", 5), ("政府加强", 5), ("政府", 8), ("宣传片", 1)]
    assert tv.distinct(items, lambda kv: kv, 10) == [("加强宣传", 5), ("政府", 8), ("宣传片", 1)]


# --- Periods -----------------------------------------------------------------------------------


def test_periods_are_cut_in_the_jurisdictions_zone() -> None:
    week = tv.period_of(dt.date(2026, 9, 16), tv.PeriodKind.WEEK, HK)
    assert week.label == "2026-W38"
    assert week.start == dt.datetime(2026, 9, 14, tzinfo=HK) and week.end == dt.datetime(
        2026, 9, 21, tzinfo=HK
    )
    assert tv.previous(week).label == "2026-W37"
    month = tv.period_of(dt.date(2026, 1, 31), tv.PeriodKind.MONTH, HK)
    assert (month.label, tv.previous(month).label) == ("2026-01", "2025-12")
    assert month.end == dt.datetime(2026, 2, 1, tzinfo=HK)
    assert [p.label for p in tv.window(week, 3)] == ["2026-W36", "2026-W37", "2026-W38"]
    with pytest.raises(ValueError, match="week or month"):
        tv.parse_period("day")


# --- The view on a store (SQLite and PostgreSQL) ----------------------------------------------


def test_view_finds_the_rising_terms_and_the_posts_that_drew_them(session: Session) -> None:
    ids = seed(session)
    subject = tv.resolve_subject(session, "hk", account=ids["account"])
    view = tv.topics(session, subject, tv.PeriodKind.WEEK, NOW)
    assert view is not None
    assert (view.period.label, view.previous.label) == ("2026-W38", "2026-W37")
    # 25 delays + 10 bus comments; the page's reply and the deleted comment are not counted
    assert (view.comments_now, view.comments_before) == (35, 19)
    terms = [x.term for x in view.rising]
    assert terms[0] in {"屯馬綫", "延誤", "屯馬綫延誤", "離譜"}
    assert {"延誤", "離譜"} <= set(terms)
    assert not {"巴士", "班次"} & set(terms)  # still talked about, but not more than before
    top = view.rising[0]
    assert top.now == 25 and top.posts[0].id == ids["post_now"] and top.posts[0].comments == 25
    assert top.posts[0].excerpt == POST_NOW
    delay = next(x for x in view.rising if x.term == "延誤")
    assert (delay.now, delay.before) == (25, 0)
    assert delay.share_now == pytest.approx(25 / 35)
    assert delay.z >= r.MIN_Z
    assert view.top[0].now == 25
    assert not view.sample


def test_view_of_the_latest_period_and_of_wider_subjects(session: Session) -> None:
    ids = seed(session)
    latest = tv.topics(session, tv.resolve_subject(session, "hk", account=ids["account"]))
    assert latest is not None and latest.period.label == "2026-W38"
    org = tv.topics(session, tv.resolve_subject(session, "hk", organisation="fehd"), tv.PeriodKind.MONTH)
    assert org is not None and org.comments_now == 5 and "街市" in {x.term for x in org.top}
    whole = tv.topics(session, tv.resolve_subject(session, "hk"), tv.PeriodKind.WEEK, NOW)
    assert whole is not None and whole.comments_now == 40


def test_wider_subjects_read_official_accounts_only(session: Session) -> None:
    """An account under review may be an official one's alternate handle, or not the government's:
    its comments are its own subject's, not its organisation's or the jurisdiction's (as in the
    metrics' levels); an archived account's still count."""
    seed(session)
    s = Store(session)
    fehd = session.scalars(select(t.Organisation.id).where(t.Organisation.code == "fehd")).one()
    doubtful = s.account("x", [fehd], status=t.AccountStatus.UNDER_REVIEW)
    retired = s.account("youtube", [fehd], status=t.AccountStatus.ARCHIVED)
    for account, text in ((doubtful, "垃圾站好臭"), (retired, "公廁好乾淨")):
        post = s.post(account, hk(2026, 9, 15), "通告")
        for n in range(5):
            s.comment(post, hk(2026, 9, 15, 11, n), text)
    session.commit()
    org = tv.topics(session, tv.resolve_subject(session, "hk", organisation="fehd"), tv.PeriodKind.MONTH)
    assert org is not None and org.comments_now == 10  # the market's 5 and the archived page's 5
    whole = tv.topics(session, tv.resolve_subject(session, "hk"), tv.PeriodKind.WEEK, NOW)
    assert whole is not None and whole.comments_now == 45
    alone = tv.topics(session, tv.resolve_subject(session, "hk", account=doubtful), tv.PeriodKind.MONTH)
    assert alone is not None and alone.comments_now == 5


def test_subjects_unknown_or_ambiguous_are_refused(session: Session) -> None:
    from govsocial.errors import NotFoundError

    seed(session)
    with pytest.raises(NotFoundError):
        tv.resolve_subject(session, "hk", account=9999)
    with pytest.raises(NotFoundError):
        tv.resolve_subject(session, "hk", organisation="nope")
    with pytest.raises(ValueError, match="not both"):
        tv.resolve_subject(session, "hk", account=1, organisation="td")


def test_a_subject_without_comments_has_no_view(session: Session) -> None:
    s = Store(session)
    s.jurisdiction()
    account = s.account("facebook", [s.organisation("td")])
    session.commit()
    assert tv.topics(session, tv.resolve_subject(session, "hk", account=account)) is None


def test_new_comments_change_a_kept_view(session: Session) -> None:
    ids = seed(session)
    subject = tv.resolve_subject(session, "hk", account=ids["account"])
    first = tv.topics(session, subject, tv.PeriodKind.WEEK, NOW)
    assert tv.topics(session, subject, tv.PeriodKind.WEEK, NOW) is first  # kept
    Store(session).comment(ids["post_now"], hk(2026, 9, 17), "公屋")
    session.commit()
    second = tv.topics(session, subject, tv.PeriodKind.WEEK, NOW)
    assert second is not first and second is not None and second.comments_now == 36


def test_comment_rows_carry_no_author() -> None:
    assert {f.name for f in fields(CommentText)} == {"id", "post_id", "created_at", "text", "sample"}
    assert "author" not in {f.name for f in fields(tv.RisingTerm)} | {f.name for f in fields(tv.PostRef)}
    assert t.Comment.author is not None  # the store has authors; the topic rows never read them
