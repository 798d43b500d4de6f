#!/usr/bin/env bash
# `make bench-history`: how the webhook log and stats behave on a large history.
#
# Builds a throwaway database with one webhook that has ATTEMPTS attempts (default
# 1,000,000) spread over 30 days (plus its deliveries, events and per-minute stats rows,
# as the dispatcher would have written them), starts the real hookrelay-api on it, and
# times the first page of GET /v1/webhooks/{id}/logs (with and without filters) and
# GET /v1/webhooks/{id}/stats?window=30d, then prints the log query's plan.
set -euo pipefail
cd "$(dirname "$0")/.."

ATTEMPTS=${ATTEMPTS:-1000000}
DB=hookrelay_history
PORT=${PORT:-18080}
PSQL="psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -q"
TARGET=${CARGO_TARGET_DIR:-target}

scripts/ensure-services.sh
cargo build --release --bins -p hookrelay-api
$PSQL -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
export HOOKRELAY__DATABASE__URL="postgres://postgres@127.0.0.1:5432/$DB"
export HOOKRELAY__API__LISTEN="127.0.0.1:$PORT"
export HOOKRELAY__API__OPS_LISTEN="127.0.0.1:0"
export HOOKRELAY__API__ADMIN_TOKEN="history-admin"
export HOOKRELAY__TELEMETRY__LOG_LEVEL=warn
"$TARGET/release/hookrelay-api" migrate >/dev/null

KEY="hr_history_$(date +%s%N)"
echo "building $ATTEMPTS attempts of one webhook..."
started=$(date +%s)
$PSQL -d $DB <<SQL
INSERT INTO tenants (id, name) VALUES ('00000000-0000-7000-8000-000000000001', 'history');
INSERT INTO api_keys (id, tenant_id, name, key_prefix, key_hash)
VALUES (gen_random_uuid(), '00000000-0000-7000-8000-000000000001', 'history', left('$KEY', 12),
        sha256(convert_to('$KEY', 'UTF8')));
INSERT INTO webhooks (id, tenant_id, name, url, event_types, secret)
VALUES ('00000000-0000-7000-8000-0000000000aa', '00000000-0000-7000-8000-000000000001', 'busy',
        'http://127.0.0.1:9/', ARRAY['*'], 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD');
-- One event and delivery per four attempts; 1 attempt in 20 fails; types order.* and invoice.*.
CREATE TEMP TABLE n AS
SELECT g AS i, now() - interval '30 days' + (g * (interval '30 days' / $ATTEMPTS)) AS at
FROM generate_series(1, $ATTEMPTS) g;
INSERT INTO events (id, tenant_id, event_type, data, occurred_at, created_at)
SELECT uuid_in(md5('e' || (i / 4))::cstring), '00000000-0000-7000-8000-000000000001',
       CASE WHEN (i / 4) % 3 = 0 THEN 'invoice.paid' ELSE 'order.created' END,
       '{"n":' || (i / 4) || '}', at, at
FROM n WHERE i % 4 = 0 OR i = 1;
INSERT INTO deliveries (id, tenant_id, event_id, webhook_id, status, attempts, created_at, completed_at)
SELECT uuid_in(md5('d' || (i / 4))::cstring), '00000000-0000-7000-8000-000000000001',
       uuid_in(md5('e' || (i / 4))::cstring), '00000000-0000-7000-8000-0000000000aa',
       'succeeded', 4, at, at
FROM n WHERE i % 4 = 0 OR i = 1;
INSERT INTO delivery_attempts (id, delivery_id, attempt_no, tenant_id, webhook_id, event_id, event_type,
                               payload_format, started_at, duration_ms, response_code, succeeded)
SELECT gen_random_uuid(), uuid_in(md5('d' || (i / 4))::cstring), i % 4 + 1,
       '00000000-0000-7000-8000-000000000001', '00000000-0000-7000-8000-0000000000aa',
       uuid_in(md5('e' || (i / 4))::cstring),
       CASE WHEN (i / 4) % 3 = 0 THEN 'invoice.paid' ELSE 'order.created' END,
       'envelope', at, 20 + i % 200, CASE WHEN i % 20 = 0 THEN 500 ELSE 200 END, i % 20 <> 0
FROM n;
INSERT INTO webhook_stats (webhook_id, minute, tenant_id, attempts, successes, failed_deliveries, d2, d3, d4, d5)
SELECT '00000000-0000-7000-8000-0000000000aa', date_trunc('minute', at), '00000000-0000-7000-8000-000000000001',
       count(*), count(*) FILTER (WHERE i % 20 <> 0), 0,
       count(*) FILTER (WHERE 20 + i % 200 <= 25), count(*) FILTER (WHERE 20 + i % 200 BETWEEN 26 AND 50),
       count(*) FILTER (WHERE 20 + i % 200 BETWEEN 51 AND 100), count(*) FILTER (WHERE 20 + i % 200 > 100)
FROM n GROUP BY 2;
ANALYZE;
SQL
echo "built in $(( $(date +%s) - started )) s"

"$TARGET/release/hookrelay-api" serve &
api=$!
trap 'kill $api 2>/dev/null || true; wait $api 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.2; done

WEBHOOK=00000000-0000-7000-8000-0000000000aa
time_route() {
  local label=$1 path=$2 best=999999 total=0 t
  for _ in $(seq 1 20); do
    t=$(curl -s -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $KEY" "http://127.0.0.1:$PORT$path")
    t=$(awk -v t="$t" 'BEGIN { printf "%d", t * 1000000 }')
    total=$((total + t)); [ "$t" -lt "$best" ] && best=$t
  done
  printf '%-34s best %6.2f ms   mean %6.2f ms\n' "$label" "$(awk -v b=$best 'BEGIN{print b/1000}')" "$(awk -v s=$total 'BEGIN{print s/20000}')"
}
echo
echo "first page, 20 requests each, over HTTP (API + PostgreSQL):"
time_route "logs (newest 20)" "/v1/webhooks/$WEBHOOK/logs"
time_route "logs ?status=failure" "/v1/webhooks/$WEBHOOK/logs?status=failure"
time_route "logs ?event_type=invoice.paid" "/v1/webhooks/$WEBHOOK/logs?event_type=invoice.paid"
time_route "logs ?until=15 days ago" "/v1/webhooks/$WEBHOOK/logs?until=$(date -u -d '15 days ago' +%Y-%m-%dT%H:%M:%SZ)"
time_route "stats ?window=24h" "/v1/webhooks/$WEBHOOK/stats?window=24h"
time_route "stats ?window=30d" "/v1/webhooks/$WEBHOOK/stats?window=30d"
time_route "deliveries ?webhook_id" "/v1/deliveries?webhook_id=$WEBHOOK"
echo
echo "plan of the log's first page:"
$PSQL -d $DB -c "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
  SELECT a.id, a.delivery_id, a.event_type, a.started_at, e.data
  FROM delivery_attempts a LEFT JOIN events e ON e.id = a.event_id
  WHERE a.webhook_id = '$WEBHOOK' AND a.tenant_id = '00000000-0000-7000-8000-000000000001'
  ORDER BY a.started_at DESC, a.id DESC LIMIT 21"
[ -n "${KEEP:-}" ] || $PSQL -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" 2>/dev/null || true
