#!/usr/bin/env bash
# External validation of wellspring's output with Debian's dieharder, rng-tools5 (rngtest) and
# ent, run on the `drbg` and `sha256` streams. Installs the packages when missing (root).
#
#   bash bench/external.sh drbg      # dieharder -a on a live drbg stream (20-60 min), rngtest, ent
#   bash bench/external.sh sha256 [MB]
#       # full-entropy stream: harvesting runs at tens of KB/s, so dieharder -a (which reads
#       # many GB) is out of reach; MB megabytes (default 16) are captured once, then rngtest,
#       # ent and the SP 800-22 battery (MB x 8 streams of 1 Mbit) read them.
#   bash bench/external.sh rerun TEST_NUMBER [PSAMPLES] [NTUPLE]
#       # re-run one dieharder test on the drbg stream with more p-samples, for WEAK results.
#
# Output is logged under target/external/; the summary lines are what docs/BENCHMARKS.md quotes.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-drbg}
out=target/external
mkdir -p "$out"

need() {
    local missing=()
    for pkg in dieharder rng-tools5 ent; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    if ((${#missing[@]})); then
        apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
}
need
cargo build --release -q -p wellspring-cli
ws=target/release/wellspring

summary() { # dieharder log -> counts of PASSED / WEAK / FAILED and the non-passing lines
    local log=$1
    echo "PASSED $(grep -c ' PASSED' "$log" || true)  WEAK $(grep -c ' WEAK' "$log" || true)  FAILED $(grep -c ' FAILED' "$log" || true)"
    grep -E ' (WEAK|FAILED)' "$log" || true
}

case $mode in
drbg)
    echo "== rngtest (FIPS 140-2), 10,000 blocks of 20,000 bits"
    $ws stream --conditioning drbg --format raw --bytes 25000000 | rngtest -c 10000 2>&1 |
        tee "$out/rngtest-drbg.log" | grep -E 'successes|failures:|Monobit|Poker|Runs|Long run|Continuous' || true
    echo "== ent, 64 MiB"
    $ws stream --conditioning drbg --format raw --bytes 67108864 >"$out/drbg.bin"
    ent "$out/drbg.bin" | tee "$out/ent-drbg.log"
    rm -f "$out/drbg.bin"
    echo "== dieharder -a on a live drbg stream (stdin_input_raw)"
    $ws stream --conditioning drbg --format raw --bytes 0 2>/dev/null |
        dieharder -a -g 200 >"$out/dieharder-drbg.log" 2>&1 || true
    summary "$out/dieharder-drbg.log"
    ;;
sha256)
    mb=${2:-16}
    bytes=$((mb * 1048576))
    echo "== capturing $mb MiB of full-entropy (sha256) output"
    start=$(date +%s.%N)
    $ws stream --conditioning sha256 --format raw --bytes "$bytes" >"$out/sha256.bin"
    end=$(date +%s.%N)
    echo "captured in $(echo "$end - $start" | bc -l | cut -c1-6) s"
    echo "== rngtest (FIPS 140-2)"
    rngtest <"$out/sha256.bin" 2>&1 | tee "$out/rngtest-sha256.log" |
        grep -E 'successes|failures:|Monobit|Poker|Runs|Long run|Continuous' || true
    echo "== ent"
    ent "$out/sha256.bin" | tee "$out/ent-sha256.log"
    # dieharder reads far more than a capture of this size (it rewinds the file and tests
    # the same bytes again, which makes FAILED meaningless), and -a on a live stream would
    # need days at this rate: the capture gets wellspring's own SP 800-22 battery instead,
    # cut into streams as sts's final analysis does, reading every bit once.
    echo "== SP 800-22, $((mb * 8)) streams of 1 Mbit"
    $ws report --file "$out/sha256.bin" --samples $((mb * 8388608)) --streams $((mb * 8)) --json >"$out/sp800-22-sha256.json"
    python3 - "$out/sp800-22-sha256.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
rows = [row for t in r["streams"]["tests"] for row in t["rows"]]
bad = [(t["name"], row["label"], row["passing"], row["sample_size"], row["uniformity"])
       for t in r["streams"]["tests"] for row in t["rows"] if not row["passed"]]
print(f'{len(rows) - len(bad)} of {len(rows)} p-value rows pass sts\'s proportion and uniformity checks')
for b in bad:
    print("  not passed:", b)
PY
    ;;
rerun)
    test=${2:?test number}
    psamples=${3:-1000}
    ntuple=()
    [[ -n ${4:-} ]] && ntuple=(-n "$4")
    $ws stream --conditioning drbg --format raw --bytes 0 2>/dev/null |
        dieharder -g 200 -d "$test" -p "$psamples" "${ntuple[@]}" 2>&1 | tee "$out/dieharder-rerun-$test${4:+-$4}.log"
    ;;
*)
    echo "usage: bash bench/external.sh drbg | sha256 [MB] | rerun TEST [PSAMPLES]" >&2
    exit 2
    ;;
esac
