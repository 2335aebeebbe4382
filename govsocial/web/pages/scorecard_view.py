"""The OECD scorecard and the monthly charts of one account or organisation.

The scorecard is the latest month's stored values (``metric_values`` under the configured
parameters, ``Subject.params``: the same rows ``/api/v1/scorecard`` returns), grouped by the
framework's goals. Each
number is shown with its unit, the inputs it was computed from, a link to its definition on the
"How we measure" page, and its change since the month before. Measures without a value for the
month are left out of the tables and counted, so the tables stay readable.

The charts read the same table month by month: post volume, interaction rate and followers over
the last twelve months, and the reaction mix of the latest month. Everything comes from three
queries (the scorecard, the month before, the chart series), never one per metric.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from govsocial.analyze.metrics.model import Goal, Level, Metric, Unit, registry
from govsocial.store import metric_queries as mq
from govsocial.web.pages import charts
from govsocial.web.pages.i18n import N_, translations
from govsocial.web.pages.metric_text import GOAL_LABELS, format_value, title
from govsocial.web.pages.opinion import Subject
from govsocial.web.pages.sentiment_view import REACTIONS

#: How many months the charts cover, the latest included.
MONTHS = 12

#: The measures each goal shows first; the goal's other measures are one click away.
MAIN: dict[Goal, tuple[str, ...]] = {
    Goal.PRESENCE: ("accounts", "active_accounts", "post_volume", "posts_per_week"),
    Goal.POPULARITY: ("followers", "follower_growth", "follower_share_of_population"),
    Goal.PENETRATION: ("interactions_per_post", "interaction_rate_post", "bonson_e"),
    Goal.PERCEPTION: ("positive_reaction_share", "reaction_angry_share", "net_sentiment"),
    Goal.PURPOSE: ("response_rate", "response_time_median", "comments_waiting", "eservice_link_share"),
    Goal.TWO_WAY: ("page_replies_per_100_comments", "invitation_share", "two_way_index"),
    Goal.TIMELINESS: ("release_delay_median", "releases_followed_share"),
    Goal.ATTRACTIVENESS: ("interactions_per_post_image", "interactions_per_post_video", "live_events"),
}

#: Response to citizens: shown as headline figures above the scorecard.
RESPONSE = ("response_rate", "question_response_rate", "response_time_median", "comments_waiting")

#: The readable names of the inputs the metrics record (``Metric.inputs``; a test keeps this complete).
INPUT_LABELS: dict[str, str] = {
    "accounts": N_("Accounts"),
    "active_accounts": N_("Active accounts"),
    "angry": N_("Angry"),
    "answered": N_("Answered"),
    "asked": N_("Comments asking for an answer"),
    "care": N_("Care"),
    "citizen_comments": N_("Comments from the public"),
    "clicks": N_("Clicks"),
    "comments": N_("Comments"),
    "days": N_("Days"),
    "deleted": N_("Deleted"),
    "dormant_accounts": N_("Dormant accounts"),
    "engagement_score": N_("Engagement score"),
    "eservice_posts": N_("Posts linking to an e-service"),
    "followed": N_("Followed on social media"),
    "followers": N_("Followers"),
    "followers_at_posting": N_("Followers when posting"),
    "followers_end": N_("Followers at the end"),
    "followers_start": N_("Followers at the start"),
    "haha": N_("Haha"),
    "handled": N_("Handled"),
    "interaction_rate": N_("Interaction rate"),
    "interactions": N_("Interactions"),
    "invitation_share": N_("Posts inviting a response"),
    "inviting_posts": N_("Inviting posts"),
    "like": N_("Like"),
    "likes": N_("Likes"),
    "live_posts": N_("Live posts"),
    "love": N_("Love"),
    "mean_hours": N_("Mean hours"),
    "negative": N_("Negative"),
    "neutral": N_("Neutral"),
    "overperforming_posts": N_("Overperforming posts"),
    "page_replies": N_("Replies by the page"),
    "population": N_("Population"),
    "positive": N_("Positive"),
    "post_days": N_("Days with posts"),
    "post_days_without_fans": N_("Days with posts but no follower count"),
    "posts": N_("Posts"),
    "posts_commented": N_("Posts commented"),
    "posts_liked": N_("Posts liked"),
    "posts_shared": N_("Posts shared"),
    "posts_without_followers": N_("Posts without a follower count"),
    "rate": N_("Rate"),
    "reach_score": N_("Reach score"),
    "reactions": N_("Reactions"),
    "releases": N_("Press releases"),
    "replies_per_100": N_("Replies per 100 comments"),
    "response_rate": N_("Response rate"),
    "responsiveness_score": N_("Responsiveness score"),
    "sad": N_("Sad"),
    "score_sum": N_("Sum of sentiment scores"),
    "scored": N_("Comments labelled"),
    "shares": N_("Shares"),
    "views": N_("Views"),
    "waiting": N_("Waiting"),
    "weeks": N_("Weeks"),
    "within_target": N_("Within the target time"),
    "wow": N_("Wow"),
}

#: Percent values change by percentage points, not by percent.
POINTS = N_("%(points)s points")

#: The charts' series: (chart id, metric); ids are unique on the page.
SERIES: tuple[tuple[str, str], ...] = (
    ("chart-posts", "post_volume"),
    ("chart-interaction-rate", "interaction_rate_post"),
    ("chart-followers", "followers"),
    ("chart-active-accounts", "active_accounts"),
)
#: Series that say nothing about a single account (it is always one account, active or not).
ORGANISATION_ONLY = frozenset({"active_accounts"})


@dataclass(frozen=True)
class ScoreRow:
    """One measure as the scorecard shows it; ``title`` and input labels are message ids."""

    name: str
    title: str
    value: str
    change: str | None
    inputs: list[tuple[str, str]]


@dataclass(frozen=True)
class GoalView:
    """One goal's measures: the main ones in the table, the others behind a disclosure."""

    goal: str
    label: str
    main: list[ScoreRow]
    more: list[ScoreRow]


