"""The opinion sections say no more than their data: small samples, margins of error, the analyser,
time zones, periods still running, and the "How we measure" explanations they link to.

Most tests render the section templates directly with data built by hand (as ``render`` does, in
each language), so every case is exact and fast; the section modules' own readings are tested on
the store, and one test goes through the account page of a scored demo store.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from govsocial.analyze.clarifications import Clarification
from govsocial.analyze.metrics.params import MetricParams
from govsocial.analyze.topics import view as tv
from govsocial.settings import Settings
from govsocial.store import tables as t
from govsocial.web.app import create_app
from govsocial.web.pages import sentiment_view, topics_view
from govsocial.web.pages.crises_view import CrisesSection
from govsocial.web.pages.dates import zone_name
from govsocial.web.pages.opinion import Subject
from govsocial.web.pages.render import environment
from govsocial.web.pages.sentiment_view import SentimentMonth, SentimentSection
from tests.analyze.test_topics import seed
from tests.web.test_pages import main_text
from tests.web.test_sentiment_section import SUBJECT, _account, _section, scored_client, scored_db

__all__ = ["scored_client", "scored_db"]  # module fixtures of test_sentiment_section, used here

HONG_KONG = ZoneInfo("Asia/Hong_Kong")


def _render(template: str, code: str = "en", **context: Any) -> str:
    """A section template as ``render`` renders it, in language ``code``."""
    html = environment(code).get_template(template).render(content_lang="zh-Hant-HK", **context)
    return re.sub(r"\s+", " ", html)


def _month(period: str, counts: tuple[int, int, int]) -> SentimentMonth:
    scored = sum(counts)
    positive, neutral, negative = (100.0 * c / scored for c in counts)
    return SentimentMonth(period, scored, positive, neutral, negative, positive - negative, counts)


def _sentiment(
    *months: SentimentMonth, analysers: tuple[str, ...] = ("linear@eea52e7a6b39",)
) -> SentimentSection:
    return SentimentSection(False, list(months), [], analysers=analysers, zone=HONG_KONG)


# --- comment sentiment: small samples and the margin of error ----------------------------------------


def test_a_month_of_a_few_comments_is_worded_by_its_counts_not_its_shares() -> None:
    html = _render("opinion/sentiment.html", sentiment=_sentiment(_month("2026-08", (5, 3, 3))))
    headline = html[html.index("</h2>") : html.index('<p class="hint">')]
    assert (
        "only 11 comments from the public were read for sentiment: 5 positive, 3 neutral and 3 negative"
        in headline
    )
    assert "With fewer than 30 comments a month" in headline
    assert "%" not in headline  # 45.5% of eleven comments would over-claim
    assert "too few comments to read as shares" in html  # and its row in the table says so


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("zh-hant", "2026-08 只有 1 則市民留言經情緒分析：正面 1 則"),
        ("zh-hans", "2026-08 只有 1 条市民评论经情绪分析：正面 1 条"),
    ],
)
def test_the_few_comments_sentence_is_translated(code: str, expected: str) -> None:
    html = _render("opinion/sentiment.html", code, sentiment=_sentiment(_month("2026-08", (1, 0, 0))))
    assert expected in html and "only" not in html


def test_a_month_with_enough_comments_gives_its_margin_of_error() -> None:
    month = _month("2026-09", (129, 58, 175))  # 362 comments, as the demo's busiest account
    assert month.margin == pytest.approx(5.1, abs=0.05)  # the widest reach of the three Wilson intervals
    html = _render("opinion/sentiment.html", sentiment=_sentiment(month))
    assert "362 comments from the public were read for sentiment: 35.6% positive" in html
    assert "could be up to 5.1 percentage points higher or lower (95 per cent confidence)" in html
    assert '<th scope="col" class="num">Margin of error (95 per cent, points)</th>' in html
    assert 'data-label="Margin of error (95 per cent, points)">±5.1' in html
    assert "too few comments" not in html


def test_counts_come_from_the_metric_inputs_or_else_from_the_shares() -> None:
    assert sentiment_view._counts(11, (45.5, 27.3, 27.3), {"positive": 5, "neutral": 3, "negative": 3}) == (
        5,
        3,
        3,
    )
    assert sentiment_view._counts(4, (25.0, 25.0, 50.0), {}) == (1, 1, 2)


# --- comment sentiment: which analyser, which calendar -----------------------------------------------


def test_the_section_names_the_analyser_and_links_to_its_accuracy() -> None:
    html = _render("opinion/sentiment.html", sentiment=_sentiment(_month("2026-09", (20, 10, 10))))
    assert '<code lang="en">linear@eea52e7a6b39</code>, govsocial\'s own model.' in html
    assert 'href="/en/how-we-measure#sources"' in html
    assert "Months are calendar months in Hong Kong Time." in html


def test_another_analyser_is_not_credited_with_the_built_in_accuracy() -> None:
    section = _sentiment(_month("2026-09", (20, 10, 10)), analysers=("roberta@2",))
    html = _render("opinion/sentiment.html", "zh-hant", sentiment=section)
    assert "本網站選用的分析器" in html and "沒有其準確度的量度" in html
    assert "how-we-measure#sources" not in html
    assert "月份按香港時間的曆月計算。" in html


def _store_month(session: Session, period: str, counts: tuple[int, int, int]) -> None:
    month = _month(period, counts)
    values = {
        "comments_scored": float(month.scored),
        "comment_positive_share": month.positive,
        "comment_neutral_share": month.neutral,
        "comment_negative_share": month.negative,
        "net_sentiment": month.net,
    }
    for metric, value in values.items():
        inputs = dict(zip(("positive", "neutral", "negative"), counts, strict=True))
        session.add(
            t.MetricValue(
                jurisdiction="hk",
                metric=metric,
                level="account",
                entity="7",
                period_kind="month",
                period=period,
                value=value,
                inputs=inputs if metric == "comments_scored" else {},
                params=MetricParams().digest(),
            )
        )
    session.flush()


def test_months_without_labelled_comments_are_rows_not_gaps(session: Session) -> None:
    _store_month(session, "2026-05", (3, 0, 2))
    _store_month(session, "2026-08", (5, 3, 3))
    section = sentiment_view.section(session, SUBJECT)
    assert section is not None
    assert [(m.period, m.scored) for m in section.months] == [
        ("2026-08", 11),
        ("2026-07", 0),
        ("2026-06", 0),
        ("2026-05", 5),
    ]
    html = _render("opinion/sentiment.html", sentiment=section)
    row = re.search(r'<th scope="row">2026-07</th>(.*?)</tr>', html)
    assert row is not None and "—" in row.group(1) and "too few" not in row.group(1)


def test_a_month_still_running_is_said_to_be(session: Session) -> None:
    for metric, value in {
        "comments_scored": 40.0,
        "comment_positive_share": 50.0,
        "comment_neutral_share": 25.0,
        "comment_negative_share": 25.0,
        "net_sentiment": 25.0,
    }.items():
        session.add(
            t.MetricValue(
                jurisdiction="hk",
                metric=metric,
                level="account",
                entity="7",
                period_kind="month",
                period="2026-10",
                value=value,
                inputs={"positive": 20, "neutral": 10, "negative": 10} if metric == "comments_scored" else {},
                params=MetricParams().digest(),
            )
        )
    session.flush()
    running = sentiment_view.section(session, SUBJECT, now=dt.datetime(2026, 10, 15, tzinfo=dt.UTC))
    over = sentiment_view.section(session, SUBJECT, now=dt.datetime(2026, 11, 2, tzinfo=dt.UTC))
    assert running is not None and running.unfinished and running.latest.counts == (20, 10, 10)
    assert over is not None and not over.unfinished
    assert "has not ended yet" in _render("opinion/sentiment.html", sentiment=running)
    assert "has not ended yet" not in _render("opinion/sentiment.html", sentiment=over)


def test_the_account_page_names_the_stored_analyser(scored_client: TestClient, scored_db: str) -> None:
    account, _ = _account(scored_db, "cfs.hk")
    section = _section(main_text(scored_client.get(f"/en/accounts/{account}")))
    assert re.search(r'<code lang="en">linear@[0-9a-f]{12}</code>, govsocial(?:\'|&#39;)s own model', section)
    assert "Margin of error (95 per cent, points)" in section


# --- crises: the time zone, and keywords listed as the language lists ---------------------------------


def _clarification(reasons: tuple[str, ...]) -> Clarification:
    posted = dt.datetime(2026, 9, 1, 17, 51, tzinfo=dt.UTC)
    return Clarification(
        post_id=1,
        account_id=2,
        platform="facebook",
        handle="chp",
        posted_at=posted,
        excerpt="【澄清】網上流傳的訊息內容失實。",
        url=None,
        reasons=reasons,
        interactions=None,
        usual_interactions=None,
        reach=None,
        views=None,
        usual_views=None,
        views_reach=None,
        usual_posts=0,
        rumour_first_seen_at=None,
        rumour_url=None,
        note=None,
        sample=False,
    )


def _crises(*clarifications: Clarification) -> CrisesSection:
    return CrisesSection([], list(clarifications), False, False, HONG_KONG)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("en", "Dates and times are in Hong Kong Time."),
        ("zh-hant", "日期和時間均為香港時間。"),
        ("zh-hans", "日期和时间均为香港时间。"),
    ],
)
def test_the_crises_section_states_its_time_zone(code: str, expected: str) -> None:
    html = _render("opinion/crises.html", code, crises=_crises(_clarification(("澄清",))))
    assert expected in html
    assert '<time datetime="2026-09-02T01:51:00+08:00">2026-09-02 01:51</time>' in html
    assert f'href="/{code}/how-we-measure#unusual-weeks"' in html


@pytest.mark.parametrize(("code", "separator"), [("en", ", "), ("zh-hant", "、"), ("zh-hans", "、")])
def test_keywords_are_listed_as_the_page_language_lists(code: str, separator: str) -> None:
    html = _render("opinion/crises.html", code, crises=_crises(_clarification(("澄清", "失實", "fake news"))))
    keywords = re.search(r'<p class="small">([^<]*<span.*?)</p>', html)
    assert keywords is not None
    assert re.sub(r"<[^>]+>", "", keywords.group(1)).endswith(separator.join(("澄清", "失實", "fake news")))


def test_zone_names_in_each_language() -> None:
    assert [zone_name(code, HONG_KONG) for code in ("en", "zh-hant", "zh-hans")] == [
        "Hong Kong Time",
        "香港時間",
        "香港时间",
    ]
    assert zone_name("en", ZoneInfo("UTC")) == "UTC"  # not CLDR's "Unknown Region (UTC) Time"


# --- How we measure ------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["en", "zh-hant", "zh-hans"])
def test_how_we_measure_explains_what_the_opinion_sections_link_to(client: TestClient, code: str) -> None:
    page = client.get(f"/{code}/how-we-measure").text
    for anchor in ("sources", "topics", "unusual-weeks", "clarifications"):
        assert page.count(f'id="{anchor}"') == 1, anchor


def test_how_we_measure_says_how_favourable_each_accuracy_figure_is(client: TestClient) -> None:
    page = re.sub(r"\s+", " ", client.get("/en/how-we-measure").text)
    assert "0.88–0.90 on comments written for this project in the style of government pages" in page
    assert "the most favourable test" in page and "0.68–0.70 on Hong Kong restaurant and shop reviews" in page
    assert "comments like those on government pages" not in page
    assert "another analyser" not in page


@pytest.fixture
def other_analyser_client(registry_db: str) -> Iterator[TestClient]:
    app = create_app(Settings.load(database_url=registry_db, sentiment_analyser="roberta:/models/x"))
    with TestClient(app) as client:
        yield client


def test_how_we_measure_says_when_the_portal_uses_another_analyser(other_analyser_client: TestClient) -> None:
    page = other_analyser_client.get("/zh-hant/how-we-measure").text
    assert '本網站設定以另一個分析器 <code lang="en">roberta:/models/x</code>' in page


# --- topics: a week still running --------------------------------------------------------------------


def test_a_topic_week_still_running_is_said_to_be(session: Session) -> None:
    ids = seed(session)
    tv.clear_cache()
    subject = Subject("account", "hk", str(ids["account"]), (ids["account"],), MetricParams().digest())
    running = topics_view.section(session, subject, now=dt.datetime(2026, 9, 16, 12, tzinfo=dt.UTC))
    over = topics_view.section(session, subject, now=dt.datetime(2026, 9, 21, tzinfo=dt.UTC))
    tv.clear_cache()
    assert running is not None and running.view.period.label == "2026-W38" and running.unfinished
    assert over is not None and not over.unfinished  # W38 ended at midnight, Hong Kong time, on the 21st
    html = _render("opinion/topics.html", topics=running)
    assert "This period has not ended yet: its counts will still grow" in html
    assert "Dates and times are in Hong Kong Time." in html
    assert 'href="/en/how-we-measure#topics"' in html
    assert "has not ended yet" not in _render("opinion/topics.html", topics=over)
    # The most mentioned terms give the previous period's share too: its total differs (19 comments
    # before, 35 now), so its counts alone cannot be set against this period's shares.
    top = html[html.index('id="topics-top-heading"') :]
    before = running.view.comments_before
    cells = re.findall(
        r'<td class="num" data-label="Previous week">([\d,]+) <span class="small">\((.*?)\)</span>', top
    )
    assert cells and len(cells) == len(running.view.top)
    assert all(share == topics_view.percent(int(n) / before) for n, share in cells)


def test_the_wide_sentiment_table_scrolls_in_a_region_the_keyboard_reaches() -> None:
    # Found by axe (scrollable-region-focusable) once the margin column made the table wider.
    html = _render("opinion/sentiment.html", sentiment=_sentiment(_month("2026-09", (20, 10, 10))))
    assert '<div class="table-wrap" tabindex="0" role="region" aria-labelledby="sentiment-caption">' in html
    assert '<caption id="sentiment-caption">' in html
