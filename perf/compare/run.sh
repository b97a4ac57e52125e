#!/usr/bin/env bash
# The side-by-side comparison with DuckDB (perf/README.md): generates the seeded events dataset, loads it into
# Analytics (ingest streams, persisted) and into DuckDB (@duckdb/node-api, a database file), runs the suite
# (suite.json) in both after a warm-up, checks that both return the same rows, and prints one line per query with
# both medians and the ratio, then `geomean analytics/duckdb = X.XX`.
# Usage: perf/compare/run.sh [--rows N] [--runs N] [--data DIR]   (defaults: 10,000,000 rows, 5 runs, /tmp/analytics-compare)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
rows=10000000
runs=5
data="${TMPDIR:-/tmp}/analytics-compare"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --rows) rows="$2"; shift 2 ;;
        --runs) runs="$2"; shift 2 ;;
        --data) data="$2"; shift 2 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done
data="$data/$rows"
mkdir -p "$data"

(cd "$here" && npm ci --no-audit --no-fund --silent)
if [[ ! -f "$data/events.ndjson" ]]; then
    echo "== generating $rows events in $data ==" >&2
    node "$here/generate.mjs" "$data" "$rows"
fi
echo "== analytics ==" >&2
dotnet run -c Release --project "$root/perf/Analytics.Benchmarks" -- compare "$data" "$here/suite.json" "$runs" "$data/analytics.json"
echo "== duckdb ==" >&2
node "$here/duckdb.mjs" "$data" "$here/suite.json" "$runs" "$data/duckdb.json"
echo "== comparison ($rows rows, median of $runs runs) ==" >&2
node "$here/compare.mjs" "$here/suite.json" "$data/analytics.json" "$data/duckdb.json"
