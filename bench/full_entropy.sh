#!/usr/bin/env bash
# The full-entropy (sha256) output rate, warm (full-size assessments kept from an earlier
# run), with the default sources at --cpu-budget 1 and 2, and with two sources of one
# category (branch_timing + page_fault_timing: two correlation families harvested by one
# thread, the case the scheduler once starved), alternated RUNS times, against
# `head -c BYTES /dev/urandom` in the same loop. jitterentropy is not packaged for this
# machine, so its published 9.3-10.4 KB/s is quoted rather than measured.
# Usage: bash bench/full_entropy.sh [RUNS] [BYTES]   (defaults 3, 4194304)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
BYTES=${2:-4194304}
cargo build --release -q
WS=$PWD/target/release/wellspring
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
CACHE=$TMP/assessments.json
echo "== filling an assessment cache (pool for 20 s: every source measured in full)"
$WS --assessment-cache "$CACHE" pool --seconds 20 --json > /dev/null
$WS --assessment-cache "$CACHE" pool --sources branch_timing,page_fault_timing --seconds 5 --json > /dev/null

measure() { # label, command...
  local label=$1; shift
  local start end
  start=$(date +%s.%N)
  "$@" | head -c "$BYTES" > /dev/null
  end=$(date +%s.%N)
  echo "$label $(python3 -c "print($BYTES / ($end - $start) / 1000)")" >> "$TMP/rates"
}

for _ in $(seq "$RUNS"); do
  measure "default,budget-1" $WS --assessment-cache "$CACHE" stream --bytes "$BYTES" --format raw
  measure "default,budget-2" $WS --assessment-cache "$CACHE" --cpu-budget 2 stream --bytes "$BYTES" --format raw
  measure "two-of-one-category" $WS --assessment-cache "$CACHE" stream --sources branch_timing,page_fault_timing --bytes "$BYTES" --format raw
  measure "urandom" head -c "$BYTES" /dev/urandom
done
python3 - "$TMP/rates" "$BYTES" <<'PY'
import statistics, sys
rates = {}
for line in open(sys.argv[1]):
    label, rate = line.split()
    rates.setdefault(label, []).append(float(rate))
print(f"{int(sys.argv[2])} bytes each, median of {len(rates['urandom'])} runs (KB/s):")
base = statistics.median(rates["urandom"])
for label, values in rates.items():
    m = statistics.median(values)
    print(f"  {label:22s} {m:10.1f}  ({m / base:.4f}x /dev/urandom, {m / 10.4:.1f}x jitterentropy's published 10.4)")
PY
