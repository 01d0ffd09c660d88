#!/usr/bin/env bash
# `prepare` writes .sqlx/ from the database in DATABASE_URL; `check` fails when
# .sqlx/ is stale. Either way the database is migrated first (by sqlx-cli, so
# nothing that uses the query macros has to build before the data exists).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo sqlx migrate run --source migrations
case ${1:-check} in
  prepare) SQLX_OFFLINE=false cargo sqlx prepare --workspace -- --all-targets ;;
  check) SQLX_OFFLINE=false cargo sqlx prepare --workspace --check -- --all-targets ;;
esac
