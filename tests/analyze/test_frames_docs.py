"""docs/metrics.md documents every column of the analytic frames that `metrics export-frames` writes."""

from __future__ import annotations

import re
from pathlib import Path

from govsocial.analyze import frames as F

DOCS = Path(__file__).resolve().parents[2] / "docs" / "metrics.md"
CALENDAR = ("day", "week", "month", "year", "hour", "weekday")


def _section() -> str:
    text = DOCS.read_text(encoding="utf-8")
    match = re.search(r"^## Redoing a metric by hand: the frames$(.*?)^## ", text, re.MULTILINE | re.DOTALL)
    assert match, "docs/metrics.md has no section on the frames"
    return match.group(1)


def test_every_frame_and_column_is_documented() -> None:
    # A researcher redoing a metric from the exported Parquet files needs each column's meaning,
    # its unit (epoch seconds in UTC) and the time zone of the calendar columns.
    section = _section()
    rows = {
        m.group(1): m.group(2) for m in re.finditer(r"^\| `(\w+)` \|[^|]*\|(.*)\|$", section, re.MULTILINE)
    }
    assert set(rows) == set(F.SCHEMAS)
    for name, schema in F.SCHEMAS.items():
        documented = set(re.findall(r"`(\w+)`", rows[name]))
        if "the calendar columns" in rows[name]:
            documented |= set(CALENDAR)
        missing = [field.name for field in schema if field.name not in documented]
        assert not missing, (name, missing)
    assert "UTC" in section and "time zone" in section and "0 = Monday" in section
    assert "`meta.json`" in section