@dataclass(frozen=True)
class ScorecardView:
    """The scorecard of one entity for one month (``period`` None: nothing stored yet; ``pending``:
    nothing of the jurisdiction under the configured parameters either, as after the
    ``metric_params`` setting changed and before the next refresh)."""

    period: str | None
    previous: str | None
    goals: list[GoalView]
    response: list[ScoreRow]
    missing: int
    sample: bool
    pending: bool = False

    @property
    def shown(self) -> int:
        """How many measures have a value."""
        return sum(len(g.main) + len(g.more) for g in self.goals)


def month_before(month: str, count: int = 1) -> str:
    """The month label ``count`` months before ``month`` (labels are ``YYYY-MM``)."""
    year, number = (int(part) for part in month.split("-"))
    index = year * 12 + number - 1 - count
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def months_between(first: str, last: str) -> list[str]:
    """Every month label from ``first`` to ``last``, both included."""
    months = [last]
    while months[-1] > first:
        months.append(month_before(months[-1]))
    return months[::-1]


def metric_filter(subject: Subject) -> mq.MetricFilter:
    """The stored monthly values of ``subject`` under the configured parameters."""
    return mq.MetricFilter(
        jurisdiction=subject.jurisdiction,
        params=subject.params,
        level=subject.level,
        entity=subject.entity,
        period_kind="month",
    )


def format_number(value: float) -> str:
    """An input number: whole numbers as they are, others with at most two decimals."""
    return charts.format_number(round(value, 2))


def change(now: float | None, before: float | None, unit: Unit, lang: str) -> str | None:
    """The signed change since the month before, in the metric's unit (points for percentages)."""
    if now is None or before is None:
        return None
    delta = now - before
    sign = "+" if delta > 0 else ""
    if unit is Unit.PERCENT:
        return translations(lang).gettext(POINTS) % {"points": f"{sign}{delta:,.1f}"}
    return sign + format_value(delta, unit, lang)


def score_row(metric: Metric, row: mq.MetricRow, before: float | None, lang: str) -> ScoreRow:
    """One stored value as a scorecard row."""
    inputs = [
        (INPUT_LABELS.get(key, key), format_number(float(v)) if isinstance(v, int | float) else str(v))
        for key, v in row.inputs.items()
        if v is not None
    ]
    return ScoreRow(
        metric.name,
        title(metric.name),
        format_value(row.value, metric.unit, lang),
        change(row.value, before, metric.unit, lang),
        inputs,
    )


