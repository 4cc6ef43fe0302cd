#!/usr/bin/env bash
# The HTTP benchmark of docs/BENCHMARKS.md: for each durability mode, a fresh release server
# on loopback, then `holdfast loadtest --ceiling` at each connection count: GET /health for
# DURATION seconds, then the on-sale workload on the same connections for DURATION seconds,
# on a 100,000-seat performance (ROWS x 200) so the house does not sell out mid-run.
# Prints one JSON report per run. Stops every server it starts, by PID.
#
#   scripts/bench-http.sh                      # fsync and none, 16/64/256 connections, 10 s
#   MODES=fsync CONNECTIONS="64" DURATION=5 scripts/bench-http.sh
#   BIN=/elsewhere/holdfast OUT=target/bench-other scripts/bench-http.sh   # another build
#   LOADTEST_FLAGS=--price-list scripts/bench-http.sh     # ticket types and fees on every hold
set -euo pipefail
cd "$(dirname "$0")/.."
MODES=${MODES:-"fsync none"}
CONNECTIONS=${CONNECTIONS:-"16 64 256"}
DURATION=${DURATION:-10}
PORT=${PORT:-18181}
KEY=bench-admin-key-0123456789
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet
  BIN=target/release/holdfast
fi
OUT=${OUT:-target/bench-http}
mkdir -p "$OUT"
for mode in $MODES; do
  for connections in $CONNECTIONS; do
    data=$(mktemp -d)
    "$BIN" serve --bind "127.0.0.1:$PORT" --data-dir "$data" --admin-key "$KEY" --no-demo \
      --durability "$mode" > "$OUT/server-$mode-$connections.log" 2>&1 &
    server=$!
    trap 'kill $server 2>/dev/null || true' EXIT
    for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.1; done
    "$BIN" loadtest --url "http://127.0.0.1:$PORT" --admin-key "$KEY" --connections "$connections" \
      --duration "$DURATION" --rows "${ROWS:-500}" --seats-per-row 200 --ceiling --json ${LOADTEST_FLAGS:-} \
      > "$OUT/$mode-$connections.json"
    kill "$server"; wait "$server" 2>/dev/null || true
    rm -rf "$data"
    python3 - "$OUT/$mode-$connections.json" "$mode" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); w = r["workload"]; c = r["ceiling"]
hold = w["latency"].get("hold_pair", {})
print(f'{sys.argv[2]:>5} {w["connections"]:>4} conns: health {c["requests_per_second"]:>8.0f} req/s p99 {c["latency"]["health"]["p99_us"]:>6} us | '
      f'on-sale {w["requests_per_second"]:>7.0f} req/s, holds {w["holds_per_second"]:>6.0f}/s, ratio {r["ratio_to_ceiling"]:.2f}, '
      f'hold p50/p99 {hold.get("p50_us")}/{hold.get("p99_us")} us, avg commit {w["average_commit_size"] or 0:.1f}, '
      f'sold out {w["sold_out_after_seconds"]}')
PY
  done
done
