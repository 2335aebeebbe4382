"""``govsocial report``: HTML and PDF reports of the demo store, read back with a PDF text extractor,
published and downloaded from the portal: monthly, weekly and yearly, with the citizen survey and the
peer comparison."""

from __future__ import annotations

import datetime as dt
import io
import re
import statistics
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from govsocial.analyze import survey
from govsocial.analyze.metrics.model import Unit, registry
from govsocial.analyze.metrics.params import MetricParams
from govsocial.cli import report as report_cli
from govsocial.cli.main import app
from govsocial.report import build as report_build
from govsocial.report import periods
from govsocial.report.build import Report, Row, build
from govsocial.report.chart import IntervalBar, interval_chart
from govsocial.report.errors import ReportError
from govsocial.report.render import RATING_LABELS, WORDS, Words, findings, format_value, render_html
from govsocial.report.survey import survey_section
from govsocial.settings import Settings
from govsocial.store import metric_queries as mq
from govsocial.store import survey as survey_store
from govsocial.store.db import make_engine, session_factory
from govsocial.store.events import period_start
from govsocial.store.rankings import LEADERBOARD_METRICS, lower_is_better, rankable
from govsocial.web.app import create_app
from govsocial.web.pages import metric_text
from govsocial.web.pages import reports as reports_page
from tests.demo_store import KEY, copy_database, demo_store, run

ORG = "hk-hkpf"
#: Its files' names start with its jurisdiction (govsocial.report.publish).
FILE = f"hk~{ORG}"
#: The survey's explaining_policy ratings the fixture stores (docs/survey.md's worked example):
#: mean 5.00, 95 % interval 3.21-6.79.
RATINGS = (2, 4, 4, 4, 5, 5, 7, 9)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = demo_store(tmp_path_factory.mktemp("report"), months=2, refresh=True)
    run(url, "metrics", "refresh", "--period-kind", "week", "--period-kind", "year")
    # Survey responses sent and released (one batch) in the latest month only: the month before has none.
    day = period_start("month", _period(url)) + dt.timedelta(days=9)
    with _session(url) as session:
        for index, rating in enumerate(RATINGS):
            answers = survey_store.Answers(ratings={"explaining_policy": rating, "building_image": 3})
            survey_store.save(session, f"browser-{index}", answers, day)
        assert survey.release_due(session, "hk", _noon(day)) is not None
        session.commit()
    return url


def _noon(day: dt.date) -> dt.datetime:
    """Noon in Hong Kong on ``day`` (in UTC): a release made then is that day's."""
    return dt.datetime.combine(day, dt.time(4), dt.UTC)


def _session(url: str) -> Session:
    return session_factory(make_engine(url))()


def _period(url: str, kind: str = "month") -> str:
    with _session(url) as session:
        f = mq.MetricFilter(
            level="organisation", entity=ORG, period_kind=kind, params=MetricParams().digest()
        )
        period = mq.latest_period(session, f)
    assert period is not None
    return period


def _stored(
    url: str, metric: str, period: str, level: str = "organisation", entity: str = ORG, kind: str = "month"
) -> float:
    with _session(url) as session:
        card = mq.scorecard(session, "hk", MetricParams().digest(), level, entity, kind, period)
    value = card.values[metric].value
    assert value is not None
    return value


def _peer_figures(
    url: str, metric: str, period: str, kind: str = "month"
) -> tuple[int | None, int, float, float]:
    """(rank, count, median, best) of ORG computed here from the stored values, not by the report;
    values of too small a sample (``rankable``) are not ranked, and ORG's rank is then None."""
    f = mq.MetricFilter(
        jurisdiction="hk", params=MetricParams().digest(), metrics=(metric,), level="organisation",
        period_kind=kind, period=period,
    )  # fmt: skip
    with _session(url) as session:
        stored = [v for v in mq.list_values(session, f, limit=10_000).items if v.value is not None]
    values = {v.entity: v.value for v in stored if rankable(metric, v.inputs)}
    if ORG not in values:
        return None, len(values), statistics.median(values.values()), _best(metric, values)
    better = [v for v in values.values() if (v < values[ORG] if lower_is_better(metric) else v > values[ORG])]
    return len(better) + 1, len(values), statistics.median(values.values()), _best(metric, values)


