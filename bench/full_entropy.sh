#!/usr/bin/env bash
# The full-entropy (sha256) output rate, warm (full-size assessments kept from an earlier
# run), with the default sources at --cpu-budget 1 and 2, and with two sources of one
# category (branch_timing + page_fault_timing: two correlation families harvested by one
# thread, the case the scheduler once starved), alternated RUNS times, against
# `head -c BYTES /dev/urandom` in the same loop, and jitterentropy when JENT_RATE names a
# program that writes its argument's number of jitterentropy bytes to stdout (built outside
# this tree from the jitterentropy library; docs/BENCHMARKS.md says how). Without it,
# jitterentropy's published 10.4 KB/s is quoted instead.
# Usage: [JENT_RATE=PROG] bash bench/full_entropy.sh [RUNS] [BYTES]   (defaults 3, 4194304)
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
  if [ -n "${JENT_RATE:-}" ]; then
    # jitterentropy runs at ~10 KB/s: 64 KiB is a rate measured over seconds.
    start=$(date +%s.%N)
    "$JENT_RATE" 65536 > /dev/null
    end=$(date +%s.%N)
    echo "jitterentropy $(python3 -c "print(65536 / ($end - $start) / 1000)")" >> "$TMP/rates"
  fi
done
python3 - "$TMP/rates" "$BYTES" <<'PY'
import statistics, sys
rates = {}
for line in open(sys.argv[1]):
    label, rate = line.split()
    rates.setdefault(label, []).append(float(rate))
print(f"{int(sys.argv[2])} bytes each, median of {len(rates['urandom'])} runs (KB/s):")
base = statistics.median(rates["urandom"])
if "jitterentropy" in rates:
    jent, jent_label = statistics.median(rates["jitterentropy"]), "jitterentropy measured"
else:
    jent, jent_label = 10.4, "jitterentropy's published 10.4"
for label, values in rates.items():
    m = statistics.median(values)
    print(f"  {label:22s} {m:10.1f}  ({m / base:.4f}x /dev/urandom, {m / jent:.1f}x {jent_label})")
PY
