#!/usr/bin/env bash
# `make check-api`: schemathesis (every check) against the OpenAPI documents of a running
# API and ingester, on a database of their own. Fails on any server error, undocumented
# status, or other disagreement between a document and what the service does.
#
# The failed-authentication limit is off for this run only: schemathesis sends many
# deliberately unauthenticated requests, and the 429s that would follow are not the point.
# Admin routes are tested with the admin token, the rest with a tenant key
# (scripts/schemathesis.toml).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/ensure-services.sh
TARGET=${CARGO_TARGET_DIR:-target}
cargo build --bins -p hookrelay-api -p hookrelay-ingester
BIN="$TARGET/debug"

SCHEMATHESIS_VERSION=4.32.5
VENV=${HOOKRELAY_VENV:-$HOME/.cache/hookrelay-venv}
if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION"
fi

DB=hookrelay_check_api
psql -h 127.0.0.1 -U postgres -d postgres -q \
  -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
API_PORT=$(free_port)
INGESTER_PORT=$(free_port)
ADMIN_TOKEN=check-api-admin-token

unset HOOKRELAY_CONFIG
export HOOKRELAY__DATABASE__URL="postgres://postgres@127.0.0.1:5432/$DB"
export HOOKRELAY__AMQP__PREFIX="hrtest-check-api-$$"
export HOOKRELAY__API__LISTEN="127.0.0.1:$API_PORT"
export HOOKRELAY__API__OPS_LISTEN="127.0.0.1:0"
export HOOKRELAY__API__ADMIN_TOKEN="$ADMIN_TOKEN"
export HOOKRELAY__API__CALLBACK_TOKEN_KEY=check-api-callback-key
export HOOKRELAY__INGESTER__LISTEN="127.0.0.1:$INGESTER_PORT"
export HOOKRELAY__INGESTER__OPS_LISTEN="127.0.0.1:0"
export HOOKRELAY__INGESTER__PUBLIC_BASE_URL="http://127.0.0.1:$INGESTER_PORT"
export HOOKRELAY__SECRETS__KEYS="check:$(printf 'check-api-key-of-32-bytes-long!!' | base64)"
export HOOKRELAY__LIMITS__FAILED_AUTH_PER_MINUTE_PER_ADDRESS=0
export HOOKRELAY__TELEMETRY__LOG_LEVEL=warn

LOGS=$(mktemp -d)
pids=()
stop() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop EXIT
"$BIN/hookrelay-api" serve >"$LOGS/api.log" 2>&1 & pids+=($!)
"$BIN/hookrelay-ingester" >"$LOGS/ingester.log" 2>&1 & pids+=($!)

API="http://127.0.0.1:$API_PORT"
INGESTER="http://127.0.0.1:$INGESTER_PORT"
scripts/wait-ready.sh "$API/readyz" "$INGESTER/readyz" || { cat "$LOGS"/*.log; exit 1; }

KEY=$(curl -fs -X POST "$API/v1/tenants" -H "authorization: Bearer $ADMIN_TOKEN" \
  -H 'content-type: application/json' -d '{"name": "schemathesis"}' |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["api_key"]["key"])')

export HOOKRELAY_CHECK_API_KEY="$KEY" HOOKRELAY_CHECK_ADMIN_TOKEN="$ADMIN_TOKEN"
st() { "$VENV/bin/schemathesis" --config-file scripts/schemathesis.toml run --checks all \
  --max-examples "${CHECK_API_EXAMPLES:-25}" --seed "${CHECK_API_SEED:-1}" \
  --request-timeout 15 --warnings off "$@"; }
status=0
echo "== API"
st "$API/v1/openapi.json" || status=1
echo "== ingester"
st "$INGESTER/v1/openapi.json" || status=1
if grep -q '"level":"ERROR"' "$LOGS"/*.log; then
  echo "error logs during the run:"
  grep -h '"level":"ERROR"' "$LOGS"/*.log | head -20
  status=1
fi
exit $status
