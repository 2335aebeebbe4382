"""The "What commenters feel" section: comment sentiment month by month, the reaction mix beside it.

The section's data is read from ``metric_values``: unit tests write the values themselves (on
SQLite and PostgreSQL); the page tests build a store of their own with a month of the demo dataset
and run the metrics refresh, which scores the comments first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from govsocial.analyze.metrics.params import MetricParams
from govsocial.settings import Settings
from govsocial.store import tables as t
from govsocial.store.db import make_engine, session_factory
from govsocial.web.app import create_app
from govsocial.web.pages import sentiment_view
from govsocial.web.pages.opinion import Subject
from tests.demo_store import demo_store
from tests.web.test_pages import main_text, scan

SUBJECT = Subject("account", "hk", "7", (7,), MetricParams().digest())


def _values(session: Session, period: str, **values: float | None) -> None:
    for metric, value in values.items():
        session.add(
            t.MetricValue(
                jurisdiction="hk",
                metric=metric,
                level="account",
                entity="7",
                period_kind="month",
                period=period,
                value=value,
                inputs={},
                params=MetricParams().digest(),
            )
        )
    session.flush()


def _month(session: Session, period: str, scored: float, positive: float, negative: float) -> None:
    neutral = 100.0 - positive - negative
    _values(
        session,
        period,
        comments_scored=scored,
        comment_positive_share=positive,
        comment_neutral_share=neutral,
        comment_negative_share=negative,
        net_sentiment=positive - negative,
    )


def test_no_scored_comments_no_section(session: Session) -> None:
    assert sentiment_view.section(session, SUBJECT) is None
    _values(session, "2026-10", reaction_haha_share=10.0)  # reactions alone: no comment sentiment
    assert sentiment_view.section(session, SUBJECT) is None
    _values(session, "2026-09", comments_scored=0.0)
    assert sentiment_view.section(session, SUBJECT) is None


def test_the_latest_six_months_newest_first_with_the_reaction_mix(session: Session) -> None:
    for month in range(1, 10):  # January to September 2026
        _month(session, f"2026-{month:02d}", 10.0 * month, 50.0, 20.0 + month)
    _values(session, "2026-09", reaction_haha_share=30.0, reaction_angry_share=12.5, reaction_like_share=57.5)
    _values(session, "2026-08", reaction_love_share=100.0)
    section = sentiment_view.section(session, SUBJECT)
    assert section is not None and not section.sample
    assert [m.period for m in section.months] == [
        "2026-09",
        "2026-08",
        "2026-07",
        "2026-06",
        "2026-05",
        "2026-04",
    ]
    assert section.latest.scored == 90 and section.latest.negative == 29.0
    assert section.latest.net == pytest.approx(50.0 - 29.0)
    assert [r.period for r in section.reactions] == ["2026-09", "2026-08"]
    assert section.reactions[0].shares["haha"] == 30.0 and section.reactions[0].shares["love"] is None
    assert (
        section.percent(12.25) == "12.2%" and section.points(-3.0) == "-3.0" and section.percent(None) == "—"
    )


def test_other_entities_levels_and_parameters_are_not_mixed_in(session: Session) -> None:
    _month(session, "2026-10", 4.0, 25.0, 50.0)
    for level, entity, params in (
        ("account", "8", MetricParams().digest()),
        ("organisation", "7", MetricParams().digest()),
        ("account", "7", "otherdigest"),
    ):
        session.add(
            t.MetricValue(
                jurisdiction="hk",
                metric="comments_scored",
                level=level,
                entity=entity,
                period_kind="month",
                period="2026-11",
                value=99.0,
                inputs={},
                params=params,
            )
        )
    session.flush()
    section = sentiment_view.section(session, SUBJECT)
    assert section is not None
    assert [(m.period, m.scored) for m in section.months] == [("2026-10", 4)]


@pytest.mark.parametrize(
    ("month", "back", "expected"), [("2026-06", 5, "2026-01"), ("2026-03", 5, "2025-10")]
)
def test_months_before(month: str, back: int, expected: str) -> None:
    assert sentiment_view._months_before(month, back) == expected


# --- the pages --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def scored_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The registry and one month of sample activity, with the metrics refreshed (comments scored)."""
    return demo_store(tmp_path_factory.mktemp("sentiment"), months=1, refresh=True)


