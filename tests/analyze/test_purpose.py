"""Purpose: response to citizens (rate, time, service level, waiting comments), e-services, clicks."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from govsocial.analyze import frames as F
from govsocial.analyze.metrics import engines, scorecard
from govsocial.analyze.metrics.model import Level, PeriodKind
from govsocial.analyze.metrics.params import MetricParams
from govsocial.analyze.metrics.purpose import service_level_percent, waiting_comments
from govsocial.analyze.metrics.view import make_view
from tests.analyze.builders import build, hk, run

MONDAY = (2026, 10, 5)
SATURDAY = (2026, 10, 10)
OWNERS = [
    {"account_id": 1, "organisation": "isd", "organisation_kind": "department"},
    {"account_id": 2, "organisation": "isd", "organisation_kind": "department"},
    {"account_id": 2, "organisation": "cmab", "organisation_kind": "bureau"},
]


class Thread:
    """Comment rows built one thread at a time: a citizen's comment and the page's replies."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def comment(self, ts: int, account: int = 1, post: int = 1, **extra: Any) -> str:
        key = f"c{len(self.rows)}"
        self.rows.append(self._row(ts, account, post, key, None, False, **extra))
        return key

    def reply(self, parent: str, ts: int, account: int = 1, post: int = 1, page: bool = True) -> None:
        self.rows.append(self._row(ts, account, post, f"r{len(self.rows)}", parent, page))

    def _row(
        self, ts: int, account: int, post: int, key: str, parent: str | None, page: bool, **extra: Any
    ) -> dict[str, Any]:
        return {
            "comment_id": len(self.rows) + 1,
            "post_id": post,
            "account_id": account,
            "platform": "facebook",
            "ts": ts,
            "key": key,
            "parent": parent,
            "is_page_reply": page,
            **extra,
        }


def _one(rows: list[dict[str, Any]], entity: str = "1", period: str = "2026-10") -> dict[str, Any]:
    found = [r for r in rows if r["entity"] == entity and r["period"] == period]
    assert len(found) == 1, rows
    return found[0]


def _golden() -> Thread:
    """Fanpage Karma's published response-time example: first replies after 0.17, 0.75, 2, 20, 0.88 h."""
    t = Thread()
    start = hk(*MONDAY, 10)
    for hours in (0.17, 0.75, 2, 20, 0.88):
        key = t.comment(start)
        t.reply(key, start + round(hours * 3600))
    return t


def test_response_time_median_is_fanpage_karmas_published_example() -> None:
    # academy.fanpagekarma.com, response time: 0.17, 0.75, 2, 20, 0.88 h -> median 0.88 h (mean 4.76 h).
    row = _one(run(build(comments=_golden().rows), "response_time_median"))
    assert row["value"] == pytest.approx(0.88)
    assert row["inputs"]["answered"] == 5
    assert row["inputs"]["mean_hours"] == pytest.approx(4.76)


def test_response_time_p90_interpolates_linearly() -> None:
    row = _one(run(build(comments=_golden().rows), "response_time_p90"))
    # Sorted 0.17, 0.75, 0.88, 2, 20: position 0.9 x 4 = 3.6 -> 2 + 0.6 x (20 - 2).
    assert row["value"] == pytest.approx(12.8)


def test_response_time_runs_to_the_first_page_reply_only() -> None:
    t = Thread()
    key = t.comment(hk(*MONDAY, 10))
    t.reply(key, hk(*MONDAY, 13), page=False)  # another citizen answering is not the page
    t.reply(key, hk(*MONDAY, 12))
    t.reply(key, hk(*MONDAY, 11))
    t.reply(key, hk(*MONDAY, 15))
    row = _one(run(build(comments=t.rows), "response_time_median"))
    assert row["value"] == pytest.approx(1.0)
    assert row["inputs"]["answered"] == 1


def test_a_reply_stamped_before_its_comment_waited_zero_hours() -> None:
    t = Thread()
    key = t.comment(hk(*MONDAY, 10))
    t.reply(key, hk(*MONDAY, 9, 59))
    assert _one(run(build(comments=t.rows), "response_time_median"))["value"] == 0.0


def _mixed() -> Thread:
    """Three citizen comments (one a question), a page comment, a citizen reply; two answered."""
    t = Thread()
    answered = t.comment(hk(*MONDAY, 10), is_question=True)
    t.reply(answered, hk(*MONDAY, 12))
    other = t.comment(hk(*MONDAY, 11))
    t.reply(other, hk(*MONDAY, 11, 30), page=False)  # a citizen's reply: not an answer, not asked
    later = t.comment(hk(*MONDAY, 11))
    t.reply(later, hk(*MONDAY, 20))
    t.rows.append({**t._row(hk(*MONDAY, 9), 1, 1, "page-note", None, True)})  # the page's own comment
    return t


