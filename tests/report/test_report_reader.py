"""A report as a department's communications officer reads it: only the official accounts the
scorecard counts, honest findings for a month without figures, no report of a period still to come
(nor a published one of a period not over), platforms and accounts by their display names, Chinese
punctuation in Chinese titles, and the time it was made in the jurisdiction's zone."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from govsocial.analyze.clarifications import Clarification
from govsocial.analyze.metrics.model import registry
from govsocial.cli.main import app
from govsocial.report import periods
from govsocial.report.build import AccountRow, PostRow, Report, Row, build
from govsocial.report.errors import ReportError
from govsocial.report.render import Words, findings, render_html
from govsocial.store import tables as t
from govsocial.store.db import session_factory
from tests.analyze.store_rows import Store, hk
from tests.demo_store import KEY, run

#: 1 October, 01:00 in Hong Kong: still 30 September in UTC.
EARLY_OCTOBER = dt.datetime(2026, 9, 30, 17, 0, tzinfo=dt.UTC)


def _store(store: Store) -> tuple[int, int]:
    """A police force with an official Facebook account and an Instagram account under review,
    both posting in September 2026 (the one under review less liked, and clarifying a rumour)."""
    store.jurisdiction()
    police = store.organisation("police")
    official = store.account("facebook", [police])
    review = store.account("instagram", [police], status=t.AccountStatus.UNDER_REVIEW)
    for n in range(6):
        post = store.post(official, hk(2026, 9, 3 + n), f"official post {n}")
        store.snapshot(post, hk(2026, 9, 20), likes=50 + n, comments=2, shares=1)
        post = store.post(review, hk(2026, 9, 3 + n), f"澄清：網上謠言不實 {n}")
        store.snapshot(post, hk(2026, 9, 20), likes=n, comments=0, shares=0)
    return official, review


def test_a_report_counts_only_the_official_accounts(database_url: str, engine: Engine) -> None:
    """An account under review is in no organisation's or government's figures (docs/metrics.md):
    its chart bars, its posts and its clarifications are left out as the scorecard leaves it out."""
    with session_factory(engine)() as session:
        official, review = _store(Store(session))
        session.commit()
    run(database_url, "metrics", "refresh", "--period-kind", "month")
    with session_factory(engine)() as session:
        for organisation in ("police", None):
            report = build(session, "hk", organisation, "2026-09")
            assert [a.account_id for a in report.accounts] == [official]
            assert report.value("accounts") == len(report.accounts) == 1
            assert report.value("post_volume") == sum(a.posts or 0 for a in report.accounts) == 6
            shown = report.best + report.worst
            assert shown and all(p.platform == "facebook" for p in shown)
            assert all(c.account_id != review for c in report.clarifications)


def _row(metric: str, value: float | None, previous: float | None) -> Row:
    return Row(registry()[metric], value, previous)


def _report(rows: list[Row], **fields: object) -> Report:
    defaults: dict[str, object] = {
        "accounts": [], "best": [], "worst": [], "generated_at": EARLY_OCTOBER,
    }  # fmt: skip
    defaults.update(fields)
    return Report("hk", "organisation", "police", "Police", "警務處", "2026-10", "2026-09", rows, **defaults)  # type: ignore[arg-type]


@pytest.mark.parametrize("lang", ["en", "zh-hant"])
def test_a_month_without_stored_values_says_so(lang: str) -> None:
    words = Words(lang)
    rows = [_row("post_volume", None, 12), _row("followers", None, 1000), _row("net_sentiment", None, -3.0)]
    said = findings(_report(rows), words)
    assert said == [words("No values are stored for {this}.", this=words.this("month"))]
    nothing = [_row("post_volume", None, None), _row("followers", None, None)]
    assert findings(_report(nothing), words) == said


def test_a_month_with_values_and_no_posts_still_says_nothing_was_published() -> None:
    said = findings(_report([_row("post_volume", 0, 0), _row("followers", 10, 10)]), Words("en"))
    assert said == ["No measure changed since last month.", "No posts were published in this month."]


def test_net_sentiment_is_a_percentage_in_the_findings() -> None:
    report = _report([_row("net_sentiment", -41.43, -10.0)])
    assert "More comments were negative than positive (net sentiment -41.4%)." in findings(
        report, Words("en")
    )
    assert "負面留言多於正面（淨情緒-41.4%）。" in findings(report, Words("zh-hant"))


def test_a_period_that_has_not_started_is_refused() -> None:
    today = dt.date(2026, 11, 29)
    for label in ("2026-12", "2026-W49", "2027"):
        with pytest.raises(ReportError, match=f"{label} has not started yet"):
            periods.check_reportable(periods.parse(label), today)
    periods.check_reportable(periods.parse("2026-11"), today)  # a period under way may be looked at
    periods.check_reportable(periods.parse("2026-10"), today, publishing=True)


def test_a_period_that_has_not_ended_is_not_published() -> None:
    today = dt.date(2026, 11, 29)
    for label in ("2026-11", "2026-W48", "2026"):
        with pytest.raises(ReportError, match=f"{label} has not ended yet.*leave out --publish"):
            periods.check_reportable(periods.parse(label), today, publishing=True)
    periods.check_reportable(periods.parse("2026-11"), dt.date(2026, 12, 1), publishing=True)


def test_now_is_the_jurisdictions(sqlite_engine: Engine) -> None:
    """At 01:00 on 1 October in Hong Kong (30 September in UTC) October has started and September
    has ended; a minute before midnight in Hong Kong, neither."""
    with session_factory(sqlite_engine)() as session:
        Store(session).jurisdiction()
        session.commit()
        assert build(session, "hk", None, "2026-10", now=EARLY_OCTOBER).period == "2026-10"
        assert build(session, "hk", None, "2026-09", now=EARLY_OCTOBER, publishing=True).period == "2026-09"
        before = EARLY_OCTOBER - dt.timedelta(hours=1, minutes=1)
        with pytest.raises(ReportError, match="2026-10 has not started yet"):
            build(session, "hk", None, "2026-10", now=before)
        with pytest.raises(ReportError, match="2026-09 has not ended yet"):
            build(session, "hk", None, "2026-09", now=before, publishing=True)


def test_the_command_refuses_a_period_to_come(sqlite_engine: Engine, sqlite_url: str, tmp_path: Path) -> None:
    with session_factory(sqlite_engine)() as session:
        Store(session).jurisdiction()
        session.commit()
    out, reports = tmp_path / "out", tmp_path / "reports"
    env = {
        "GOVSOCIAL_DATABASE_URL": sqlite_url,
        "GOVSOCIAL_PSEUDONYM_KEY": KEY,
        "GOVSOCIAL_REPORTS_DIR": str(reports),
    }
    args = [
        "report",
        "--government",
        "--jurisdiction",
        "hk",
        "--period",
        "2999-01",
        "--lang",
        "en",
        "--no-pdf",
    ]
    for publish in ([], ["--publish"]):
        result = CliRunner().invoke(app, [*args, "--out", str(out), *publish], env=env)
        assert result.exit_code == 2, result.output
        assert "2999-01 has not started yet (it starts on 2999-01-01)" in " ".join(result.output.split())
    assert not out.exists() and not reports.exists()


def _account(account_id: int, platform: str, name_en: str, name_zh: str, handle: str) -> AccountRow:
    return AccountRow(account_id, platform, handle, name_en, name_zh, 10, 1.5)


PLATFORMS = {
    "douyin": ("Douyin", "抖音"),
    "youtube": ("YouTube", "YouTube"),
    "whatsapp": ("WhatsApp", "WhatsApp"),
}


def test_platforms_and_accounts_go_by_their_display_names() -> None:
    long_name = "Hong Kong Police Force - CyberDefender"
    accounts = [
        _account(1, "douyin", "Hong Kong Police Force", "香港警務處", "iRabLepf"),
        _account(9, "youtube", long_name, "守網者", "CyberDefenderHK"),
        _account(
            12, "youtube", "Hong Kong Police Force - Road Safety", "道路安全", "UC67ZoAyxc5C_DebyxveemLQ"
        ),
    ]
    post = PostRow("Hong Kong Police Force", "香港警務處", "douyin", EARLY_OCTOBER, "text", None, 5)
    clarified = Clarification(
        1, 1, "douyin", "iRabLepf", EARLY_OCTOBER, "澄清", None, ("澄清",), None, None, None, None, None,
        None, 0, None, None, None, False,
    )  # fmt: skip
    report = _report(
        [_row("post_volume", 10, 8)], accounts=accounts, best=[post], worst=[], platforms=PLATFORMS,
        account_names={1: ("Hong Kong Police Force", "香港警務處")}, clarifications=[clarified],
    )  # fmt: skip
    en, zh = render_html(report, "en"), render_html(report, "zh-hant")
    for key in PLATFORMS:
        assert f"({key})" not in en and f"({key})" not in zh
    assert "Hong Kong Police Force (Douyin)" in en and "香港警務處 (抖音)" in zh
    assert "<td>Hong Kong Police Force (Douyin)</td>" in en  # the clarification's account, not its handle
    assert "iRabLepf" not in en and "iRabLepf" not in zh
    # Two names that read the same shortened are shown longer, not by their handles or channel ids.
    assert f"{long_name} (YouTube)" in en and "Hong Kong Police Force - Road Safety (YouTube)" in en
    assert "UC67ZoAyxc5C" not in en and "CyberDefenderHK" not in en


def test_chinese_titles_take_full_width_punctuation() -> None:
    report = _report([_row("post_volume", 10, 8)])
    zh, en = render_html(report, "zh-hant"), render_html(report, "en")
    assert "<title>社交媒體報告：警務處，2026-10</title>" in zh and "<h1>社交媒體報告：警務處</h1>" in zh
    assert "<title>Social media report: Police, 2026-10</title>" in en


def test_the_footer_gives_the_time_in_the_jurisdictions_zone(sqlite_engine: Engine) -> None:
    with session_factory(sqlite_engine)() as session:
        Store(session).jurisdiction()
        session.commit()
        report = build(session, "hk", None, "2026-10", now=EARLY_OCTOBER)
    assert "2026-10-01 01:00 HKT (Asia/Hong_Kong)" in render_html(report, "en")
    assert "UTC" not in render_html(report, "zh-hant").split("製作時間")[1]


def test_latest_is_the_newest_month_that_has_ended(database_url: str, engine: Engine) -> None:
    """``--period latest`` (what `make demo-data` publishes) skips the month in progress, whose
    figures still change: in October the latest is September, though October has values too."""
    with session_factory(engine)() as session:
        store = Store(session)
        official, _review = _store(store)
        post = store.post(official, hk(2026, 10, 2), "an October post")
        store.snapshot(post, hk(2026, 10, 3), likes=1, comments=0, shares=0)
        session.commit()
    run(database_url, "metrics", "refresh", "--period-kind", "month")
    in_october = dt.datetime(2026, 10, 20, 4, 0, tzinfo=dt.UTC)
    in_november = dt.datetime(2026, 11, 2, 4, 0, tzinfo=dt.UTC)
    with session_factory(engine)() as session:
        assert build(session, "hk", "police", "latest", now=in_october, publishing=True).period == "2026-09"
        assert build(session, "hk", "police", "latest", now=in_november).period == "2026-10"
        with pytest.raises(ReportError, match="month that has ended"):
            build(session, "hk", "police", "latest", now=EARLY_OCTOBER - dt.timedelta(days=30))
