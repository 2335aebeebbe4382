"""The engines a scorecard runs on: DuckDB embedded (the default) and Apache Spark.

Both receive the same frames — DuckDB as Arrow tables in memory, Spark as Parquet files — and the
same Ibis expressions, so a number cannot depend on the engine that computed it (tests assert it).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import ibis

from govsocial.analyze.frames import SCHEMAS, Frames

if TYPE_CHECKING:
    from ibis.backends import BaseBackend


def duckdb(frames: Frames, threads: int | None = None) -> BaseBackend:
    """An in-memory DuckDB holding the frames (Arrow is handed over without a copy where possible)."""
    frames.validate()
    con = ibis.duckdb.connect(**({"threads": threads} if threads else {}))
    for name in SCHEMAS:
        con.create_table(name, frames.tables[name].select(SCHEMAS[name].names), overwrite=True)
    return con


def spark(folder: Path, master: str = "local[2]") -> BaseBackend:
    """A Spark session (``master`` is ``local[N]`` or a cluster URL) reading frames written as Parquet."""
    raise NotImplementedError("the Spark engine is being built")
