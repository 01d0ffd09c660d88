#!/usr/bin/env bash
# The whole test suite; `make test` runs it with the toolchain on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

step "database for the tests"
cargo build -q -p server
server="$CARGO_TARGET_DIR/debug/server"
# Everything below runs with DATABASE_URL: the given one, or a throw-away cluster.
exec "$server" with-db -- .ci/test-in-db.sh
