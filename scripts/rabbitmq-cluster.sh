#!/usr/bin/env bash
# A 3-node RabbitMQ cluster on this machine, beside the system broker (5672), for the
# broker-node-loss test and `make chaos`: nodes hookrelay1..3@localhost on AMQP ports
# 5681..5683 (distribution ports 25681..25683), data under $CLUSTER_DIR.
#
#   scripts/rabbitmq-cluster.sh start        start the three nodes and cluster them
#   scripts/rabbitmq-cluster.sh stop         stop them and delete their data
#   scripts/rabbitmq-cluster.sh urls         the AMQP URLs, comma-separated (amqp.url)
#   scripts/rabbitmq-cluster.sh node-stop N  stop node N (1-3) the hard way (its VM)
#   scripts/rabbitmq-cluster.sh node-start N start node N again; it rejoins
#   scripts/rabbitmq-cluster.sh leader Q     the node (1-3) leading quorum queue Q
set -euo pipefail

CLUSTER_DIR=${CLUSTER_DIR:-/tmp/hookrelay-rabbitmq-cluster}
NODES=(1 2 3)

node_name() { echo "hookrelay$1@localhost"; }
amqp_port() { echo $((5680 + $1)); }

# Runs a RabbitMQ command line tool as the rabbitmq user (it owns the Erlang cookie).
as_rabbitmq() {
  if [ "$(id -u)" = 0 ]; then
    (cd /var/lib/rabbitmq && runuser -u rabbitmq -- env HOME=/var/lib/rabbitmq "$@")
  else
    "$@"
  fi
}

ctl() {
  local n=$1
  shift
  as_rabbitmq /usr/lib/rabbitmq/bin/rabbitmqctl -n "$(node_name "$n")" "$@"
}

start_node() {
  local n=$1 dir="$CLUSTER_DIR/n$1"
  mkdir -p "$dir/mnesia" "$dir/log"
  cat >"$dir/rabbitmq.conf" <<CONF
listeners.tcp.local = 127.0.0.1:$(amqp_port "$n")
loopback_users = none
cluster_partition_handling = pause_minority
CONF
  echo "[]." >"$dir/enabled_plugins"
  [ "$(id -u)" = 0 ] && chown -R rabbitmq:rabbitmq "$CLUSTER_DIR"
  as_rabbitmq env \
    RABBITMQ_NODENAME="$(node_name "$n")" \
    RABBITMQ_DIST_PORT=$((25680 + n)) \
    RABBITMQ_CONFIG_FILE="$dir/rabbitmq" \
    RABBITMQ_MNESIA_BASE="$dir/mnesia" \
    RABBITMQ_LOG_BASE="$dir/log" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins" \
    RABBITMQ_PID_FILE="$dir/pid" \
    RABBITMQ_CONF_ENV_FILE=/dev/null \
    ERL_EPMD_ADDRESS=127.0.0.1 \
    /usr/lib/rabbitmq/bin/rabbitmq-server -detached
  # `await_startup` waits for the node's boot to finish (or to fail).
  for _ in $(seq 1 60); do
    if ctl "$n" await_startup --timeout 5 >/dev/null 2>&1; then
      return 0
    fi
    sleep 1
  done
  echo "node $(node_name "$n") did not start; see $dir/log" >&2
  return 1
}

urls() {
  local out=()
  for n in "${NODES[@]}"; do out+=("amqp://guest:guest@127.0.0.1:$(amqp_port "$n")/%2f"); done
  (IFS=,; echo "${out[*]}")
}

case "${1:-}" in
  start)
    if ctl 1 status >/dev/null 2>&1; then
      echo "cluster already running: $(urls)"
      exit 0
    fi
    rm -rf "$CLUSTER_DIR"
    for n in "${NODES[@]}"; do start_node "$n"; done
    for n in 2 3; do
      ctl "$n" stop_app >/dev/null
      ctl "$n" join_cluster "$(node_name 1)" >/dev/null
      ctl "$n" start_app >/dev/null
    done
    ctl 1 await_online_nodes 3 --timeout 60 >/dev/null 2>&1 || true
    echo "cluster running: $(urls)"
    ;;
  stop)
    for n in "${NODES[@]}"; do ctl "$n" stop >/dev/null 2>&1 || true; done
    rm -rf "$CLUSTER_DIR"
    ;;
  urls)
    urls
    ;;
  node-stop)
    n=${2:?node number}
    pid=$(cat "$CLUSTER_DIR/n$n/pid" 2>/dev/null || true)
    if [ -n "$pid" ]; then kill -KILL "$pid" 2>/dev/null || true; fi
    ;;
  node-start)
    start_node "${2:?node number}"
    ;;
  leader)
    q=${2:?queue name}
    for asked in "${NODES[@]}"; do
      leader=$(ctl "$asked" list_queues name leader --no-table-headers --quiet 2>/dev/null |
        awk -v q="$q" '$1 == q { print $2 }') || continue
      [ -n "$leader" ] && break
    done
    for n in "${NODES[@]}"; do
      if [ "$leader" = "$(node_name "$n")" ]; then echo "$n"; fi
    done
    ;;
  *)
    sed -n '2,12p' "$0"
    exit 2
    ;;
esac
