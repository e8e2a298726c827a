#!/usr/bin/env bash
# Does `wellspring record` keep up with the sources while writing? For every default
# source: its collection rate alone (`wellspring bench --json`, no writing), its rate when
# recorded alone for SECONDS (default 3), and the total written when all of them are
# recorded together for SECONDS. Same run; prints a Markdown table with the ratios.
#
# Usage: bash bench/record.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TOTAL=${1:-3}
cargo build --release --quiet
BIN=./target/release/wellspring
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
SOURCES=$("$BIN" bench --json | python3 -c 'import json,sys; print(",".join(s["name"] for s in json.load(sys.stdin)["sources"]))')
"$BIN" bench --json --sources "$SOURCES" >"$OUT/bench.json"
"$BIN" record --sources "$SOURCES" --duration "${SECONDS_TOTAL}s" --output "$OUT/all" --json >"$OUT/all.json"
for source in ${SOURCES//,/ }; do
    "$BIN" record --sources "$source" --duration "${SECONDS_TOTAL}s" --output "$OUT/one" --json \
        >"$OUT/one-$source.json"
done
python3 - "$OUT" "$SECONDS_TOTAL" <<'PY'
import glob, json, os, sys
out, seconds = sys.argv[1], float(sys.argv[2])
bench = {s["name"]: s["samples_per_second"] for s in json.load(open(os.path.join(out, "bench.json")))["sources"]}
print("| source | collecting alone, no writing (samples/s) | recording alone (samples/s) | ratio |")
print("|---|---|---|---|")
for name, alone in bench.items():
    (s,) = json.load(open(os.path.join(out, f"one-{name}.json")))["manifest"]["sources"]
    print(f"| {name} | {alone:,.0f} | {s['samples_per_second']:,.0f} | {s['samples_per_second'] / alone:.2f} |")
together = json.load(open(os.path.join(out, "all.json")))["manifest"]["sources"]
total = sum(s["samples"] for s in together)
print(f"| all {len(together)} recorded together | | {total / seconds / 1e6:.2f} MB/s written in total | |")
PY
