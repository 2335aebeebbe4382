"""Timeliness: how fast official news reaches social media.

69.2 % of the study's respondents said government updates are "not fast enough". An official press
release (an item of a government RSS feed) is matched, by text similarity, to the first social post
on the same subject (the ``matches`` frame); the delay between the two is the measure.

Delays belong to the social post's account and period (how quickly *this page* follows the news);
the share of releases followed belongs to the release's feed and period (how much of *this feed's*
news reaches social media at all). At the organisation level both usually meet in one organisation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from govsocial.analyze.metrics.common import KEYS, OFFICIAL_STATUSES, ratio, tally
from govsocial.analyze.metrics.model import Goal, Unit, metric

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from govsocial.analyze.metrics.params import MetricParams
    from govsocial.analyze.metrics.view import View

_STUDY = "HKFYG Youth Research Centre 2020 (69.2 % 'updates not fast enough')"
_HOUR = 3600.0


def accepted_matches(view: View, params: MetricParams) -> ir.Table:
    """Matches that meet the parameters: similar enough, not before the release, not too late.

    The matcher applies the same parameters; applying them here too lets a stricter scorecard be
    computed without matching again. A match without a similarity was made by hand and is kept.
    """
    m = view.matches
    similar = m.similarity.fill_null(1.0) >= params.timeliness_similarity
    in_time = (m.delay_s >= 0) & (m.delay_s <= params.timeliness_max_hours * _HOUR)
    accepted: ir.Table = m.filter(similar & in_time)
    return accepted


def _first_delays(view: View, params: MetricParams) -> ir.Table:
    """Per entity, each release's FIRST social post (an entity may post it on several platforms)."""
    m = accepted_matches(view, params)
    return m.group_by(["entity", "release_post_id"]).aggregate(
        period=m.period.argmin(m.delay_s), hours=m.delay_s.min().cast("float64") / _HOUR
    )


def _delay(view: View, params: MetricParams, quantile: float) -> ir.Table:
    first = _first_delays(view, params)
    return first.group_by(list(KEYS)).aggregate(
        value=first.hours.quantile(quantile), releases=first.count(), mean_hours=first.hours.mean()
    )


@metric(
    "release_delay_median",
    goal=Goal.TIMELINESS,
    title="Delay after a press release (median)",
    unit=Unit.HOURS,
    formula="median over matched releases of (first social post - press release) in hours",
    source=_STUDY,
    inputs=("releases", "mean_hours"),
)
def release_delay_median(view: View, params: MetricParams) -> ir.Table:
    """How long after an official press release the page typically posted about the same subject,
    in hours: half of the posts came sooner, half later."""
    return _delay(view, params, 0.5)


@metric(
    "release_delay_p90",
    goal=Goal.TIMELINESS,
    title="Delay after a press release (90th percentile)",
    unit=Unit.HOURS,
    formula="90th percentile (linear interpolation) of hours from press release to first social post",
    source=_STUDY,
    inputs=("releases", "mean_hours"),
)
def release_delay_p90(view: View, params: MetricParams) -> ir.Table:
    """The delay after a press release that nine in ten of the page's posts on it did not exceed,
    in hours: the slow end."""
    return _delay(view, params, 0.9)


@metric(
    "releases_followed_share",
    goal=Goal.TIMELINESS,
    title="Press releases followed on social media",
    unit=Unit.PERCENT,
    formula="press releases with a matched social post / press releases x 100 (releases = RSS items)",
    source=_STUDY,
    inputs=("releases", "followed"),
)
def releases_followed_share(view: View, params: MetricParams) -> ir.Table:
    """Of the press releases a government feed published in the period, the share that some
    official account's social media post followed on the same subject (a post of an account under
    review does not count)."""
    releases = view.releases
    accepted = accepted_matches(view, params)
    # Followed by an official account's post, at every level: the matches are there once per
    # entity, and at the account level an account under review's too.
    official = view.accounts.filter(view.accounts.status.isin(OFFICIAL_STATUSES))
    matched = accepted.semi_join(official.select("account_id"), "account_id").release_post_id
    marked = releases.mutate(followed=releases.post_id.isin(matched))
    sums = marked.group_by(list(KEYS)).aggregate(releases=marked.count(), followed=tally(marked.followed))
    return sums.mutate(value=ratio(sums.followed, sums.releases, 100.0))
