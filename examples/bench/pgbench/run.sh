#!/usr/bin/env bash
# The physical limit of an audited write on PostgreSQL, without our library or Diesel: pgbench
# (C, libpq, prepared statements, one connection) runs each write plain and as the single
# data-modifying-CTE statement that writes its history row, on the benchmark's tables (generated
# history migration included), in a scratch schema. Prints the mean latency of each and the
# ratio of their throughputs.
#
#   bash examples/bench/pgbench/run.sh [postgres://postgres@127.0.0.1:5432/test] [seconds]
set -euo pipefail
cd "$(dirname "$0")"
url=${1:-postgres://postgres@127.0.0.1:5432/test}
seconds=${2:-10}
schema=audit_pgbench_$$
export PGOPTIONS="-c search_path=$schema -c synchronous_commit=off"
trap 'psql "$url" -qc "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1' EXIT

psql "$url" -qc "CREATE SCHEMA $schema"
for up in ../migrations/postgres/*/up.sql; do psql "$url" -q -v ON_ERROR_STOP=1 -f "$up"; done
psql "$url" -q -v ON_ERROR_STOP=1 -c "
  INSERT INTO bench_fish (id, name, species, population, avg_weight_g, status, notes, created_at, updated_at)
  SELECT g, 'fish-' || g, 'Atlantic salmon', 1000 + g % 500, 250.0 + g % 100, 'active', NULL, now(), now()
  FROM generate_series(1, 1000000) g;
  SELECT setval('bench_fish_id_seq', 1000000);
  ANALYZE bench_fish;" >/dev/null

latency() {
  local out ms
  out=$(pgbench "$url" -n -M prepared -c 1 -T "$seconds" -f "$1.sql" 2>&1) || {
    echo "pgbench $1 failed: $out" >&2
    exit 1
  }
  ms=$(sed -n 's/^latency average = \([0-9.]*\) ms$/\1/p' <<<"$out")
  [ -n "$ms" ] || { echo "pgbench $1: no latency in: $out" >&2; exit 1; }
  echo "$ms"
}

printf '%-8s %12s %12s %8s\n' op "plain ms" "audited ms" ratio
for op in create update delete; do
  # Alternate, and keep the better of two runs of each.
  p1=$(latency "${op}_plain"); a1=$(latency "${op}_audited")
  p2=$(latency "${op}_plain"); a2=$(latency "${op}_audited")
  plain=$(printf '%s\n%s\n' "$p1" "$p2" | sort -g | head -1)
  audited=$(printf '%s\n%s\n' "$a1" "$a2" | sort -g | head -1)
  printf '%-8s %12s %12s %7.2fx\n' "$op" "$plain" "$audited" "$(echo "$plain / $audited" | bc -l)"
done
