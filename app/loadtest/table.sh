#!/usr/bin/env bash
# The load script's whole table: the list page as finance, every role's
# dashboard, /healthz and the ceiling (app/expenses/listceiling), on SQLite
# and PostgreSQL at 1,000 and 100,000 expenses. Run from anywhere:
#
#   bash app/loadtest/table.sh                 # builds the server from this tree
#   bash app/loadtest/table.sh /path/to/binary # or measures a binary built elsewhere
#
# C (connections, 32), D (time per row, 10s), PORT (18977), SIZES
# ("1000 100000") and PG_BASE (postgres://postgres@127.0.0.1:5432; empty:
# SQLite only) change what it does. The databases are built once (SQLite
# files in $TMPDIR, PostgreSQL databases ce_load_<n>) and reused.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:-}
if [ -z "$bin" ]; then
  bin=${TMPDIR:-/tmp}/ce-load-server
  go build -o "$bin" .
fi
c=${C:-32} d=${D:-10s} port=${PORT:-18977} sizes=${SIZES:-1000 100000}
pg_base=${PG_BASE-postgres://postgres@127.0.0.1:5432}
runs='finance@example.com /expenses?scope=all,employee@example.com /,manager@example.com /,finance@example.com /,admin@example.com /,- /healthz'
go build -o "${TMPDIR:-/tmp}/ce-loadtest" ./app/loadtest

# measure LABEL ENV...: serve the database ENV names, print its table.
measure() {
  local label=$1; shift
  printf '\n### %s\n\n' "$label"
  env "$@" SEED_DEMO_DATA=off PORT="$port" "$bin" >/dev/null 2>&1 &
  local pid=$!
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  env "$@" "${TMPDIR:-/tmp}/ce-loadtest" -url "http://127.0.0.1:$port" -c "$c" -d "$d" -pid "$pid" -runs "$runs" -ceiling || true
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

for n in $sizes; do
  db=${TMPDIR:-/tmp}/ce-load-$n.db
  go run ./app/expenses/writeload -db "$db" -n "$n" -d 0
  measure "SQLite, $n expenses" SQLITE_PATH="$db"
  if [ -n "$pg_base" ]; then
    url="$pg_base/ce_load_$n?sslmode=disable"
    psql "$pg_base/postgres" -qc "CREATE DATABASE ce_load_$n" 2>/dev/null || true
    go run ./app/expenses/writeload -database-url "$url" -n "$n" -d 0
    measure "PostgreSQL, $n expenses" DATABASE_URL="$url"
  fi
done
