#!/usr/bin/env bash
# Every credited claim against a NIST-exact assessment of 1,000,000 fresh samples of the same
# source, as the accounting promises (docs/CONDITIONING.md, "The lowest recent figure"):
#   1. `pool --seconds 30` (no stored figures): per credited source, the figure it is credited
#      at (`min_entropy`, the lowest of its recent full-size figures) and the safety factor;
#   2. per credited source, `assess --source NAME --samples 1000000`: a million fresh samples
#      through all ten SP 800-90B non-IID estimators, as NIST's ea_non_iid computes them;
#   3. a Markdown table (claim = min_entropy x safety factor, h on 1M, their ratio), and exit
#      status 1 if any claim exceeds its 1M figure.
# Run it on a quiet machine: timing sources measure the machine's load as well as their own
# noise. About 30 s plus, per source, its collection time and a few seconds of assessment.
# Usage: bash bench/claims.sh [SOURCES]   (default: the default set; WELLSPRING_BIN=PATH uses
# that binary instead of building the release one; CLAIMS_POOL_SECONDS shortens step 1)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${WELLSPRING_BIN:-}" ]; then
    cargo build --release -q -p wellspring-cli
fi
WS=${WELLSPRING_BIN:-$PWD/target/release/wellspring}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
SOURCES=(${1:+--sources "$1"})

echo "== pool for 30 s idle, no stored figures" >&2
"$WS" --assessment-cache off pool --seconds "${CLAIMS_POOL_SECONDS:-30}" "${SOURCES[@]}" --json >"$TMP/pool.json"
python3 - "$TMP/pool.json" >"$TMP/credited.tsv" <<'PY'
import json, sys
pool = json.load(open(sys.argv[1]))
for s in pool["sources"]:
    if s["credited"] and s["assessment"] != "trusted":
        print(f'{s["name"]}\t{s["min_entropy"]}\t{pool["safety_factor"]}')
PY
echo "| source | credited figure | claim (x safety) | h on 1,000,000 fresh samples | claim / h |"
echo "|---|---|---|---|---|"
over=0
while IFS=$'\t' read -r name h safety; do
    echo "== $name: 1,000,000 fresh samples" >&2
    h1m=$("$WS" assess --source "$name" --samples 1000000 --json \
        | python3 -c 'import json, sys; print(json.load(sys.stdin)["h_assessed"])')
    row=$(python3 - "$name" "$h" "$safety" "$h1m" <<'PY'
import sys
name, h, safety, h1m = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
claim = h * safety
mark = "" if claim <= h1m else " **over**"
print(f"| {name} | {h:.3f} | {claim:.3f} | {h1m:.3f} | {claim / h1m:.2f}{mark} |")
PY
)
    echo "$row"
    [[ "$row" == *"**over**"* ]] && over=$((over + 1))
done <"$TMP/credited.tsv"
echo
echo "$(wc -l <"$TMP/credited.tsv") credited source(s), $over claim(s) above the 1M figure"
[ "$over" = 0 ]
