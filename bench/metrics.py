"""Metrics benchmark: the full scorecard on DuckDB against the same metrics in pandas, same data.

    .venv/bin/python -m bench.metrics [--accounts 2000] [--posts 1000000] [--comments 10000000]
                                      [--repeats 5] [--pandas-repeats 1] [--spark 0.1] [--threads N]

The dataset (``bench.metrics_data``) is generated with numpy, written to Parquet once, and each
engine then runs in its own Python process (so that each one's peak memory is its own):

* DuckDB: read the Parquet frames into Arrow, load them into an in-memory DuckDB (timed apart:
  this is "getting the data into the engine"), then the full scorecard: every registered metric,
  all four levels, monthly periods. The first run includes compiling the Ibis expressions to SQL
  (once per process and parameters); the following ``--repeats`` runs are the scorecard's compute.
  Wall time and the process's CPU time (DuckDB's threads included) are both reported: the machine
  may be shared, and CPU time is less sensitive to other work on it.
* pandas: the same metrics written as a researcher would (``bench.metrics_pandas``), on the same
  frames converted to DataFrames; its numbers are checked against the scorecard's, metric by metric.
* Memory bandwidth: numpy summing a 2 GB float64 array (on one thread and on every core), and
  the bytes the scorecard must read at least: the columns DuckDB's plan scans, from its profiler.
* Spark (``--spark FRACTION``, optional): local mode on a dataset FRACTION the size, with DuckDB on
  the same sample for comparison and agreement.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import math
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from govsocial.analyze import frames as F
from govsocial.analyze.metrics.model import Level, PeriodKind, registry

LEVELS = tuple(str(level) for level in Level)
KIND = PeriodKind.MONTH


def _rss_mb() -> float:
    """Resident memory of this process now, in MB."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def _peak_mb() -> float:
    """Peak resident memory of this process so far, in MB.

    ``VmHWM`` (the high-water mark of this program's memory), not ``getrusage``: Linux carries
    ``ru_maxrss`` over from the parent through fork and exec, so a child would report the parent's
    peak when that is higher.
    """
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1e3
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3


