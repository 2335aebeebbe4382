"""``govsocial report``: HTML and PDF reports of the demo store, read back with a PDF text extractor,
published and downloaded from the portal."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from govsocial.analyze.metrics.model import Unit, registry
from govsocial.analyze.metrics.params import MetricParams
from govsocial.cli.main import app
from govsocial.report.build import Report, ReportError, Row, build, check_period
from govsocial.report.render import Words, findings, format_value, render_html
from govsocial.settings import Settings
from govsocial.store import metric_queries as mq
from govsocial.store.db import make_engine, session_factory
from govsocial.web.app import create_app
from tests.demo_store import KEY, demo_store

ORG = "hk-hkpf"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> str:
    return demo_store(tmp_path_factory.mktemp("report"), months=2, refresh=True)


def _session(url: str) -> Session:
    return session_factory(make_engine(url))()


def _period(url: str) -> str:
    with _session(url) as session:
        f = mq.MetricFilter(
            level="organisation", entity=ORG, period_kind="month", params=MetricParams().digest()
        )
        period = mq.latest_period(session, f)
    assert period is not None
    return period


def _stored(url: str, metric: str, period: str, level: str = "organisation", entity: str = ORG) -> float:
    with _session(url) as session:
        card = mq.scorecard(session, "hk", MetricParams().digest(), level, entity, "month", period)
    value = card.values[metric].value
    assert value is not None
    return value


def _report(url: str, *args: str, reports_dir: Path | None = None) -> tuple[int, str]:
    env = {"GOVSOCIAL_DATABASE_URL": url, "GOVSOCIAL_PSEUDONYM_KEY": KEY}
    if reports_dir is not None:
        env["GOVSOCIAL_REPORTS_DIR"] = str(reports_dir)
    result = CliRunner().invoke(app, ["report", *args], env=env)
    return result.exit_code, result.output


def _pdf_text(path: Path) -> str:
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_traditional_chinese_pdf_has_the_name_and_the_stored_values(demo: str, tmp_path: Path) -> None:
    period = _period(demo)
    code, output = _report(
        demo, "--org", ORG, "--period", period, "--lang", "zh-hant", "--out", str(tmp_path)
    )
    assert code == 0, output
    text = _pdf_text(tmp_path / f"{ORG}-{period}-zh-hant.pdf")
    assert "香港警務處" in text
    assert "社交媒體報告" in text and "計分卡" in text
    assert "帖文數量" in text  # a metric title from the portal's Traditional Chinese catalogue
    followers = _stored(demo, "followers", period)
    assert format_value(followers, Unit.COUNT) in text
    assert "市民討論的話題" in text and "發出的澄清" in text and "趨勢" in text
    html = (tmp_path / f"{ORG}-{period}-zh-hant.html").read_text()
    assert 'lang="zh-Hant-HK"' in html and "<svg" in html
    with _session(demo) as session:
        report = build(session, "hk", ORG, period)
    # The demo's police accounts post clarifications and get comments: both sections have rows.
    assert report.clarifications and report.topics is not None and report.topics.top
    assert html.count("<tr><td>20") >= len(report.clarifications[:10])
    assert f"本月有{len(report.clarifications)}則帖文澄清失實資訊。" in text
    assert report.topics.top[0].term in text
    # Accounts are named in Chinese, with their platform.
    assert all(f"({a.platform})" in html for a in report.accounts)


def test_english_pdf_shows_the_change_since_last_month(demo: str, tmp_path: Path) -> None:
    period = _period(demo)
    code, output = _report(demo, "--org", ORG, "--period", period, "--lang", "en", "--out", str(tmp_path))
    assert code == 0, output
    text = _pdf_text(tmp_path / f"{ORG}-{period}-en.pdf")
    assert "Hong Kong Police Force" in text and "Interaction rate per post" in text
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
        (("--org", ORG, "--period", "2026-13"), "is not a month"),
        (("--org", ORG, "--period", "2026-9"), "is not a month"),
        (("--org", ORG, "--government", "--period", "2026-09"), "either --org CODE or --government"),
        (("--period", "2026-09"), "either --org CODE or --government"),
    ],
)
def test_bad_input_is_a_clear_error(demo: str, tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    code, output = _report(demo, *args, "--out", str(tmp_path))
    assert code == 2
    assert message in " ".join(output.split())
    assert not list(tmp_path.iterdir())


def test_published_reports_are_listed_and_downloaded(demo: str, tmp_path: Path) -> None:
    period = _period(demo)
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
        name = f"{ORG}-{period}-zh-hant.pdf"
        assert f'href="/zh-hant/reports/{name}"' in page.text
        download = client.get(f"/zh-hant/reports/{name}")
        assert download.status_code == 200
        assert download.headers["content-type"] == "application/pdf"
        assert download.headers["content-disposition"].startswith("attachment")
        assert download.content == (reports / name).read_bytes() and download.content.startswith(b"%PDF")
        html = client.get(f"/en/reports/{ORG}-{period}-en.html")
        assert html.headers["content-disposition"].startswith("attachment")
        assert client.get("/en/reports/notes.txt").status_code == 404
        assert client.get(f"/en/reports/{ORG}-1999-01-en.pdf").status_code == 404
        assert 'href="/en/reports"' in client.get("/en/open-data").text


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
    assert "More comments were negative than positive (net sentiment -12.5)." in en
    assert "No posts were published in this month." in en
    zh = findings(report, Words("zh-hant"))
    assert any("回應率由12.0%下跌至4.0%" in f for f in zh)


def test_check_period() -> None:
    assert check_period("2026-10") == "2026-10"
    with pytest.raises(ReportError, match="YYYY-MM"):
        check_period("2026-10-01")
