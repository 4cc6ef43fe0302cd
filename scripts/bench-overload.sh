#!/usr/bin/env bash
# The overload benchmark of docs/BENCHMARKS.md. One fresh release server on loopback (fsync),
# one 100,000-seat performance per run; every step is a hold then its release, so the house
# never sells out and the work per step stays the same.
#   1. peak: a closed loop of CONNECTIONS clients for DURATION s; its hold rate is the
#      sustainable rate R, and its answered requests/s the peak goodput.
#   2. an open loop (`loadtest --rate`) at 1x, 2x, 5x and 10x R for DURATION s each, latency
#      measured from each request's scheduled moment, at most MAX_IN_FLIGHT steps in flight
#      (a step due beyond that is not sent, and counted); the server's RSS is sampled every
#      0.2 s.
# Prints one line per run and keeps the JSON reports in target/bench-overload/.
# Stops the server it starts, by PID.
#
#   scripts/bench-overload.sh
#   MULTIPLES="2 5" DURATION=5 scripts/bench-overload.sh
set -euo pipefail
cd "$(dirname "$0")/.."
MULTIPLES=${MULTIPLES:-"1 2 5 10"}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-64}
# The open loop's bound on steps in flight (so on connections): above the server's admission
# bound of 1,024 per performance, so the server, not the client, decides what to refuse.
MAX_IN_FLIGHT=${MAX_IN_FLIGHT:-2048}
# The server's admission bound per performance (its default is 1,024).
ADMISSION_MAX=${ADMISSION_MAX:-1024}
PORT=${PORT:-18182}
KEY=bench-admin-key-0123456789
cargo build --release --quiet
BIN=target/release/holdfast
OUT=${OUT:-target/bench-overload}
mkdir -p "$OUT"
data=$(mktemp -d)
"$BIN" serve --bind "127.0.0.1:$PORT" --data-dir "$data" --admin-key "$KEY" --no-demo \
  --admission-max "$ADMISSION_MAX" > "$OUT/server.log" 2>&1 &
server=$!
sampler=
cleanup() {
  [ -n "$sampler" ] && kill "$sampler" 2>/dev/null || true
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  rm -rf "$data"
}
trap cleanup EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.1; done

# Samples the server's resident memory (KiB) into $1 until killed.
sample_rss() {
  while kill -0 "$server" 2>/dev/null; do
    awk '/^VmRSS:/ {print $2}' "/proc/$server/status" >> "$1" 2>/dev/null || true
    sleep 0.2
  done
}

load() {
  "$BIN" loadtest --url "http://127.0.0.1:$PORT" --admin-key "$KEY" --duration "$DURATION" \
    --connections "$CONNECTIONS" --rows 500 --seats-per-row 200 --complete-percent 0 --json "$@"
}

load --ceiling > "$OUT/peak.json"
rate=$(python3 -c '
import json, sys
w = json.load(open(sys.argv[1]))["workload"]
holds = sum(l["count"] for op, l in w["latency"].items() if op.startswith("hold_"))
print(max(1, round(holds / w["seconds"])))' "$OUT/peak.json")
echo "sustainable rate R = $rate holds/s (closed loop, $CONNECTIONS connections)"

for multiple in $MULTIPLES; do
  rss="$OUT/rss-$multiple.txt"
  : > "$rss"
  sample_rss "$rss" &
  sampler=$!
  load --rate $((rate * multiple)) --max-in-flight "$MAX_IN_FLIGHT" > "$OUT/open-$multiple.json"
  kill "$sampler" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  sampler=
  python3 - "$OUT/peak.json" "$OUT/open-$multiple.json" "$rss" "$multiple" "$rate" <<'PY'
import json, sys
peak = json.load(open(sys.argv[1]))
w = json.load(open(sys.argv[2]))["workload"]
rss = [int(x) for x in open(sys.argv[3]).read().split()] or [0]
multiple, rate = int(sys.argv[4]), int(sys.argv[5])
statuses = {int(k): v for k, v in w["statuses"].items()}
answered = sum(statuses.values())
refused = statuses.get(503, 0)
other = sorted(s for s in statuses if not (200 <= s < 500 or s == 503))
goodput = (answered - refused) / w["seconds"]
peak_goodput = peak["workload"]["requests_per_second"]
holds_sent = sum(l["count"] for op, l in w["latency"].items() if op.startswith("hold_"))
holds_sent += w["latency"].get("overloaded", {}).get("count", 0)
over = w["latency"].get("overloaded", {})
hold = w["latency"].get("hold_pair", {})
print(f'{multiple:>2}x R: offered {rate * multiple:>6}/s, sent {holds_sent / w["seconds"]:>7.0f} holds/s | '
      f'2xx {sum(v for s, v in statuses.items() if 200 <= s < 300)}, 4xx {sum(v for s, v in statuses.items() if 400 <= s < 500 and s != 503)}, '
      f'503 {refused}, other {other or "none"}, no answer {w["transport_errors"]}, not sent {w["dropped_by_client"]} | '
      f'goodput {goodput:.0f}/s = {goodput / peak_goodput:.2f} of peak {peak_goodput:.0f}/s | '
      f'503 p99 {over.get("p99_us", "-")} us | hold p50/p99 {hold.get("p50_us")}/{hold.get("p99_us")} us | '
      f'RSS max {max(rss) / 1024:.0f} MiB, last {rss[-1] / 1024:.0f} MiB')
PY
done
echo "health ceiling at $CONNECTIONS connections: $(python3 -c '
import json, sys; c = json.load(open(sys.argv[1]))["ceiling"]; print(round(c["requests_per_second"]), "req/s")' "$OUT/peak.json")"