def test_response_rate_counts_citizen_top_level_comments_answered_by_the_page() -> None:
    row = _one(run(build(comments=_mixed().rows), "response_rate"))
    assert row["inputs"] == {"asked": 3, "answered": 2}
    assert row["value"] == pytest.approx(200 / 3)


def test_question_response_rate_counts_questions_only() -> None:
    t = _mixed()
    t.comment(hk(*MONDAY, 14), is_question=True)  # an unanswered question
    row = _one(run(build(comments=t.rows), "question_response_rate"))
    assert row["inputs"] == {"asked": 2, "answered": 1}
    assert row["value"] == pytest.approx(50.0)


def test_without_questions_the_question_rate_is_null_not_zero() -> None:
    t = Thread()
    t.comment(hk(*MONDAY, 10))
    row = _one(run(build(comments=t.rows), "question_response_rate"))
    assert row["value"] is None and row["inputs"] == {"asked": 0, "answered": 0}


def test_a_comment_belongs_to_the_period_it_was_written_in_even_if_answered_later() -> None:
    t = Thread()
    key = t.comment(hk(2026, 10, 31, 23))
    t.reply(key, hk(2026, 11, 2, 9))
    rows = run(build(comments=t.rows), "response_rate")
    assert [(r["period"], r["value"]) for r in rows] == [("2026-10", 100.0)]
    assert _one(run(build(comments=t.rows), "response_time_median"))["value"] == pytest.approx(34.0)


def test_periods_without_comments_have_no_response_values() -> None:
    posts = [{"post_id": 1, "account_id": 1, "platform": "facebook", "ts": hk(2026, 9, 1)}]
    t = Thread()
    t.comment(hk(*MONDAY, 10))
    frames = build(posts=posts, comments=t.rows)
    for name in ("response_rate", "response_time_median", "service_level", "comments_waiting"):
        assert [r["period"] for r in run(frames, name)] == ["2026-10"], name


def test_unanswered_comments_give_a_null_response_time() -> None:
    t = Thread()
    t.comment(hk(*MONDAY, 10))
    row = _one(run(build(comments=t.rows), "response_time_median"))
    assert row["value"] is None and row["inputs"]["answered"] == 0
    # Counted over answered threads only and joined on: none answered is 0 answered, not unknown.
    business = _one(run(build(comments=t.rows), "response_time_median_business_hours"))
    assert business["value"] is None and business["inputs"]["answered"] == 0
    missed = _one(run(build(comments=t.rows), "replied_within_target"))
    assert missed["value"] == 0.0 and missed["inputs"] == {"asked": 1, "within_target": 0}


def _office() -> Thread:
    t = Thread()
    for when, wait in (((*MONDAY, 10), 1), ((*MONDAY, 20), 5), ((*SATURDAY, 10), 9)):
        key = t.comment(hk(*when))
        t.reply(key, hk(*when) + wait * 3600)
    return t


def test_business_and_off_hours_split_by_the_comments_local_time() -> None:
    frames = build(comments=_office().rows)
    business = _one(run(frames, "response_time_median_business_hours"))
    off = _one(run(frames, "response_time_median_off_hours"))
    assert (business["value"], business["inputs"]["answered"]) == (1.0, 1)
    assert (off["value"], off["inputs"]["answered"]) == (7.0, 2)  # Monday 20:00 and Saturday 10:00


def test_business_hours_parameter_moves_the_evening_into_office_hours() -> None:
    params = MetricParams(business_hours=(8, 21))
    frames = build(comments=_office().rows)
    assert _one(run(frames, "response_time_median_business_hours", params=params))["value"] == 3.0
    assert _one(run(frames, "response_time_median_off_hours", params=params))["value"] == 9.0


def test_service_level_is_fanpage_karmas_published_arithmetic() -> None:
    # academy.fanpagekarma.com, service level: 20 user posts, 4 liked, 5 answered, 2 deleted -> 55 %.
    assert service_level_percent(20, liked=4, answered=5, deleted=2) == pytest.approx(55.0)
    assert service_level_percent(0, 0, 0, 0) is None


def test_service_level_counts_replies_and_deletions_once_each_comment() -> None:
    t = Thread()
    for i in range(20):
        key = t.comment(hk(*MONDAY, 10), deleted=i in (5, 6) or i == 0)
        if i < 5:
            t.reply(key, hk(*MONDAY, 11))
    # The published example without page likes (our data has none): 5 answered + 2 deleted of 20;
    # comment 0 was answered and then deleted, and counts once.
    row = _one(run(build(comments=t.rows), "service_level"))
    assert row["inputs"] == {"asked": 20, "answered": 5, "deleted": 3, "handled": 7}
    assert row["value"] == pytest.approx(35.0)


