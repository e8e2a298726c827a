#!/usr/bin/env bash
# SP 800-90B IID track speed: NIST's `ea_iid -v -a` against `wellspring assess --iid` on the
# same files of 1,000,000 uniform samples at 8, 4 and 1 bits, in the same run, tools alternating
# (bench/iid_compare.py). Our IID-only time is `assess --iid` minus `assess` (the non-IID track
# it runs first).
#
# NIST's tool is not built by this script: build SP800-90B_EntropyAssessment yourself,
# outside this repository, and point NIST_EA_DIR at its cpp/ directory.
#
#   NIST_EA_DIR=/path/to/SP800-90B_EntropyAssessment/cpp bash bench/iid.sh [FILES_PER_WIDTH] [RUNS] ["8 4 1"]
#
# The time of either tool depends on how many shuffles its slowest-decided statistic needs, a
# random number whose law depends on the file, so each width is measured on several files,
# several runs each; the shuffles each tool made are printed beside its time.
set -euo pipefail
cd "$(dirname "$0")/.."

ea_dir=${NIST_EA_DIR:?set NIST_EA_DIR to the cpp/ directory of a built SP800-90B_EntropyAssessment}
files=${1:-3}
runs=${2:-3}
cargo build --release -q -p wellspring-cli
python3 bench/iid_compare.py "$ea_dir/ea_iid" "$PWD/target/release/wellspring" "$files" "$runs" "${3:-8 4 1}"
