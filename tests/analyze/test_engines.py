"""One definition, two engines: DuckDB and Spark give the same scorecard on the same data.

The dataset is synthetic but deterministic (a seeded generator): accounts on Facebook, X,
Instagram, YouTube, an RSS feed of press releases and a dormant page; an account owned by two
organisations; an archived account (counted everywhere) and accounts under review (counted at
their own account level only: one an alternate handle beside an official page, one the only
account of its organisation and platform, which then have no rows); posts with missing counts
(platforms that do not report them); citizens' comments, questions and the page's replies;
follower snapshots; press releases matched to posts, some to posts under review. The
scorecard runs every metric the registry holds when the test runs, at all four levels, by month
and by ISO week. Spark runs in local mode, one session for the whole module (a JVM takes seconds
to start); without Java the Spark tests fail and say so (``scripts/system-deps.sh`` installs it).
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pytest

from govsocial.analyze import frames as F
from govsocial.analyze.metrics import engines, scorecard
from govsocial.analyze.metrics.common import only, tally
from govsocial.analyze.metrics.model import Level, PeriodKind, registry
from govsocial.analyze.metrics.params import MetricParams
from govsocial.analyze.metrics.view import ENTITIES, make_view, register_view
from tests.analyze.builders import build, hk

JURISDICTION = "hk"
#: account id -> platform, owners
ACCOUNTS: dict[int, tuple[str, tuple[str, ...]]] = {
    1: ("facebook", ("isd",)),
    2: ("facebook", ("cmab",)),
    3: ("x", ("isd",)),
    4: ("instagram", ("isd", "cmab")),  # one account, two owners: it counts for each
    5: ("youtube", ("lcsd",)),
    6: ("rss", ("isd",)),  # press releases
    7: ("facebook", ("lcsd",)),  # dormant: its last post is long before the others
    8: ("facebook", ("isd",)),  # under review: maybe an alternate handle of account 1
    9: ("x", ("cmab",)),  # archived: its posts were official when published
    10: ("threads", ("hkpf",)),  # under review, alone in its organisation and on its platform
}
#: Registry statuses other than ``active`` (the analytic frames' word for published).
STATUSES = {8: "under_review", 9: "archived", 10: "under_review"}
FORMATS = ("video", "image", "link", "text", "live", "other")
#: Stored comment sentiment (label, score), by comment id: taken in turn, not drawn from the seeded
#: generator, so the rest of the dataset is what it was before comments had a sentiment.
SENTIMENTS = (("negative", -0.7), ("neutral", 0.05), ("positive", 0.625), (None, None), ("negative", -0.25))


def _maybe(rng: random.Random, value: int, missing: float = 0.15) -> int | None:
    """A count, or None as when a platform does not report it."""
    return None if rng.random() < missing else value


def _post(rng: random.Random, post_id: int, account: int, platform: str, ts: int) -> dict[str, Any]:
    reactions = rng.choice([0, 0, 1, 3, 12, 40, 250, 1800])
    like = min(reactions, rng.randint(0, reactions)) if platform == "facebook" else reactions
    share = reactions - like
    split = [rng.randint(0, share) for _ in range(5)]
    fmt = rng.choice(FORMATS)
    return {
        "post_id": post_id,
        "account_id": account,
        "platform": platform,
        "ts": ts,
        "format": fmt,
        "text_length": rng.randint(0, 600),
        "has_link": fmt == "link" or rng.random() < 0.2,
        "links_eservice": rng.random() < 0.15,
        "invites_response": rng.random() < 0.3,
        "url": f"https://example.org/{platform}/{post_id}",
        "followers_at_posting": _maybe(rng, rng.randint(0, 50_000), 0.1),
        "reactions": _maybe(rng, reactions, 0.05),
        "like": like if platform != "rss" else None,
        "love": split[0] if platform == "facebook" else None,
        "haha": split[1] if platform == "facebook" else None,
        "wow": split[2] if platform == "facebook" else None,
        "sad": split[3] if platform == "facebook" else None,
        "angry": split[4] if platform == "facebook" else None,
        "care": 0 if platform == "facebook" else None,
        "comments": _maybe(rng, rng.randint(0, 30)),
        "shares": _maybe(rng, rng.randint(0, 20)) if platform in ("facebook", "x") else None,
        "views": rng.randint(0, 90_000)
        if platform in ("youtube", "x", "facebook") and fmt == "video"
        else None,
        "quotes": rng.randint(0, 5) if platform == "x" else None,
        "replies": rng.randint(0, 9) if platform == "x" else None,
        "clicks": _maybe(rng, rng.randint(0, 300), 0.7),
    }


def _comments(rng: random.Random, post: dict[str, Any], next_id: Iterator[int]) -> list[dict[str, Any]]:
    """Citizens' comments and questions on a post, some answered by the page (once or twice)."""
    rows: list[dict[str, Any]] = []
    for _ in range(rng.choice([0, 0, 1, 2, 3, 5])):
        cid = next(next_id)
        ts = post["ts"] + rng.randint(60, 5 * 86_400)
        rows.append(
            {
                "comment_id": cid,
                "post_id": post["post_id"],
                "account_id": post["account_id"],
                "platform": post["platform"],
                "ts": ts,
                "key": f"c{cid}",
                "parent": None,
                "is_page_reply": False,
                "is_question": rng.random() < 0.35,
                "deleted": rng.random() < 0.05,
                "author": f"citizen-{rng.randint(1, 40)}",
                "sentiment": SENTIMENTS[cid % len(SENTIMENTS)][0],
                "sentiment_score": SENTIMENTS[cid % len(SENTIMENTS)][1],
            }
        )
        citizen = rows[-1]
        for reply in range(rng.choice([0, 0, 1, 1, 2])):
            rid = next(next_id)
            rows.append(
                {
                    **citizen,
                    "comment_id": rid,
                    "ts": ts + rng.choice([30, 600, 3_600, 7 * 3_600, 30 * 3_600, 9 * 86_400]) + reply,
                    "key": f"c{rid}",
                    "parent": f"c{cid}",
                    "is_page_reply": True,
                    "is_question": False,
                    "deleted": False,
                    "author": f"page-{post['account_id']}",
                    "sentiment": None,  # the page's replies are never scored
                    "sentiment_score": None,
                }
            )
    return rows


