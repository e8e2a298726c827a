#!/usr/bin/env bash
# Runs every test of the project: formatting, lints, the Rust test suites and the Python tests.
# This is the command README.md gives and .ci/run calls; it must work on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings
echo "== cargo test"
cargo test --workspace
