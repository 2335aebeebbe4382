"""Metric parameters are finite and sensible: infinity, NaN and values no period could use are
refused, each error naming the parameter; the documented ends are accepted and the defaults'
digest (which names the stored values) is unchanged."""

from __future__ import annotations

import math

import pytest
from pydantic import ValidationError

from govsocial.analyze.metrics.params import MAX_DAYS, MAX_HOURS, MetricParams


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("response_hours", math.inf),
        ("response_hours", "inf"),
        ("response_hours", math.nan),
        ("response_hours", MAX_HOURS + 1),
        ("timeliness_max_hours", math.inf),
        ("timeliness_max_hours", 10**7),
        ("active_days", 0),
        ("active_days", MAX_DAYS + 1),
        ("overperforming_posts", 10**8),
        ("overperforming_minimum", math.inf),
        ("overperforming_minimum", 1e300),
        ("socially_devoted", math.nan),
        ("timeliness_similarity", math.nan),
    ],
)
def test_a_value_out_of_bounds_is_refused_by_name(name: str, value: object) -> None:
    with pytest.raises(ValidationError) as raised:
        MetricParams(**{name: value})
    assert [error["loc"] for error in raised.value.errors()] == [(name,)]


def test_the_bounds_themselves_are_accepted() -> None:
    params = MetricParams(response_hours=MAX_HOURS, timeliness_max_hours=MAX_HOURS, active_days=MAX_DAYS)
    assert params.response_hours == MAX_HOURS == 8760 and params.active_days == MAX_DAYS == 3660
    assert MetricParams(active_days=1, response_hours=0.5).active_days == 1


def test_the_defaults_digest_is_unchanged() -> None:
    """Stored values name their parameters by this digest: the bounds must not change it."""
    assert MetricParams().digest() == "c060bfe269b8"
