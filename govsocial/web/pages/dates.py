"""Calendar periods as a reader of each interface language writes them.

The store names a week by its ISO label ("2026-W40"), which few readers can place; the pages show
its first and last day in the page's language ("28 Sept – 4 Oct 2026", "2026年9月28日至10月4日")
and keep the ISO label in the markup (``<time datetime>``) for machines and for readers who want it.
The wording comes from CLDR through Babel, so each language gets its own order and separators.
Times and periods are the jurisdiction's, and :func:`zone_name` names its time zone the same way
("Hong Kong Time", "香港時間").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from babel.dates import format_interval, get_timezone, get_timezone_name

#: The CLDR locale whose date forms each interface language uses: Hong Kong Traditional Chinese,
#: mainland Simplified Chinese, and British English (day before month), as Hong Kong writes it.
BABEL_LOCALES = {"zh-hant": "zh_Hant_HK", "zh-hans": "zh_Hans_CN", "en": "en_GB"}
#: An ISO week label as the store writes it.
ISO_WEEK = re.compile(r"(?P<year>\d{4})-W(?P<week>\d{2})")


@dataclass(frozen=True)
class WeekDates:
    """One ISO week: its label (a valid HTML ``<time datetime>``) and its days in words."""

    iso: str
    text: str


def week_dates(code: str, label: str) -> WeekDates | None:
    """The days of ISO week ``label`` in language ``code``; None when ``label`` is no ISO week."""
    match = ISO_WEEK.fullmatch(label)
    if match is None:
        return None
    try:
        monday = dt.date.fromisocalendar(int(match["year"]), int(match["week"]), 1)
        sunday = monday + dt.timedelta(days=6)
    except (ValueError, OverflowError):  # week 53 of a year without one, or past year 9999
        return None
    return WeekDates(label, format_interval(monday, sunday, "yMMMd", locale=BABEL_LOCALES[code]))


def zone_name(code: str, zone: dt.tzinfo) -> str:
    """The generic name of ``zone`` in language ``code`` ("Hong Kong Time", "香港時間"); "UTC" for UTC,
    which CLDR would call an unknown region."""
    key = getattr(zone, "key", None) or str(zone)
    if key in ("UTC", "Etc/UTC", "Etc/GMT", "GMT"):
        return "UTC"
    return str(get_timezone_name(get_timezone(key), locale=BABEL_LOCALES[code]))
