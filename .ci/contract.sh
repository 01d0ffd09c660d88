#!/usr/bin/env bash
# The API contract: schemathesis (PyPI) against /api/v1/openapi.json of a
# running release server on DATABASE_URL, with a key of every scope: no
# 5xx, every status documented, every response matching its schema, on
# generated, boundary and stateful (create, then read and change) requests.
set -euo pipefail
cd "$(dirname "$0")/.."

version=4.32.5
venv="${PROMOCODES_CACHE:-$HOME/.cache/promocodes}/schemathesis-$version"
if [[ ! -x "$venv/bin/schemathesis" ]]; then
  echo "contract: installing schemathesis $version into $venv"
  python3 -m venv "$venv" || { echo "contract: python3 -m venv failed: the contract test needs Python 3 with venv" >&2; exit 1; }
  "$venv/bin/pip" install -q "schemathesis==$version" \
    || { echo "contract: could not install schemathesis $version from PyPI" >&2; rm -rf "$venv"; exit 1; }
fi

server="$CARGO_TARGET_DIR/release/server"
addr="127.0.0.1:${PROMOCODES_CONTRACT_PORT:-3197}"
log="$(mktemp -t contract-server.XXXXXX.log)"
key=$("$server" create-api-key "contract $(date +%s)" \
        --scopes redeem,players,codes:read,codes:write,stats | grep -o 'pk_[A-Za-z0-9_-]*' | tail -1)
LEPTOS_SITE_ADDR="$addr" LEPTOS_SITE_ROOT=target/site LEPTOS_OUTPUT_NAME=promocodes \
  LEPTOS_SITE_PKG_DIR=pkg PROMOCODES_SEED_DEMO=1 "$server" > "$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -fs "http://$addr/healthz" > /dev/null && break
  kill -0 $pid 2>/dev/null || { echo "contract: the server stopped:" >&2; tail -20 "$log" >&2; exit 1; }
  sleep 0.5
done

"$venv/bin/schemathesis" run "http://$addr/api/v1/openapi.json" --url "http://$addr" \
  -H "Authorization: Bearer $key" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
  --phases examples,coverage,fuzzing,stateful --max-examples 30 --workers 2 \
  --seed "${PROMOCODES_CONTRACT_SEED:-20261203}" --no-color
if grep -q "panicked" "$log"; then
  echo "contract: the server panicked:" >&2
  grep -A5 "panicked" "$log" >&2
  exit 1
fi
