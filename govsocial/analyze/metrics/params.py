"""Metric parameters: the choices on which the field's published definitions disagree.

Each parameter is named in ``docs/metrics.md`` next to the metrics it changes. The defaults follow
the most cited definition (CrowdTangle for interaction rate, Bonsón et al. 2015 for P/C/V/E). A
deployment sets its own in the ``metric_params`` setting; ``configured`` turns that setting into the
parameters every refresh, page, API answer, report and command uses (values are stored per digest,
so whoever reads them must ask for the digest the refresh wrote).
"""

from __future__ import annotations

import copy
import difflib
import enum
import functools
import hashlib
import re
import weakref
from collections.abc import Mapping
from typing import Any, Final, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import ErrorDetails

from govsocial.errors import ConfigurationError
from govsocial.settings import Settings


class LikesMeaning(enum.StrEnum):
    """What "likes" means on Facebook, where there are seven reactions."""

    LIKE_ONLY = "like"
    ALL_REACTIONS = "reactions"


class FollowerBasis(enum.StrEnum):
    """Which follower count divides: at posting time, the window's mean, or the latest."""

    AT_POSTING = "posting"
    WINDOW_MEAN = "window_mean"
    LATEST = "latest"


class Aggregation(enum.StrEnum):
    """Page level (ratio of sums) or post level (mean of per-post ratios)."""

    RATIO_OF_SUMS = "ratio_of_sums"
    MEAN_OF_RATIOS = "mean_of_ratios"


#: The longest wait the hour parameters take: a year.
MAX_HOURS = 24 * 365
#: The longest ``active_days``: about ten years, the longest period (a year) many times over.
MAX_DAYS = 3660
#: The most posts an overperforming benchmark is made of.
MAX_BENCHMARK_POSTS = 10_000
#: The highest floor of expected interactions (more than any post of the registry gets).
MAX_INTERACTIONS = 1_000_000_000


#: A parameter digest as values are stored under it (``MetricParams.digest``): 12 hexadecimal
#: digits, written in lower case; readers accept either case.
DIGEST_SHAPE: Final = re.compile("[0-9a-fA-F]{12}")


class MetricParams(BaseModel):
    """Every parameter of every metric, with the default each is documented with."""

    # No infinity or NaN: "inf" parses as a float, and a bound compared with NaN says nothing.
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    likes: LikesMeaning = LikesMeaning.ALL_REACTIONS
    follower_basis: FollowerBasis = FollowerBasis.AT_POSTING
    aggregation: Aggregation = Aggregation.RATIO_OF_SUMS
    account_rate_basis: FollowerBasis = Field(
        default=FollowerBasis.WINDOW_MEAN,
        description="Follower count dividing interaction_rate_account (CrowdTangle: the window's mean).",
    )
    x_count_replies: bool = Field(default=False, description="X interactions include replies.")
    x_count_quotes: bool = Field(default=False, description="X interactions include quotes.")
    # The upper bounds refuse a typo, not a choice: a window or wait longer than they allow is longer
    # than any period the metrics are computed for (docs/metrics.md).
    active_days: int = Field(
        default=30, ge=1, le=MAX_DAYS, description="An account with no post for this long is dormant."
    )
    overperforming_posts: int = Field(
        default=100, ge=4, le=MAX_BENCHMARK_POSTS, description="Posts in the overperforming benchmark."
    )
    overperforming_minimum: float = Field(
        default=10.0, ge=0, le=MAX_INTERACTIONS, description="Floor of the expected interactions."
    )
    response_hours: float = Field(
        default=24.0,
        gt=0,
        le=MAX_HOURS,
        description="Reply target: a first reply within this many hours is in time (replied_within_target).",
    )
    business_hours: tuple[int, int] = Field(
        default=(9, 18),
        description="Local office hours [start, end) for business-hours response times: whole hours, "
        "0 <= start < end <= 24.",
    )
    socially_devoted: float = Field(
        default=0.65,
        ge=0,
        le=1,
        description="Response-rate bar of a 'socially devoted' page: a share, 0 to 1.",
    )
    timeliness_max_hours: float = Field(
        default=72.0,
        gt=0,
        le=MAX_HOURS,
        description="A social post later than this after a press release is not matched.",
    )
    # Above 0: the matcher looks only at posts that share a word with the release, so "at least 0"
    # would not mean "any post" (docs/metrics.md).
    timeliness_similarity: float = Field(
        default=0.3, gt=0, le=1, description="Least text similarity for a press release and a post to match."
    )

    @field_validator("business_hours")
    @classmethod
    def _office_hours(cls, hours: tuple[int, int]) -> tuple[int, int]:
        start, end = hours
        if not 0 <= start < end <= 24:
            raise ValueError("office hours are [start, end) in whole local hours, 0 <= start < end <= 24")
        return hours

    def digest(self) -> str:
        """A short stable hash of the parameters: stored results say which parameters made them."""
        return self._digest

    # Worked out once per object: the model is frozen, so its fields cannot change under the cache.
    @functools.cached_property
    def _digest(self) -> str:
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()[:12]

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """pydantic's copy, less the cached digest: ``update`` changes fields the digest hashes."""
        copied = super().model_copy(update=update, deep=deep)
        copied.__dict__.pop("_digest", None)
        return copied