@pytest.fixture(scope="module")
def scored_client(scored_db: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings.load(database_url=scored_db))) as client:
        yield client


def _account(url: str, handle: str) -> tuple[int, float]:
    """An account's id and its stored number of labelled comments in its latest month."""
    engine = make_engine(url)
    with session_factory(engine)() as session:
        account = session.scalars(
            select(t.Account.id).where(t.Account.platform == "facebook", t.Account.handle == handle)
        ).one()
        scored = session.scalars(
            select(t.MetricValue.value)
            .where(
                t.MetricValue.metric == "comments_scored",
                t.MetricValue.level == "account",
                t.MetricValue.entity == str(account),
                t.MetricValue.period_kind == "month",
            )
            .order_by(t.MetricValue.period.desc())
        ).first()
    engine.dispose()
    assert scored
    return account, scored


def _section(main: str) -> str:
    start = main.index('aria-labelledby="sentiment-heading"')
    return main[start : main.index("</section>", start)]


def test_the_account_page_shows_comment_sentiment_and_reactions_apart(
    scored_client: TestClient, scored_db: str
) -> None:
    account, scored = _account(scored_db, "cfs.hk")
    response = scored_client.get(f"/en/accounts/{account}")
    scan(response)
    section = _section(main_text(response))
    assert '<h2 id="sentiment-heading">What commenters feel</h2>' in section
    assert "Sample data — generated for the demo, not real activity" in section
    assert "automatic model" in section and "never mixed into comment sentiment" in section
    assert f"{int(scored):,} comments from the public were read for sentiment" in section
    assert "Sentiment of comments from the public, month by month</caption>" in section
    assert (
        "<caption>Share of each reaction type among all reactions to the posts, month by month</caption>"
        in (section)
    )
    sentiment_table = section[: section.index('class="reactions-table"')]
    row = re.search(
        r'<th scope="row">2026-\d\d</th>\s*<td class="num"[^>]*>([\d,]+)</td>((?:\s*<td[^>]*>[^<]*</td>){4})',
        sentiment_table,
    )
    assert row and row.group(1) == f"{int(scored):,}"
    shares = [float(v) for v in re.findall(r"([\d.]+)%", row.group(2))]
    assert len(shares) == 3 and sum(shares) == pytest.approx(100.0, abs=0.2)
    assert section.count('<th scope="col"') == 7 + 8  # the two tables' column headings (with the margin)


@pytest.mark.parametrize(("lang", "heading"), [("zh-hant", "留言者的感受"), ("zh-hans", "评论者的感受")])
def test_the_section_is_translated(
    scored_client: TestClient, scored_db: str, lang: str, heading: str
) -> None:
    account, _ = _account(scored_db, "cfs.hk")
    section = _section(main_text(scored_client.get(f"/{lang}/accounts/{account}")))
    assert heading in section and "What commenters feel" not in section


def test_the_organisation_page_shows_its_accounts_sentiment(scored_client: TestClient) -> None:
    response = scored_client.get("/en/organisations/hk/cfs")
    assert response.status_code == 200
    scan(response)
    assert "What commenters feel" in _section(main_text(response))


def test_without_scored_comments_there_is_no_section(client: TestClient, registry_db: str) -> None:
    engine = make_engine(registry_db)
    with session_factory(engine)() as session:
        account = session.scalars(select(t.Account.id).limit(1)).one()
    engine.dispose()
    assert "What commenters feel" not in client.get(f"/en/accounts/{account}").text
