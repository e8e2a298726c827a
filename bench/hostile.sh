#!/usr/bin/env bash
# Hostile clients against a release `wellspring server`, on loopback, bounded in time:
# p99 latency of normal requests (wrk) and server RSS, first alone, then while 2,000 idle
# keep-alive connections and 400 slowloris connections (a header line a second, never
# finished) are held open (bench/hostile_clients.py re-opens what the server closes); then
# the time to refuse a 64 KiB query (414) and a 1 MB header (431).
#
# Usage: bash bench/hostile.sh   (needs wrk, curl, python3; prints a Markdown table)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
ulimit -n 16384
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
./target/release/wellspring server --port "$PORT" --max-connections 4096 \
    --sources branch_timing,page_fault_timing >/dev/null 2>&1 &
SERVER=$!
HOSTILE=
cleanup() {
    [ -n "$HOSTILE" ] && kill "$HOSTILE" 2>/dev/null || true
    kill "$SERVER" 2>/dev/null || true
    wait 2>/dev/null || true
}
trap cleanup EXIT
URL="http://127.0.0.1:$PORT"
for _ in $(seq 300); do
    curl -sf "$URL/api/v1/random?length=1&type=uint8" >/dev/null && break
    sleep 0.1
done
rss() { awk '/^VmRSS/ {print int($2/1024)}' "/proc/$SERVER/status"; }
hwm() { awk '/^VmHWM/ {print int($2/1024)}' "/proc/$SERVER/status"; }
p99() { wrk -t2 -c16 -d10s --latency "$URL/api/v1/random?length=32&type=uint8" \
    | awk '/^ +99%/ {print $2}'; }

RSS0=$(rss)
P99_ALONE=$(p99)
python3 bench/hostile_clients.py "$PORT" 2000 400 30 >/tmp/ws-hostile.json &
HOSTILE=$!
sleep 8
RSS_LOADED=$(rss)
P99_LOADED=$(p99)
RSS_LOADED2=$(rss)
wait "$HOSTILE"
HOSTILE=
# One request over a raw socket: the status line and the time to it.
refuse_time() {
    python3 - "$PORT" "$1" <<'PY'
import socket, sys, time
port, kind = int(sys.argv[1]), sys.argv[2]
if kind == "query":
    head = b"GET /api/v1/random?x=" + b"a" * 65536 + b" HTTP/1.1\r\nHost: b\r\n\r\n"
else:
    head = b"GET /health HTTP/1.1\r\nHost: b\r\nX-Big: " + b"a" * 1048576 + b"\r\n\r\n"
s = socket.create_connection(("127.0.0.1", port), timeout=10)
start = time.monotonic()
try:
    s.sendall(head)
except OSError:
    pass  # the server may answer and close before the whole head is sent
status = s.recv(64).split(b"\r\n")[0].decode()
print(f"{status} in {1000 * (time.monotonic() - start):.1f} ms")
PY
}
T414=$(refuse_time query)
T431=$(refuse_time header)

echo "| measurement | value |"
echo "|---|---|"
echo "| RSS at start | ${RSS0} MB |"
echo "| p99, wrk -t2 -c16 10 s, alone | ${P99_ALONE} |"
echo "| p99, same, with 2,000 idle + 400 slowloris connections held | ${P99_LOADED} |"
echo "| RSS while held (8 s in, after wrk) | ${RSS_LOADED} MB, ${RSS_LOADED2} MB |"
echo "| peak RSS of the whole run (VmHWM) | $(hwm) MB |"
echo "| hostile connections (opened, closed by the server) | $(cat /tmp/ws-hostile.json) |"
echo "| 64 KiB query (the 16 KiB read buffer refuses it before the 4 KiB query check) | ${T414} |"
echo "| 1 MB header | ${T431} |"
