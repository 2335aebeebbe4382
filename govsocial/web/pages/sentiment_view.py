"""What commenters feel: comment sentiment beside the reaction mix, month by month.

Gives the data of the templates/opinion/sentiment.html section for a page's subject, or None when
there is nothing to show (no comment of the subject's has a sentiment label yet). Everything is
read from the materialised scorecard (``metric_values``, under the configured parameters):
the comment sentiment metrics (``analyze.metrics.sentiment``) and, as a separate signal shown in a
table of its own, the reaction mix (``analyze.metrics.perception``). Only aggregates are shown,
never a citizen's comment.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from govsocial.store import metric_queries as mq
from govsocial.store import queries
from govsocial.web.pages.i18n import N_

if TYPE_CHECKING:
    from govsocial.web.pages.opinion import Subject

#: How many months the tables show, the latest month with values included.
MONTHS = 6
#: The comment sentiment metrics the section reads.
SENTIMENT_METRICS = (
    "comments_scored",
    "comment_positive_share",
    "comment_neutral_share",
    "comment_negative_share",
    "net_sentiment",
)
#: The reaction types shown, each with its share metric; "haha" and "angry" are read as mockery and
#: protest on Hong Kong government pages (docs/metrics.md), so they are listed first.
REACTIONS: tuple[tuple[str, str], ...] = (
    ("haha", N_("Haha")),
    ("angry", N_("Angry")),
    ("sad", N_("Sad")),
    ("wow", N_("Wow")),
    ("love", N_("Love")),
    ("care", N_("Care")),
    ("like", N_("Like")),
)


@dataclass(frozen=True)
class SentimentMonth:
    """One month of comment sentiment: labelled citizen comments and the share of each label."""

    period: str
    scored: int
    positive: float | None
    neutral: float | None
    negative: float | None
    net: float | None


@dataclass(frozen=True)
class ReactionMonth:
    """One month of the reaction mix: each reaction type's share of all reactions (None: unknown)."""

    period: str
    shares: dict[str, float | None]


@dataclass(frozen=True)
class SentimentSection:
    """The section's data: the latest month, the months before it (newest first) and the reaction mix."""

    sample: bool
    months: list[SentimentMonth]
    reactions: list[ReactionMonth]
    reaction_labels: tuple[tuple[str, str], ...] = REACTIONS

    @property
    def latest(self) -> SentimentMonth:
        """The newest month with labelled comments."""
        return self.months[0]

    @staticmethod
    def percent(value: float | None) -> str:
        """A share as the tables show it: one decimal, or a dash when unknown."""
        return "—" if value is None else f"{value:.1f}%"

    @staticmethod
    def points(value: float | None) -> str:
        """Net sentiment in percentage points, with its sign."""
        return "—" if value is None else f"{value:+.1f}"


def section(session: Session, subject: Subject) -> SentimentSection | None:
    """The section's data for ``subject``, or None (nothing is shown)."""
    f = mq.MetricFilter(
        jurisdiction=subject.jurisdiction,
        params=subject.params,
        level=subject.level,
        entity=subject.entity,
        period_kind="month",
    )
    latest = mq.latest_period(session, replace(f, metrics=("comments_scored",)))
    if latest is None:
        return None
    reaction_metrics = tuple(f"reaction_{name}_share" for name, _ in REACTIONS)
    since = _months_before(latest, MONTHS - 1)
    wanted = replace(f, metrics=(*SENTIMENT_METRICS, *reaction_metrics), since=since, until=latest)
    rows = mq.list_values(session, wanted, limit=MONTHS * len(wanted.metrics)).items
    by_period: dict[str, dict[str, float | None]] = {}
    for row in rows:
        by_period.setdefault(row.period, {})[row.metric] = row.value
    periods = sorted(by_period, reverse=True)
    months = [_sentiment(p, by_period[p]) for p in periods if by_period[p].get("comments_scored")]
    if not months:
        return None
    reactions = [
        ReactionMonth(p, {name: by_period[p].get(f"reaction_{name}_share") for name, _ in REACTIONS})
        for p in periods
        if any(by_period[p].get(m) is not None for m in reaction_metrics)
    ]
    return SentimentSection(queries.has_sample_activity(session, subject.account_ids), months, reactions)


def _sentiment(period: str, values: dict[str, float | None]) -> SentimentMonth:
    return SentimentMonth(
        period=period,
        scored=int(values.get("comments_scored") or 0),
        positive=values.get("comment_positive_share"),
        neutral=values.get("comment_neutral_share"),
        negative=values.get("comment_negative_share"),
        net=values.get("net_sentiment"),
    )


def _months_before(month: str, count: int) -> str:
    """The month label ``count`` months before ``month`` (labels are ``YYYY-MM``)."""
    year, number = (int(part) for part in month.split("-"))
    index = year * 12 + number - 1 - count
    return f"{index // 12:04d}-{index % 12 + 1:02d}"
