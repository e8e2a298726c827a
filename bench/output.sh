#!/usr/bin/env bash
# Output-path throughput of wellspring against baselines measured in the same run:
#   drbg stream vs /dev/urandom vs `openssl rand` (256 MiB each), with peak RSS;
#   sha256 (full-entropy) stream rate, and the harvest CPU it took.
# Usage: bash bench/output.sh [BYTES]   (default 268435456). Needs hyperfine (Debian package).
set -euo pipefail
cd "$(dirname "$0")/.."
BYTES=${1:-268435456}
cargo build --release -q
WS=./target/release/wellspring
command -v hyperfine >/dev/null || { echo "install hyperfine (apt-get install hyperfine)"; exit 1; }

echo "== DRBG bulk output, $BYTES bytes (5 runs each, 1 warm-up)"
hyperfine --warmup 1 --runs 5 --export-json /tmp/ws-output.json \
  "$WS stream --conditioning drbg --format raw --bytes $BYTES > /dev/null" \
  "head -c $BYTES /dev/urandom > /dev/null" \
  "openssl rand -out /dev/null $BYTES"
python3 - "$BYTES" <<'PY'
import json, sys
n = int(sys.argv[1])
r = json.load(open("/tmp/ws-output.json"))["results"]
ws, ur, ssl = (x["median"] for x in r)
print(f"wellspring drbg  {n/ws/1e6:8.0f} MB/s")
print(f"/dev/urandom     {n/ur/1e6:8.0f} MB/s   wellspring/urandom = {ur/ws:.2f}x")
print(f"openssl rand     {n/ssl/1e6:8.0f} MB/s   wellspring/openssl = {ssl/ws:.2f}x")
PY
echo "== peak RSS of the drbg stream"
/usr/bin/time -f "max RSS %M KB" $WS stream --conditioning drbg --format raw --bytes "$BYTES" > /dev/null

echo "== full-entropy (sha256) output, 4 MiB"
start=$(date +%s.%N)
$WS stream --conditioning sha256 --format raw --bytes 4194304 > /dev/null
end=$(date +%s.%N)
python3 -c "d=$end-$start; print(f'sha256 full entropy: {4194304/d/1e3:.0f} KB/s ({d:.1f} s for 4 MiB); jitterentropy reference 9.3-10.4 KB/s -> {4194304/d/1e3/10.4:.1f}x')"
echo "== credited min-entropy rate per source (pool --seconds 5)"
$WS pool --seconds 5
