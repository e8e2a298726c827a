#!/usr/bin/env bash
# Runs every test of the project: formatting, lints, the Rust test suites and the Python tests.
# This is the command README.md gives and .ci/run calls; it must work on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."
# Where cargo builds (CARGO_TARGET_DIR when set, as bench/flaky.sh sets it for its clones).
TARGET=$(realpath -m "${CARGO_TARGET_DIR:-target}")

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings
echo "== cargo test"
cargo test --workspace

echo "== python (venv at .venv, maturin develop, pytest)"
VENV="$PWD/.venv"
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install --quiet --disable-pip-version-check "maturin>=1.7,<2" pytest \
    "schemathesis>=4.3,<5"
# With fault injection, as the Rust test builds have it: test_failure.py breaks sources.
VIRTUAL_ENV="$VENV" "$VENV/bin/maturin" develop --release --quiet -m crates/python/Cargo.toml \
    --features fault-injection
"$VENV/bin/python" -m pytest crates/python/tests -q -W error

echo "== the HTTP API against its OpenAPI document (schemathesis, live server)"
# The binary `cargo test` built above (the CLI's integration tests need it).
bash scripts/api_contract.sh "$VENV/bin/python" "$TARGET/debug/wellspring"

echo "== the dashboard in headless Chromium (playwright-core from npm, the system's chromium)"
(
    cd crates/server/tests/browser
    npm ci --no-audit --no-fund --silent
    node dashboard.test.mjs "$TARGET/debug/wellspring"
)

echo "== deployment files (promtool, kubernetes-validate, docker-compose config, Dockerfile)"
bash scripts/check_deploy.sh

echo "== three replicas behind HAProxy in network namespaces (bench/fleet.sh --quick)"
bash bench/fleet.sh --quick
