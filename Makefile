# Promocodes: `make run` serves the app, `make test` runs every check and test.
# Both first install what is missing (.ci/toolchain.sh) and both use
# DATABASE_URL when it is set; otherwise they start a private PostgreSQL.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
# Build outside the clone so a fresh clone on a warm machine rebuilds little.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/promocodes/target
# The toolchain script prints the env file to source; if it fails, make stops
# here with its message (an assignment from a failed command fails under -e).
TOOLCHAIN = toolchain_env=$$(.ci/toolchain.sh $(1)) && source "$$toolchain_env"

.PHONY: run test bench bench-series bench-flood bench-stats sqlx-prepare fmt

## Serve on http://127.0.0.1:3000 (release build, private database + demo unless DATABASE_URL is set).
run:
	@$(call TOOLCHAIN) && cargo leptos serve --release

## Formatting, clippy, unit/integration tests, release site build, browser tests.
test:
	@$(call TOOLCHAIN,--with-browser --with-sqlx) && .ci/test.sh

## Activation benchmark: the one-claim path and the pipeline at 16, 64, 256, HTTP, the home page, pgbench beside: make bench ARGS="-t 10"
bench:
	@$(call TOOLCHAIN) && cargo run -q --release -p server --bin bench -- --pgbench --http --pages $(ARGS)

## Series benchmark: one job generating and storing N codes (default a million).
bench-series:
	@$(call TOOLCHAIN) && cargo run -q --release -p server --bin bench -- --series $(or $(N),1000000)

## Statistics benchmark: 100,000 codes, 1,000,000 activations, 200,000 players folded, then every report timed.
bench-stats:
	@$(call TOOLCHAIN) && cargo run -q --release -p server --bin bench -- --stats

## Flood benchmark: wrong codes from many clients beside honest redeems, over HTTP.
bench-flood:
	@$(call TOOLCHAIN) && cargo run -q --release -p server --bin bench -- --flood $(or $(ARGS),-t 30 --honest 4)

## Refresh .sqlx/ (the offline query data) after changing a query or a migration.
sqlx-prepare:
	@$(call TOOLCHAIN,--with-sqlx) && cargo run -q -p localpg -- with-db -- .ci/sqlx.sh prepare

fmt:
	@$(call TOOLCHAIN) && cargo fmt --all
