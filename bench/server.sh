#!/usr/bin/env bash
# Server throughput on loopback with wrk (Debian package), bounded durations:
#   1. /health (no entropy work) as the baseline, 10 s
#   2. /api/v1/random?length=1024&type=uint8 (DRBG), 10 s, with latency percentiles
#   3. a 60 s soak of (2) with RSS sampled before and after.
# Usage: bash bench/server.sh [SOAK_SECONDS]   (default 60)
set -euo pipefail
cd "$(dirname "$0")/.."
SOAK=${1:-60}
PORT=18943
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)"; exit 1; }
cargo build --release -q
./target/release/wellspring server --port "$PORT" 2>/dev/null &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.1; done
URL="http://127.0.0.1:$PORT/api/v1/random?length=1024&type=uint8"
echo "== baseline: /health"
wrk -t2 -c32 -d10s --latency "http://127.0.0.1:$PORT/health" | grep -E "Requests/sec|99%|Non-2xx|errors"
echo "== /api/v1/random?length=1024&type=uint8"
wrk -t2 -c32 -d10s --latency "$URL" | grep -E "Requests/sec|50%|99%|Non-2xx|errors"
rss() { awk '/VmRSS/ {print $2}' "/proc/$SERVER/status"; }
before=$(rss)
echo "== soak ${SOAK}s (RSS before: ${before} KB)"
wrk -t2 -c32 -d"${SOAK}s" --latency "$URL" | grep -E "Requests/sec|99%|Non-2xx|errors"
after=$(rss)
echo "RSS after: ${after} KB ($(( (after - before) * 100 / before ))% growth)"
