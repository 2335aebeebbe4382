#!/usr/bin/env bash
# Starts (or stops) a throw-away PostgreSQL server on loopback for the test suite and prints the
# URL to use. PostgreSQL refuses to run as root, so as root the server runs as the 'postgres' user.
#   scripts/test-postgres.sh start   -> prints postgresql+psycopg://...; server runs in the background
#   scripts/test-postgres.sh stop
set -euo pipefail

PORT=${GOVSOCIAL_TEST_PG_PORT:-54329}
DIR=${GOVSOCIAL_TEST_PG_DIR:-/tmp/govsocial-test-pg-$PORT}
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[[ -n $BIN && -x $BIN/postgres ]] || { echo "PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }

as_owner() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

stop() {
  if [[ -f $DIR/data/postmaster.pid ]]; then
    as_owner "$BIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$DIR"
}

start() {
  stop
  mkdir -p "$DIR"
  [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$DIR"
  as_owner "$BIN/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 \
    || { cat "$DIR/initdb.log" >&2; exit 1; }
  # Loopback only, socket inside our folder, settings for a disposable test server.
  as_owner "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 start \
    -o "-h 127.0.0.1 -p $PORT -k $DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    >/dev/null || { cat "$DIR/server.log" >&2; exit 1; }
  echo "postgresql+psycopg://postgres@127.0.0.1:$PORT/postgres"
}

case ${1:-start} in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
