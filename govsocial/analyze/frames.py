"""The analytic frames: the store's activity as flat, typed columns that any dataframe engine reads.

Metric definitions never see the store's tables. They read these frames, which every engine can
hold (DuckDB from Arrow in memory, Spark from Parquet): times as integer epoch seconds (UTC) so
arithmetic means the same everywhere, and calendar periods (day, ISO week, month, year) already
cut in the jurisdiction's own time zone, as plain strings, so no engine's time-zone rules apply.

Column meanings (``None`` where a platform does not give the number):

``accounts``   one row per registry account. Every other frame's rows are of these accounts (as
               ``extract`` reads them); a scorecard counts the rows of the accounts listed here,
               above the account level those of the official ones only (``status`` published,
               ``active`` in generated frames, or archived; not under review: ``metrics.view``).
``owners``     account -> organisation (an account owned by two organisations appears twice).
``followers``  follower-count snapshots over time.
``posts``      one row per post, with the latest counts. ``reactions`` is every reaction (Facebook's
               seven types summed; ``likes`` where a platform has no reaction types); ``like`` is
               the Like reaction alone (or likes); ``interactions`` is not stored: it depends on
               the metric parameters.
``comments``   one row per comment or reply. ``parent`` is the platform id of the comment it
               answers; ``key`` is its own platform id; ``author`` a keyed pseudonym.
               ``sentiment`` (negative / neutral / positive) and ``sentiment_score`` (-1 to 1) are
               the stored analyser's, null where the comment is not scored (page replies, empty
               texts, texts changed since they were scored).
``matches``    press release (an RSS item) -> the first social post on the same subject; the
               time and calendar columns are the social post's.
``periods``    every calendar period the data touches, with its bounds.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

_ID = pa.int64()
_TS = pa.int64()
_N = pa.int64()
_S = pa.string()
_CALENDAR = [
    ("day", _S),
    ("week", _S),
    ("month", _S),
    ("year", _S),
    ("hour", pa.int32()),
    ("weekday", pa.int32()),
]

#: The schema of every frame. Engines, the store extraction and the benchmark generator all build
#: exactly these columns; ``validate`` checks it.
SCHEMAS: dict[str, pa.Schema] = {
    "accounts": pa.schema(
        [("account_id", _ID), ("platform", _S), ("handle", _S), ("status", _S), ("jurisdiction", _S)]
    ),
    "owners": pa.schema([("account_id", _ID), ("organisation", _S), ("organisation_kind", _S)]),
    "followers": pa.schema([("account_id", _ID), ("ts", _TS), *_CALENDAR, ("followers", _N)]),
    "posts": pa.schema(
        [
            ("post_id", _ID),
            ("account_id", _ID),
            ("platform", _S),
            ("ts", _TS),
            *_CALENDAR,
            ("format", _S),
            ("text_length", pa.int32()),
            ("has_link", pa.bool_()),
            ("links_eservice", pa.bool_()),
            ("invites_response", pa.bool_()),
            ("url", _S),
            ("followers_at_posting", _N),
            ("reactions", _N),
            ("like", _N),
            ("love", _N),
            ("haha", _N),
            ("wow", _N),
            ("sad", _N),
            ("angry", _N),
            ("care", _N),
            ("comments", _N),
            ("shares", _N),
            ("views", _N),
            ("quotes", _N),
            ("replies", _N),
            ("clicks", _N),
        ]
    ),
    "comments": pa.schema(
        [
            ("comment_id", _ID),
            ("post_id", _ID),
            ("account_id", _ID),
            ("platform", _S),
            ("ts", _TS),
            *_CALENDAR,
            ("key", _S),
            ("parent", _S),
            ("is_page_reply", pa.bool_()),
            ("is_question", pa.bool_()),
            ("deleted", pa.bool_()),
            ("author", _S),
            ("sentiment", _S),
            ("sentiment_score", pa.float64()),
        ]
    ),
    "matches": pa.schema(
        [
            ("release_post_id", _ID),
            ("release_account_id", _ID),
            ("post_id", _ID),
            ("account_id", _ID),
            ("ts", _TS),
            *_CALENDAR,
            ("delay_s", _N),
            ("similarity", pa.float64()),
        ]
    ),
    "periods": pa.schema([("kind", _S), ("period", _S), ("start_ts", _TS), ("end_ts", _TS)]),
}


@dataclasses.dataclass(frozen=True)
class Frames:
    """The analytic frames as Arrow tables, plus what the whole dataset is about."""

    jurisdiction: str
    population: int | None
    tables: dict[str, pa.Table]

    def validate(self) -> None:
        """Fail loudly when a frame lacks a table or a column, or has one of the wrong type."""
        for name, schema in SCHEMAS.items():
            table = self.tables.get(name)
            if table is None:
                raise ValueError(f"analytic frames: table {name!r} is missing")
            for field in schema:
                if field.name not in table.schema.names:
                    raise ValueError(f"analytic frames: {name}.{field.name} is missing")
                got = table.schema.field(field.name).type
                if got != field.type:
                    raise ValueError(f"analytic frames: {name}.{field.name} is {got}, expected {field.type}")

    def write_parquet(self, folder: Path) -> None:
        """One Parquet file per frame (what Spark and other engines read), plus ``meta.json``."""
        folder.mkdir(parents=True, exist_ok=True)
        for name, table in self.tables.items():
            pq.write_table(table.select(SCHEMAS[name].names), folder / f"{name}.parquet")
        meta = {"jurisdiction": self.jurisdiction, "population": self.population}
        (folder / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")

    @classmethod
    def read_parquet(cls, folder: Path) -> Frames:
        """The frames written by ``write_parquet``."""
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        tables = {name: pq.read_table(folder / f"{name}.parquet") for name in SCHEMAS}
        return cls(jurisdiction=meta["jurisdiction"], population=meta["population"], tables=tables)


def empty(name: str) -> pa.Table:
    """An empty frame with the right columns."""
    return SCHEMAS[name].empty_table()


def calendar(ts: pa.Array | pa.ChunkedArray, timezone: str) -> dict[str, pa.Array | pa.ChunkedArray]:
    """The calendar columns of epoch-second times, in ``timezone`` (an IANA name)."""
    import pyarrow.compute as pc

    utc = pc.cast(ts, pa.timestamp("s", tz="UTC"))
    local = pc.local_timestamp(pc.cast(utc, pa.timestamp("s", tz=timezone)))
    return {
        "day": pc.strftime(local, format="%Y-%m-%d"),
        "week": pc.strftime(local, format="%G-W%V"),
        "month": pc.strftime(local, format="%Y-%m"),
        "year": pc.strftime(local, format="%Y"),
        "hour": pc.cast(pc.hour(local), pa.int32()),
        "weekday": pc.cast(pc.day_of_week(local), pa.int32()),
    }


def from_rows(name: str, rows: list[dict[str, object]], timezone: str = "Asia/Hong_Kong") -> pa.Table:
    """A frame from dictionaries: absent columns are null, calendar columns derived from ``ts``.

    Tests, the sample data and the benchmark generator build frames this way.
    """
    schema = SCHEMAS[name]
    columns: dict[str, pa.Array | pa.ChunkedArray] = {
        field.name: pa.array([row.get(field.name) for row in rows], field.type) for field in schema
    }
    if "day" in schema.names and rows:
        columns.update(calendar(columns["ts"], timezone))
    return pa.table({field.name: columns[field.name] for field in schema}, schema=schema)


def periods(frames: dict[str, pa.Table], timezone: str) -> pa.Table:
    """Every day, week, month and year between the first and last time in the timed frames."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    import pyarrow.compute as pc

    times = [
        pc.min_max(frames[name].column("ts"))
        for name in ("posts", "comments", "followers")
        if name in frames and frames[name].num_rows
    ]
    if not times:
        return empty("periods")
    zone = ZoneInfo(timezone)
    first = min(t["min"].as_py() for t in times)
    last = max(t["max"].as_py() for t in times)
    day = dt.datetime.fromtimestamp(first, zone).date()
    end_day = dt.datetime.fromtimestamp(last, zone).date()
    rows: dict[tuple[str, str], list[int]] = {}
    while day <= end_day:
        start = int(dt.datetime.combine(day, dt.time(), zone).timestamp())
        stop = int(dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), zone).timestamp())
        iso = day.isocalendar()
        for kind, label in (
            ("day", day.isoformat()),
            ("week", f"{iso.year}-W{iso.week:02d}"),
            ("month", day.strftime("%Y-%m")),
            ("year", str(day.year)),
        ):
            bounds = rows.setdefault((kind, label), [start, stop])
            bounds[1] = stop
        day += dt.timedelta(days=1)
    return pa.table(
        {
            "kind": [k for k, _ in rows],
            "period": [p for _, p in rows],
            "start_ts": [b[0] for b in rows.values()],
            "end_ts": [b[1] for b in rows.values()],
        },
        schema=SCHEMAS["periods"],
    )
