#!/usr/bin/env bash
# The soak benchmark of docs/BENCHMARKS.md: hold-then-release cycles (bots that hold seats
# and let them go, all day) against one performance of a release server with fsync, in
# ROUNDS rounds of ROUND_SECONDS. During each round it samples the server's RSS every second
# (the peak is reported); after it, the RSS, the data directory's size, the last snapshot's
# size and the transactions the coordinator indexes. Every RESTART_EVERY rounds it kills the
# server with SIGKILL, starts it again on the same data and times the restart until GET
# /health answers (with what recovery replayed and how long it took inside the process).
# Memory, snapshots and restarts must stay flat after warm-up however many cycles went by.
# Prints one line per round and writes $OUT/soak.csv.
#
#   scripts/soak.sh                                   # 12 rounds of 25 s, 64 connections
#   ROUNDS=3 ROUND_SECONDS=5 scripts/soak.sh          # a quick look
#   SERVER=/elsewhere/holdfast OUT=target/soak-old scripts/soak.sh   # another server build
#   CONFIG=soak.toml scripts/soak.sh                   # the server with a config file
#
# The load generator is always this build's `holdfast loadtest` (it can reuse a performance
# across rounds); SERVER may be another build. Stops every server it starts, by PID.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-12}
ROUND_SECONDS=${ROUND_SECONDS:-25}
RESTART_EVERY=${RESTART_EVERY:-3}
CONNECTIONS=${CONNECTIONS:-64}
PORT=${PORT:-18191}
KEY=soak-admin-key-0123456789abcdef
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet
  BIN=target/release/holdfast
fi
SERVER=${SERVER:-$BIN}
OUT=${OUT:-target/soak}
mkdir -p "$OUT"
data=$(mktemp -d)
server=
sampler=
cleanup() {
  if [ -n "$sampler" ]; then kill "$sampler" 2>/dev/null || true; fi
  if [ -n "$server" ]; then kill -9 "$server" 2>/dev/null || true; fi
  rm -rf "$data"
}
trap cleanup EXIT

# Starts the server on $data (its PID in $server) and sets $restart to the seconds until
# /health answered.
start_server() {
  local started
  started=$(date +%s.%N)
  "$SERVER" serve --bind "127.0.0.1:$PORT" --data-dir "$data" --admin-key "$KEY" --no-demo \
    --durability fsync ${CONFIG:+--config "$CONFIG"} >> "$OUT/server.log" 2>&1 &
  server=$!
  for _ in $(seq 600); do
    if ! kill -0 "$server" 2> /dev/null; then
      echo "the server exited at start (is port $PORT taken?); see $OUT/server.log" >&2
      exit 1
    fi
    if curl -sf "http://127.0.0.1:$PORT/health" > /dev/null; then
      restart=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.3f}')" \
        "$started" "$(date +%s.%N)")
      return
    fi
    sleep 0.05
  done
  echo "the server did not answer within 30 s" >&2
  exit 1
}

metric() {
  curl -sf "http://127.0.0.1:$PORT/metrics" | awk -v name="$1" '$1 == name { print $2 }'
}

rss_mib() {
  awk '/^VmRSS/ { print int($2 / 1024) }' "/proc/$server/status"
}

: > "$OUT/server.log"
echo "round,cycles,holds_per_second,rss_peak_mib,rss_end_mib,data_mib,snapshot_kib,indexed,restart_seconds,replayed,recovery_ms" > "$OUT/soak.csv"
restart=
start_server
performance=
cycles=0
for round in $(seq "$ROUNDS"); do
  reuse=()
  if [ -n "$performance" ]; then reuse=(--performance "$performance"); fi
  (while true; do rss_mib; sleep 1; done > "$OUT/rss-$round.txt" 2> /dev/null) &
  sampler=$!
  "$BIN" loadtest --url "http://127.0.0.1:$PORT" --admin-key "$KEY" --connections "$CONNECTIONS" \
    --duration "$ROUND_SECONDS" --rows 250 --seats-per-row 200 --complete-percent 0 \
    "${reuse[@]}" --json > "$OUT/round-$round.json"
  read -r performance released rate < <(python3 - "$OUT/round-$round.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(r["performance"], r["workload"]["releases"], round(r["workload"]["holds_per_second"]))
PY
)
  cycles=$((cycles + released))
  sleep "${SETTLE_SECONDS:-2}"
  kill "$sampler" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  sampler=
  peak=$(sort -n "$OUT/rss-$round.txt" | tail -1)
  rss_end=$(rss_mib)
  snapshot=$(metric holdfast_store_last_snapshot_bytes || true)
  indexed=$(metric holdfast_transactions_indexed || true)
  data_mib=$(($(du -sk "$data" | cut -f1) / 1024))
  restart_column=- replayed=- recovery_ms=-
  if [ $((round % RESTART_EVERY)) -eq 0 ]; then
    kill -9 "$server"; wait "$server" 2>/dev/null || true
    start_server
    restart_column=$restart
    # What the restart replayed (the journal after the last snapshot) and how long recovery
    # took inside the process, from its start-up log line.
    read -r replayed recovery_ms < <(sed 's/\x1b\[[0-9;]*m//g' "$OUT/server.log" |
      grep 'recovered from' | tail -1 |
      sed -n 's/.*replayed=\([0-9]*\).*elapsed_ms=\([0-9]*\).*/\1 \2/p')
  fi
  snapshot_kib=$(( ${snapshot:-0} / 1024 ))
  echo "$round,$cycles,$rate,$peak,$rss_end,$data_mib,$snapshot_kib,${indexed:-n/a},$restart_column,${replayed:-?},${recovery_ms:-?}" >> "$OUT/soak.csv"
  printf 'round %2d: %8d cycles, %5d holds/s, RSS peak %4d end %4d MiB, data %4d MiB, snapshot %5d KiB, indexed %6s, restart %s s (replayed %s, recovery %s ms)\n' \
    "$round" "$cycles" "$rate" "$peak" "$rss_end" "$data_mib" "$snapshot_kib" "${indexed:-n/a}" \
    "$restart_column" "$replayed" "$recovery_ms"
done
