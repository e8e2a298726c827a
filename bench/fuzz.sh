#!/usr/bin/env bash
# Fuzzes every parser of outside input with the cargo-fuzz targets in fuzz/.
#
#   bash bench/fuzz.sh [SECONDS_PER_TARGET]      (default 600)
#
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). Builds all targets
# once, then runs each in turn, at low priority (nice -n 10), as
#
#   cargo +nightly fuzz run TARGET fuzz/corpus/TARGET fuzz/seeds/TARGET -- \
#       -max_total_time=SECONDS -rss_limit_mb=2048 -print_final_stats=1 -timeout=60 [-dict=...]
#
# cargo-fuzz builds with optimisations, debug assertions, overflow checks and AddressSanitizer.
# Each run starts from the seed inputs in fuzz/seeds/TARGET (checked in) and the corpus it
# grew in earlier runs (fuzz/corpus/TARGET, not checked in), with the token dictionary in
# fuzz/dicts/ for its format. A panic, a sanitizer report, an allocation over 2 GB or one
# input running longer than 60 s is a crash: libFuzzer stops that target and writes the input
# to fuzz/artifacts/TARGET/ (replay it with `cargo +nightly fuzz run TARGET ARTIFACT`).
#
# Prints per target the executions (libFuzzer's final `stat::number_of_executed_units`) and
# whether it crashed; full logs go to fuzz/target/fuzz-logs/TARGET.log. Exits non-zero if any
# target crashed (or failed to build or run).
#
# Targets (fuzz/fuzz_targets/*.rs):
#   query             the random routes' query-string parser (server)
#   camera_config     CameraConfig::from_toml (camera)
#   image_regions     decode a JPEG/PNG snapshot, cut it into regions (camera)
#   report_input      SP 800-22 bit sequences from bytes and ASCII, SP 800-90B assessment (assess)
#   assessment_store  the assessment cache file, AssessmentStore::load (core)
#   engine_config     the CLI config file's keys through the libraries, EngineConfig::validate

set -u -o pipefail

seconds=${1:-600}
if ! [[ $seconds =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: bash bench/fuzz.sh [SECONDS_PER_TARGET]  (a positive whole number; default 600)" >&2
    exit 2
fi

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root" || exit 2
fuzz="$root/fuzz"
logs="$fuzz/target/fuzz-logs"

targets=(query camera_config image_regions report_input assessment_store engine_config)
declare -A dict=(
    [query]=query
    [camera_config]=toml
    [engine_config]=toml
    [assessment_store]=json
)

if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "cargo-fuzz is missing: cargo install cargo-fuzz (and rustup toolchain install nightly)" >&2
    exit 2
fi

mkdir -p "$logs"
echo "building the fuzz targets (log: ${logs#"$root"/}/build.log)..."
if ! nice -n 10 cargo +nightly fuzz build >"$logs/build.log" 2>&1; then
    tail -n 40 "$logs/build.log" >&2
    echo "build failed" >&2
    exit 1
fi

failed=0
rows=()
for target in "${targets[@]}"; do
    corpus="$fuzz/corpus/$target"
    mkdir -p "$corpus"
    dirs=("$corpus")
    [[ -d $fuzz/seeds/$target ]] && dirs+=("$fuzz/seeds/$target")
    args=(-max_total_time="$seconds" -rss_limit_mb=2048 -print_final_stats=1 -timeout=60)
    [[ -n ${dict[$target]:-} ]] && args+=(-dict="$fuzz/dicts/${dict[$target]}.dict")
    log="$logs/$target.log"
    echo "fuzzing $target for ${seconds}s (log: ${log#"$root"/})"
    nice -n 10 cargo +nightly fuzz run "$target" "${dirs[@]}" -- "${args[@]}" >"$log" 2>&1
    status=$?

    executions=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -n 1 | grep -o '[0-9]*$')
    if [[ -z $executions ]]; then
        # No final stats (killed, or never started): the last status line's count, if any.
        executions=$(grep -o '^#[0-9]*' "$log" | tail -n 1 | tr -d '#')
    fi
    artifact=$(grep -o 'Test unit written to [^ ]*' "$log" | tail -n 1 | sed 's/^Test unit written to //')
    if ((status == 0)); then
        crashed=no
    else
        failed=1
        if [[ -n $artifact ]]; then
            kind=$(grep -o -m 1 -E 'deadly signal|panicked at|ERROR: AddressSanitizer: [a-z-]*|out-of-memory|timeout after [0-9]+ seconds|ERROR: libFuzzer: [a-z-]*' "$log" | head -n 1)
            crashed="YES (${kind:-crash}): ${artifact#"$root"/}"
        else
            crashed="YES (exit status $status, no artifact; see the log)"
        fi
    fi
    rows+=("$(printf '%-18s %14s  %s' "$target" "${executions:-?}" "$crashed")")
    echo "  ${rows[-1]}"
done

echo
echo "fuzzing summary: ${seconds}s per target"
printf '%-18s %14s  %s\n' target executions crashed
for row in "${rows[@]}"; do
    echo "$row"
done
exit "$failed"