def goal_views(metrics: Sequence[Metric], rows: dict[str, ScoreRow]) -> list[GoalView]:
    """The goals in the framework's order, each with its measures that have a value."""
    views = []
    for goal in Goal:
        mine = [rows[m.name] for m in metrics if m.goal is goal and m.name in rows]
        if mine:
            main = [r for r in mine if r.name in MAIN[goal]]
            more = [r for r in mine if r.name not in MAIN[goal]]
            views.append(GoalView(str(goal), GOAL_LABELS[goal], main or more, more if main else []))
    return views


def scorecard(session: Session, subject: Subject, lang: str, sample: bool) -> ScorecardView:
    """The latest month's scorecard of ``subject``, each value beside its change since the month before."""
    card = mq.scorecard(session, subject.jurisdiction, subject.params, subject.level, subject.entity, "month")
    if card.period is None:
        pending = not mq.has_params(session, subject.jurisdiction, subject.params)
        return ScorecardView(None, None, [], [], 0, sample, pending)
    previous = month_before(card.period)
    before = {
        r.metric: r.value
        for r in mq.list_values(
            session, replace(metric_filter(subject), period=previous), limit=len(registry()) + 1
        ).items
    }
    metrics = [m for m in registry().values() if Level(subject.level) in m.levels]
    rows = {
        m.name: score_row(m, card.values[m.name], before.get(m.name), lang)
        for m in metrics
        if m.name in card.values and card.values[m.name].value is not None
    }
    return ScorecardView(
        period=card.period,
        previous=previous if before else None,
        goals=goal_views(metrics, rows),
        response=[rows[name] for name in RESPONSE if name in rows],
        missing=len(metrics) - len(rows),
        sample=sample,
    )


@dataclass(frozen=True)
class Trends:
    """The charts of the page, in the order they are shown (empty: nothing stored yet)."""

    period: str | None
    lines: list[charts.Chart]
    reactions: charts.Chart | None


def trends(session: Session, subject: Subject, lang: str, latest: str | None) -> Trends:
    """The monthly charts of ``subject`` up to month ``latest`` (the scorecard's month)."""
    if latest is None:
        return Trends(None, [], None)
    series = [
        (cid, name) for cid, name in SERIES if subject.level != "account" or name not in ORGANISATION_ONLY
    ]
    reaction_metrics = [f"reaction_{name}_share" for name, _ in REACTIONS]
    wanted = replace(
        metric_filter(subject),
        metrics=(*(n for _, n in series), *reaction_metrics),
        since=month_before(latest, MONTHS - 1),
        until=latest,
    )
    values: dict[tuple[str, str], float | None] = {
        (r.metric, r.period): r.value for r in mq.list_values(session, wanted, limit=MONTHS * 20).items
    }
    gettext = translations(lang).gettext
    lines = [line(cid, name, values, latest, gettext, lang) for cid, name in series]
    return Trends(latest, [c for c in lines if c is not None], reaction_mix(values, latest, gettext))


def line(
    chart_id: str,
    metric: str,
    values: dict[tuple[str, str], float | None],
    latest: str,
    gettext: Callable[[str], str],
    lang: str,
) -> charts.Chart | None:
    """One metric month by month, from its first stored month to ``latest``; None if never stored."""
    months = sorted(p for m, p in values if m == metric)
    if not months:
        return None
    unit = registry()[metric].unit
    return charts.line_chart(
        chart_id,
        gettext(N_("%(measure)s, month by month")) % {"measure": gettext(title(metric))},
        [(month, values.get((metric, month))) for month in months_between(months[0], latest)],
        gettext(N_("Month")),
        gettext(title(metric)),
        fmt=lambda v: format_value(v, unit, lang),
        suffix="%" if unit is Unit.PERCENT else "",
    )


def reaction_mix(
    values: dict[tuple[str, str], float | None], latest: str, gettext: Callable[[str], str]
) -> charts.Chart | None:
    """The share of each reaction type in month ``latest``; None where the posts have no reaction types."""
    shares = [(gettext(label), values.get((f"reaction_{name}_share", latest))) for name, label in REACTIONS]
    known = [(label, share) for label, share in shares if share is not None]
    if not known:
        return None
    return charts.bar_chart(
        "chart-reactions",
        gettext(N_("Reaction mix in %(month)s")) % {"month": latest},
        known,
        gettext(N_("Reaction")),
        gettext(N_("Share of all reactions")),
        fmt=lambda v: format_value(v, Unit.PERCENT),
        suffix="%",
    )