def test_replied_within_target_counts_unanswered_comments_as_missed() -> None:
    t = Thread()
    start = hk(*MONDAY, 10)
    for hours in (1, 10, 30):
        t.reply(t.comment(start), start + hours * 3600)
    t.comment(start)
    row = _one(run(build(comments=t.rows), "replied_within_target"))
    assert row["inputs"] == {"asked": 4, "within_target": 2}
    assert row["value"] == pytest.approx(50.0)
    stricter = run(build(comments=t.rows), "replied_within_target", params=MetricParams(response_hours=2))
    assert _one(stricter)["value"] == pytest.approx(25.0)


def test_comments_waiting_leaves_out_answered_and_deleted_comments() -> None:
    t = _mixed()
    t.comment(hk(*MONDAY, 15), deleted=True)
    row = _one(run(build(comments=t.rows), "comments_waiting"))
    assert row["value"] == 1.0 and row["inputs"] == {"asked": 4, "waiting": 1}


def _questions(answered: int, asked: int) -> list[dict[str, Any]]:
    t = Thread()
    for i in range(asked):
        key = t.comment(hk(*MONDAY, 10), is_question=True)
        if i < answered:
            t.reply(key, hk(*MONDAY, 11))
    return t.rows


def test_socially_devoted_uses_the_65_percent_bar_on_questions() -> None:
    frames = build(comments=_questions(2, 3))  # 66.7 % answered
    row = _one(run(frames, "socially_devoted"))
    assert row["value"] == 1.0 and row["inputs"]["rate"] == pytest.approx(200 / 3)
    assert _one(run(frames, "socially_devoted", params=MetricParams(socially_devoted=0.7)))["value"] == 0.0
    assert _one(run(build(comments=_questions(1, 2)), "socially_devoted"))["value"] == 0.0


def test_socially_devoted_is_null_without_questions() -> None:
    t = Thread()
    t.comment(hk(*MONDAY, 10))
    assert _one(run(build(comments=t.rows), "socially_devoted"))["value"] is None


def test_response_rate_at_organisation_level_pools_accounts_and_counts_shared_ones_for_each() -> None:
    t = Thread()
    t.reply(t.comment(hk(*MONDAY, 10), account=1, post=1), hk(*MONDAY, 11), account=1, post=1)
    t.comment(hk(*MONDAY, 10), account=2, post=2)
    t.comment(hk(*MONDAY, 10), account=2, post=2)
    rows = run(build(comments=t.rows, owners=OWNERS), "response_rate", Level.ORGANISATION)
    got = {r["entity"]: (r["value"], r["inputs"]) for r in rows}
    assert got["isd"] == (pytest.approx(100 / 3), {"asked": 3, "answered": 1})
    assert got["cmab"] == (0.0, {"asked": 2, "answered": 0})


def test_threads_on_different_posts_do_not_mix_even_with_equal_keys() -> None:
    t = Thread()
    t.reply(t.comment(hk(*MONDAY, 10), post=1), hk(*MONDAY, 11), post=1)
    t.rows.append({**t.rows[0], "comment_id": 99, "post_id": 2})  # same key "c0" on another post
    row = _one(run(build(comments=t.rows), "response_rate", Level.GOVERNMENT), entity="hk")
    assert row["inputs"] == {"asked": 2, "answered": 1}


def _posts() -> list[dict[str, Any]]:
    def post(i: int, **extra: Any) -> dict[str, Any]:
        return {"post_id": i, "account_id": 1, "platform": "facebook", "ts": hk(*MONDAY, 9), **extra}

    return [
        post(1, links_eservice=True, clicks=30, views=1000),
        post(2, links_eservice=False, clicks=10, views=1000),
        post(3, links_eservice=False, views=500),  # no clicks reported: left out of click-through
        post(4),  # links not checked: left out of the e-service share
        post(5, platform="rss", links_eservice=True, clicks=1, views=1),  # a press release, not a post
    ]


def test_eservice_link_share_over_checked_social_posts() -> None:
    row = _one(run(build(posts=_posts()), "eservice_link_share"))
    assert row["inputs"] == {"posts": 3, "eservice_posts": 1}
    assert row["value"] == pytest.approx(100 / 3)


def test_click_through_rate_over_posts_with_both_numbers() -> None:
    row = _one(run(build(posts=_posts()), "click_through_rate"))
    assert row["inputs"] == {"posts": 2, "clicks": 40, "views": 2000}
    assert row["value"] == pytest.approx(2.0)


