#!/usr/bin/env bash
# `make clients`: regenerates the Python and TypeScript clients from the API's OpenAPI
# document (`hookrelay-api openapi`, written to clients/openapi.json) with pinned
# generators, and builds the TypeScript one (dist/).
# `make check-clients` (CI): the same, then fails if anything differs from what is
# committed, and runs each client's tests against a real API on a database of its own.
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=${1:-generate}

# Pinned: a new generator version is a deliberate change (regenerate and commit).
OPENAPI_PYTHON_CLIENT=0.29.1
RUFF=0.14.0
VENV=${HOOKRELAY_CLIENTS_VENV:-$HOME/.cache/hookrelay-clients-venv}
TARGET=${CARGO_TARGET_DIR:-target}

cargo build -q --bins -p hookrelay-api
"$TARGET/debug/hookrelay-api" openapi > clients/openapi.json

if ! "$VENV/bin/openapi-python-client" --version 2>/dev/null | grep -q "$OPENAPI_PYTHON_CLIENT" ||
  ! "$VENV/bin/ruff" --version 2>/dev/null | grep -q "$RUFF"; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "openapi-python-client==$OPENAPI_PYTHON_CLIENT" "ruff==$RUFF" \
    httpx attrs python-dateutil pytest
fi

echo "clients: python (openapi-python-client $OPENAPI_PYTHON_CLIENT)"
OUT=$(mktemp -d)
PATH="$VENV/bin:$PATH" "$VENV/bin/openapi-python-client" generate --path clients/openapi.json \
  --output-path "$OUT/generated" --meta none --overwrite >"$OUT/log" 2>&1 || { cat "$OUT/log"; exit 1; }
rm -rf clients/python/hookrelay/_generated
mv "$OUT/generated" clients/python/hookrelay/_generated
rm -rf "$OUT"

echo "clients: typescript (@hey-api/openapi-ts, see clients/typescript/package.json)"
(
  cd clients/typescript
  if [ ! -d node_modules/@hey-api/openapi-ts ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
  fi
  npx openapi-ts >/dev/null
  npm run -s build
)

[ "$MODE" = check ] || exit 0

if [ -n "$(git status --porcelain -- clients)" ]; then
  echo "clients: the generated clients differ from what is committed; run \`make clients\` and commit:" >&2
  git status --short -- clients >&2
  git diff --stat -- clients >&2
  exit 1
fi

scripts/ensure-services.sh
DB=hookrelay_check_clients
psql -h 127.0.0.1 -U postgres -d postgres -q \
  -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
API_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
ADMIN_TOKEN=check-clients-admin-token
unset HOOKRELAY_CONFIG
export HOOKRELAY__DATABASE__URL="postgres://postgres@127.0.0.1:5432/$DB"
export HOOKRELAY__AMQP__PREFIX="hrtest-check-clients-$$"
export HOOKRELAY__API__LISTEN="127.0.0.1:$API_PORT"
export HOOKRELAY__API__OPS_LISTEN="127.0.0.1:0"
export HOOKRELAY__API__ADMIN_TOKEN="$ADMIN_TOKEN"
export HOOKRELAY__DELIVERY__ALLOW_PRIVATE_TARGETS=true
export HOOKRELAY__TELEMETRY__LOG_LEVEL=warn
LOGS=$(mktemp -d)
"$TARGET/debug/hookrelay-api" serve >"$LOGS/api.log" 2>&1 &
API_PID=$!
trap 'kill -TERM $API_PID 2>/dev/null || true; wait 2>/dev/null || true' EXIT
API="http://127.0.0.1:$API_PORT"
scripts/wait-ready.sh "$API/v1/openapi.json" || { cat "$LOGS/api.log"; exit 1; }
new_key() {
  curl -fs -X POST "$API/v1/tenants" -H "authorization: Bearer $ADMIN_TOKEN" \
    -H 'content-type: application/json' -d "{\"name\": \"$1\"}" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["api_key"]["key"])'
}
export HOOKRELAY_API_URL="$API"
status=0
echo "clients: python tests"
HOOKRELAY_TOKEN=$(new_key python) PYTHONPATH=clients/python "$VENV/bin/pytest" -q -p no:cacheprovider clients/python/tests || status=1
echo "clients: typescript tests"
(cd clients/typescript && HOOKRELAY_TOKEN=$(new_key typescript) npm test --silent) || status=1
exit $status
