#!/usr/bin/env bash
# What the accounting rules cost, against baselines measured in the same run:
#   - time to the first full-entropy byte, cold (`--assessment-cache off`: every source must be
#     measured on 65,536 samples before it earns credit) and warm (full-size assessments kept
#     from an earlier run), against `head -c 32 /dev/urandom` and `openssl rand 32`;
#   - an idle engine: CPU used between 75 s and 195 s after start while nobody reads (against
#     one core; every source's first measurement is done by then and its periodic
#     re-assessments, due every 60 s, run within the idle budget), and whether every healthy
#     source reports a full-size assessment after 30 s.
# Usage: bash bench/accounting.sh. Needs hyperfine (Debian package).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q
WS=$PWD/target/release/wellspring
command -v hyperfine >/dev/null || { echo "install hyperfine (apt-get install hyperfine)"; exit 1; }
TMP=$(mktemp -d)
CACHE=$TMP/assessments.json
PID=
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT

echo "== filling an assessment cache (pool for 20 s, every source measured in full)"
$WS --assessment-cache "$CACHE" pool --seconds 20 --json > "$TMP/pool20.json"
python3 - "$TMP/pool20.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["sources"]
full = sum(1 for x in s if x["assessment"] == "full")
print(f"{full} of {len(s)} sources measured in full after 20 s")
PY

echo "== time to the first full-entropy byte (32 bytes, 10 runs each, 1 warm-up)"
hyperfine -N --warmup 1 --runs 10 --export-json "$TMP/first.json" \
  "$WS --assessment-cache off stream --bytes 32 --format hex" \
  "$WS --assessment-cache $CACHE stream --bytes 32 --format hex" \
  "head -c 32 /dev/urandom" \
  "openssl rand -hex 32" > /dev/null
python3 - "$TMP/first.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
cold, warm, ur, ssl = (x["median"] for x in r)
for name, t in [("cold (no cache)", cold), ("warm (cache)", warm), ("head -c 32 /dev/urandom", ur), ("openssl rand -hex 32", ssl)]:
    print(f"{name:26s} median {t*1000:8.1f} ms   = {t/ssl:6.1f}x openssl rand")
PY

echo "== after 30 s with nobody reading"
$WS --assessment-cache off pool --seconds 30 --json > "$TMP/pool30.json"
python3 - "$TMP/pool30.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
healthy = [x for x in s["sources"] if x["healthy"]]
full = [x for x in healthy if x["assessment"] == "full"]
print(f"{len(full)} of {len(healthy)} healthy sources on a full-size assessment "
      f"({len(s['sources'])} selected); {s['blocks_produced']} blocks made")
PY

echo "== idle engine: CPU from 75 s to 195 s, nobody reading"
$WS --assessment-cache off pool --seconds 196 --json > "$TMP/idle.json" &
PID=$!
ticks() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
HZ=$(getconf CLK_TCK)
sleep 75; t0=$(ticks); sleep 120; t1=$(ticks)
wait "$PID"; PID=
python3 - "$t0" "$t1" "$HZ" "$TMP/idle.json" <<'PY'
import json, sys
t0, t1, hz = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
cores = (t1 - t0) / hz / 120.0
print(f"idle CPU: {cores*100:.1f}% of one core (budget 5%)")
s = json.load(open(sys.argv[4]))
healthy = [x for x in s["sources"] if x["healthy"]]
full = [x for x in healthy if x["assessment"] == "full"]
print(f"after 196 s: {len(full)} of {len(healthy)} healthy sources on a full assessment; "
      f"{s['blocks_produced']} blocks, {s['blocks_revoked']} revoked, diversity {s['diversity']}")
print("family shares:", {k: round(v, 3) for k, v in sorted(s["family_shares"].items(), key=lambda kv: -kv[1])})
PY
