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
  # One call deletes every hrtest- queue and exchange inside the broker (a rabbitmqctl
  # per queue starts an Erlang VM each: minutes for a few hundred).
  if ! timeout 120 rabbitmqctl -q eval '
      Test = fun(B) -> binary:longest_common_prefix([B, <<"hrtest-">>]) =:= 7 end,
      Qs = [Q || Q <- rabbit_amqqueue:list(), Test(element(4, amqqueue:get_name(Q)))],
      [rabbit_amqqueue:delete(Q, false, false, <<"clean-test">>) || Q <- Qs],
      Xs = [N || X <- rabbit_exchange:list(), N <- [element(2, X)], Test(element(4, N))],
      [rabbit_exchange:delete(N, false, <<"clean-test">>) || N <- Xs],
      {queues, length(Qs), exchanges, length(Xs)}.' >/dev/null; then
    # The eval failed or timed out (another RabbitMQ version's internals, a busy broker):
    # one queue at a time. Exchanges are left (rabbitmqctl cannot delete them; they
    # hold nothing).
    for q in $(timeout 60 rabbitmqctl -q list_queues name 2>/dev/null | grep '^hrtest-' || true); do
      timeout 30 rabbitmqctl -q delete_queue "$q" >/dev/null 2>&1 || true
    done
  fi
fi
exit 0
