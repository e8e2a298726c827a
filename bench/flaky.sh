#!/usr/bin/env bash
# Runs the README's test command (`bash scripts/test.sh`) N times, each time in a fresh clone
# of this repository at the commit HEAD named when the script started (later commits do not
# change what the remaining runs test), in a temporary folder, optionally beside K busy loops (one
# `while :; do :; done` shell per loop, each wanting a whole core), and prints one line per
# run (pass or fail, seconds, the names of the failing tests) and the totals.
#
# Not run by CI: it takes N × (the test command's time). Its purpose is to show that the
# suite passes on a loaded machine, not just on a quiet one.
#
# Usage: bash bench/flaky.sh N [--busy K] [--cold] [--keep]
#   --busy K  K busy loops run beside every test command (default 0)
#   --cold    every clone builds from nothing (default: the clones share one Cargo target
#             folder, $FLAKY_TARGET or /tmp/ws-flaky-target, so only the first run builds
#             everything; the tests run from a fresh clone either way)
#   --keep    keep the clones and logs (default: keep only the logs of failed runs)
# Logs go to $FLAKY_LOGS (default /tmp/ws-flaky-logs).
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { echo "usage: bash bench/flaky.sh N [--busy K] [--cold] [--keep]" >&2; exit 2; }
[ $# -ge 1 ] || usage
RUNS=$1
shift
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || usage
BUSY=0
COLD=0
KEEP=0
while [ $# -gt 0 ]; do
    case "$1" in
        --busy) [[ "${2:-}" =~ ^[0-9]+$ ]] || usage; BUSY=$2; shift 2 ;;
        --cold) COLD=1; shift ;;
        --keep) KEEP=1; shift ;;
        *) usage ;;
    esac
done

REPO=$PWD
COMMIT=$(git rev-parse --short HEAD)
FULL_COMMIT=$(git rev-parse HEAD)
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
    echo "flaky.sh: note: uncommitted changes are not tested (clones take HEAD, $COMMIT)" >&2
fi
SHARED_TARGET=${FLAKY_TARGET:-/tmp/ws-flaky-target}
LOGS=${FLAKY_LOGS:-/tmp/ws-flaky-logs}
mkdir -p "$LOGS"
WORK=$(mktemp -d /tmp/ws-flaky.XXXXXX)

BUSY_PIDS=()
stop_busy() {
    for pid in "${BUSY_PIDS[@]+"${BUSY_PIDS[@]}"}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    BUSY_PIDS=()
}
cleanup() {
    stop_busy
    if [ "$KEEP" = 0 ]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The names of the tests that failed, from a test command's log: cargo's "test X ... FAILED"
# lines and its "error: test failed, to rerun pass `-p CRATE --test BINARY`" lines, pytest's
# "FAILED path::test" lines, and any stage of scripts/test.sh that ended the run.
failed_tests() {
    local log=$1
    {
        grep -aE '^test .* \.\.\. FAILED$' "$log" | sed -E 's/^test (.*) \.\.\. FAILED$/\1/'
        grep -aoE 'to rerun pass `[^`]*`' "$log" | sed -E 's/to rerun pass `(.*)`/[\1]/'
        grep -aE '^FAILED ' "$log" | sed -E 's/^FAILED ([^ ]*).*/\1/'
        grep -aE '^== ' "$log" | tail -n 1 | sed -E 's/^== (.*)/(last stage: \1)/'
    } | paste -sd ' ' -
}

echo "flaky.sh: $RUNS run(s) of \`bash scripts/test.sh\` at $COMMIT, $BUSY busy loop(s)," \
    "$([ "$COLD" = 1 ] && echo "cold builds" || echo "shared target $SHARED_TARGET")"
passes=0
failures=0
for run in $(seq "$RUNS"); do
    clone=$WORK/run-$run
    git clone --quiet --no-hardlinks "$REPO" "$clone"
    git -C "$clone" checkout --quiet --detach "$FULL_COMMIT"
    log=$LOGS/run-$(date -u +%Y%m%dT%H%M%SZ)-$run.log
    for _ in $(seq "$BUSY"); do
        bash -c 'while :; do :; done' &
        BUSY_PIDS+=($!)
    done
    started=$(date +%s)
    set +e
    if [ "$COLD" = 1 ]; then
        (cd "$clone" && bash scripts/test.sh) >"$log" 2>&1
    else
        (cd "$clone" && CARGO_TARGET_DIR=$SHARED_TARGET bash scripts/test.sh) >"$log" 2>&1
    fi
    status=$?
    set -e
    seconds=$(($(date +%s) - started))
    stop_busy
    if [ "$status" = 0 ]; then
        passes=$((passes + 1))
        echo "run $run: pass in ${seconds} s"
        [ "$KEEP" = 1 ] || rm -f "$log"
    else
        failures=$((failures + 1))
        echo "run $run: FAIL (exit $status) in ${seconds} s: $(failed_tests "$log") (log: $log)"
    fi
    [ "$KEEP" = 1 ] || rm -rf "$clone"
done
echo "$passes passed, $failures failed"
[ "$failures" = 0 ]
