#!/usr/bin/env bash
# The whole test suite, as `make test` runs it: static checks, registry lint, then pytest against
# SQLite and a real PostgreSQL server started here on loopback (and stopped on exit).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

echo "== ruff"; $BIN/ruff check govsocial tests bench scripts
echo "== ruff format --check"; $BIN/ruff format --check govsocial tests bench scripts
echo "== mypy --strict"; $BIN/mypy --strict govsocial bench
echo "== registry lint"; $BIN/govsocial registry lint

url=$(scripts/test-postgres.sh start)
trap 'scripts/test-postgres.sh stop' EXIT
echo "== PostgreSQL on $url"
export GOVSOCIAL_TEST_POSTGRES_URL=$url
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
# Two worker processes by default: the machine the suite is sized for has two cores, and serially
# the suite takes about 40 minutes there against about 22 with two. Every test keeps its own
# databases, folders and ports, so workers do not share state. GOVSOCIAL_TEST_WORKERS=0 runs it
# in one process (what `pytest -x` debugging wants).
workers=${GOVSOCIAL_TEST_WORKERS:-2}
echo "== pytest ($workers workers)"
$BIN/pytest -p no:cacheprovider -n "$workers" "$@"
