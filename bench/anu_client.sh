#!/usr/bin/env bash
# An existing ANU QRNG client library pointed at the local server, unchanged but for its base
# URL: the `quantumrandom` package from PyPI keeps the URL in a module constant, `URL`.
# Installs it into a throwaway venv; talks to 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=18944
VENV=$(mktemp -d)/venv
python3 -m venv "$VENV"
"$VENV/bin/pip" install -q quantumrandom
cargo build --release -q
./target/release/wellspring server --port "$PORT" 2>/dev/null &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.1; done
"$VENV/bin/python" - "$PORT" <<'PY'
import sys
import quantumrandom

quantumrandom.URL = f"http://127.0.0.1:{sys.argv[1]}/API/jsonI.php"  # the only change
values = quantumrandom.get_data("uint16", 10)
assert len(values) == 10 and all(0 <= v <= 65535 for v in values), values
print("uint16  ", values)
blob = quantumrandom.hex(4, 8)
assert len(blob) == 64 and int(blob, 16) >= 0
print("hex16   ", blob)
print("randint ", [quantumrandom.randint(0, 100) for _ in range(5)])
print("binary  ", quantumrandom.binary(2, 4).hex())
print("quantumrandom works unchanged against wellspring")
PY
