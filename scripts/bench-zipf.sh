#!/usr/bin/env bash
# The many-performances benchmark of docs/BENCHMARKS.md: one hot performance against a
# thousand on sale at once, with the holds spread over them by a Zipf law.
#   1. idle memory: a fresh release server; its RSS before and after `loadtest` creates
#      PERFORMANCES performances of ROWS x SEATS seats and leaves them idle for 5 s. The
#      difference over PERFORMANCES is the memory per idle performance (actor, inventory,
#      its share of sled's cache).
#   2. for ROUNDS rounds, alternating, on a fresh server each: the one-performance run and the
#      PERFORMANCES-performance run (`--zipf ZIPF`), each with the same server's `GET /health`
#      ceiling first (`--ceiling`), CONNECTIONS clients, DURATION s, holds of best available
#      or a specific pair, every hold released (so no house sells out).
# Prints one line per run and keeps the JSON reports in target/bench-zipf/. Stops every
# server it starts, by PID.
#
#   scripts/bench-zipf.sh
#   PERFORMANCES=200 ROUNDS=1 DURATION=5 scripts/bench-zipf.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PERFORMANCES=${PERFORMANCES:-1000}
ZIPF=${ZIPF:-1.0}
ROWS=${ROWS:-40}
SEATS=${SEATS:-50}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-64}
ROUNDS=${ROUNDS:-2}
KEY=bench-admin-key-0123456789
cargo build --release --quiet
BIN=${BIN:-target/release/holdfast}
OUT=${OUT:-target/bench-zipf}
mkdir -p "$OUT"
server= data=
stop() {
  [ -n "$server" ] && { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
  [ -n "$data" ] && rm -rf "$data"
  server= data=
}
trap stop EXIT
start() {
  stop
  data=$(mktemp -d)
  "$BIN" serve --bind 127.0.0.1:0 --data-dir "$data" --admin-key "$KEY" --no-demo \
    > "$OUT/server.out" 2> "$OUT/server.log" &
  server=$!
  for _ in $(seq 200); do grep -q "listening on" "$OUT/server.out" 2>/dev/null && break; sleep 0.1; done
  url=$(sed -nE 's/.*listening on (http:\/\/[0-9.]+:[0-9]+).*/\1/p' "$OUT/server.out" | head -1)
}
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$server/status"; }
load() {
  "$BIN" loadtest --url "$url" --admin-key "$KEY" --rows "$ROWS" --seats-per-row "$SEATS" \
    --complete-percent 0 --json "$@"
}

start
sleep 1
before=$(rss_kib)
load --performances "$PERFORMANCES" --connections 0 --duration 5 > "$OUT/idle.json"
after=$(rss_kib)
echo "idle: RSS ${before} KiB with no performance, ${after} KiB with $PERFORMANCES:" \
  "$(( (after - before) / PERFORMANCES )) KiB per idle performance of $((ROWS * SEATS)) seats"

for round in $(seq "$ROUNDS"); do
  for count in 1 "$PERFORMANCES"; do
    start
    report="$OUT/round$round-$count.json"
    load --performances "$count" --zipf "$ZIPF" --ceiling --connections "$CONNECTIONS" \
      --duration "$DURATION" > "$report"
    python3 - "$report" "$(rss_kib)" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
w, c = r["workload"], r["ceiling"]
hold = [l for op, l in w["latency"].items() if op.startswith("hold_")]
p99 = max(l["p99_us"] for l in hold) / 1000 if hold else 0
print(f'{r["performances"]:>5} performances (hottest {r["hottest_share"]*100:.1f}%): '
      f'{w["holds_per_second"]:,.0f} holds/s, {w["requests_per_second"]:,.0f} req/s, '
      f'/health {c["requests_per_second"]:,.0f} req/s, ratio {r["ratio_to_ceiling"]:.2f}, '
      f'hold p99 {p99:.1f} ms, statuses {w["statuses"]}, RSS after {int(sys.argv[2])//1024} MiB')
PY
  done
done
