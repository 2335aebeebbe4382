"""The kinds of alert rules and their parameters: defaults, and the one check every way of making a
rule goes through (``govsocial alerts rules add`` and the admin page), so a bad parameter is refused
with the same message before anything is stored.

A parameter is written ``NAME=VALUE``; the value is read as JSON when it is JSON (``3``, ``2.5``)
and kept as text otherwise (a date, a platform).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from typing import Any

from govsocial.errors import GovsocialError

DEFAULTS: dict[str, dict[str, Any]] = {
    "comment_volume": {},
    "negative_share": {},
    "post_overperforming": {"ratio": 3.0, "days": 7, "baseline_days": 90, "min_posts": 5, "min_age_hours": 0},
    "post_underperforming": {
        "ratio": 3.0,
        "days": 7,
        "baseline_days": 90,
        "min_posts": 5,
        "min_age_hours": 48,
    },
    "unanswered_comments": {"hours": 24, "days": 7},
    "token_expiry": {"platform": "facebook", "expires_on": None, "days": 14},
    "account_dormant": {"days": 30},
    "account_missing": {"days": 7},
}
KINDS = tuple(DEFAULTS)
#: The parameter every kind takes: the language its alerts are written in (unset: the
#: jurisdiction's default language, as reports choose theirs).
LANG = "lang"
LANGUAGES = ("zh-hant", "zh-hans", "en")
#: Platforms whose token's expiry the platform tells (``alerts tokens``): ``expires_on`` may be left out.
ASKABLE = ("facebook", "instagram")
PLATFORM_MAX = 32
#: The largest number a parameter may be: far beyond any useful window or ratio, and small enough
#: that ``now - days`` and ``ratio * median`` stay inside the calendar and finite when a run
#: evaluates the rule (a larger one stored would stop every run with an overflow).
NUMBER_MAX = 100_000


class ParamError(GovsocialError, ValueError):
    """A rule's kind or parameter that cannot be used."""


def parse_param(text: str) -> tuple[str, Any]:
    """``NAME=VALUE`` as a pair, the value read as JSON when it is JSON."""
    name, sep, value = text.strip().partition("=")
    name = name.strip()
    if not sep or not name:
        raise ParamError(f"a parameter is NAME=VALUE, not {text!r}")
    try:
        return name, json.loads(value)
    except ValueError:
        return name, value.strip()  # a date or a word: kept as text


def _number(kind: str, name: str, default: Any, value: Any) -> int | float:
    whole = isinstance(default, int)
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = float(value)  # "3" from a form; a word stays text and is refused below
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= NUMBER_MAX:
        # NaN fails both comparisons, infinity the second.
        raise ParamError(f"{kind}: {name} must be a number from 0 to {NUMBER_MAX:,}, not {value!r}")
    if name == "ratio" and value <= 0:
        raise ParamError(f"{kind}: ratio must be more than 0")
    if whole:
        if float(value) != int(value):
            raise ParamError(f"{kind}: {name} must be a whole number, not {value!r}")
        return int(value)
    return float(value)


def _value(kind: str, name: str, value: Any) -> Any:
    if name == LANG:
        text = str(value).strip().lower()
        if text not in LANGUAGES:
            raise ParamError(f"{kind}: lang must be one of {', '.join(LANGUAGES)}, not {value!r}")
        return text
    default = DEFAULTS[kind][name]
    if name == "expires_on":
        if value is None or value == "":
            return None
        try:
            return dt.date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise ParamError(f"{kind}: expires_on must be a date YYYY-MM-DD, not {value!r}") from None
    if name == "platform":
        text = str(value).strip().lower()
        if not text or len(text) > PLATFORM_MAX or not text.replace("_", "").isalnum():
            raise ParamError(f"{kind}: platform must be a platform name such as facebook, not {value!r}")
        return text
    return _number(kind, name, default, value)


def clean_params(kind: str, given: dict[str, Any]) -> dict[str, Any]:
    """The parameters as given, checked and normalised; ``ParamError`` says what is wrong."""
    if kind not in DEFAULTS:
        raise ParamError(f"unknown alert kind {kind!r}; one of: {', '.join(KINDS)}")
    unknown = set(given) - set(DEFAULTS[kind]) - {LANG}
    if unknown:
        raise ParamError(f"unknown parameter(s) for {kind}: {', '.join(sorted(unknown))}")
    clean = {name: _value(kind, name, value) for name, value in given.items()}
    if kind == "token_expiry":
        platform = clean.get("platform", DEFAULTS[kind]["platform"])
        if clean.get("expires_on") is None and platform not in ASKABLE:
            raise ParamError(
                f"token_expiry needs expires_on=YYYY-MM-DD for {platform}: only the "
                f"{' and '.join(ASKABLE)} tokens' expiry is asked of the platform"
            )
    return clean


def params_of(kind: str, given: dict[str, Any]) -> dict[str, Any]:
    """A rule's parameters over the kind's defaults; refuses an unknown kind or a bad parameter."""
    return {**DEFAULTS[kind], **clean_params(kind, given)} if kind in DEFAULTS else clean_params(kind, given)
