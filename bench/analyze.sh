#!/usr/bin/env bash
# `wellspring analyze` on a session of 10 fast sources × 1,000,000 samples (the issue's
# figure: ≤ 10 s on the 2-core VM), against the SP 800-90B assessment of the same ten files
# alone (`wellspring assess`, one after another) in the same run, with hyperfine.
#
# Usage: bash bench/analyze.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "install hyperfine (apt-get install hyperfine)" >&2; exit 1; }
cargo build --release --quiet
BIN=$PWD/target/release/wellspring
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
SOURCES=division_timing,syscall_latency,hash_timing,atomic_contention,tsc_jitter,dlopen_timing,branch_timing,memory_timing,tlb_miss,dram_row_buffer
"$BIN" record --sources "$SOURCES" --samples 1000000 --output "$OUT" >/dev/null
SESSION=$(ls -d "$OUT"/*/)
ASSESS_ALL="for f in $SESSION/raw/*.bin; do $BIN assess \$f --json >/dev/null; done"
hyperfine --runs 3 --warmup 0 \
    -n "assess x10 (SP 800-90B only, sequential)" "$ASSESS_ALL" \
    -n "analyze (10 sources x 1,000,000)" "$BIN analyze $SESSION --json >/dev/null"
/usr/bin/time -f "analyze peak RSS: %M KB" "$BIN" analyze "$SESSION" --json >/dev/null
