#!/usr/bin/env bash
# `make bench-retention`: the cost of retention under load. Runs the `steady` benchmark
# twice on a throwaway database: once as is, and once while the dispatcher's retention
# job deletes ATTEMPTS (default 1,000,000) attempts older than `retention.days`, and
# prints both, with how long the deletion took.
set -euo pipefail
cd "$(dirname "$0")/.."

ATTEMPTS=${ATTEMPTS:-1000000}
DB=hookrelay_retention
PSQL="psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -q"
TARGET=${CARGO_TARGET_DIR:-target}

scripts/ensure-services.sh
cargo build --release --bins -p hookrelay-api -p hookrelay-dispatcher -p hookrelay-ingester -p hookrelay-bench
$PSQL -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
export HOOKRELAY_CONFIG=$PWD/config/dev.toml
export HOOKRELAY__DATABASE__URL="postgres://postgres@127.0.0.1:5432/$DB"
export HOOKRELAY__AMQP__PREFIX="hookrelay-retention"
export HOOKRELAY__RETENTION__INTERVAL_SECS=1
export HOOKRELAY__TELEMETRY__LOG_LEVEL=warn
export HOOKRELAY__TELEMETRY__LOG_FORMAT=json
"$TARGET/release/hookrelay-api" migrate >/dev/null

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
"$TARGET/release/hookrelay-api" serve >/tmp/retention-api.log 2>&1 & pids+=($!)
"$TARGET/release/hookrelay-dispatcher" >/tmp/retention-dispatcher.log 2>&1 & pids+=($!)
"$TARGET/release/hookrelay-ingester" >/tmp/retention-ingester.log 2>&1 & pids+=($!)
for _ in $(seq 1 100); do
  curl -sf http://127.0.0.1:8080/readyz >/dev/null && curl -sf http://127.0.0.1:9090/readyz >/dev/null && break
  sleep 0.2
done

echo "== steady, no retention work"
"$TARGET/release/hookrelay-bench" steady | tail -3 | head -2

echo "== building $ATTEMPTS attempts 40 days old..."
$PSQL -d $DB <<SQL
INSERT INTO tenants (id, name) VALUES ('00000000-0000-7000-8000-0000000000f1', 'old');
INSERT INTO delivery_attempts (id, delivery_id, attempt_no, tenant_id, webhook_id, event_id, event_type,
                               started_at, duration_ms, response_code, succeeded)
SELECT gen_random_uuid(), gen_random_uuid(), 1, '00000000-0000-7000-8000-0000000000f1',
       '00000000-0000-7000-8000-0000000000f2', gen_random_uuid(), 'old.event',
       now() - interval '40 days' - (g * interval '1 second'), 10, 200, true
FROM generate_series(1, $ATTEMPTS) g;
SQL
old() { $PSQL -d $DB -Atc "SELECT count(*) FROM delivery_attempts WHERE started_at < now() - interval '30 days'"; }
echo "old attempts: $(old)"

echo "== steady, while retention deletes them"
started=$(date +%s.%N)
"$TARGET/release/hookrelay-bench" steady > /tmp/retention-bench.txt 2>&1 &
bench=$!
until [ "$(old)" = "0" ]; do sleep 0.5; done
done_at=$(date +%s.%N)
wait $bench
tail -3 /tmp/retention-bench.txt | head -2
awk -v s="$started" -v e="$done_at" -v n="$ATTEMPTS" \
  'BEGIN { printf "retention deleted %d old attempts in %.1f s (%.0f rows/s) during the run\n", n, e - s, n / (e - s) }'
