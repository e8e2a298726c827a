#!/usr/bin/env bash
# Two (or more) wellspring binaries alternated on the warm full-entropy (sha256) rate: for A/B
# measurements of an engine change on a noisy machine. Build each binary from its commit
# (`cargo build --release`, copy target/release/wellspring aside), then:
#   bash bench/full_entropy_ab.sh RUNS BYTES "EXTRA GLOBAL FLAGS" BIN_A BIN_B ...
# e.g. bash bench/full_entropy_ab.sh 3 4194304 "--cpu-budget 2" /tmp/ws_before /tmp/ws_after
# The assessment cache (CACHE, default /tmp/wellspring-ab-cache.json) is filled once by a
# 20 s `pool` of the first binary and then shared: each run also writes its own assessments
# there, so figures drift with it between sessions; compare only rows of the same call.
set -euo pipefail
RUNS=$1; BYTES=$2; EXTRA=$3; shift 3
CACHE=${CACHE:-/tmp/wellspring-ab-cache.json}
[ -f "$CACHE" ] || "$1" --assessment-cache "$CACHE" pool --seconds 20 --json > /dev/null
for _ in $(seq "$RUNS"); do
  for bin in "$@"; do
    start=$(date +%s.%N)
    # shellcheck disable=SC2086 # EXTRA holds several flags
    "$bin" --assessment-cache "$CACHE" $EXTRA stream --bytes "$BYTES" --format raw | head -c "$BYTES" > /dev/null
    end=$(date +%s.%N)
    echo "$bin $(python3 -c "print(round($BYTES / ($end - $start) / 1000, 1))") KB/s"
  done
done