def synthetic() -> F.Frames:
    """The agreement dataset: ten accounts over three months (September-November 2026)."""
    rng = random.Random(20261127)
    ids = iter(range(1, 10**6))
    posts: list[dict[str, Any]] = []
    comments: list[dict[str, Any]] = []
    for account, (platform, _owners) in ACCOUNTS.items():
        count = 3 if account == 7 else rng.randint(25, 45)
        start = hk(2026, 6, 1) if account == 7 else hk(2026, 9, 1, 0, 0, 0)
        for _ in range(count):
            # Posts land on period edges too (local midnight at the turn of a month or week).
            ts = start + rng.choice([0, rng.randint(0, 91 * 86_400 - 1), 30 * 86_400, 5 * 86_400 - 1])
            post = _post(rng, next(ids), account, platform, ts)
            posts.append(post)
            if platform != "rss":
                comments.extend(_comments(rng, post, ids))
    followers = [
        {
            "account_id": account,
            "ts": hk(2026, 8, 25) + day * 86_400 + rng.randint(0, 3_600),
            "followers": base,
        }
        for account in ACCOUNTS
        if account != 6
        for day, base in _growth(rng, 1_000 * account)
    ]
    matches = _matches(rng, posts)
    owners = [
        {"account_id": a, "organisation": o, "organisation_kind": "department"}
        for a, (_, orgs) in ACCOUNTS.items()
        for o in orgs
    ]
    accounts = [
        {
            "account_id": a,
            "platform": p,
            "handle": f"acct{a}",
            "status": STATUSES.get(a, "active"),
            "jurisdiction": JURISDICTION,
        }
        for a, (p, _) in ACCOUNTS.items()
    ]
    return build(
        JURISDICTION,
        7_500_000,
        accounts=accounts,
        owners=owners,
        posts=posts,
        comments=comments,
        followers=followers,
        matches=matches,
    )


