#!/usr/bin/env bash
# What the dashboard's event stream costs the server: CPU time of a release
# `wellspring server` (utime + stime from /proc) over 30 s with no viewer, then over 30 s
# with 10 viewers (curl holding /api/v1/events open), after a 20 s warm-up. Loopback only.
#
# Usage: bash bench/events.sh   (prints a Markdown table)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
./target/release/wellspring server --port "$PORT" --sources branch_timing,page_fault_timing \
    >/dev/null 2>&1 &
SERVER=$!
VIEWERS=()
cleanup() {
    for v in "${VIEWERS[@]}"; do kill "$v" 2>/dev/null || true; done
    kill "$SERVER" 2>/dev/null || true
    wait 2>/dev/null || true
}
trap cleanup EXIT
TICKS=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; }
sleep 20
A=$(cpu); sleep 30; B=$(cpu)
for _ in $(seq 10); do
    curl -sN "http://127.0.0.1:$PORT/api/v1/events" >/dev/null &
    VIEWERS+=($!)
done
sleep 2
C=$(cpu); sleep 30; D=$(cpu)
python3 - "$A" "$B" "$C" "$D" "$TICKS" <<'PY'
import sys
a, b, c, d, ticks = (float(x) for x in sys.argv[1:])
idle = (b - a) / ticks / 30 * 100
viewers = (d - c) / ticks / 30 * 100
print("| measurement | % of one core |")
print("|---|---|")
print(f"| server, no viewer (engine at its idle budget) | {idle:.2f} |")
print(f"| server, 10 event-stream viewers | {viewers:.2f} |")
print(f"| cost of 10 viewers | {viewers - idle:.2f} |")
PY
