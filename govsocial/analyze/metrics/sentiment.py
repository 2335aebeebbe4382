"""Perception (OECD), comment sentiment: what citizens' comments feel about the government's posts.

Each citizen comment has a label (positive / neutral / negative) and a score from -1 to 1, given
by the sentiment analyser when the comment was stored (``analyze.comment_sentiment``; the frames'
``sentiment`` and ``sentiment_score`` columns). The page's own replies are the government speaking
and never count; comments without a label (no text, or not scored yet) are left out of every
share and mean, and ``comments_scored`` says how many counted.

Reactions ("haha", "angry", ...) are a separate signal with metrics of their own (``perception``):
nothing here reads them, and nothing there reads comments, so the two are shown side by side and
never mixed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from govsocial.analyze.metrics.common import KEYS, ratio
from govsocial.analyze.metrics.model import Goal, Unit, metric
from govsocial.analyze.metrics.sums import comment_sums

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from govsocial.analyze.metrics.params import MetricParams
    from govsocial.analyze.metrics.view import View

_SOURCE = (
    "OECD perception (Mickoleit 2014): sentiment of user comments; govsocial's analyser (docs/sentiment.md)"
)
#: The labels, in the order the share metrics are defined.
LABELS = ("positive", "neutral", "negative")


def sentiment_sums(view: View) -> ir.Table:
    """Per entity and period with labelled comments: citizen comments with a label (``scored``),
    each label's count and the sum of the scores. Taken from the comments' shared sums
    (``sums.comment_sums``), so a scorecard counts comments once for every metric here
    and the two-way ones."""
    sums = comment_sums(view)
    scored = sums.filter(sums.scored > 0)
    return scored.select(*KEYS, "scored", *LABELS, "score_sum")


@metric(
    "comments_scored",
    goal=Goal.PERCEPTION,
    title="Comments with a sentiment label",
    unit=Unit.COUNT,
    formula="citizen comments in the period with a sentiment label (page replies never count)",
    source=_SOURCE,
    inputs=("positive", "neutral", "negative"),
)
def comments_scored(view: View, params: MetricParams) -> ir.Table:
    """How many comments citizens wrote in the period that have a sentiment label: the number every
    comment sentiment share and mean is taken over. The page's own replies are not counted."""
    sums = sentiment_sums(view)
    return sums.select(*KEYS, *LABELS, value=sums.scored.cast("float64"))


def _register_share(label: str, meaning: str) -> None:
    def compute(view: View, params: MetricParams) -> ir.Table:
        sums = sentiment_sums(view)
        return sums.select(*KEYS, label, "scored", value=ratio(sums[label], sums.scored, 100.0))

    compute.__doc__ = (
        f"The share of the citizen comments written in the period with a sentiment label that the "
        f"analyser labelled {label} ({meaning})."
    )
    metric(
        f"comment_{label}_share",
        goal=Goal.PERCEPTION,
        title=f"{label.capitalize()} comments",
        unit=Unit.PERCENT,
        formula=f"{label} comments / comments with a label x 100 (citizen comments only)",
        source=_SOURCE,
        inputs=(label, "scored"),
    )(compute)


for _label, _meaning in (
    ("positive", "praise, thanks, support"),
    ("neutral", "questions, information, neither"),
    ("negative", "complaint, anger, mockery"),
):
    _register_share(_label, _meaning)


@metric(
    "net_sentiment",
    goal=Goal.PERCEPTION,
    title="Net comment sentiment",
    unit=Unit.PERCENT,
    formula="(positive comments - negative comments) / comments with a label x 100, in percentage points",
    source=_SOURCE,
    inputs=("positive", "negative", "scored"),
)
def net_sentiment(view: View, params: MetricParams) -> ir.Table:
    """The positive share of labelled citizen comments minus the negative share, in percentage
    points: from -100 (every comment negative) to +100 (every comment positive); 0 when praise and
    complaint balance or every comment is neutral."""
    sums = sentiment_sums(view)
    return sums.select(
        *KEYS,
        "positive",
        "negative",
        "scored",
        value=ratio(sums.positive - sums.negative, sums.scored, 100.0),
    )


@metric(
    "mean_sentiment_score",
    goal=Goal.PERCEPTION,
    title="Mean comment sentiment score",
    unit=Unit.SCORE,
    formula="sum of the sentiment scores (-1 to 1) of labelled citizen comments / their number",
    source=_SOURCE,
    inputs=("score_sum", "scored"),
)
def mean_sentiment_score(view: View, params: MetricParams) -> ir.Table:
    """The mean of the analyser's scores of the period's labelled citizen comments, from -1 (surely
    negative) to +1 (surely positive). A comment's score is its probability of being positive minus
    its probability of being negative, so unlike the shares it also reflects how sure the analyser
    was."""
    sums = sentiment_sums(view)
    return sums.select(*KEYS, "score_sum", "scored", value=ratio(sums.score_sum, sums.scored))
