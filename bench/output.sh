#!/usr/bin/env bash
# Output-path throughput of wellspring against baselines measured in the same run:
#   drbg stream vs /dev/urandom vs `openssl rand` (256 MiB each), with peak RSS, both after
#   the sources were measured once (`bench --samples 65536` keeps full-size assessments in
#   the assessment cache, as the engine does after each background re-assessment) and cold
#   (`--assessment-cache off`: every source assessed at start-up);
#   sha256 (full-entropy) rate and the credited min-entropy rate and CPU of each source.
# Usage: bash bench/output.sh [BYTES]   (default 268435456). Needs hyperfine (Debian package).
set -euo pipefail
cd "$(dirname "$0")/.."
BYTES=${1:-268435456}
cargo build --release -q
cargo build --release -q -p wellspring-core --example full_entropy_rate
WS=./target/release/wellspring
command -v hyperfine >/dev/null || { echo "install hyperfine (apt-get install hyperfine)"; exit 1; }
CACHE=$(mktemp -d)/assessments.json
trap 'rm -rf "$(dirname "$CACHE")"' EXIT

echo "== measuring every source once on 65,536 samples (fills $CACHE)"
$WS --assessment-cache "$CACHE" bench --samples 65536 | tail -n 1

echo "== DRBG bulk output, $BYTES bytes (5 runs each, 1 warm-up)"
hyperfine --warmup 1 --runs 5 --export-json /tmp/ws-output.json \
  "$WS --assessment-cache $CACHE stream --conditioning drbg --format raw --bytes $BYTES > /dev/null" \
  "$WS --assessment-cache off stream --conditioning drbg --format raw --bytes $BYTES > /dev/null" \
  "head -c $BYTES /dev/urandom > /dev/null" \
  "openssl rand -out /dev/null $BYTES"
python3 - "$BYTES" <<'PY'
import json, sys
n = int(sys.argv[1])
r = json.load(open("/tmp/ws-output.json"))["results"]
warm, cold, ur, ssl = (x["median"] for x in r)
print(f"wellspring drbg (measured)  {n/warm/1e6:8.0f} MB/s   /urandom = {ur/warm:.2f}x   /openssl = {ssl/warm:.2f}x")
print(f"wellspring drbg (cold)      {n/cold/1e6:8.0f} MB/s   /urandom = {ur/cold:.2f}x   /openssl = {ssl/cold:.2f}x")
print(f"/dev/urandom                {n/ur/1e6:8.0f} MB/s")
print(f"openssl rand                {n/ssl/1e6:8.0f} MB/s")
PY
echo "== peak RSS of the drbg stream (measured, then cold)"
for cache in "$CACHE" off; do
  /usr/bin/time -f "max RSS %M KB" $WS --assessment-cache "$cache" stream --conditioning drbg \
    --format raw --bytes "$BYTES" > /dev/null
done

echo "== full-entropy (sha256) output, 4 MiB, with each source's credited rate and CPU"
./target/release/examples/full_entropy_rate 4194304 "$CACHE" | tee /tmp/ws-sha256.txt
python3 - <<'PY'
line = open("/tmp/ws-sha256.txt").readline()
rate = float(line.split(": ")[1].split(" KB/s")[0])
print(f"sha256 full entropy: {rate:.0f} KB/s; jitterentropy reference 9.3-10.4 KB/s -> {rate/10.4:.1f}x")
PY