def _growth(rng: random.Random, start: int) -> list[tuple[int, int]]:
    """Follower snapshots every few days, mostly growing, once falling."""
    out, value, day = [], start, 0
    while day < 100:
        out.append((day, value))
        value = max(0, value + rng.randint(-30, 120))
        day += rng.choice([1, 1, 3, 7])
    return out


def _matches(rng: random.Random, posts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Press releases (RSS) matched to the first later social post of an organisation."""
    social = sorted((p for p in posts if p["platform"] != "rss"), key=lambda p: p["ts"])
    rows = []
    for release in (p for p in posts if p["platform"] == "rss"):
        later = [p for p in social if release["ts"] < p["ts"] <= release["ts"] + 3 * 86_400]
        if later and rng.random() < 0.8:
            post = later[0]
            rows.append(
                {
                    "release_post_id": release["post_id"],
                    "release_account_id": release["account_id"],
                    "post_id": post["post_id"],
                    "account_id": post["account_id"],
                    "ts": post["ts"],
                    "delay_s": post["ts"] - release["ts"],
                    "similarity": round(rng.uniform(0.3, 1.0), 3),
                }
            )
    return rows


# --- the engines ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def frames() -> F.Frames:
    data = synthetic()
    data.validate()
    return data


@pytest.fixture(scope="module")
def parquet(frames: F.Frames, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("frames")
    frames.write_parquet(folder)
    return folder


@pytest.fixture(scope="module")
def spark(parquet: Path) -> Any:
    """The Spark engine over the Parquet frames; fails (never skips) when Java is missing."""
    try:
        return engines.spark(parquet, "local[2]")
    except RuntimeError as error:  # engines._require_java's message says how to install Java
        pytest.fail(f"Spark engine unavailable: {error}")


def _scorecard(con: Any, frames: F.Frames, period_kind: PeriodKind) -> dict[tuple[str, ...], dict[str, Any]]:
    table = scorecard.compute(con, frames.jurisdiction, frames.population, None, tuple(Level), period_kind)
    rows: dict[tuple[str, ...], dict[str, Any]] = {}
    for row in table.to_pylist():
        key = (row["metric"], row["level"], row["entity"], row["period_kind"], row["period"])
        assert key not in rows, f"duplicate scorecard row {key}"
        rows[key] = {"value": row["value"], "inputs": json.loads(row["inputs"])}
    return rows


def _differences(
    a: dict[tuple[str, ...], dict[str, Any]], b: dict[tuple[str, ...], dict[str, Any]]
) -> list[tuple[Any, ...]]:
    """The rows of two scorecards (``_scorecard``, the same keys) whose value or inputs differ."""
    return [
        (key, a[key], b[key])
        for key in a
        if not _same(a[key]["value"], b[key]["value"])
        or a[key]["inputs"].keys() != b[key]["inputs"].keys()
        or not all(_same(v, b[key]["inputs"][k]) for k, v in a[key]["inputs"].items())
    ]


def _same(a: object, b: object) -> bool:
    """Equal, with floats equal to 1e-9 relative (engines sum floats in different orders)."""
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return a == b


@pytest.mark.parametrize("period_kind", [PeriodKind.MONTH, PeriodKind.WEEK])
def test_duckdb_and_spark_give_the_same_scorecard(
    frames: F.Frames, spark: Any, period_kind: PeriodKind, monkeypatch: pytest.MonkeyPatch
) -> None:
    duck = _scorecard(engines.duckdb(frames), frames, period_kind)
    cached_during_query: list[bool] = []
    fetch = engines.fetch

    def watched(con: Any, sql: str, blocks: Any = ()) -> pa.Table:
        cached_during_query.append(spark._session.catalog.isCached(ENTITIES))
        return fetch(con, sql, blocks)

    monkeypatch.setattr(engines, "fetch", watched)
    sparked = _scorecard(spark, frames, period_kind)
    assert sorted(duck) == sorted(sparked), "the engines give different rows"
    differ = _differences(duck, sparked)
    assert not differ, f"{len(differ)} values differ, e.g. {differ[:3]}"
    # Spark computed the blocks the metrics share first (``blocks.separate``), and dropped them.
    assert any(plan.blocks for key, plan in scorecard._PLANS.items() if key[0] == "pyspark")
    assert not [
        t.name for t in spark._session.catalog.listTables() if t.name.startswith(scorecard.BLOCK_PREFIX)
    ]
    # The entity codes, which every metric joins, were read from Spark's cache while the query
    # ran (not computed again at each reference), and released after it.
    assert cached_during_query and all(cached_during_query)
    assert not spark._session.catalog.isCached(ENTITIES)
    # The comparison covers every metric the registry holds at every level it is defined for,
    # with real numbers: a metric that yields nothing or only nulls here would compare vacuously.
    for name, metric in registry().items():
        for level in metric.levels:
            values = [v["value"] for k, v in duck.items() if k[0] == name and k[1] == level]
            assert values, f"{name} gives no rows at level {level} on the agreement dataset"
        assert any(v["value"] is not None for k, v in duck.items() if k[0] == name), f"{name}: only nulls"


def test_the_one_query_of_every_level_gives_what_each_metric_gives_alone_at_each_level(
    frames: F.Frames,
) -> None:
    """The scorecard computes the four levels in one query over views that hold each account's
    rows once per entity (``view.register_view``, entities as codes); each metric run alone on
    one level's own view (``make_view``: entities as text, benchmarks computed by the metric)
    must give the same rows, values and inputs."""
    con = engines.duckdb(frames)
    together = _scorecard(con, frames, PeriodKind.MONTH)
    params = MetricParams()
    alone: dict[tuple[str, ...], dict[str, Any]] = {}
    for level in Level:
        view = make_view(con, level, PeriodKind.MONTH, frames.jurisdiction, frames.population)
        for name, metric in registry().items():
            for row in metric.compute(view, params).to_pyarrow().to_pylist():
                key = (name, str(level), str(row.pop("entity")), "month", str(row.pop("period")))
                value = row.pop("value")
                alone[key] = {"value": None if value is None or math.isnan(value) else value, "inputs": row}
    assert sorted(together) == sorted(alone)
    differ = [
        (key, together[key], alone[key])
        for key in together
        if not _same(together[key]["value"], alone[key]["value"])
        or together[key]["inputs"].keys() != alone[key]["inputs"].keys()
        or not all(_same(v, _number(alone[key]["inputs"][k])) for k, v in together[key]["inputs"].items())
    ]
    assert not differ, f"{len(differ)} values differ, e.g. {differ[:3]}"


def _number(value: Any) -> Any:
    """An input as the scorecard writes it: booleans as 0/1, NaN as null."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def test_spark_reads_the_parquet_frames(frames: F.Frames, parquet: Path, spark: Any) -> None:
    for name, schema in F.SCHEMAS.items():
        table = spark.table(name)
        assert table.columns == tuple(schema.names), name
        assert table.count().execute() == frames.tables[name].num_rows, name
    posts = spark.table("posts")
    expected = frames.tables["posts"]
    got = posts.aggregate(ts=posts.ts.sum(), reactions=posts.reactions.sum(), null=posts.views.isnull().sum())
    row = got.execute().iloc[0]
    assert int(row["ts"]) == pa.compute.sum(expected["ts"]).as_py()
    assert int(row["reactions"]) == pa.compute.sum(expected["reactions"]).as_py()
    assert int(row["null"]) == expected["views"].null_count


def test_each_spark_engine_sees_only_its_own_frames(parquet: Path, spark: Any, tmp_path: Path) -> None:
    other = build(posts=[{"post_id": 9, "account_id": 9, "platform": "facebook", "ts": hk(2026, 1, 1)}])
    other.write_parquet(tmp_path)
    second = engines.spark(tmp_path)
    assert second.table("posts").count().execute() == 1
    assert spark.table("posts").count().execute() > 1  # the first engine's tables are untouched


def test_local_spark_plans_statically_and_small_frames_run_interpreted(
    parquet: Path, spark: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In local mode a query is planned once, not again after each shuffle stage (adaptive
    execution costs the scorecard a fifth of its time there); small frames also get one shuffle
    partition and no generated code (``SMALL_CONF``), bigger ones the local defaults."""
    small = spark._session.conf
    assert small.get("spark.sql.adaptive.enabled") == "false"
    assert small.get("spark.sql.shuffle.partitions") == "1"
    assert small.get("spark.sql.codegen.wholeStage") == "false"
    monkeypatch.setattr(engines, "SMALL_BYTES", 0)  # the same frames, counted as big
    big = engines.spark(parquet, "local[2]")._session.conf
    assert big.get("spark.sql.adaptive.enabled") == "false"
    assert big.get("spark.sql.shuffle.partitions") == "2"
    assert big.get("spark.sql.codegen.wholeStage") == "true"


def test_ibis_and_sqlglot_are_a_working_pair() -> None:
    """Ibis 12 compiles through sqlglot; sqlglot 30 breaks it (see pyproject.toml): keep the pin."""
    major = int(version("sqlglot").split(".")[0])
    assert major < 29, f"sqlglot {version('sqlglot')} is not supported by ibis {ibis.__version__}"
    con = ibis.duckdb.connect()
    table = con.create_table("t", pa.table({"k": ["a", "a", "b"], "v": [1, 2, 5]}))
    expr = table.group_by("k").aggregate(total=table.v.sum(), mid=table.v.median()).order_by("k")
    assert "GROUP BY" in str(ibis.to_sql(expr, dialect="duckdb")).upper()
    assert expr.to_pyarrow().to_pylist() == [
        {"k": "a", "total": 3, "mid": 1.5},
        {"k": "b", "total": 5, "mid": 5.0},
    ]


def test_frames_loaded_by_hand_get_the_derived_tables(frames: F.Frames) -> None:
    """``engines.derive`` stores threads and daily fans once per engine. A connection whose
    frames were loaded some other way gets them on first use, and the same scorecard."""
    bare = ibis.duckdb.connect()
    for name, schema in F.SCHEMAS.items():
        bare.create_table(name, frames.tables[name].select(schema.names))
    assert "comment_threads" not in bare.con.sql("SHOW TABLES").fetchnumpy()["name"]
    # First on another connection: the level views' statements are then compiled and cached.
    derived = _scorecard(engines.duckdb(frames), frames, PeriodKind.MONTH)
    computed = _scorecard(bare, frames, PeriodKind.MONTH)
    assert {"comment_threads", "fan_days"} <= set(bare.con.sql("SHOW TABLES").fetchnumpy()["name"])
    assert sorted(derived) == sorted(computed)
    assert not _differences(derived, computed)


def test_shared_blocks_computed_first_give_the_same_scorecard(
    frames: F.Frames, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Spark computes a block that several metrics share once per reference, so on Spark the
    scorecard computes the shared blocks first, into tables of their own (``blocks.separate``).
    Forced on DuckDB here (seconds instead of minutes): the same scorecard; the posts' shared sums
    (``rate_mean_n`` is a column of that group-by alone) are one of the blocks, not in the query;
    and the blocks' tables are gone after, also when the query fails."""
    con = engines.duckdb(frames)
    plain = _scorecard(con, frames, PeriodKind.MONTH)
    monkeypatch.setattr(engines, "SEPARATE_BLOCKS", frozenset({"duckdb", "pyspark"}))
    separated = _scorecard(con, frames, PeriodKind.MONTH)
    assert sorted(plain) == sorted(separated)
    differ = _differences(plain, separated)
    assert not differ, f"{len(differ)} values differ, e.g. {differ[:3]}"

    view, _ = register_view(con, tuple(Level), PeriodKind.MONTH, frames.jurisdiction, frames.population)
    every = tuple(sorted(registry().values(), key=lambda m: m.name))
    plan = scorecard._plan(con, view, MetricParams(), every)
    assert len(plan.blocks) >= 5
    assert [name for name, sql in plan.blocks if 'AS "rate_mean_n"' in sql] != []
    assert 'AS "rate_mean_n"' not in plan.sql
    assert all(f'"{name}"' in plan.sql for name, _ in plan.blocks)

    def blocks() -> list[str]:
        listed = con.con.sql("SELECT table_name FROM duckdb_tables()").fetchnumpy()["table_name"]
        return [name for name in listed if name.startswith(scorecard.BLOCK_PREFIX)]

    assert blocks() == []
    with pytest.raises(Exception, match="missing_table"):
        engines.fetch(con, "SELECT * FROM missing_table", [(f"{scorecard.BLOCK_PREFIX}0", "SELECT 1 AS a")])
    assert blocks() == []


@pytest.mark.parametrize("engine", ["duckdb", "spark"])
def test_tally_and_only_give_what_filtered_aggregates_give(
    engine: str, request: pytest.FixtureRequest
) -> None:
    """The metrics aggregate over the rows meeting a condition with ``tally`` and ``only`` (an
    aggregate of a CASE) instead of ``where=`` (SQL's FILTER), which DuckDB runs slower. Same
    values on both engines: a null condition does not count, and a group where no row qualifies
    sums to null (not 0) while its tally is 0."""
    con = ibis.duckdb.connect() if engine == "duckdb" else request.getfixturevalue("spark")
    rows = pa.table(
        {
            "g": ["a", "a", "a", "a", "b", "b", "c"],
            "ok": [True, False, None, True, False, None, True],
            "x": [1.0, 10.0, 100.0, None, 5.0, 7.0, 3.0],
        }
    )
    t = ibis.memtable(rows)
    got = t.group_by("g").aggregate(
        tally=tally(t.ok),
        total=only(t.x, t.ok).sum(),
        mean=only(t.x, t.ok).mean(),
        median=only(t.x, t.ok).quantile(0.5),
        count=t.count(where=t.ok),
        filtered=t.x.sum(where=t.ok),
    )
    result = {row["g"]: row for row in con.to_pyarrow(got.order_by("g")).to_pylist()}
    assert [result[g]["tally"] for g in "abc"] == [2, 0, 1]
    assert [result[g]["total"] for g in "abc"] == [1.0, None, 3.0]  # a's second true row has no x
    assert [result[g]["mean"] for g in "abc"] == [1.0, None, 3.0]
    assert [result[g]["median"] for g in "abc"] == [1.0, None, 3.0]
    for g in "abc":
        assert result[g]["tally"] == result[g]["count"]
        assert result[g]["total"] == result[g]["filtered"]


def test_the_in_memory_duckdb_is_never_checkpointed_while_loading(frames: F.Frames) -> None:
    """DuckDB checkpoints an in-memory database too (compressing every table, 5.5 s of a 12 s load
    on the benchmark's data): the scorecard's connection raises the threshold out of reach, with
    the optimizer rule it runs without (docs/performance.md, "Metrics")."""
    con = engines.duckdb(frames)
    setting = con.raw_sql("SELECT current_setting('checkpoint_threshold')").fetchone()
    assert setting is not None and setting[0] in ("931.3 GiB", "1.0 TB")
    optimizers = con.raw_sql("SELECT current_setting('disabled_optimizers')").fetchone()
    assert optimizers is not None and "partial_aggregate_pushdown" in str(optimizers[0])
