#!/usr/bin/env bash
# Runs Cognate's and DSPy 3.4.1's benchmarks on the same mock LM server and prints the tables
# of docs/benchmarks.md.
#
#   crates/cognate-bench/run.sh                 # everything (about 15 minutes)
#   BENCH=overhead crates/cognate-bench/run.sh  # one part: overhead | evaluate | optimize
#
# Environment: PYTHON (a Python with dspy==3.4.1, default /tmp/dspyvenv/bin/python; install
# with `pip install -r crates/cognate-bench/python/requirements.txt`), PORT (default 18089),
# LATENCY_MS (50), CONCURRENCY (1,8,32,128,1024), POINT_SECONDS (5: the ideal duration of each
# Cognate point), REPEAT (3), DSPY_MAX_SECONDS (30), SERVER_CPU / CLIENT_CPU (taskset CPU
# lists, default 0 and 1; set both empty to not pin), OUT (the JSON lines file).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-/tmp/dspyvenv/bin/python}"
PORT="${PORT:-18089}"
LATENCY_MS="${LATENCY_MS:-50}"
CONCURRENCY="${CONCURRENCY:-1,8,32,128,1024}"
SECONDS_PER_POINT="${POINT_SECONDS:-5}"
REPEAT="${REPEAT:-3}"
DSPY_MAX_SECONDS="${DSPY_MAX_SECONDS:-30}"
SERVER_CPU="${SERVER_CPU-0}"
CLIENT_CPU="${CLIENT_CPU-1}"
BENCH="${BENCH:-all}"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
OUT="${OUT:-$TARGET/cognate-bench-$(date -u +%Y%m%dT%H%M%SZ).jsonl}"
export LITELLM_LOCAL_MODEL_COST_MAP=True

pin() { # pin CPU_LIST COMMAND...
  local cpus="$1"; shift
  if [[ -n "$cpus" ]] && command -v taskset >/dev/null; then taskset -c "$cpus" "$@"; else "$@"; fi
}

cargo build --release -p cognate-testing --bin cognate-mock-lm -p cognate-bench --bin cognate-bench
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

{
  echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT.txt"

if [[ "$BENCH" == all || "$BENCH" == overhead ]]; then
  pin "$CLIENT_CPU" "$TARGET/release/cognate-bench" overhead --demos 0 | tee -a "$OUT"
  pin "$CLIENT_CPU" "$TARGET/release/cognate-bench" overhead --demos 4 | tee -a "$OUT"
  pin "$CLIENT_CPU" "$PYTHON" crates/cognate-bench/python/bench_dspy.py overhead --demos 0 | tee -a "$OUT"
  pin "$CLIENT_CPU" "$PYTHON" crates/cognate-bench/python/bench_dspy.py overhead --demos 4 | tee -a "$OUT"
fi

if [[ "$BENCH" != overhead ]]; then
  # Started directly (not through `pin`, a function: `$!` would be a subshell's pid).
  if [[ -n "$SERVER_CPU" ]] && command -v taskset >/dev/null; then
    taskset -c "$SERVER_CPU" "$TARGET/release/cognate-mock-lm" --port "$PORT" --latency-ms "$LATENCY_MS" --workers 1 &
  else
    "$TARGET/release/cognate-mock-lm" --port "$PORT" --latency-ms "$LATENCY_MS" --workers 1 &
  fi
  SERVER=$!
  trap 'kill $SERVER 2>/dev/null || true' EXIT
  for _ in $(seq 50); do
    curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break
    kill -0 "$SERVER" 2>/dev/null || { echo "the mock server did not start (port $PORT in use?)" >&2; exit 1; }
    sleep 0.1
  done
  BASE="http://127.0.0.1:$PORT/v1"
fi

if [[ "$BENCH" == all || "$BENCH" == evaluate ]]; then
  pin "$CLIENT_CPU" "$TARGET/release/cognate-bench" evaluate --base-url "$BASE" --latency-ms "$LATENCY_MS" \
    --concurrency "$CONCURRENCY" --seconds "$SECONDS_PER_POINT" --repeat "$REPEAT" | tee -a "$OUT"
  pin "$CLIENT_CPU" "$PYTHON" crates/cognate-bench/python/bench_dspy.py evaluate --base-url "$BASE" \
    --latency-ms "$LATENCY_MS" --concurrency "$CONCURRENCY" --seconds "$SECONDS_PER_POINT" --repeat "$REPEAT" \
    --max-seconds "$DSPY_MAX_SECONDS" | tee -a "$OUT"
fi

if [[ "$BENCH" == all || "$BENCH" == optimize ]]; then
  pin "$CLIENT_CPU" "$TARGET/release/cognate-bench" optimize --base-url "$BASE" --latency-ms "$LATENCY_MS" \
    --repeat "$REPEAT" | tee -a "$OUT"
  pin "$CLIENT_CPU" "$PYTHON" crates/cognate-bench/python/bench_dspy.py optimize --base-url "$BASE" \
    --latency-ms "$LATENCY_MS" --repeat "$REPEAT" 2>/dev/null | tee -a "$OUT"
  # The same on a server without latency: what the optimizers themselves cost.
  ZERO_PORT=$((PORT + 1))
  if [[ -n "$SERVER_CPU" ]] && command -v taskset >/dev/null; then
    taskset -c "$SERVER_CPU" "$TARGET/release/cognate-mock-lm" --port "$ZERO_PORT" --latency-ms 0 --workers 1 &
  else
    "$TARGET/release/cognate-mock-lm" --port "$ZERO_PORT" --latency-ms 0 --workers 1 &
  fi
  ZERO_SERVER=$!
  trap 'kill $SERVER $ZERO_SERVER 2>/dev/null || true' EXIT
  for _ in $(seq 50); do
    curl -sf "http://127.0.0.1:$ZERO_PORT/health" >/dev/null && break
    sleep 0.1
  done
  pin "$CLIENT_CPU" "$TARGET/release/cognate-bench" optimize --base-url "http://127.0.0.1:$ZERO_PORT/v1" \
    --latency-ms 0 --repeat "$REPEAT" | tee -a "$OUT"
  pin "$CLIENT_CPU" "$PYTHON" crates/cognate-bench/python/bench_dspy.py optimize \
    --base-url "http://127.0.0.1:$ZERO_PORT/v1" --latency-ms 0 --repeat "$REPEAT" 2>/dev/null | tee -a "$OUT"
fi

echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT.txt"
"$PYTHON" crates/cognate-bench/python/table.py "$OUT" | tee -a "$OUT.txt"
echo "results: $OUT (tables: $OUT.txt)"
