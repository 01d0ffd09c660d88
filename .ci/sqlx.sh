#!/usr/bin/env bash
# `prepare` writes .sqlx/ from the database in DATABASE_URL; `check` fails when
# .sqlx/ is stale. Either way the database is migrated first.
set -euo pipefail
cd "$(dirname "$0")/.."
"$CARGO_TARGET_DIR/debug/server" migrate
case ${1:-check} in
  prepare) SQLX_OFFLINE=false cargo sqlx prepare --workspace -- --all-targets ;;
  check) SQLX_OFFLINE=false cargo sqlx prepare --workspace --check -- --all-targets ;;
esac
