#!/usr/bin/env bash
# SP 800-90B IID track speed: NIST's `ea_iid -a` against `wellspring assess --iid` on the same
# files of 1,000,000 uniform samples at 8, 4 and 1 bits, in the same run (hyperfine medians).
# Our IID-only time is `assess --iid` minus `assess` (the non-IID track it also runs).
#
# NIST's tool is not built by this script: build SP800-90B_EntropyAssessment yourself,
# outside this repository, and point NIST_EA_DIR at its cpp/ directory.
#
#   NIST_EA_DIR=/path/to/SP800-90B_EntropyAssessment/cpp bash bench/iid.sh [FILES_PER_WIDTH] [RUNS]
#
# The time of either tool depends on how many shuffles its slowest-decided statistic needs,
# which depends on the file (where the original statistic falls among the shuffles), so each
# width is measured on several files and every ratio is per file.
set -euo pipefail
cd "$(dirname "$0")/.."

ea_dir=${NIST_EA_DIR:?set NIST_EA_DIR to the cpp/ directory of a built SP800-90B_EntropyAssessment}
files=${1:-3}
runs=${2:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --release -q -p wellspring-cli
ws=$PWD/target/release/wellspring

median() { # hyperfine JSON -> median seconds of command $2
    python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['results'][int(sys.argv[2])]['median'])" "$1" "$2"
}

echo "$(nproc) cores; $runs runs each (hyperfine medians)"
printf '%-5s %-4s %10s %12s %12s %8s\n' bits file ea_iid "ours --iid" "ours IID" ratio
for bits in 8 4 1; do
    for f in $(seq 1 "$files"); do
        file=$work/u${bits}_$f.bin
        python3 -c "import os,sys; b=int(sys.argv[1]); d=os.urandom(1000000); sys.stdout.buffer.write(bytes(x & ((1<<b)-1) for x in d))" "$bits" >"$file"
        hyperfine -N -w 0 -r "$runs" --export-json "$work/h.json" \
            "$ea_dir/ea_iid -a $file $bits" \
            "$ws assess $file --bits-per-sample $bits --iid --json" \
            "$ws assess $file --bits-per-sample $bits --json" >/dev/null 2>&1
        nist=$(median "$work/h.json" 0)
        both=$(median "$work/h.json" 1)
        non=$(median "$work/h.json" 2)
        python3 -c "import sys; n,b,o=map(float,sys.argv[1:4]); i=b-o; print(f'{sys.argv[4]:<5} {sys.argv[5]:<4} {n:9.2f}s {b:11.2f}s {i:11.2f}s {n/i:7.1f}x')" \
            "$nist" "$both" "$non" "$bits" "$f"
    done
done
