#!/usr/bin/env bash
# `/rng` throughput with camera buffers full (six groups of 100 regions from 1280x720 frames
# in local folders, no network), against `/health` on the same server in the same run.
#   bash bench/rng.sh [SECONDS]     needs wrk (Debian package)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null; }
cargo build --release -q -p wellspring-cli
cargo build --release -q -p wellspring-camera --example make_frames
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
target/release/examples/make_frames "$work/frames" 6
{
    echo "[camera]"
    echo "refresh_seconds = 5"
    i=0
    for g in europe north-america south-america asia africa australia-oceania; do
        printf '[[camera.feeds]]\ngroup = "%s"\ndir = "%s/frames/g%d"\n' "$g" "$work" "$i"
        i=$((i + 1))
    done
} >"$work/cams.toml"
port=$((20000 + RANDOM % 20000))
target/release/wellspring server --port "$port" --camera-config "$work/cams.toml" 2>"$work/server.log" &
server=$!
for _ in $(seq 100); do
    total=$(curl -s "http://127.0.0.1:$port/health" | python3 -c 'import json,sys; print(json.load(sys.stdin)["livecam_total_regions"])' 2>/dev/null || echo 0)
    [[ $total == 600 ]] && break
    sleep 0.2
done
echo "camera regions buffered: $total (6 groups x 100)"
for path in /health /rng; do
    echo "== wrk -t2 -c32 -d${secs}s http://127.0.0.1:$port$path"
    wrk -t2 -c32 -d"${secs}s" --latency "http://127.0.0.1:$port$path" | grep -E 'Requests/sec|99%|Non-2xx'
done
