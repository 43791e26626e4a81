#!/usr/bin/env bash
# Throughput of cognate-mock-lm at 0 latency: the server on one tokio worker pinned to core 0,
# wrk pinned to core 1, posting a ~1.8 KB ChatAdapter request (post.lua).
# Prints wrk's summary and the server's requests per CPU-second (from /proc), which stays
# meaningful when other processes share the cores.
#   usage: crates/cognate-testing/bench/run.sh [seconds=10] [connections=64]
set -euo pipefail
cd "$(dirname "$0")/../../.."
SECS=${1:-10}
CONNS=${2:-64}
PORT=${PORT:-8089}
TARGET=${CARGO_TARGET_DIR:-target}
cargo build --release -q -p cognate-testing --bin cognate-mock-lm
taskset -c 0 "$TARGET/release/cognate-mock-lm" --port "$PORT" --workers 1 >/dev/null &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.1; done
TICKS=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
BEFORE=$(cpu)
OUT=$(taskset -c 1 wrk -t1 -c"$CONNS" -d"${SECS}s" -s crates/cognate-testing/bench/post.lua "http://127.0.0.1:$PORT")
AFTER=$(cpu)
echo "$OUT"
REQS=$(echo "$OUT" | awk '/requests in/ {print $1}')
awk -v r="$REQS" -v t=$((AFTER - BEFORE)) -v hz="$TICKS" \
  'BEGIN { s = t / hz; printf "server CPU time: %.2f s -> %.0f requests per CPU-second\n", s, r / s }'
