#!/usr/bin/env bash
# The part of the suite that needs DATABASE_URL (set by `server with-db`).
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n==> [%s] %s\n' "$(date +%T)" "$*"; }

step ".sqlx/ is current (cargo sqlx prepare --check)"
.ci/sqlx.sh check

step "unit and integration tests: build"
cargo test --workspace --exclude frontend --all-targets --no-run
step "unit and integration tests: run"
cargo test --workspace --exclude frontend --all-targets

step "release build and browser tests (cargo leptos end-to-end --release)"
PROMOCODES_SEED_DEMO=1 cargo leptos end-to-end --release

step "API contract (schemathesis against /api/v1/openapi.json of the release server)"
.ci/contract.sh
step "done"
