#!/usr/bin/env bash
# `make bench-scale`: one API + one dispatcher, then two of each, against the same
# PostgreSQL and RabbitMQ on this box, driven by `hookrelay-bench`. Reports throughput,
# latency, duplicates and each process's share of the work for both layouts
# (bench/results/scale1-*.json and scale2-*.json).
#
# Runs on a database and AMQP prefix of its own, with the development settings. Stop
# `make run` first: the CPU figures count every hookrelay process on the machine.
set -euo pipefail
cd "$(dirname "$0")/.."

if pgrep -x hookrelay-api >/dev/null || pgrep -x hookrelay-dispa >/dev/null; then
  echo "hookrelay processes are already running (make run?): stop them first," >&2
  echo "the CPU per delivery would count them too." >&2
  exit 1
fi

scripts/ensure-services.sh
TARGET=${CARGO_TARGET_DIR:-target}
cargo build --release --bins -p hookrelay-api -p hookrelay-dispatcher -p hookrelay-bench
BIN="$TARGET/release"

DB=hookrelay_scale
psql -h 127.0.0.1 -U postgres -d postgres -q \
  -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
export HOOKRELAY_CONFIG="$PWD/config/dev.toml"
export HOOKRELAY__DATABASE__URL="postgres://postgres@127.0.0.1:5432/$DB"
# An hrtest- prefix: `make clean-test` removes the queues of an interrupted run.
export HOOKRELAY__AMQP__PREFIX="hrtest-scale-$$"
export HOOKRELAY__TELEMETRY__LOG_LEVEL=warn
ADMIN_TOKEN=$(grep -E '^admin_token' config/dev.toml | sed -E 's/.*"(.*)"/\1/')

LOGS=$(mktemp -d)
pids=()
stop() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  scripts/clean-test-leftovers.sh
}
trap stop EXIT

"$BIN/hookrelay-api" migrate >"$LOGS/migrate.log" 2>&1

# start_pair N: the Nth API (port 1808N, metrics on 1918N) and dispatcher (metrics on
# 1909N).
start_pair() {
  HOOKRELAY__API__LISTEN="127.0.0.1:1808$1" HOOKRELAY__API__OPS_LISTEN="127.0.0.1:1918$1" \
    HOOKRELAY__API__MIGRATE_ON_START=false \
    "$BIN/hookrelay-api" serve >"$LOGS/api$1.log" 2>&1 & pids+=($!)
  HOOKRELAY__DISPATCHER__LISTEN="127.0.0.1:1909$1" \
    "$BIN/hookrelay-dispatcher" >"$LOGS/dispatcher$1.log" 2>&1 & pids+=($!)
  scripts/wait-ready.sh "http://127.0.0.1:1808$1/readyz" "http://127.0.0.1:1909$1/readyz" ||
    { cat "$LOGS"/*.log; exit 1; }
}

SCENARIOS=${SCALE_SCENARIOS:-steady fanout paced}
bench() {
  local n=$1 apis="" api_metrics="" metrics=""
  for i in $(seq 1 "$n"); do
    apis+="${apis:+,}http://127.0.0.1:1808$i"
    api_metrics+="${api_metrics:+,}http://127.0.0.1:1918$i/metrics"
    metrics+="${metrics:+,}http://127.0.0.1:1909$i/metrics"
  done
  echo "== $n API process(es), $n dispatcher(s)"
  # shellcheck disable=SC2086 # the scenario list and arguments are words
  "$BIN/hookrelay-bench" --api "$apis" --api-metrics "$api_metrics" --dispatcher-metrics "$metrics" \
    --admin-token "$ADMIN_TOKEN" --results-prefix "scale$n-" ${BENCH_ARGS:-} $SCENARIOS
}

start_pair 1
bench 1
start_pair 2
bench 2
if grep -q 'ERROR' "$LOGS"/api*.log "$LOGS"/dispatcher*.log; then
  echo "error logs during the run (in $LOGS):"
  grep -h 'ERROR' "$LOGS"/api*.log "$LOGS"/dispatcher*.log | head -20
  exit 1
fi