#: The setting that holds a deployment's parameters (``Settings.metric_params``).
SETTING = "metric_params"

#: ``configured``'s answer per live ``Settings`` (keyed by ``id``: a ``Settings`` is not hashable):
#: a weak reference to it, a copy of the setting the answer was made from, and the answer.
_CONFIGURED: dict[int, tuple[weakref.ref[Settings], dict[str, Any], MetricParams]] = {}


def configured(settings: Settings) -> MetricParams:
    """The deployment's parameters: the ``metric_params`` setting over the documented defaults.

    The one place the setting becomes parameters: the refresh stores values under this digest and
    the portal, the API, reports and ``govsocial metrics`` read them under it. A name that is no
    parameter, or a value that breaks its rule, raises ``ConfigurationError``: one line naming the
    setting, the parameter and the rule (``metric_params.business_hours: ...``), never the value.
    Checked once per ``Settings`` object, which then always gets the same ``MetricParams`` back
    (pages and API answers ask on every request); a bad setting is never cached, so it raises on
    every call.
    """
    key = id(settings)
    known = _CONFIGURED.get(key)
    # The copy's comparison sees a setting changed on the same object; the reference, an id reused.
    if known is not None and known[0]() is settings and known[1] == settings.metric_params:
        return known[2]
    params = _validated(settings.metric_params)
    gone = weakref.ref(settings, lambda _: _CONFIGURED.pop(key, None))
    _CONFIGURED[key] = (gone, copy.deepcopy(settings.metric_params), params)
    return params


def _validated(setting: dict[str, Any]) -> MetricParams:
    try:
        return MetricParams.model_validate(setting)
    except ValidationError as exc:
        raise ConfigurationError(problems(exc, f"{SETTING}.")) from None


def overridden(params: MetricParams, values: Mapping[str, Any]) -> MetricParams:
    """``params`` with ``values`` over them (``govsocial metrics --param``), checked again; raises
    pydantic's ``ValidationError`` for a bad one (``problems`` words it)."""
    return MetricParams.model_validate({**params.model_dump(), **values})


def problems(exc: ValidationError, prefix: str = "") -> str:
    """Every error of ``exc`` as ``PARAMETER: rule``, on one line (``prefix`` before each name)."""
    return "; ".join(prefix + _problem(error) for error in exc.errors())


def _problem(error: ErrorDetails) -> str:
    name = ".".join(str(part) for part in error["loc"]) or "?"
    if error["type"] == "extra_forbidden":
        close = difflib.get_close_matches(name, MetricParams.model_fields, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        return f"{name}: not a metric parameter{hint}; the parameters are in docs/metrics.md"
    # pydantic prefixes a validator's own message with "Value error, ": the rule reads alone.
    rule = error["msg"].removeprefix("Value error, ")
    return f"{name}: {rule.replace('Input should', 'must', 1)}"
