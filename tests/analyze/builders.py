"""Frames built from code for metric tests: give the rows that matter, the rest is filled in."""

from __future__ import annotations

from typing import Any

from govsocial.analyze import frames as F
from govsocial.analyze.metrics import engines, scorecard
from govsocial.analyze.metrics.model import Level, PeriodKind
from govsocial.analyze.metrics.params import MetricParams

TZ = "Asia/Hong_Kong"


def build(jurisdiction: str = "hk", population: int | None = None, **rows: list[dict[str, Any]]) -> F.Frames:
    """Frames from lists of row dictionaries; tables not given are empty, periods are derived.

    Accounts named in posts, comments, followers or matches but not in ``accounts`` are added as
    active Facebook accounts of jurisdiction ``jurisdiction``: as in the frames ``extract`` reads
    from a store, every row's account is in ``accounts`` (a scorecard counts those accounts' rows).
    """
    unknown = set(rows) - set(F.SCHEMAS)
    assert not unknown, f"unknown frames {unknown}"
    tables = {name: F.from_rows(name, rows.get(name, []), TZ) for name in F.SCHEMAS if name != "periods"}
    known = {r["account_id"] for r in rows.get("accounts", [])}
    named = ("posts", "comments", "followers", "matches")
    seen = {r["account_id"] for name in named for r in rows.get(name, [])}
    extra = [
        {
            "account_id": a,
            "platform": "facebook",
            "handle": f"a{a}",
            "status": "published",
            "jurisdiction": jurisdiction,
        }
        for a in sorted(seen - known)
    ]
    tables["accounts"] = F.from_rows("accounts", [*rows.get("accounts", []), *extra], TZ)
    tables["periods"] = F.periods(tables, TZ)
    return F.Frames(jurisdiction, population, tables)


def run(
    frames: F.Frames,
    metric: str,
    level: Level = Level.ACCOUNT,
    period_kind: PeriodKind = PeriodKind.MONTH,
    params: MetricParams | None = None,
) -> list[dict[str, Any]]:
    """One metric on DuckDB, as scorecard rows (dicts with ``entity``, ``period``, ``value``, ``inputs``)."""
    import json

    con = engines.duckdb(frames)
    table = scorecard.compute(
        con, frames.jurisdiction, frames.population, params, [level], period_kind, [metric]
    )
    return [{**row, "inputs": json.loads(row["inputs"])} for row in table.to_pylist()]


def hk(year: int, month: int, day: int, hour: int = 12, minute: int = 0, second: int = 0) -> int:
    """Epoch seconds of a Hong Kong local time."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    return int(dt.datetime(year, month, day, hour, minute, second, tzinfo=ZoneInfo(TZ)).timestamp())