def _timed(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    """fn(), its wall seconds and the CPU seconds of this process (all threads) meanwhile."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def _read(folder: Path) -> F.Frames:
    return F.Frames.read_parquet(folder)


# --- children: one engine each ----------------------------------------------------------------------


def child_duckdb(folder: Path, result: Path, repeats: int, threads: int | None) -> dict[str, Any]:
    """Load the frames into DuckDB, run the scorecard cold and warm, profile the scans of each level."""
    from govsocial.analyze.metrics import engines, scorecard

    frames, read_s, _ = _timed(lambda: _read(folder))
    con, load_s, load_cpu = _timed(lambda: engines.duckdb(frames, threads))
    # Loading includes deriving the tables every level reads (engines.derive): timed again alone.
    _, derive_s, derive_cpu = _timed(lambda: engines.derive(con))
    rss_loaded = _rss_mb()

    def run() -> pa.Table:
        return scorecard.compute(con, frames.jurisdiction, frames.population, None, tuple(Level), KIND)

    table, cold_s, cold_cpu = _timed(run)
    warm = [_timed(run)[1:] for _ in range(repeats)]
    per_level = {}
    for level in Level:
        times = [
            _timed(
                functools.partial(
                    scorecard.compute, con, frames.jurisdiction, frames.population, None, [level], KIND
                )
            )[1:]
            for _ in range(2)
        ]
        per_level[str(level)] = min(times)
    pq.write_table(table, result)
    scans = _scans(con, frames)
    return {
        "read_s": read_s,
        "load_s": load_s,
        "load_cpu_s": load_cpu,
        "derive_s": derive_s,
        "derive_cpu_s": derive_cpu,
        "cold_s": cold_s,
        "cold_cpu_s": cold_cpu,
        "warm_s": [w for w, _ in warm],
        "warm_cpu_s": [c for _, c in warm],
        "per_level_s": per_level,
        "rows": table.num_rows,
        "metrics": sorted(set(table.column("metric").to_pylist())),
        "rss_after_load_mb": rss_loaded,
        "peak_rss_mb": _peak_mb(),
        "data_mb": sum(t.nbytes for t in frames.tables.values()) / 1e6,
        **scans,
    }


def _scans(con: Any, frames: F.Frames) -> dict[str, Any]:
    """The columns DuckDB's plan reads, from its profiler: bytes at least and in all.

    The scorecard runs every level in one query. "distinct" counts each column it reads once (the
    least any plan must read); "scanned" counts every scan DuckDB's plan makes (a column read by
    two scans counts twice). Bytes are the columns' Arrow sizes (uncompressed).
    """
    from govsocial.analyze.metrics import scorecard

    raw = con.con
    size = {
        (name, col): table.column(col).nbytes
        for name, table in frames.tables.items()
        for col in table.schema.names
    }
    from govsocial.analyze.metrics.view import DERIVED

    for table, _sources in DERIVED.values():  # derived when loading: read like frames
        derived = con.table(table).to_pyarrow()
        size |= {(table, col): derived.column(col).nbytes for col in derived.schema.names}
    profile = Path(tempfile.mkdtemp()) / "profile.json"
    raw.execute("PRAGMA enable_profiling='json'")
    raw.execute(f"PRAGMA profiling_output='{profile}'")
    scorecard.compute(con, frames.jurisdiction, frames.population, None, tuple(Level), KIND)
    raw.execute("PRAGMA disable_profiling")
    reads = _table_scans(json.loads(profile.read_text()))
    distinct = sum(size.get(key, 0) for key in set(reads))
    scanned = sum(size.get(key, 0) for key in reads)
    return {"bytes_distinct": distinct, "bytes_scanned": scanned}


def _table_scans(profile: dict[str, Any]) -> list[tuple[str, str]]:
    """(table, column) of every column of every table scan in a DuckDB JSON profile."""
    found: list[tuple[str, str]] = []

    def walk(node: dict[str, Any]) -> None:
        info = node.get("extra_info") or {}
        if "Table" in info:
            table = str(info["Table"]).split(".")[-1].strip('"')
            columns = info.get("Projections") or []
            for column in [columns] if isinstance(columns, str) else columns:
                found.append((table, column.strip('"')))
        for child in node.get("children", []):
            walk(child)

    for node in profile.get("operator", []):
        walk(node)
    return found


def child_pandas(folder: Path, result: Path, repeats: int) -> dict[str, Any]:
    """The same metrics in pandas: convert the frames to DataFrames, then compute every level."""
    from bench import metrics_pandas

    data, read_s, load_s = _to_pandas(folder)
    rss_loaded = _rss_mb()
    names = [name for name in registry() if name in metrics_pandas.METRICS]

    def run() -> Any:
        return metrics_pandas.scorecard(data, "hk", 7_500_000, LEVELS, str(KIND), names)

    runs = [_timed(run) for _ in range(repeats)]
    table = pa.Table.from_pandas(runs[-1][0], preserve_index=False)
    pq.write_table(table, result)
    return {
        "read_s": read_s,
        "load_s": load_s,
        "compute_s": [r[1] for r in runs],
        "compute_cpu_s": [r[2] for r in runs],
        "metrics": names,
        "rss_after_load_mb": rss_loaded,
        "peak_rss_mb": _peak_mb(),
    }


def _to_pandas(folder: Path) -> tuple[dict[str, Any], float, float]:
    """The frames as DataFrames, with the seconds to read the Parquet and to convert to pandas."""
    tables, read_s, _ = _timed(lambda: _read(folder).tables)
    start = time.perf_counter()
    data = {name: table.to_pandas() for name, table in tables.items()}
    return data, read_s, time.perf_counter() - start


def child_spark(folder: Path, result: Path, repeats: int) -> dict[str, Any]:
    """The scorecard on Spark in local mode over the Parquet frames."""
    from govsocial.analyze.metrics import engines, scorecard

    meta = _read(folder)
    con, start_s, _ = _timed(lambda: engines.spark(folder, "local[2]"))

    def run() -> pa.Table:
        return scorecard.compute(con, meta.jurisdiction, meta.population, None, tuple(Level), KIND)

    table, cold_s, _ = _timed(run)
    warm = [_timed(run)[1] for _ in range(repeats)]
    pq.write_table(table, result)
    return {
        "start_s": start_s,
        "cold_s": cold_s,
        "warm_s": warm,
        "rows": table.num_rows,
        "peak_rss_mb": _peak_mb(),
    }


CHILDREN = {"duckdb": child_duckdb, "pandas": child_pandas, "spark": child_spark}


def _spawn(kind: str, folder: Path, result: Path, args: argparse.Namespace, repeats: int) -> dict[str, Any]:
    """Run one child in a fresh interpreter and read back its figures."""
    command = [
        sys.executable,
        "-m",
        "bench.metrics",
        "--child",
        kind,
        "--data",
        str(folder),
        "--result",
        str(result),
    ]
    command += ["--repeats", str(repeats)] + (["--threads", str(args.threads)] if args.threads else [])
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if done.returncode or not lines:
        # Java stack frames bury the message: keep the other lines.
        said = [line for line in done.stderr.splitlines() if not line.lstrip().startswith(("at ", "..."))]
        raise RuntimeError(f"{kind} child failed ({done.returncode}):\n" + "\n".join(said[-60:]))
    figures: dict[str, Any] = json.loads(lines[-1][len("RESULT ") :])
    return figures


# --- the parent: data, bandwidth, comparison, report ------------------------------------------------


def bandwidth(gigabytes: float = 2.0, repeats: int = 5) -> dict[str, float]:
    """Read bandwidth in GB/s: numpy summing a float64 array that does not fit any cache."""
    array = np.ones(int(gigabytes * 1e9 / 8))
    cores = os.cpu_count() or 1
    chunks = np.array_split(array, cores)
    best_one = best_all = math.inf
    with ThreadPoolExecutor(cores) as pool:
        for _ in range(repeats):
            start = time.perf_counter()
            array.sum()
            best_one = min(best_one, time.perf_counter() - start)
            start = time.perf_counter()
            sum(pool.map(np.sum, chunks))  # numpy releases the GIL while summing
            best_all = min(best_all, time.perf_counter() - start)
    return {"one_thread_gbs": array.nbytes / best_one / 1e9, "all_threads_gbs": array.nbytes / best_all / 1e9}


def compare(duck: pa.Table, pandas_result: pa.Table, names: list[str]) -> dict[str, str]:
    """Per metric: "ok", or what differs between the scorecard and pandas (rows, or values)."""
    keys = ["metric", "level", "entity", "period"]
    d = duck.select([*keys, "value"]).to_pandas()
    p = pandas_result.select([*keys, "value"]).to_pandas()
    verdict: dict[str, str] = {}
    for name in names:
        a = d[d["metric"] == name].set_index(keys)["value"]
        b = p[p["metric"] == name].set_index(keys)["value"]
        if set(a.index) != set(b.index):
            verdict[name] = (
                f"rows differ: {len(a)} scorecard, {len(b)} pandas, "
                f"{len(set(a.index) ^ set(b.index))} unmatched"
            )
            continue
        b = b.loc[a.index]
        both_null = a.isna() & b.isna()
        close = np.isclose(a.to_numpy(float), b.to_numpy(float), rtol=1e-9, atol=1e-12)
        bad = ~(both_null.to_numpy() | close)
        verdict[name] = (
            "ok"
            if not bad.any()
            else f"{int(bad.sum())} of {len(a)} values differ, "
            f"e.g. {a[bad].index[0]}: {a[bad].iloc[0]} vs {b[bad].iloc[0]}"
        )
    return verdict


def _range(values: list[float]) -> str:
    return f"{min(values):.2f}–{max(values):.2f}" if len(values) > 1 else f"{values[0]:.2f}"


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark (or, with ``--child``, one engine's part of it) and print its figures."""
    parser = argparse.ArgumentParser(prog="python -m bench.metrics", description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=2_000, help="accounts (2000)")
    parser.add_argument("--posts", type=int, default=1_000_000, help="posts (1000000)")
    parser.add_argument("--comments", type=int, default=10_000_000, help="comments (10000000)")
    parser.add_argument("--repeats", type=int, default=5, help="warm scorecard runs on DuckDB (5)")
    parser.add_argument("--pandas-repeats", type=int, default=1, help="pandas runs (1; 0 skips pandas)")
    parser.add_argument(
        "--spark", type=float, default=0.0, help="Spark on this fraction of the data (0: skip)"
    )
    parser.add_argument("--threads", type=int, default=None, help="DuckDB threads (default: every core)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        if args.child == "duckdb":
            figures = child_duckdb(args.data, args.result, args.repeats, args.threads)
        elif args.child == "pandas":
            figures = child_pandas(args.data, args.result, args.repeats)
        else:
            figures = child_spark(args.data, args.result, args.repeats)
        print("RESULT " + json.dumps(figures))
        return
    run(args)


def _generate(folder: Path, accounts: int, posts: int, comments: int) -> dict[str, Any]:
    from bench import metrics_data

    frames, seconds, _ = _timed(lambda: metrics_data.generate(accounts, posts, comments))
    metrics_data.check_calendar(frames.tables["comments"].column("ts").to_numpy())
    frames.write_parquet(folder)
    rows = {name: table.num_rows for name, table in frames.tables.items()}
    return {"seconds": seconds, "rows": rows, "peak_rss_mb": _peak_mb()}


def run(args: argparse.Namespace) -> None:
    """The whole benchmark, as ``make bench-metrics`` runs it."""
    machine = f"{os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.platform()}"
    print(
        f"machine: {machine}; load average {os.getloadavg()[0]:.1f}; "
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"
    )
    report: dict[str, Any] = {"machine": machine, "argv": sys.argv[1:]}
    work = Path(tempfile.mkdtemp(prefix="govsocial-bench-metrics-"))
    try:
        data = work / "data"
        report["data"] = gen = _generate(data, args.accounts, args.posts, args.comments)
        print(
            f"data: {gen['rows']['posts']:,} posts, {gen['rows']['comments']:,} comments, "
            f"{args.accounts:,} accounts; generated in {gen['seconds']:.1f} s "
            f"(peak {gen['peak_rss_mb']:.0f} MB)"
        )
        report["bandwidth"] = bw = bandwidth()
        print(
            f"memory bandwidth (numpy sum of 2 GB): {bw['one_thread_gbs']:.1f} GB/s on one thread, "
            f"{bw['all_threads_gbs']:.1f} GB/s on all"
        )
        report["duckdb"] = duck = _spawn("duckdb", data, work / "duckdb.parquet", args, args.repeats)
        _print_duckdb(duck, bw)
        expected = list(registry())
        if args.pandas_repeats:
            report["pandas"] = pd_ = _spawn(
                "pandas", data, work / "pandas.parquet", args, args.pandas_repeats
            )
            verdict = compare(
                pq.read_table(work / "duckdb.parquet"), pq.read_table(work / "pandas.parquet"), pd_["metrics"]
            )
            report["agreement"] = verdict
            _print_pandas(duck, pd_, verdict, expected)
        if args.spark:
            try:
                report["spark"] = _spark(work, args)
            except RuntimeError as error:  # optional: report it and keep the other figures
                print(f"Spark: failed: {error}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")


def _print_duckdb(duck: dict[str, Any], bw: dict[str, float]) -> None:
    warm = duck["warm_s"]
    print(
        f"DuckDB: read Parquet {duck['read_s']:.1f} s; load into the engine {duck['load_s']:.1f} s, "
        f"of which deriving the tables every level reads (engines.derive) {duck.get('derive_s', 0):.1f} s "
        f"({duck.get('derive_cpu_s', 0):.1f} s CPU)"
    )
    print(f"  scorecard, {len(duck['metrics'])} metrics x 4 levels, monthly: {duck['rows']:,} values")
    print(
        f"  first run (with compiling the queries) {duck['cold_s']:.2f} s; "
        f"then {_range(warm)} s wall, {_range(duck['warm_cpu_s'])} s CPU"
    )
    print(
        "  per level (best of 2): " + ", ".join(f"{k} {v[0]:.2f} s" for k, v in duck["per_level_s"].items())
    )
    print(
        f"  memory: {duck['data_mb']:.0f} MB of frames; RSS {duck['rss_after_load_mb']:.0f} MB "
        f"after loading, peak {duck['peak_rss_mb']:.0f} MB"
    )
    distinct, scanned = duck["bytes_distinct"] / 1e9, duck["bytes_scanned"] / 1e9
    gbs = bw["all_threads_gbs"]
    print(f"  bytes read: at least {distinct:.2f} GB (each column once), {scanned:.2f} GB as planned")
    print(
        f"  bandwidth bound: {distinct / gbs:.3f} s (least) / {scanned / gbs:.3f} s (as planned) "
        f"at {gbs:.1f} GB/s; the scorecard takes {min(warm) / (distinct / gbs):.0f}x the least"
    )


def _print_pandas(
    duck: dict[str, Any], pd_: dict[str, Any], verdict: dict[str, str], expected: list[str]
) -> None:
    compute = pd_["compute_s"]
    print(f"pandas: read Parquet {pd_['read_s']:.1f} s; to DataFrames {pd_['load_s']:.1f} s")
    print(
        f"  {len(pd_['metrics'])} metrics x 4 levels: {_range(compute)} s wall, "
        f"{_range(pd_['compute_cpu_s'])} s CPU"
    )
    print(f"  memory: RSS {pd_['rss_after_load_mb']:.0f} MB after loading, peak {pd_['peak_rss_mb']:.0f} MB")
    print(
        f"ratio pandas / DuckDB scorecard (warm, best): {min(compute) / min(duck['warm_s']):.1f}x; "
        f"with the first run {min(compute) / duck['cold_s']:.1f}x"
    )
    missing = [name for name in expected if name not in pd_["metrics"]]
    bad = {name: v for name, v in verdict.items() if v != "ok"}
    print(f"agreement: {len(verdict) - len(bad)} of {len(verdict)} metrics give the same numbers in pandas")
    for name, why in bad.items():
        print(f"  DIFFERS {name}: {why}")
    if missing:
        print(f"  not in the pandas baseline: {', '.join(missing)}")


def _spark(work: Path, args: argparse.Namespace) -> dict[str, Any]:
    sample = work / "sample"
    scale = args.spark
    gen = _generate(sample, args.accounts, int(args.posts * scale), int(args.comments * scale))
    spark = _spawn("spark", sample, work / "spark.parquet", args, 2)
    duck = _spawn("duckdb", sample, work / "duckdb-sample.parquet", args, 2)
    a, b = pq.read_table(work / "spark.parquet"), pq.read_table(work / "duckdb-sample.parquet")
    verdict = compare(a, b, sorted(set(a.column("metric").to_pylist())))
    same = sum(v == "ok" for v in verdict.values())
    print(
        f"Spark local[2] on {gen['rows']['posts']:,} posts, {gen['rows']['comments']:,} comments: "
        f"session {spark['start_s']:.1f} s, first run {spark['cold_s']:.1f} s, "
        f"then {_range(spark['warm_s'])} s "
        f"(DuckDB on the same: {_range(duck['warm_s'])} s); "
        f"{same} of {len(verdict)} metrics agree"
    )
    return {"spark": spark, "duckdb": duck, "agreement": verdict}


if __name__ == "__main__":
    main()
