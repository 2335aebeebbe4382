#!/usr/bin/env bash
# The test suite on another clock: every process the tests start believes it is CLOCK (UTC),
# through libfaketime (LD_PRELOAD). The rules count days, weeks and months in the jurisdiction's
# time zone (Hong Kong: UTC+8), so a test that takes "today" in UTC passes by day and fails from
# 16:00 UTC; this finds such tests at the instants where the two calendars disagree, without
# waiting for the hour. Not part of `make test`: it takes about 45 minutes an instant here.
#
#   make test-clock                                   # the default instants below
#   make test-clock CLOCK="2027-01-31 16:30:00"       # one instant
#   scripts/test-clock.sh tests/analyze/alerts        # pytest arguments narrow the run
#
# SQLite only (a PostgreSQL server would run on the real clock), without Spark and Chromium (the
# JVM and the browser wait on timers that a faked clock confuses: they hang, not fail).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

# GPL-2.0 libfaketime, from PyPI with its library built in: installed into .venv, never shipped.
$BIN/python -m pip install -q libfaketime==3.0.1
library=$($BIN/python -c 'import importlib.util, pathlib
spec = importlib.util.find_spec("libfaketime")
print(pathlib.Path(spec.origin).parent / "vendor/libfaketime/src/libfaketime.so.1")')

# Sunday evenings in UTC that are already Monday in Hong Kong: a new day, ISO week and month there
# (the second a new year too), while UTC is still in the old ones.
clocks=${CLOCK:-"2027-01-31 16:30:00;2028-12-31 23:30:00"}
workers=${GOVSOCIAL_TEST_WORKERS:-2}
paths=("$@")
[ ${#paths[@]} -gt 0 ] || paths=(tests --ignore=tests/browser --ignore=tests/security/test_browser.py)

IFS=';' read -ra instants <<<"$clocks"
failed=()
for instant in "${instants[@]}"; do
  echo "== pytest at $instant UTC ($workers workers)"
  # "@" starts the clock at the instant and lets it run; the monotonic clock stays real, or every
  # sleep would wait for ever. Every instant runs, whatever the one before gave.
  LD_PRELOAD=$library FAKETIME="@$instant" DONT_FAKE_MONOTONIC=1 GOVSOCIAL_ALLOW_NO_POSTGRES=1 \
    $BIN/pytest -p no:cacheprovider -n "$workers" -rf -k "not spark and not Spark" "${paths[@]}" ||
    failed+=("$instant")
done
if ((${#failed[@]})); then
  printf 'failed at: %s UTC\n' "${failed[@]}" >&2
  exit 1
fi