def test_click_through_rate_is_absent_without_insights() -> None:
    posts = [{"post_id": 1, "account_id": 1, "platform": "x", "ts": hk(*MONDAY), "views": 100}]
    assert run(build(posts=posts), "click_through_rate") == []


def test_eservice_share_at_organisation_level() -> None:
    extra = {"post_id": 9, "account_id": 2, "platform": "x", "ts": hk(*MONDAY), "links_eservice": True}
    posts = [*_posts(), extra]
    rows = run(build(posts=posts, owners=OWNERS), "eservice_link_share", Level.ORGANISATION)
    got = {r["entity"]: r["inputs"] for r in rows}
    assert got == {"isd": {"posts": 4, "eservice_posts": 2}, "cmab": {"posts": 1, "eservice_posts": 1}}


def _waiting_list(frames: F.Frames, **kwargs: Any) -> list[dict[str, Any]]:
    view = make_view(engines.duckdb(frames), Level.ACCOUNT, PeriodKind.MONTH, "hk", None)
    rows: list[dict[str, Any]] = waiting_comments(view, MetricParams(), **kwargs).to_pyarrow().to_pylist()
    return rows


def test_waiting_comments_lists_unanswered_comments_longest_wait_first() -> None:
    t = _mixed()
    t.comment(hk(*MONDAY, 15), deleted=True)
    t.comment(hk(*MONDAY, 16), is_question=True)
    listed = _waiting_list(build(comments=t.rows))
    # Waits run to the latest time in the data: the page's reply at 20:00. Comment 3 (11:00) has only
    # a citizen's reply; comment 8 was deleted; the question (16:00) is new.
    got = [(r["comment_id"], r["hours_waiting"], r["is_question"]) for r in listed]
    assert got == [(3, 9.0, False), (9, 4.0, True)]
    assert set(listed[0]) == {
        "comment_id",
        "post_id",
        "entity",
        "period",
        "ts",
        "is_question",
        "hours_waiting",
    }


def test_waiting_comments_as_of_a_time_and_limited() -> None:
    t = Thread()
    for hour in (10, 11, 12):
        t.comment(hk(*MONDAY, hour))
    listed = _waiting_list(build(comments=t.rows), limit=2, as_of=hk(*MONDAY, 22))
    assert [r["hours_waiting"] for r in listed] == [12.0, 11.0]


def _documented_metrics(parameter: str) -> set[str]:
    """The metrics docs/metrics.md's parameter table says ``parameter`` changes (its last column)."""
    docs = Path(__file__).resolve().parents[2] / "docs" / "metrics.md"
    [row] = [
        line
        for line in docs.read_text(encoding="utf-8").splitlines()
        if line.startswith(f"| `{parameter}` |")
    ]
    return set(re.findall(r"`([a-z0-9_]+)`", row.rstrip(" |").rsplit("|", 1)[1]))


def _every_value(frames: F.Frames, params: MetricParams) -> dict[tuple[str, str, str], float | None]:
    con = engines.duckdb(frames)
    table = scorecard.compute(con, "hk", None, params, [Level.ACCOUNT], PeriodKind.MONTH, None)
    return {(r["metric"], r["entity"], r["period"]): r["value"] for r in table.to_pylist()}


@pytest.mark.parametrize(
    "changed",
    [
        MetricParams(response_hours=2),
        MetricParams(business_hours=(8, 21)),
        MetricParams(socially_devoted=0.7),
    ],
    ids=["response_hours", "business_hours", "socially_devoted"],
)
def test_each_response_parameter_changes_the_metrics_the_docs_name_and_no_other(
    changed: MetricParams,
) -> None:
    # A researcher reads the parameter table to know which numbers a parameter moves: it once said
    # "purpose metrics" for all three, and the help of --response-hours "service level", which
    # response_hours never changes (service_level counts every answer, whenever it came).
    [parameter] = [
        name for name in MetricParams.model_fields if getattr(changed, name) != getattr(MetricParams(), name)
    ]
    t = _office()  # waits of 1, 5 and 9 hours, in and out of office hours
    for i in range(3):  # 2 of 3 questions (on a Saturday) answered after an hour: 66.7 %
        key = t.comment(hk(*SATURDAY, 11), is_question=True)
        if i < 2:
            t.reply(key, hk(*SATURDAY, 12))
    frames = build(comments=t.rows)
    before, after = _every_value(frames, MetricParams()), _every_value(frames, changed)
    assert before.keys() == after.keys()
    moved = {key[0] for key in before if before[key] != after[key]}
    assert moved == _documented_metrics(parameter)
