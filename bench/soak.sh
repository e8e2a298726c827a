#!/usr/bin/env bash
# Soak with faults: wrk against `wellspring server` (full-entropy requests, the scarce path)
# for SECONDS (default 600), while every source is made stuck for 30 s and healed for 30 s
# in turn through the test-only fault file (a binary built with the `fault-injection`
# feature, in target/soak; release builds have no such hook). Reports requests, responses
# by status (every error must be a 503 from a fail-closed window), p99, RSS and threads at
# start and end. Loopback only, bounded in time.
#
# Usage: bash bench/soak.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TOTAL=${1:-600}
cargo build --release --quiet -p wellspring-cli --features wellspring-core/fault-injection \
    --target-dir target/soak
FAULTS=$(mktemp)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
WELLSPRING_FAULT_FILE=$FAULTS XDG_CACHE_HOME=$(mktemp -d) \
    ./target/soak/release/wellspring server --port "$PORT" \
    --sources branch_timing,page_fault_timing >/dev/null 2>&1 &
SERVER=$!
WRK=
cleanup() {
    [ -n "$WRK" ] && kill "$WRK" 2>/dev/null || true
    kill "$SERVER" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -f "$FAULTS" "$FAULTS.next"
}
trap cleanup EXIT
URL="http://127.0.0.1:$PORT"
for _ in $(seq 600); do
    curl -sf "$URL/api/v1/random?length=16&type=uint8&conditioning=sha256" >/dev/null && break
    sleep 0.1
done
status_of() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$SERVER/status"; }
RSS0=$(( $(status_of VmRSS) / 1024 ))
THREADS0=$(status_of Threads)

wrk -t2 -c16 -d"${SECONDS_TOTAL}s" --timeout 20s -s bench/soak_status.lua \
    "$URL/api/v1/random?length=16&type=uint8&conditioning=sha256" >/tmp/ws-soak-wrk.txt &
WRK=$!
set_faults() { printf '%s' "$1" >"$FAULTS.next" && mv "$FAULTS.next" "$FAULTS"; }
elapsed=0
windows=0
SERIES="$RSS0"
while [ "$elapsed" -lt "$SECONDS_TOTAL" ]; do
    sleep 30; elapsed=$((elapsed + 30))
    if [ $((elapsed / 30 % 2)) = 1 ]; then
        set_faults "* = stuck"
        windows=$((windows + 1))
        echo "$(date +%T) +${elapsed}s: every source stuck" >&2
    else
        set_faults ""
        echo "$(date +%T) +${elapsed}s: healed" >&2
    fi
    SERIES="$SERIES $(( $(status_of VmRSS) / 1024 ))"
done
wait "$WRK"
WRK=
RSS1=$(( $(status_of VmRSS) / 1024 ))
THREADS1=$(status_of Threads)
echo "| measurement | value |"
echo "|---|---|"
echo "| duration, fault windows (every source stuck for 30 s) | ${SECONDS_TOTAL} s, $windows |"
echo "| wrk result | $(tail -1 /tmp/ws-soak-wrk.txt) |"
echo "| RSS start → end | ${RSS0} MB → ${RSS1} MB |"
echo "| RSS every 30 s (MB) | $SERIES |"
echo "| threads start → end | ${THREADS0} → ${THREADS1} |"
