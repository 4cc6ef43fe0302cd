#!/usr/bin/env bash
# The seat-stream benchmark of docs/BENCHMARKS.md: a fresh release server on loopback with a
# 2,000-seat performance (20 rows of 100), FOLLOWERS connections following its seat stream
# (`holdfast loadtest --subscribers`), and an on-sale of hold-then-release on CONNECTIONS
# clients (closed loop, or open loop at RATE holds/s) for DURATION seconds. Prints the
# report (holds/s, delivery latency from a change being made to a follower reading it,
# events per follower) and the CPU seconds of the server and of the load generator, which
# share this machine. With CONNECTIONS=0 the followers only idle: the server's memory with
# and without them is printed. Stops the server it starts, by PID.
#
#   FOLLOWERS=1000 scripts/bench-seat-stream.sh
#   FOLLOWERS=10000 RATE=20 scripts/bench-seat-stream.sh
#   FOLLOWERS=10000 CONNECTIONS=0 DURATION=20 scripts/bench-seat-stream.sh   # idle memory
set -euo pipefail
cd "$(dirname "$0")/.."
FOLLOWERS=${FOLLOWERS:-1000}
CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-10}
PORT=${PORT:-18182}
KEY=bench-admin-key-0123456789
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet
  BIN=target/release/holdfast
fi
# Each follower is one connection at each end.
ulimit -n "$(( FOLLOWERS * 2 + 1024 ))" 2>/dev/null || true
data=$(mktemp -d)
"$BIN" serve --bind "127.0.0.1:$PORT" --data-dir "$data" --admin-key "$KEY" --no-demo \
  > "$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.1; done
rss() { awk '/VmRSS/ {print $2}' "/proc/$server/status"; }
before=$(rss)
flags=(--url "http://127.0.0.1:$PORT" --admin-key "$KEY" --connections "$CONNECTIONS"
  --duration "$DURATION" --subscribers "$FOLLOWERS" --rows 20 --seats-per-row 100
  --complete-percent 0)
if [ -n "${RATE:-}" ]; then flags+=(--rate "$RATE"); fi
if [ "$CONNECTIONS" = 0 ]; then
  "$BIN" loadtest "${flags[@]}" > "$data/report.txt" 2>&1 &
  loadgen=$!
  # The followers open in waves of 500; measure once all are open and idling.
  for _ in $(seq 120); do
    open=$(ss -Htn state established "( sport = :$PORT )" | wc -l)
    [ "$open" -ge "$FOLLOWERS" ] && break
    sleep 1
  done
  sleep 3
  after=$(rss)
  echo "server RSS: $before kB before, $after kB with $open idle followers:" \
    "$(( (after - before) * 1024 / (open > 0 ? open : 1) )) bytes per follower"
  wait "$loadgen"
else
  /usr/bin/time -f "load generator CPU: user %U s, system %S s, wall %e s" \
    "$BIN" loadtest "${flags[@]}" 2>&1
  awk '{printf "server CPU: user %.1f s, system %.1f s\n", $14/100, $15/100}' "/proc/$server/stat"
fi
