"""What commenters feel: comment sentiment beside the reaction mix, month by month.

Gives the data of the templates/opinion/sentiment.html section for a page's subject, or None when
there is nothing to show (no comment of the subject's has a sentiment label yet). Everything is
read from the materialised scorecard (``metric_values``, under the configured parameters):
the comment sentiment metrics (``analyze.metrics.sentiment``) and, as a separate signal shown in a
table of its own, the reaction mix (``analyze.metrics.perception``). Only aggregates are shown,
never a citizen's comment.

A share of a handful of comments says little, so each month comes with its margin of error (the
farthest its three shares' 95 % Wilson intervals reach, ``analyze.survey.share_ci``), and a month
with fewer than :data:`FEW_COMMENTS` labelled comments is worded by its counts, not its shares.
The section also names the analyser that labelled the comments (as the last scoring run recorded
them per account: ``store.sentiments.analysers``),
the time zone whose calendar months these are, and whether the latest month is still running.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from govsocial.analyze.survey import share_ci
from govsocial.store import metric_queries as mq
from govsocial.store import queries, sentiments
from govsocial.web.pages.i18n import N_

if TYPE_CHECKING:
    from govsocial.web.pages.opinion import Subject

#: How many months the tables show, the latest month with values included.
MONTHS = 6
#: Below this many labelled comments a month's shares are too uncertain to state as findings: at
#: 30 a share near one half is still only known to within about ±17 points (95 % Wilson).
FEW_COMMENTS = 30
#: The zone of a section built without one (``queries.jurisdiction_zone`` falls back to it too).
UTC_ZONE = ZoneInfo("UTC")
#: The name of govsocial's own analyser (docs/sentiment.md); a plugin's analyser has its own.
DEFAULT_ANALYSER = "linear"
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
    #: How many labelled comments were positive, neutral and negative (the metric's inputs).
    counts: tuple[int, int, int] = (0, 0, 0)

    @property
    def few(self) -> bool:
        """Whether too few comments were labelled for the month's shares to mean much."""
        return self.scored < FEW_COMMENTS

    @property
    def margin(self) -> float | None:
        """The margin of error of the month's shares in percentage points: the farthest any of
        their 95 % Wilson intervals reaches from its share (the interval is not symmetric), for
        chance alone; the model's misreadings come on top."""
        reach = []
        for hits in self.counts:
            estimate = share_ci(hits, self.scored)
            if estimate.mean is not None and estimate.low is not None and estimate.high is not None:
                reach.append(max(estimate.high - estimate.mean, estimate.mean - estimate.low))
        return max(reach) if reach else None


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
    #: The analysers that labelled the subject's comments, as stored (``linear@3f2a9c01b7d4``).
    analysers: tuple[str, ...] = ()
    few_comments: int = FEW_COMMENTS
    #: The jurisdiction's zone, whose calendar months the metrics count in.
    zone: ZoneInfo = UTC_ZONE
    #: Whether the latest month is the current one, still running: its counts will grow.
    unfinished: bool = False

    @property
    def built_in(self) -> bool:
        """Whether every label came from govsocial's own (linear) analyser, whose accuracy the
        "How we measure" page gives; a plugin's is not known to the portal."""
        return bool(self.analysers) and all(a.split("@")[0] == DEFAULT_ANALYSER for a in self.analysers)

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

    @staticmethod
    def plus_minus(value: float | None) -> str:
        """A margin of error in percentage points ("±5.2"), or a dash when unknown."""
        return "—" if value is None else f"±{value:.1f}"


def section(session: Session, subject: Subject, now: dt.datetime | None = None) -> SentimentSection | None:
    """The section's data for ``subject`` as of ``now`` (default: the present), or None (nothing
    is shown)."""
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
    counts: dict[str, dict[str, Any]] = {}
    for row in rows:
        by_period.setdefault(row.period, {})[row.metric] = row.value
        if row.metric == "comments_scored":
            counts[row.period] = row.inputs
    periods = sorted(by_period, reverse=True)
    months = [
        _sentiment(p, by_period[p], counts.get(p, {})) for p in periods if by_period[p].get("comments_scored")
    ]
    if not months:
        return None
    months = _with_gaps(months)
    reactions = [
        ReactionMonth(p, {name: by_period[p].get(f"reaction_{name}_share") for name, _ in REACTIONS})
        for p in periods
        if any(by_period[p].get(m) is not None for m in reaction_metrics)
    ]
    zone = queries.jurisdiction_zone(session, subject.jurisdiction)
    this_month = (now or dt.datetime.now(dt.UTC)).astimezone(zone).strftime("%Y-%m")
    return SentimentSection(
        queries.has_sample_activity(session, subject.account_ids),
        months,
        reactions,
        # Recorded by each scoring run: a page view never reads the subject's comments for it.
        analysers=sentiments.analysers(session, subject.account_ids),
        zone=zone,
        unfinished=months[0].period >= this_month,
    )


def _with_gaps(months: list[SentimentMonth]) -> list[SentimentMonth]:
    """``months`` (newest first) with a row of no labelled comments for each month missing between
    the newest and the oldest, so that no row reads as the month before when it is not."""
    shown = {m.period: m for m in months}
    oldest, filled = months[-1].period, []
    period = months[0].period
    while period >= oldest:
        filled.append(shown.get(period) or SentimentMonth(period, 0, None, None, None, None))
        period = _months_before(period, 1)
    return filled


def _sentiment(period: str, values: dict[str, float | None], inputs: dict[str, Any]) -> SentimentMonth:
    scored = int(values.get("comments_scored") or 0)
    shares = (
        values.get("comment_positive_share"),
        values.get("comment_neutral_share"),
        values.get("comment_negative_share"),
    )
    return SentimentMonth(
        period=period,
        scored=scored,
        positive=shares[0],
        neutral=shares[1],
        negative=shares[2],
        net=values.get("net_sentiment"),
        counts=_counts(scored, shares, inputs),
    )


def _counts(scored: int, shares: tuple[float | None, ...], inputs: dict[str, Any]) -> tuple[int, int, int]:
    """The month's positive, neutral and negative counts: the metric's inputs, or (for values
    stored without them) the shares times the comments labelled."""
    found = []
    for label, share in zip(("positive", "neutral", "negative"), shares, strict=True):
        value = inputs.get(label)
        if value is None:
            value = 0 if share is None else round(share * scored / 100)
        found.append(int(value))
    return found[0], found[1], found[2]


def _months_before(month: str, count: int) -> str:
    """The month label ``count`` months before ``month`` (labels are ``YYYY-MM``)."""
    year, number = (int(part) for part in month.split("-"))
    index = year * 12 + number - 1 - count
    return f"{index // 12:04d}-{index % 12 + 1:02d}"
