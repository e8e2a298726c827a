#!/usr/bin/env bash
# SP 800-90B assessment speed: `wellspring assess` against NIST's ea_non_iid / ea_iid on the
# same file, in the same run, so the ratio survives a noisy machine.
#
# NIST's tool is not built by this script: build SP800-90B_EntropyAssessment (v1.1.7) yourself,
# outside this repository, and point NIST_EA_DIR at its cpp/ directory.
#
#   NIST_EA_DIR=/path/to/SP800-90B_EntropyAssessment/cpp bash bench/sp800_90b.sh [FILE] [BITS]
#
# Without FILE, 1,000,000 uniform 8-bit samples are written from /dev/urandom.
set -euo pipefail
cd "$(dirname "$0")/.."

ea_dir=${NIST_EA_DIR:?set NIST_EA_DIR to the cpp/ directory of a built SP800-90B_EntropyAssessment}
bits=${2:-8}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [[ -n ${1:-} ]]; then
    file=$1
else
    file=$work/uniform8_1m.bin
    head -c 1000000 /dev/urandom >"$file"
fi

cargo build --release -q -p wellspring-cli
ws=target/release/wellspring

seconds() { # run "$@" once, print wall-clock seconds
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null 2>&1
    end=$(date +%s.%N)
    echo "$end - $start" | bc -l
}

echo "file: $file ($(stat -c %s "$file") samples, $bits bits), $(nproc) cores"
echo "non-IID track"
nist_non_iid=$(seconds "$ea_dir/ea_non_iid" -a "$file" "$bits")
ours_non_iid=$(seconds "$ws" assess "$file" --bits-per-sample "$bits" --json)
printf '  ea_non_iid        %8.2f s\n  wellspring assess %8.2f s  (%.1fx faster)\n' \
    "$nist_non_iid" "$ours_non_iid" "$(echo "$nist_non_iid / $ours_non_iid" | bc -l)"

echo "IID track"
nist_iid=$(seconds "$ea_dir/ea_iid" -a "$file" "$bits")
# --iid runs the non-IID estimators too; the IID-only time is the difference.
ours_both=$(seconds "$ws" assess "$file" --bits-per-sample "$bits" --iid --json)
ours_iid=$(echo "$ours_both - $ours_non_iid" | bc -l)
printf '  ea_iid            %8.2f s\n  wellspring (IID)  %8.2f s  (%.1fx faster; --iid total %.2f s)\n' \
    "$nist_iid" "$ours_iid" "$(echo "$nist_iid / $ours_iid" | bc -l)" "$ours_both"
