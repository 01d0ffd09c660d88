#!/usr/bin/env bash
# The whole test suite; `make test` runs it with the toolchain on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
# Not incremental: CI builds once per change, and incremental data grew the
# shared target dir by tens of gigabytes.
export CARGO_INCREMENTAL=0
step() { printf '\n==> [%s] %s\n' "$(date +%T)" "$*"; }

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

step "database for the tests"
# Everything below runs with DATABASE_URL: the given one, or a throw-away cluster.
cargo build -q -p localpg
exec "$CARGO_TARGET_DIR/debug/localpg" with-db -- .ci/test-in-db.sh
