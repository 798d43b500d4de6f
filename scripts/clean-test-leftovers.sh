#!/usr/bin/env bash
# Drops databases and RabbitMQ queues/exchanges left by earlier test runs (tests name
# theirs with unique prefixes and cannot remove them when they finish).
set -uo pipefail
if command -v psql >/dev/null 2>&1; then
  for db in $(psql -h 127.0.0.1 -U postgres -d postgres -Atc \
      "SELECT datname FROM pg_database WHERE datname LIKE 'hookrelay_test_%'"); do
    psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" || true
  done
fi
if command -v rabbitmqctl >/dev/null 2>&1; then
  for q in $(rabbitmqctl -q list_queues name 2>/dev/null | grep '^hrtest-' || true); do
    rabbitmqctl -q delete_queue "$q" >/dev/null 2>&1 || true
  done
  for x in $(rabbitmqctl -q list_exchanges name 2>/dev/null | grep '^hrtest-' || true); do
    rabbitmqadmin delete exchange name="$x" >/dev/null 2>&1 || true
  done
fi
exit 0