def _best(metric: str, values: dict[str, float]) -> float:
    return min(values.values()) if lower_is_better(metric) else max(values.values())


def _report(url: str, *args: str, reports_dir: Path | None = None) -> tuple[int, str]:
    env = {"GOVSOCIAL_DATABASE_URL": url, "GOVSOCIAL_PSEUDONYM_KEY": KEY}
    if reports_dir is not None:
        env["GOVSOCIAL_REPORTS_DIR"] = str(reports_dir)
    result = CliRunner().invoke(app, ["report", *args], env=env)
    return result.exit_code, result.output


def _after_the_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    """Set the portal's clock after the demo's periods: its latest ones are under way today, and the
    portal lists a period's report once the period has ended."""
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=400)
    monkeypatch.setattr(reports_page, "_now", lambda: later)
    monkeypatch.setattr(report_cli, "_now", lambda: later)  # and the command's, which publishes them


def _pdf_text(path: Path) -> str:
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_traditional_chinese_pdf_has_the_name_and_the_stored_values(demo: str, tmp_path: Path) -> None:
    period = _period(demo)
    code, output = _report(
        demo, "--org", ORG, "--period", period, "--lang", "zh-hant", "--out", str(tmp_path)
    )
    assert code == 0, output
    text = _pdf_text(tmp_path / f"{FILE}-{period}-zh-hant.pdf")
    assert "香港警務處" in text
    assert "社交媒體報告" in text and "計分卡" in text
    assert "示範數據：為展示而生成，並非真實活動" in text  # the demo store holds sample data only
    assert "帖文數量" in text  # a metric title from the portal's Traditional Chinese catalogue
    followers = _stored(demo, "followers", period)
    assert format_value(followers, Unit.COUNT) in text
    assert "市民討論的話題" in text and "發出的澄清" in text and "趨勢" in text
    html = (tmp_path / f"{FILE}-{period}-zh-hant.html").read_text()
    assert 'lang="zh-Hant-HK"' in html and "<svg" in html
    with _session(demo) as session:
        report = build(session, "hk", ORG, period)
    # The demo's police accounts post clarifications and get comments: both sections have rows.
    assert report.clarifications and report.topics is not None and report.topics.top
    assert html.count("<tr><td>20") >= len(report.clarifications[:10])
    assert f"本月有{len(report.clarifications)}則帖文澄清失實資訊。" in text
    assert report.topics.top[0].term in text
    # Accounts are named in Chinese, with their platform's display name.
    assert all(f"({report.platform_name(a.platform, 'zh-hant')})" in html for a in report.accounts)


def test_english_pdf_shows_the_change_since_last_month(demo: str, tmp_path: Path) -> None:
    period = _period(demo)
    code, output = _report(demo, "--org", ORG, "--period", period, "--lang", "en", "--out", str(tmp_path))
    assert code == 0, output
    text = _pdf_text(tmp_path / f"{FILE}-{period}-en.pdf")
    assert "Hong Kong Police Force" in text and "Interaction rate per post" in text
    assert "Sample data — generated for the demo, not real activity" in text
    rate = _stored(demo, "interaction_rate_post", period)
    assert format_value(rate, Unit.PERCENT) in text
    # The previous month's value is there too, for the change.
    with _session(demo) as session:
        report = build(session, "hk", ORG, period)
    row = next(r for r in report.rows if r.metric.name == "followers")
    assert row.previous is not None and row.change is not None
    assert f"{row.change:+,.0f}" in text
    assert "Best performing posts" in text and report.best


