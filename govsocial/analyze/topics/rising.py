"""Which terms rose: weighted log-odds ratios with an informative Dirichlet prior.

Monroe, Colaresi and Quinn (2008), "Fightin' Words: Lexical Feature Selection and Evaluation for
Identifying the Content of Political Conflict", *Political Analysis* 16(4), section 3.5. For a term
``w`` counted ``y_now`` times out of ``n_now`` this period and ``y_before`` out of ``n_before`` in
the previous one, with prior pseudo-counts ``a_w`` summing to ``a_0``::

    delta_w = log((y_now + a_w) / (n_now + a_0 - y_now - a_w))
            - log((y_before + a_w) / (n_before + a_0 - y_before - a_w))
    var_w  ~= 1 / (y_now + a_w) + 1 / (y_before + a_w)
    z_w     = delta_w / sqrt(var_w)

Raw counts favour terms that are always common, and plain ratios favour rare ones (1 mention
against 0 is infinitely more); the prior shrinks both towards what is usual for the subject, and
the z-score says how sure the rise is. The prior is the subject's own longer history: ``a_w`` is
``a_0`` times the term's share of all the counts in it, and ``a_0`` is, by default, as large as
the two periods' counts together (:data:`PRIOR_WEIGHT`).

Here a count is the number of comments mentioning the term (document frequency), and ``n`` the
sum of those counts over all terms, so the shares are of term mentions, as in the paper.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

#: The prior's total pseudo-count ``a_0`` relative to ``n_now + n_before``.
PRIOR_WEIGHT = 1.0
#: A rising term is mentioned in at least this many comments in the period...
MIN_COMMENTS = 3
#: ...and its z-score is at least this (1.96: a rise this large happens by chance about once in 40).
MIN_Z = 1.96


@dataclass(frozen=True)
class LogOdds:
    """One term's comparison: its counts, the log-odds ratio ``delta``, its variance and z-score."""

    term: str
    now: int
    before: int
    delta: float
    variance: float
    z: float


def prior_from(history: Mapping[str, int], size: float) -> dict[str, float]:
    """Pseudo-counts ``a_w`` proportional to the history's counts, ``size`` in all."""
    total = sum(history.values())
    if total <= 0:
        return {}
    return {term: size * count / total for term, count in history.items() if count > 0}


def log_odds(
    now: Mapping[str, int],
    before: Mapping[str, int],
    prior: Mapping[str, float],
) -> dict[str, LogOdds]:
    """The weighted log-odds of every term the prior covers that either period mentions.

    ``prior`` maps terms to pseudo-counts; ``a_0`` is their sum. A term outside the prior is left
    out (the caller's prior includes both periods, so that never drops a mentioned term), and so
    is a term that is everything mentioned (its odds against the other terms do not exist).
    """
    n_now, n_before = sum(now.values()), sum(before.values())
    a0 = sum(prior.values())
    scores: dict[str, LogOdds] = {}
    for term in now.keys() | before.keys():
        a = prior.get(term, 0.0)
        if a <= 0:
            continue
        y_now, y_before = now.get(term, 0), before.get(term, 0)
        if n_now + a0 - y_now - a <= 0 or n_before + a0 - y_before - a <= 0:
            continue  # the only term of the prior and a period: no odds against other terms
        delta = _log_odds(y_now, n_now, a, a0) - _log_odds(y_before, n_before, a, a0)
        variance = 1 / (y_now + a) + 1 / (y_before + a)
        scores[term] = LogOdds(term, y_now, y_before, delta, variance, delta / math.sqrt(variance))
    return scores


def _log_odds(count: int, total: int, a: float, a0: float) -> float:
    return math.log((count + a) / (total + a0 - count - a))


def rising(
    scores: Mapping[str, LogOdds],
    min_comments: int = MIN_COMMENTS,
    min_z: float = MIN_Z,
) -> list[LogOdds]:
    """The terms that rose clearly: enough mentions now and a high z-score, highest z first."""
    found = [s for s in scores.values() if s.now >= min_comments and s.z >= min_z]
    return sorted(found, key=lambda s: (-s.z, -s.now, s.term))
