#!/usr/bin/env bash
# `make run`: starts PostgreSQL/RabbitMQ if needed, migrates, and runs the three services
# in the foreground with the development settings. Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/ensure-services.sh

export HOOKRELAY_CONFIG=${HOOKRELAY_CONFIG:-$PWD/config/dev.toml}
TARGET=${CARGO_TARGET_DIR:-target}
echo "building (release)..."
cargo build --release --bins -p hookrelay-api -p hookrelay-dispatcher -p hookrelay-ingester
BIN="$TARGET/release"

"$BIN/hookrelay-api" migrate

pids=()
stop() {
  trap - INT TERM EXIT
  echo
  echo "stopping hookrelay..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "stopped."
}
trap stop INT TERM EXIT

"$BIN/hookrelay-api" serve & pids+=($!)
"$BIN/hookrelay-dispatcher" & pids+=($!)
"$BIN/hookrelay-ingester" & pids+=($!)

admin_token=$(grep -E '^admin_token' config/dev.toml | sed -E 's/.*"(.*)"/\1/')
cat <<MSG

hookrelay is running (Ctrl-C stops it):
  API         http://127.0.0.1:8080   (OpenAPI: http://127.0.0.1:8080/v1/openapi.json)
  console     http://127.0.0.1:8080/console/   (sign in with a tenant API key)
  ingester    http://127.0.0.1:8081
  metrics     http://127.0.0.1:9091/metrics (API), :9092/metrics (ingester), :9090/metrics (dispatcher)
  admin token ${HOOKRELAY__API__ADMIN_TOKEN:-$admin_token}

MSG
# If any service exits, stop the others too.
wait -n "${pids[@]}"
