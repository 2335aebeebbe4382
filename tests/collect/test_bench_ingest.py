"""``bench/ingest.py`` runs (at a small size), and its multi-process figure stores every comment.

The benchmark's figures are not checked here (timings belong in docs/performance.md, not in
tests); what is checked is that the command works and that each of its paths stored what it must
(the benchmark asserts its own counts and fails otherwise).
"""

from __future__ import annotations

import re
import subprocess
import sys

from govsocial.settings import PROJECT_ROOT


def test_the_ingest_benchmark_runs_with_two_processes() -> None:
    command = [sys.executable, "-m", "bench.ingest", "--comments", "2000", "--posts", "20",
               "--baseline", "20", "--processes", "2", "--postgres", ""]  # fmt: skip

    done = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)

    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    for label in ("comments: raw JSON -> store (real path)", "comments: raw JSON -> store, 2 processes"):
        line = next(x for x in lines if label in x)
        assert re.search(r"\b2000 comments .* [\d,]+ /s", line), line
