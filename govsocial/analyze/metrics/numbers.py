"""How a metric's value is written, the same in the portal and in reports: "12.3%", "0.85‰",
"12.5 h", "1,234"; "—" when unknown.

Digits and separators are the same in every language (Hong Kong writes numbers the English way);
only the hours suffix differs, so callers pass its translated template (``HOURS`` in English).
"""

from __future__ import annotations

import math

from govsocial.analyze.metrics.model import Unit

#: A number of hours, in English; the portal's catalogue translates this message.
HOURS = "%(hours)s h"


def _number(value: float, decimals: int) -> str:
    """``value`` with thousands separators; whole numbers without decimals."""
    if value == int(value):
        return f"{value:,.0f}"
    return f"{value:,.{decimals}f}"


def format_value(value: float | None, unit: Unit, hours: str = HOURS) -> str:
    """``value`` written in ``unit``, the hours with the template ``hours``."""
    if value is None or not math.isfinite(value):
        return "—"
    if unit is Unit.PERCENT:
        return f"{value:,.1f}%"
    if unit is Unit.PER_MILLE:
        return f"{value:,.2f}‰"
    if unit is Unit.HOURS:
        return hours % {"hours": f"{value:,.1f}"}
    if unit is Unit.SCORE:
        return _number(value, 2 if abs(value) <= 1 else 1)
    if unit is Unit.RATIO:
        return _number(value, 2)
    return _number(value, 1)