def test_per_account_charts_keep_the_accounts_with_most_posts(
    demo: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    period = _period(demo)
    monkeypatch.setattr("govsocial.report.build.ACCOUNTS_SHOWN", 2)
    with _session(demo) as session:
        report = build(session, "hk", ORG, period)
    assert report.accounts_with_values > 2 and len(report.accounts) == 2
    monkeypatch.setattr("govsocial.report.build.ACCOUNTS_SHOWN", 100)
    with _session(demo) as session:
        every = build(session, "hk", ORG, period)
    most = sorted((a.posts or 0 for a in every.accounts), reverse=True)[:2]
    assert [a.posts for a in report.accounts] == most
    html = render_html(report, "en")
    assert f"The 2 accounts with the most posts, of {report.accounts_with_values}." in html


def test_whole_government_report(demo: str, tmp_path: Path) -> None:
    period = _period(demo)
    code, output = _report(
        demo, "--government", "--period", period, "--lang", "en", "--no-pdf", "--out", str(tmp_path)
    )
    assert code == 0, output
    html = (tmp_path / f"government-hk-{period}-en.html").read_text()
    posts = _stored(demo, "post_volume", period, "government", "hk")
    assert "Whole government" in html and format_value(posts, Unit.COUNT) in html
    assert not (tmp_path / f"government-hk-{period}-en.pdf").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--org", "no-such-org", "--period", "2026-09"), "unknown organisation 'no-such-org'"),
        (("--org", ORG, "--period", "2026-13"), "'2026-13' is not a period: give a week YYYY-Www"),
        (("--org", ORG, "--period", "2026-9"), "is not a period"),
        (("--org", ORG, "--period", "2026-W60"), "is not a period"),
        (("--org", ORG, "--government", "--period", "2026-09"), "either --org CODE or --government"),
        (("--period", "2026-09"), "either --org CODE or --government"),
    ],
)
def test_bad_input_is_a_clear_error(demo: str, tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    code, output = _report(demo, *args, "--out", str(tmp_path))
    assert code == 2
    assert message in " ".join(output.split())
    assert not list(tmp_path.iterdir())


def test_published_reports_are_listed_and_downloaded(
    demo: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    period = _period(demo)
    _after_the_demo(monkeypatch)
    reports = tmp_path / "published"
    for lang in ("zh-hant", "en"):
        args = ("--org", ORG, "--period", period, "--lang", lang, "--out", str(tmp_path / "out"), "--publish")
        code, output = _report(demo, *args, reports_dir=reports)
        assert code == 0, output
    (reports / "notes.txt").write_text("not a report")
    settings = Settings.load(database_url=demo, reports_dir=reports)
    with TestClient(create_app(settings)) as client:
        page = client.get("/zh-hant/reports")
        assert page.status_code == 200
        assert "香港警務處" in page.text and period in page.text and "notes.txt" not in page.text
        name = f"{FILE}-{period}-zh-hant.pdf"
        assert f'href="/zh-hant/reports/{name}"' in page.text
        download = client.get(f"/zh-hant/reports/{name}")
        assert download.status_code == 200
        assert download.headers["content-type"] == "application/pdf"
        assert download.headers["content-disposition"].startswith("attachment")
        assert download.content == (reports / name).read_bytes() and download.content.startswith(b"%PDF")
        html = client.get(f"/en/reports/{FILE}-{period}-en.html")
        assert html.headers["content-disposition"].startswith("attachment")
        assert client.get("/en/reports/notes.txt").status_code == 404
        assert client.get(f"/en/reports/{FILE}-1999-01-en.pdf").status_code == 404
        assert 'href="/en/reports"' in client.get("/en/open-data").text


def test_a_file_named_for_a_period_past_the_calendar_is_not_listed(demo: str, tmp_path: Path) -> None:
    reports = tmp_path / "published"
    reports.mkdir()
    for name in (f"{FILE}-9999-W52-en.html", f"{FILE}-9999-12-en.pdf", f"{FILE}-9999-en.html"):
        (reports / name).write_text("not a report")
    settings = Settings.load(database_url=demo, reports_dir=reports)
    with TestClient(create_app(settings)) as client:
        page = client.get("/en/reports")
    assert page.status_code == 200
    assert "9999" not in page.text and "No report has been published yet." in page.text


def test_no_published_reports(demo: str, tmp_path: Path) -> None:
    settings = Settings.load(database_url=demo, reports_dir=tmp_path / "none")
    with TestClient(create_app(settings)) as client:
        assert "No report has been published yet." in client.get("/en/reports").text


def _row(metric: str, value: float | None, previous: float | None) -> Row:
    return Row(registry()[metric], value, previous)


def test_findings_name_the_biggest_changes_and_a_low_response_rate() -> None:
    rows = [
        _row("post_volume", 40, 20),
        _row("followers", 1010, 1000),
        _row("response_rate", 4.0, 12.0),
        _row("comments_waiting", 300, 100),
        _row("net_sentiment", -12.5, 3.0),
    ]
    report = Report(
        "hk", "organisation", "x", "X", "X", "2026-10", "2026-09", rows, [], [], [], dt.datetime.now(dt.UTC)
    )
    en = findings(report, Words("en"))
    assert en[0] == "Comments waiting for a reply rose from 100 to 300."
    assert "Response rate fell from 12.0% to 4.0%." in en
    assert "Only 4.0% of citizens' comments were answered: look at the 300 comments still waiting." in en
    assert "More comments were negative than positive (net sentiment -12.5%)." in en
    assert "No posts were published in this month." in en
    zh = findings(report, Words("zh-hant"))
    assert any("回應率由12.0%下跌至4.0%" in f for f in zh)


@pytest.mark.parametrize(
    ("text", "kind", "previous"),
    [
        ("2026-10", "month", "2026-09"),
        ("2026-01", "month", "2025-12"),
        ("2026-W43", "week", "2026-W42"),
        ("2026-W01", "week", "2025-W52"),
        ("2021-W01", "week", "2020-W53"),
        ("2026", "year", "2025"),
    ],
)
def test_periods_and_the_one_before(text: str, kind: str, previous: str) -> None:
    period = periods.parse(text)
    assert period.kind == kind and periods.before(period).label == previous
    assert periods.back(period, 3)[-1] == period and len(periods.back(period, 3)) == 3
    assert periods.before(period).end == period.start


@pytest.mark.parametrize(
    "text",
    ["2026-10-01", "2026-13", "2026-00", "2026-9", "2026-W54", "2021-W53", "2026-W00", "2026-W5", "26", "",
     "9999", "9999-12", "9999-W52"],  # the last ones end after 9999-12-31, the last date there is
)  # fmt: skip
def test_a_malformed_period_names_the_accepted_forms(text: str) -> None:
    with pytest.raises(ReportError, match=r"YYYY-Www.*YYYY-MM.*YYYY"):
        periods.parse(text)


def test_survey_section_in_both_languages(demo: str, tmp_path: Path) -> None:
    period = _period(demo)
    texts = {}
    for lang in ("zh-hant", "en"):
        code, output = _report(demo, "--org", ORG, "--period", period, "--lang", lang, "--out", str(tmp_path))
        assert code == 0, output
        texts[lang] = " ".join(_pdf_text(tmp_path / f"{FILE}-{period}-{lang}.pdf").split())
    zh, en = texts["zh-hant"], texts["en"]
    # The worked example's mean and Student's t interval, with the 2020 baseline beside it.
    for text in (zh, en):
        assert "5.00" in text and "3.21–6.79" in text and "2.35 (n 906)" in text and "1.53 (n 909)" in text
    assert "市民問卷調查" in zh and "解釋政策" in zh and "掌握民情" in zh and "2020年基線" in zh
    assert "並非香港警務處本身的數字" in zh  # an organisation's report calls it government-wide context
    assert "Citizen survey" in en and "Explaining policy 5.00 3.21–6.79 8 2.35 (n 906)" in en
    released = (period_start("month", period) + dt.timedelta(days=9)).isoformat()
    assert "government-wide figures" in en
    assert (
        f"from the 8 responses of the survey's last release before the end of the period, on {released}" in en
    )
    assert f"根據本期完結前最後一次公布（{released}）的8份" in zh


def test_survey_shows_the_last_release_before_the_end_of_the_period(demo: str) -> None:
    period = periods.parse(_period(demo))
    earlier = periods.before(period)
    with _session(demo) as session:
        now = survey_section(session, period)
        before = survey_section(session, earlier)
        year = survey_section(session, periods.parse(period.label[:4]))
    assert now.respondents == now.in_period == len(RATINGS) and not now.withheld
    explaining = next(r for r in now.ratings if r.key == "explaining_policy")
    assert explaining.estimate.mean == pytest.approx(5.0) and explaining.estimate.low == pytest.approx(
        3.21, abs=0.005
    )
    assert before.withheld and before.respondents == 0 and all(r.estimate.n == 0 for r in before.ratings)
    assert year.respondents == len(RATINGS)


def test_survey_figures_are_withheld_before_the_first_release(demo: str) -> None:
    """Before any release, the report says why there are no figures, as the portal does, not means
    of a handful of people or a table of n 0 unexplained; the baseline is still there."""
    earlier = periods.before(periods.parse(_period(demo)))
    with _session(demo) as session:
        section = survey_section(session, earlier)
        report = build(session, "hk", ORG, earlier.label)
    assert section.withheld and section.min_group == 5 and section.released_on is None
    assert all(r.estimate.n == 0 and r.estimate.mean is None for r in section.ratings)
    html = " ".join(render_html(report, "en").split())
    assert "No survey figures had been released by the end of the period" in html
    assert "in batches of at least 5 new or changed responses" in html
    assert "Mean ratings out of 10 (0 very poor" not in html
    assert "2.35 (n 906)" in html and "(2020: 2.35)" in html
    zh = render_html(report, "zh-hant")
    assert "截至本期完結時，問卷仍未公布任何數字" in zh and "至少5份新增或更改的回應" in zh


def test_the_report_command_releases_a_waiting_batch_first(demo: str, tmp_path: Path) -> None:
    """A deployment whose survey has a batch waiting releases it before building (today: after the
    demo's period, whose report keeps the figures of its own release)."""
    copy = tmp_path / "survey.db"
    copy_database(Path(demo.removeprefix("sqlite:///")), copy)
    url = f"sqlite:///{copy}"
    period = _period(url)
    with _session(url) as session:
        for index in range(survey.MIN_GROUP):
            answers = survey_store.Answers(ratings={"explaining_policy": 10})
            survey_store.save(session, f"late-browser-{index}", answers, dt.date.today())
        session.commit()
        before = survey_section(session, periods.parse(period))
    code, output = _report(
        url, "--org", ORG, "--period", period, "--lang", "en", "--no-pdf", "--out", str(tmp_path)
    )
    assert code == 0, output
    with _session(url) as session:
        latest = survey_store.latest_release(session)
        assert survey_store.waiting_count(session) == 0
        assert latest is not None and latest.changed == survey.MIN_GROUP
        assert latest.respondents == len(RATINGS) + survey.MIN_GROUP
        assert survey_section(session, periods.parse(period)) == before


def test_peer_comparison_in_both_languages(demo: str, tmp_path: Path) -> None:
    period = _period(demo)
    rank, count, median, best = _peer_figures(demo, "post_volume", period)
    assert count > 2  # the demo has several organisations with posts
    mine = _stored(demo, "post_volume", period)
    code, output = _report(demo, "--org", ORG, "--period", period, "--lang", "en", "--out", str(tmp_path))
    assert code == 0, output
    en = " ".join(_pdf_text(tmp_path / f"{FILE}-{period}-en.pdf").split())
    assert "Compared with other organisations" in en
    row = f"Post volume {format_value(mine, Unit.COUNT)} {rank} of {count} {format_value(median, Unit.COUNT)}"
    assert f"{row} {format_value(best, Unit.COUNT)}" in en
    code, output = _report(
        demo, "--org", ORG, "--period", period, "--lang", "zh-hant", "--out", str(tmp_path)
    )
    assert code == 0, output
    zh = " ".join(_pdf_text(tmp_path / f"{FILE}-{period}-zh-hant.pdf").split())
    assert "與其他機構比較" in zh and f"第{rank}名（共{count}個）" in zh and "機構中位數" in zh


def test_peer_ranks_follow_the_leaderboards_direction(demo: str) -> None:
    period = _period(demo)
    with _session(demo) as session:
        report = build(session, "hk", ORG, period)
    assert [p.metric.name for p in report.peers] == list(LEADERBOARD_METRICS)
    for peer in report.peers:
        rank, count, median, best = _peer_figures(demo, peer.metric.name, period)
        assert (peer.rank, peer.count) == (rank, count), peer.metric.name
        assert peer.median == pytest.approx(median) and peer.best == pytest.approx(best)
    slow = next(p for p in report.peers if p.metric.name == "response_time_median")
    assert (
        slow.lower_is_better
        and slow.best is not None
        and slow.median is not None
        and slow.best <= slow.median
    )
    assert "Response time (median) (lower is better)" in render_html(report, "en")


def test_the_government_report_compares_with_no_peers(demo: str) -> None:
    with _session(demo) as session:
        report = build(session, "hk", None, _period(demo))
    assert report.peers == [] and report.survey is not None
    html = render_html(report, "en")
    assert "Compared with other organisations" not in html
    assert "Citizen survey" in html and "government-wide figures" not in html


def test_weekly_report(demo: str, tmp_path: Path) -> None:
    week = _period(demo, "week")
    previous = periods.before(periods.parse(week)).label
    code, output = _report(demo, "--org", ORG, "--period", week, "--lang", "en", "--out", str(tmp_path))
    assert code == 0, output
    text = " ".join(_pdf_text(tmp_path / f"{FILE}-{week}-en.pdf").split())
    assert f"Week {week} (compared with {previous})" in text and "This week Last week" in text
    posts = _stored(demo, "post_volume", week, kind="week")
    before = _stored(demo, "post_volume", previous, kind="week")
    assert f"Post volume {format_value(posts, Unit.COUNT)} {format_value(before, Unit.COUNT)}" in text
    rank, count, _, _ = _peer_figures(demo, "post_volume", week, "week")
    assert f"{rank} of {count}" in text
    with _session(demo) as session:
        report = build(session, "hk", ORG, week)
    # Trends: the last eight weeks, the report's week last.
    assert [label for label, _ in report.trends["post_volume"]] == [
        p.label for p in periods.back(periods.parse(week), 8)
    ]
    assert report.topics is not None and report.topics.period.label == week


def test_yearly_report(demo: str, tmp_path: Path) -> None:
    year = _period(demo, "year")
    assert re.fullmatch(r"\d{4}", year)
    code, output = _report(demo, "--org", ORG, "--period", year, "--lang", "zh-hant", "--out", str(tmp_path))
    assert code == 0, output
    text = " ".join(_pdf_text(tmp_path / f"{FILE}-{year}-zh-hant.pdf").split())
    assert f"年度 {year}" in text and "本年度" in text and "上年度" in text
    posts = _stored(demo, "post_volume", year, kind="year")
    assert f"帖文數量 {format_value(posts, Unit.COUNT)} —" in text  # the demo has nothing the year before
    assert "上年度沒有已儲存的數值，無從比較。" in text
    assert "話題分析只比較星期或月份" in text  # the topic view has no yearly periods
    assert "市民問卷調查" in text and "5.00" in text


def test_report_words_are_all_translated() -> None:
    template = (Path(__file__).parents[2] / "govsocial/report/templates/report.html").read_text()
    source = (Path(__file__).parents[2] / "govsocial/report/render.py").read_text()
    messages = set(re.findall(r'\bw\("((?:[^"\\]|\\.)*)"', template))
    messages |= set(re.findall(r'\bwords\(\s*"((?:[^"\\]|\\.)*)"', source))
    messages |= set(RATING_LABELS.values()) | {
        "This week",
        "This year",
        "Last week",
        "Last year",
        "Week",
        "Year",
    }
    assert len(messages) > 40
    missing = sorted(m for m in messages if m not in WORDS)
    assert not missing
    assert Words("zh-hant").this("week", capital=True) == "本週" and Words("en").last("year") == "last year"


def test_interval_chart_draws_what_is_known_and_escapes_labels() -> None:
    bars = [
        IntervalBar("<b>policy</b>", 5.0, 3.21, 6.79, 2.35, "5.00 (2020: 2.35)"),
        IntervalBar("image", None, None, None, 1.68, "— (2020: 1.68)"),
    ]
    svg = interval_chart("Mean", bars, 10.0, ("Mean", "2020 baseline"))
    assert "&lt;b&gt;policy&lt;/b&gt;" in svg and "<b>" not in svg
    assert svg.count('<path d="M') == 2  # one whisker, and the axis
    assert svg.count('fill="#222222"') == 3  # two baseline marks and the legend's
    assert svg.count('fill-opacity="0.75"') == 1  # a bar only where there is a mean
    assert "— (2020: 1.68)" in svg and interval_chart("Mean", [], 10.0, ("a", "b")) == ""


def test_weekly_and_yearly_reports_are_listed_apart(
    demo: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    week, month, year = _period(demo, "week"), _period(demo), _period(demo, "year")
    _after_the_demo(monkeypatch)
    reports = tmp_path / "published"
    for period in (week, month, year):
        args = ("--org", ORG, "--period", period, "--lang", "en", "--no-pdf", "--out", str(tmp_path / "out"))
        code, output = _report(demo, *args, "--publish", reports_dir=reports)
        assert code == 0, output
    (reports / f"{FILE}-2026-W60-en.html").write_text("not a week")
    settings = Settings.load(database_url=demo, reports_dir=reports)
    with TestClient(create_app(settings)) as client:
        page = client.get("/en/reports").text
        zh = client.get("/zh-hant/reports").text
        download = client.get(f"/en/reports/{FILE}-{year}-en.html")
        not_a_week = client.get(f"/en/reports/{FILE}-2026-W60-en.html")
    assert not_a_week.status_code == 404  # neither listed nor served
    monthly, weekly, yearly = (page.index(c) for c in ("Monthly reports", "Weekly reports", "Yearly reports"))
    assert monthly < weekly < yearly
    assert f'href="/en/reports/{FILE}-{week}-en.html"' in page[weekly:yearly]
    assert f'href="/en/reports/{FILE}-{year}-en.html"' in page[yearly:]
    assert f'href="/en/reports/{FILE}-{month}-en.html"' in page[monthly:weekly]
    start = periods.parse(week).start
    assert f"({start.isoformat()} – {(start + dt.timedelta(days=6)).isoformat()})" in page
    assert "2026-W60" not in page
    assert "每週報告" in zh and "年度報告" in zh
    assert download.status_code == 200 and download.headers["content-disposition"].startswith("attachment")


def test_a_report_of_collected_data_does_not_say_sample(demo: str, tmp_path: Path) -> None:
    """The sample notice follows the data: the same store with its posts marked as collected from the
    API gives a report without it."""
    source = Path(demo.removeprefix("sqlite:///"))
    copy = tmp_path / "collected.db"
    copy_database(source, copy)
    url = f"sqlite:///{copy}"
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE posts SET source = 'api:facebook'")
    engine.dispose()
    period = _period(url)
    with _session(url) as session:
        report = build(session, "hk", ORG, period)
    assert report.sample is False
    html = render_html(report, "en")
    assert "Sample data" not in html and "Hong Kong Police Force" in html
    with _session(demo) as session:
        assert build(session, "hk", ORG, period).sample is True


def test_post_lists_cut_periods_in_the_jurisdictions_time_zone(demo: str, tmp_path: Path) -> None:
    """A post at 01:00 Hong Kong time on the first of a month (17:00 UTC the day before) belongs to
    that month, as in the scorecard: the report lists it there, dated in Hong Kong time, and not in
    the month before."""
    copy = tmp_path / "zone.db"
    copy_database(Path(demo.removeprefix("sqlite:///")), copy)
    url = f"sqlite:///{copy}"
    month = periods.parse(_period(url))
    first_hour = dt.datetime.combine(month.start, dt.time(1)) - dt.timedelta(hours=8)  # in UTC
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "UPDATE posts SET created_at = ?, text = 'MARKER first hour' WHERE id = ("
            " SELECT p.id FROM posts p JOIN account_organisations ao ON ao.account_id = p.account_id"
            " JOIN organisations g ON g.id = ao.organisation_id WHERE g.code = ? ORDER BY p.id LIMIT 1)",
            (first_hour.strftime("%Y-%m-%d %H:%M:%S.%f"), ORG),
        )
    engine.dispose()
    with _session(url) as session:
        zone = report_build._zone(session, "hk")
        ids = report_build._account_ids(session, "hk", "organisation", ORG)
        this = report_build._posts(session, ids, month, zone)
        before = report_build._posts(session, ids, periods.before(month), zone)
    marked = [p for p in this if p.text.startswith("MARKER")]
    assert len(marked) == 1 and not [p for p in before if p.text.startswith("MARKER")]
    assert (marked[0].created_at.date(), marked[0].created_at.hour) == (month.start, 1)


def test_trend_charts_are_named_in_the_reports_language(demo: str) -> None:
    with _session(demo) as session:
        report = build(session, "hk", ORG, _period(demo))
    zh, en = render_html(report, "zh-hant"), render_html(report, "en")
    names = {m: registry()[m].title for m in report_build.TREND}
    drawn = [m for m, series in report.trends.items() if any(v is not None for _, v in series)]
    assert drawn
    for metric in drawn:
        # Each trend chart's accessible name is its heading: Chinese in the Chinese report.
        assert f'aria-label="{names[metric]}"' in en
        assert f'aria-label="{names[metric]}"' not in zh
    labels = re.findall(r'<svg[^>]*aria-label="([^"]*)"', zh)
    assert any(re.search(r"[\u4e00-\u9fff]", label) for label in labels)


@pytest.mark.parametrize("lang", ["en", "zh-hant"])
@pytest.mark.parametrize(
    ("value", "unit"),
    [(56.78, Unit.SCORE), (0.123, Unit.SCORE), (1.0, Unit.RATIO), (0.6543, Unit.RATIO), (2.345, Unit.COUNT),
     (12.46, Unit.HOURS), (12.345, Unit.PERCENT), (None, Unit.PER_MILLE)],
)  # fmt: skip
def test_a_report_writes_values_as_the_portal_does(value: float | None, unit: Unit, lang: str) -> None:
    assert Words(lang).value(value, unit) == metric_text.format_value(value, unit, lang)


def test_the_report_names_the_parameters_its_figures_were_computed_with(demo: str) -> None:
    """A deployment may set its own metric parameters (``metric_params``): the report names the
    digest of the ones its figures come from, not "the documented defaults"."""
    period = _period(demo)
    office = MetricParams(business_hours=(8, 17))
    with _session(demo) as session:
        default = build(session, "hk", ORG, period)
        other = build(session, "hk", ORG, period, params=office)
    assert default.params == MetricParams().digest() and other.params == office.digest()
    english = " ".join(render_html(default, "en").split())
    assert f"metric parameters ({MetricParams().digest()}); see How we measure" in english
    assert "default parameters" not in english
    chinese = render_html(other, "zh-hant")
    assert f"本網站的指標參數（{office.digest()}）" in chinese
