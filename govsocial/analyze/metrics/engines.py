"""The engines a scorecard runs on: DuckDB embedded (the default) and Apache Spark.

Both receive the same frames — DuckDB as Arrow tables in memory, Spark as Parquet files — and the
same Ibis expressions, so a number cannot depend on the engine that computed it (tests assert it).
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ibis
import pyarrow as pa

from govsocial.analyze.frames import SCHEMAS, Frames
from govsocial.analyze.metrics.params import MetricParams
from govsocial.errors import ConfigurationError

if TYPE_CHECKING:
    from ibis.backends import BaseBackend


class SparkError(ConfigurationError, RuntimeError):
    """Spark cannot start: no Java, a master URL Spark does not take, a master it cannot reach.
    (A ``RuntimeError`` too, as it was before it was a ``ConfigurationError``.)"""


#: The master URLs Spark takes (spark-submit: "Master must either be yarn or start with spark,
#: k8s, or local"), checked before a JVM is started to say the same thing at length.
SPARK_MASTER = re.compile(r"local(\[[^\]]+\])?|local-cluster\[[^\]]+\]|yarn|(spark|k8s)://\S+")
SPARK_MASTERS = "local, local[N], local[*], spark://HOST:PORT, yarn or k8s://URL"


#: DuckDB optimizer rules the scorecard's connections run without (``duckdb``).
DUCKDB_DISABLED_OPTIMIZERS = ("partial_aggregate_pushdown",)


#: Written data after which DuckDB checkpoints: never, in practice (``duckdb``).
DUCKDB_CHECKPOINT_THRESHOLD = "1TB"


def duckdb(frames: Frames, threads: int | None = None, params: MetricParams | None = None) -> BaseBackend:
    """An in-memory DuckDB holding the frames (Arrow is handed over without a copy where possible).

    ``params``: the metric parameters the scorecards will mostly be run with (``derive``).
    """
    frames.validate()
    con = ibis.duckdb.connect(**({"threads": threads} if threads else {}))
    # The scorecard's sums are already per account before they are joined to the entities; DuckDB
    # would add up each account's rows again before that join (rows that are already one per
    # account and day): measured, the full scorecard 0.15-0.2 s of CPU lighter without it
    # (docs/performance.md, "Metrics").
    con.raw_sql(f"SET disabled_optimizers = '{','.join(DUCKDB_DISABLED_OPTIMIZERS)}'")
    # An in-memory database is never written to disk, but DuckDB still checkpoints it once enough
    # has been written (16 MiB by default), compressing every table: measured on the benchmark's
    # data, 5.5 s more loading (6.5 s against 12.1 s) for 1 GB less memory and a warm scorecard
    # within the noise. A refresh loads once for three scorecards, so loading is what counts.
    con.raw_sql(f"SET checkpoint_threshold = '{DUCKDB_CHECKPOINT_THRESHOLD}'")
    for name in SCHEMAS:
        con.create_table(name, frames.tables[name].select(SCHEMAS[name].names), overwrite=True)
    derive(con, params)
    return con


def spark(folder: Path | str, master: str = "local[2]", params: MetricParams | None = None) -> BaseBackend:
    """A Spark session (``master`` is ``local[N]`` or a cluster URL) reading frames written as Parquet.

    ``folder`` holds one Parquet file per frame, as ``Frames.write_parquet`` writes them; on a
    cluster it must be a path every executor can read (a shared file system, ``s3a://`` ...).
    Each call gets its own Spark session, so two folders never see each other's tables, but all
    sessions of a process share one Spark context: starting the JVM costs seconds.
    """
    root = _spark_root(master)
    session = root.newSession()
    base = str(folder).rstrip("/")  # a string keeps a URL's "//" (s3a://bucket/...), a Path would not
    if master.startswith("local") and _size(base) < SMALL_BYTES:
        for key, value in SMALL_CONF.items():
            session.conf.set(key, value)
    con = ibis.pyspark.connect(session)
    for name in SCHEMAS:
        session.read.parquet(f"{base}/{name}.parquet").createOrReplaceTempView(name)
    derive(con, params)
    return con


def derive(con: BaseBackend, params: MetricParams | None = None) -> None:
    """Add the tables derived from the frames that every level of a scorecard reads the same way.

    ``view.DERIVED``: each citizen comment with the page's first reply
    (``purpose.comment_threads``, the costliest part of the response metrics), each account's
    follower count and interactions day by day (``penetration.fan_days``), and the
    comments and the threads counted per account and day (``sums.comment_days``,
    ``purpose.thread_days``: in this order, as the last is derived from the first), and the
    citizens' comments on live posts per account and day (``attractiveness.live_days``). DuckDB stores
    them (computed once, here, instead of once per level and period kind); Spark keeps them as
    views of the frames (Spark plans each query whole, and caching would hold data in its memory).

    Then the overperforming benchmarks of every account and format, which depend on the metric
    parameters: for ``params`` (the defaults when None), as ``view.store_benchmarks`` says. A
    scorecard run with other parameters computes its own in its query.
    """
    from govsocial.analyze.metrics.view import DERIVED, derived, store_benchmarks

    for name, (table, sources) in DERIVED.items():
        expr = derived(name, *(con.table(source) for source in sources))
        if con.name == "duckdb":
            con.create_table(table, expr, overwrite=True)
        else:
            con.create_view(table, expr, overwrite=True)
    store_benchmarks(con, params or MetricParams())


#: Engines that compute a common table expression once per reference: the scorecard computes the
#: blocks its metrics share before its query on them (``blocks``). Spark plans each reference
#: again; DuckDB computes each once, and is slower with the blocks as tables of their own
#: (docs/performance.md, "Spark").
SEPARATE_BLOCKS = frozenset({"pyspark"})


def fetch(con: BaseBackend, sql: str, blocks: Sequence[tuple[str, str]] = ()) -> pa.Table:
    """The rows of a query in ``con``'s SQL dialect, as Arrow (columns as the engine types them).

    ``blocks``: (table name, SQL) of tables the query reads, computed first and dropped after,
    even when the query fails (Spark caches them in its memory, spilling to disk).

    The scorecard runs SQL it compiled once; DuckDB and Spark hand Arrow over directly, other
    Ibis backends go through ``con.sql``.
    """
    made: list[str] = []
    try:
        for name, block in blocks:
            _drop(con, name)  # left by a run that was interrupted
            made.append(name)
            _make(con, name, block)
        return _rows(con, sql)
    finally:
        for name in reversed(made):  # Spark cannot uncache a view after one it reads is dropped
            _drop(con, name)


def _rows(con: BaseBackend, sql: str) -> pa.Table:
    if con.name == "duckdb":
        table: pa.Table = con.con.sql(sql).to_arrow_table()
        return table
    if con.name == "pyspark":
        frame = con._session.sql(sql)
        if hasattr(frame, "toArrow"):  # PySpark 4
            return frame.toArrow()
        return pa.Table.from_pandas(frame.toPandas(), preserve_index=False)
    return con.sql(sql).to_pyarrow()


def _make(con: BaseBackend, name: str, sql: str) -> None:
    """The table ``name`` with the rows of ``sql``: cached by Spark, a temporary table elsewhere."""
    if con.name == "pyspark":
        con._session.sql(f"CACHE TABLE `{name}` AS {sql}")
    else:
        con.raw_sql(f'CREATE TEMPORARY TABLE "{name}" AS {sql}')


def _drop(con: BaseBackend, name: str) -> None:
    if con.name == "pyspark":
        con._session.sql(f"UNCACHE TABLE IF EXISTS `{name}`")
        con._session.sql(f"DROP VIEW IF EXISTS `{name}`")
    else:
        con.raw_sql(f'DROP TABLE IF EXISTS "{name}"')


#: Spark settings for this workload: small data per query, a laptop or a cluster, nobody watching
#: a web UI. Times are epoch integers in the frames, but the session zone is pinned anyway so that
#: nothing Spark does with times can depend on the machine it runs on.
SPARK_CONF: dict[str, str] = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.log.level": "ERROR",
    # Arrow moves query results to Python column-wise instead of row by row through pickles.
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    # Spark's default of 200 shuffle partitions is for clusters; results here are thousands of rows.
    "spark.sql.shuffle.partitions": "4",
    "spark.sql.adaptive.enabled": "true",
}

#: Local mode listens on the loopback interface only: tests and laptops open no network port.
_LOCAL_CONF: dict[str, str] = {
    # In local mode the driver JVM does all the work; Spark's default heap (1 GB) is for a driver
    # that only coordinates.
    "spark.driver.memory": "2g",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.sql.shuffle.partitions": "2",
    # Adaptive execution re-plans the rest of a query after each shuffle stage: it pays on a
    # cluster (skew, partitions to coalesce), but the scorecard's query has hundreds of small
    # stages and one machine runs them all. Measured on the benchmark's tenth: a warm scorecard
    # 36.4-38.2 s without it against 45.4-46.8 s (docs/performance.md, "Spark").
    "spark.sql.adaptive.enabled": "false",
}

#: Frames smaller than this (in Parquet) are "small" for a local session: see ``SMALL_CONF``.
SMALL_BYTES = 4 * 1024 * 1024

#: Settings for small frames in local mode (tests, a jurisdiction's month on a laptop), on top of
#: ``_LOCAL_CONF`` (a static plan). Spark is built for data spread over machines; on a few thousand
#: rows its fixed costs dominate: compiling each plan to Java bytecode, shuffles into partitions
#: with nothing in them, shuffled joins of tables that fit in memory. Interpreted, with one
#: partition, a static plan and joins by broadcast, the agreement test's scorecard of a level runs
#: in about a third of the time (docs/performance.md, "Metrics").
SMALL_CONF: dict[str, str] = {
    "spark.sql.shuffle.partitions": "1",
    "spark.sql.codegen.wholeStage": "false",
    "spark.sql.codegen.factoryMode": "NO_CODEGEN",
    "spark.sql.autoBroadcastJoinThreshold": str(4 * SMALL_BYTES),
}


def _size(folder: str) -> int:
    """Bytes of the frames' Parquet files in a local folder; unknown (a URL, no folder) counts as big."""
    path = Path(folder)
    if "://" in folder or not path.is_dir():
        return SMALL_BYTES
    return sum(file.stat().st_size for file in path.glob("*.parquet"))


_LOCK = threading.Lock()
_ROOT: dict[str, Any] = {}


def _spark_root(master: str) -> Any:
    """The process's Spark session for ``master``, started on first use (a JVM per process)."""
    if not SPARK_MASTER.fullmatch(master):  # before a running session is stopped for it
        raise SparkError(f"{master!r} is not a Spark master: give {SPARK_MASTERS}")
    with _LOCK:
        current = _ROOT.get("session")
        if current is not None and _ROOT.get("master") == master:
            return current
        if current is not None:  # one Spark context per JVM: another master means a new one
            current.stop()
            _ROOT.clear()  # stopped: never handed out again, even if the new one fails to start
        from pyspark.sql import SparkSession

        _require_java()
        local = master.startswith("local")
        if local:
            os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # no reverse lookup of the host name
        builder = SparkSession.builder.master(master).appName("govsocial-metrics")
        builder = builder.config(
            "spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile={_log_config()}"
        )
        for key, value in {**SPARK_CONF, **(_LOCAL_CONF if local else {})}.items():
            builder = builder.config(key, value)
        try:
            session = builder.getOrCreate()
        except Exception as exc:  # pyspark raises its own, py4j's and the JVM's exceptions here
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise SparkError(f"Spark could not start with master {master!r}: {reason}") from exc
        session.sparkContext.setLogLevel("ERROR")
        _ROOT.update(session=session, master=master)
        return session


def _require_java() -> None:
    """Spark runs in a JVM: say so plainly instead of pyspark's "Java gateway process exited"."""
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return
    if shutil.which("java") is None:
        raise SparkError(
            "the Spark engine needs Java (17 or newer): install it (Debian: apt-get install "
            "default-jre-headless; `scripts/system-deps.sh` does) or set JAVA_HOME"
        )


#: Log4j 2 settings for the driver JVM: errors only, on stderr (Spark's default prints its
#: start-up chatter and a warning per missing native library).
_LOG4J2 = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = stderr
appender.console.type = Console
appender.console.name = stderr
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n%ex
"""


def _log_config() -> str:
    """The path of a Log4j 2 file with ``_LOG4J2`` (written once per process, in the temp folder)."""
    import tempfile

    path = Path(tempfile.gettempdir()) / f"govsocial-spark-log4j2-{os.getpid()}.properties"
    if not path.exists():
        path.write_text(_LOG4J2, encoding="utf-8")
    return str(path)
