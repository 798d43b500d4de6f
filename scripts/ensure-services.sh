#!/usr/bin/env bash
# Makes sure PostgreSQL and RabbitMQ answer on 127.0.0.1 (starting installed-but-stopped
# ones), then creates the hookrelay database. Used by `make run` and `make test`.
set -euo pipefail

PGHOST_ADDR=${PGHOST_ADDR:-127.0.0.1}
PGUSER_NAME=${PGUSER_NAME:-postgres}
DB_NAME=${HOOKRELAY_DB_NAME:-hookrelay}

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

wait_port() {
  local host=$1 port=$2 what=$3 tries=${4:-60}
  for _ in $(seq "$tries"); do
    port_open "$host" "$port" && return 0
    sleep 1
  done
  echo "error: $what did not come up on $host:$port" >&2
  return 1
}

missing() {
  cat >&2 <<MSG
error: $1 is not running on 127.0.0.1:$2 and is not installed here.
Install it one of these ways, then run the command again:
  - Debian/Ubuntu:  sudo apt-get install -y postgresql rabbitmq-server
  - Docker:         docker compose up -d postgres rabbitmq
MSG
  exit 1
}

# PostgreSQL
if ! port_open "$PGHOST_ADDR" 5432; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    echo "starting PostgreSQL..."
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n1)" main start
    wait_port "$PGHOST_ADDR" 5432 PostgreSQL
  else
    missing PostgreSQL 5432
  fi
fi

# RabbitMQ
if ! port_open 127.0.0.1 5672; then
  if command -v rabbitmq-server >/dev/null 2>&1; then
    echo "starting RabbitMQ..."
    rabbitmq-server -detached
    wait_port 127.0.0.1 5672 RabbitMQ 120
  else
    missing RabbitMQ 5672
  fi
fi

# The project's database.
if command -v psql >/dev/null 2>&1; then
  exists=$(psql -h "$PGHOST_ADDR" -U "$PGUSER_NAME" -d postgres -Atc \
    "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")
  if [ "$exists" != "1" ]; then
    psql -h "$PGHOST_ADDR" -U "$PGUSER_NAME" -d postgres -qc "CREATE DATABASE $DB_NAME"
    echo "created database $DB_NAME"
  fi
fi
